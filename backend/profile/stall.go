package profile

import (
	"context"
	"io"
	"net/http"
	"sync"
	"time"
)

// stallGuard ends a request whose body has moved no byte for idle: while the
// request body is sent and while the response body is read. The wait for the
// response headers in between is the transport's ResponseHeaderTimeout.
type stallGuard struct {
	base http.RoundTripper
	idle time.Duration
}

func (g stallGuard) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithCancelCause(req.Context())
	w := &watch{idle: g.idle, cancel: cancel}
	req = req.WithContext(ctx)
	if req.Body != nil && req.Body != http.NoBody {
		req.Body = &watchedBody{rc: req.Body, w: w, sending: true}
		w.arm()
	}

	resp, err := g.base.RoundTrip(req)
	if err != nil {
		w.disarm()
		cancel(nil)
		if w.stalled() {
			return nil, &StallError{Idle: g.idle, Sending: true}
		}
		return nil, err
	}
	w.arm()
	resp.Body = &watchedBody{rc: resp.Body, w: w, done: func() {
		w.disarm()
		cancel(nil)
	}}
	return resp, nil
}

// watch is the idle timer of one request.
type watch struct {
	idle   time.Duration
	cancel context.CancelCauseFunc

	mu    sync.Mutex
	timer *time.Timer
	fired bool
}

// arm starts the timer again from now.
func (w *watch) arm() {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case w.fired:
	case w.timer == nil:
		w.timer = time.AfterFunc(w.idle, w.fire)
	default:
		w.timer.Reset(w.idle)
	}
}

func (w *watch) disarm() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.timer != nil {
		w.timer.Stop()
	}
}

func (w *watch) fire() {
	w.mu.Lock()
	w.fired = true
	w.mu.Unlock()
	w.cancel(&StallError{Idle: w.idle})
}

func (w *watch) stalled() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.fired
}

// watchedBody re-arms the watch on every read. A request body stops the watch
// at its end; a response body stops it when closed.
type watchedBody struct {
	rc      io.ReadCloser
	w       *watch
	sending bool
	done    func()
	once    sync.Once
}

func (b *watchedBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	switch {
	case err != nil && b.w.stalled():
		return n, &StallError{Idle: b.w.idle, Sending: b.sending}
	case err == io.EOF && b.sending:
		b.w.disarm()
	case err == nil || n > 0:
		b.w.arm()
	}
	return n, err
}

func (b *watchedBody) Close() error {
	err := b.rc.Close()
	if b.done != nil {
		b.once.Do(b.done)
	}
	return err
}

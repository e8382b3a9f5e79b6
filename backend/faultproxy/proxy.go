package faultproxy

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"regexp"
	"sync"
	"sync/atomic"
	"time"
)

// Proxy forwards to one backend and breaks the requests its faults match.
type Proxy struct {
	// URL is the proxy's base URL; Addr its host:port.
	URL  string
	Addr string

	srv    *http.Server
	rp     *httputil.ReverseProxy
	quit   chan struct{}
	closed sync.Once

	mu     sync.Mutex
	rules  []*rule
	broken int

	requests atomic.Int64
	sent     atomic.Int64 // request body bytes that reached the backend
}

// Start listens on a free loopback port and forwards to backend (a base URL).
// With a certificate it serves TLS.
func Start(backend string, cert *tls.Certificate) (*Proxy, error) {
	target, err := url.Parse(backend)
	if err != nil || target.Host == "" {
		return nil, fmt.Errorf("faultproxy: bad backend %q", backend)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	scheme := "http"
	if cert != nil {
		l = tls.NewListener(l, &tls.Config{Certificates: []tls.Certificate{*cert}})
		scheme = "https"
	}
	p := &Proxy{Addr: l.Addr().String(), quit: make(chan struct{})}
	p.URL = scheme + "://" + p.Addr
	p.rp = &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target)
			// The backend builds upload locations from the Host it sees,
			// so it must see the proxy's.
			r.Out.Host = r.In.Host
			r.SetXForwarded()
		},
		ErrorLog: log.New(io.Discard, "", 0),
	}
	p.srv = &http.Server{Handler: p, ErrorLog: log.New(io.Discard, "", 0),
		ReadHeaderTimeout: 10 * time.Second}
	go p.srv.Serve(l)
	return p, nil
}

// Close stops the proxy and ends every hung answer.
func (p *Proxy) Close() {
	p.closed.Do(func() {
		close(p.quit)
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if p.srv.Shutdown(ctx) != nil {
			p.srv.Close()
		}
	})
}

// Set replaces the faults; requests that match none are forwarded as they are.
func (p *Proxy) Set(faults ...Fault) {
	rules := make([]*rule, len(faults))
	for i, f := range faults {
		rules[i] = &rule{Fault: f}
		if f.Path != "" {
			rules[i].path = regexp.MustCompile(f.Path)
		}
	}
	p.mu.Lock()
	p.rules = rules
	p.mu.Unlock()
}

// Clear removes every fault.
func (p *Proxy) Clear() { p.Set() }

// Broken is how many requests the faults have broken so far.
func (p *Proxy) Broken() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.broken
}

// Requests is how many requests arrived.
func (p *Proxy) Requests() int64 { return p.requests.Load() }

// Sent is how many request body bytes reached the backend.
func (p *Proxy) Sent() int64 { return p.sent.Load() }

// pick returns the fault to apply to r, if any.
func (p *Proxy) pick(r *http.Request) *Fault {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, ru := range p.rules {
		if ru.take(r) {
			p.broken++
			f := ru.Fault
			return &f
		}
	}
	return nil
}

func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.requests.Add(1)
	f := p.pick(r)
	if f == nil {
		p.forward(w, r, nil)
		return
	}
	if f.Delay > 0 && !p.wait(r.Context(), f.Delay) {
		return
	}
	switch {
	case f.Status != 0:
		for k, v := range f.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(f.Status)
		io.WriteString(w, f.Body)
	case f.CutRequestAfter > 0:
		io.CopyN(io.Discard, r.Body, f.CutRequestAfter)
		panic(http.ErrAbortHandler)
	default:
		p.forward(w, r, f)
	}
}

// forward passes r to the backend, applying f's body faults to the answer.
func (p *Proxy) forward(w http.ResponseWriter, r *http.Request, f *Fault) {
	if r.Body != nil {
		r.Body = &counted{ReadCloser: r.Body, n: &p.sent}
	}
	if f != nil && (f.StallAfter > 0 || f.CutAfter > 0) {
		w = &breakingWriter{ResponseWriter: w, f: f, p: p, ctx: r.Context()}
	}
	p.rp.ServeHTTP(w, r)
}

// wait sleeps for d, or less when the client or the proxy goes away; it
// reports whether the full time passed.
func (p *Proxy) wait(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
	case <-p.quit:
	}
	return false
}

// breakingWriter passes the first bytes of an answer and then stalls or cuts.
type breakingWriter struct {
	http.ResponseWriter
	f       *Fault
	p       *Proxy
	ctx     context.Context
	written int64
}

var errStalled = errors.New("faultproxy: stalled")

func (b *breakingWriter) Write(data []byte) (int, error) {
	limit := b.f.CutAfter
	if b.f.StallAfter > 0 {
		limit = b.f.StallAfter
	}
	if room := limit - b.written; int64(len(data)) > room {
		n, _ := b.ResponseWriter.Write(data[:max(room, 0)])
		b.written += int64(n)
		if fl, ok := b.ResponseWriter.(http.Flusher); ok {
			fl.Flush()
		}
		if b.f.StallAfter > 0 {
			// At most a minute, so that nothing hangs past a test.
			b.p.wait(b.ctx, time.Minute)
			return n, errStalled
		}
		panic(http.ErrAbortHandler)
	}
	n, err := b.ResponseWriter.Write(data)
	b.written += int64(n)
	return n, err
}

func (b *breakingWriter) Flush() {
	if fl, ok := b.ResponseWriter.(http.Flusher); ok {
		fl.Flush()
	}
}

type counted struct {
	io.ReadCloser
	n *atomic.Int64
}

func (c *counted) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p)
	c.n.Add(int64(n))
	return n, err
}

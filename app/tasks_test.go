package app

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

type recorder struct {
	mu     sync.Mutex
	events []Task
}

func (r *recorder) emit(name string, data any) {
	if name != EventTasks {
		return
	}
	r.mu.Lock()
	r.events = append(r.events, data.(Task))
	r.mu.Unlock()
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.events)
}

func TestTaskProgressIsThrottled(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	centre := NewTasks(rec.emit, time.Hour)
	h, _ := centre.start(context.Background(), "upload", "basic/aa:V5")
	for i := int64(1); i <= 1000; i++ {
		h.Progress(i, 1000)
	}
	h.Finish(nil)
	// start, the first progress (nothing emitted before it), and the final state.
	if got := rec.count(); got != 3 {
		t.Fatalf("emitted %d events for 1000 progress calls, want 3", got)
	}
	for i := 1; i < len(rec.events); i++ {
		if rec.events[i].Seq <= rec.events[i-1].Seq {
			t.Errorf("update %d has seq %d after %d", i, rec.events[i].Seq, rec.events[i-1].Seq)
		}
	}
	last := rec.events[len(rec.events)-1]
	if last.State != TaskSucceeded || last.Done != 1000 {
		t.Errorf("final event = %+v, want succeeded with 1000 done", last)
	}
}

func TestTaskCancelStopsContext(t *testing.T) {
	t.Parallel()
	centre := NewTasks(nil, 0)
	h, ctx := centre.start(context.Background(), "download", "x")
	if err := centre.Cancel(h.ID()); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ctx.Done():
	case <-time.After(time.Second):
		t.Fatal("cancel did not end the task's context")
	}
	h.Finish(ctx.Err())
	got := centre.List()[0]
	if got.State != TaskCancelled || got.ErrorCode != CodeCancelled {
		t.Errorf("task = %+v, want cancelled", got)
	}
	var ce *CodedError
	if err := centre.Cancel("nope"); !errors.As(err, &ce) || ce.Code != CodeTaskNotFound {
		t.Errorf("Cancel(unknown) = %v, want %s", err, CodeTaskNotFound)
	}
}

func TestTaskFailureCarriesCode(t *testing.T) {
	t.Parallel()
	centre := NewTasks(nil, 0)
	h, _ := centre.start(context.Background(), "upload", "x")
	h.Finish(&CodedError{Code: "registry_unreachable", Detail: "127.0.0.1:1"})
	h.Progress(5, 10) // after the end: ignored
	got := centre.List()[0]
	if got.State != TaskFailed || got.ErrorCode != "registry_unreachable" || got.Done != 0 {
		t.Errorf("task = %+v", got)
	}
	centre.ClearFinished()
	if n := len(centre.List()); n != 0 {
		t.Errorf("%d tasks left after ClearFinished", n)
	}
}

func TestTaskListNewestFirst(t *testing.T) {
	t.Parallel()
	centre := NewTasks(nil, 0)
	now := time.Unix(1000, 0)
	centre.nowFunc = func() time.Time { now = now.Add(time.Second); return now }
	a, _ := centre.start(context.Background(), "upload", "a")
	b, _ := centre.start(context.Background(), "upload", "b")
	list := centre.List()
	if list[0].ID != b.ID() || list[1].ID != a.ID() {
		t.Errorf("order = %s, %s; want newest first", list[0].ID, list[1].ID)
	}
}

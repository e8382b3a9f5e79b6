package app

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"
)

// TaskState is where a task is in its life.
type TaskState string

// The states a task goes through; every task ends in one of the last three.
const (
	TaskRunning   TaskState = "running"
	TaskSucceeded TaskState = "succeeded"
	TaskFailed    TaskState = "failed"
	TaskCancelled TaskState = "cancelled"
)

// EventTasks is the window event carrying one task's new state.
const EventTasks = "tasks:update"

// Task is one long-running operation as the task centre shows it.
type Task struct {
	ID        string    `json:"id"`
	Kind      string    `json:"kind"`    // upload, download, sign, …: the window translates it
	Subject   string    `json:"subject"` // what is worked on, e.g. basic/ubuntu:V5
	State     TaskState `json:"state"`
	Done      int64     `json:"done"`
	Total     int64     `json:"total"`
	Rate      float64   `json:"rate"` // bytes per second, smoothed
	ErrorCode string    `json:"errorCode,omitempty"`
	Detail    string    `json:"detail,omitempty"`
	Started   time.Time `json:"started"`
	Ended     time.Time `json:"ended,omitzero"`
	// Seq orders the updates: events may reach the window out of order, and the
	// window keeps the highest.
	Seq uint64 `json:"seq"`
}

// Tasks is the task centre: it owns every long task's id, progress and cancel
// function, so a task survives the window switching views. Bound to the window.
type Tasks struct {
	mu      sync.Mutex
	seq     int
	updates uint64
	tasks   map[string]*taskEntry
	emit    func(name string, data any)
	every   time.Duration
	nowFunc func() time.Time
}

type taskEntry struct {
	task     Task
	cancel   context.CancelFunc
	lastEmit time.Time
	lastDone int64
	lastAt   time.Time
}

// NewTasks returns an empty task centre that reports changes through emit at most
// once per interval for each task (final states are always reported).
func NewTasks(emit func(string, any), interval time.Duration) *Tasks {
	if emit == nil {
		emit = func(string, any) {}
	}
	return &Tasks{
		tasks:   map[string]*taskEntry{},
		emit:    emit,
		every:   interval,
		nowFunc: time.Now,
	}
}

// setEmitter replaces the event sink once the window runtime is up.
func (t *Tasks) setEmitter(emit func(string, any)) {
	t.mu.Lock()
	t.emit = emit
	t.mu.Unlock()
}

// List returns every task, newest first.
func (t *Tasks) List() []Task {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]Task, 0, len(t.tasks))
	for _, e := range t.tasks {
		out = append(out, e.task)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Started.After(out[j].Started) })
	return out
}

// Cancel asks a running task to stop; its network work ends at once through its
// context, and the task then reports the cancelled state.
func (t *Tasks) Cancel(id string) error {
	t.mu.Lock()
	e, ok := t.tasks[id]
	t.mu.Unlock()
	if !ok {
		return &CodedError{Code: CodeTaskNotFound, Detail: id}
	}
	e.cancel()
	return nil
}

// ClearFinished drops every task that is no longer running.
func (t *Tasks) ClearFinished() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for id, e := range t.tasks {
		if e.task.State != TaskRunning {
			delete(t.tasks, id)
		}
	}
}

// start registers a running task and returns its handle and a context that the
// task's work must use.
func (t *Tasks) start(parent context.Context, kind, subject string) (*TaskHandle, context.Context) {
	ctx, cancel := context.WithCancel(parent)
	t.mu.Lock()
	t.seq++
	now := t.nowFunc()
	e := &taskEntry{cancel: cancel, lastAt: now}
	e.task = Task{
		ID:      fmt.Sprintf("t%d", t.seq),
		Kind:    kind,
		Subject: subject,
		State:   TaskRunning,
		Started: now,
	}
	t.tasks[e.task.ID] = e
	snapshot, emit := t.stamp(e), t.emit
	t.mu.Unlock()
	emit(EventTasks, snapshot)
	return &TaskHandle{centre: t, id: e.task.ID}, ctx
}

// TaskHandle is what the code running a task uses to report on it.
type TaskHandle struct {
	centre *Tasks
	id     string
}

// ID returns the task's id.
func (h *TaskHandle) ID() string { return h.id }

// Progress records bytes done of total and emits at most once per interval.
func (h *TaskHandle) Progress(done, total int64) {
	t := h.centre
	t.mu.Lock()
	e, ok := t.tasks[h.id]
	if !ok || e.task.State != TaskRunning {
		t.mu.Unlock()
		return
	}
	now := t.nowFunc()
	e.task.Done, e.task.Total = done, total
	if dt := now.Sub(e.lastAt).Seconds(); dt >= 0.25 {
		rate := float64(done-e.lastDone) / dt
		if e.task.Rate == 0 {
			e.task.Rate = rate
		} else {
			e.task.Rate = 0.7*e.task.Rate + 0.3*rate
		}
		e.lastDone, e.lastAt = done, now
	}
	if now.Sub(e.lastEmit) < t.every {
		t.mu.Unlock()
		return
	}
	e.lastEmit = now
	snapshot, emit := t.stamp(e), t.emit
	t.mu.Unlock()
	emit(EventTasks, snapshot)
}

// Finish ends the task: nil is success, a context cancellation is cancelled, and
// anything else is a failure with the error's code.
func (h *TaskHandle) Finish(err error) {
	t := h.centre
	t.mu.Lock()
	e, ok := t.tasks[h.id]
	if !ok || e.task.State != TaskRunning {
		t.mu.Unlock()
		return
	}
	e.task.Ended = t.nowFunc()
	e.task.Rate = 0
	switch {
	case err == nil:
		e.task.State = TaskSucceeded
	case errors.Is(err, context.Canceled):
		e.task.State = TaskCancelled
		e.task.ErrorCode = CodeCancelled
	default:
		e.task.State = TaskFailed
		e.task.ErrorCode, e.task.Detail = codeOf(err), err.Error()
	}
	e.cancel()
	snapshot, emit := t.stamp(e), t.emit
	t.mu.Unlock()
	emit(EventTasks, snapshot)
}

// stamp gives a task's state its update number; t.mu is held.
func (t *Tasks) stamp(e *taskEntry) Task {
	t.updates++
	e.task.Seq = t.updates
	return e.task
}

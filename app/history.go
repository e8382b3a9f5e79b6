package app

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"

	"imagedesk/backend/store"
)

// History records every operation in the store and serves the History view,
// which works with no network at all. Bound to the window.
type History struct {
	store *store.Store
	log   *slog.Logger
	ctx   context.Context
	wctx  func() context.Context // the window's context, for dialogs; nil headless
}

// Query returns one page of events matching f, newest first.
func (h *History) Query(f store.Filter) (store.Page, error) {
	p, err := h.store.Query(h.context(), f)
	return p, coded(err)
}

// ExportCSV writes every event matching f to path as CSV, atomically.
func (h *History) ExportCSV(f store.Filter, path string) error {
	if path == "" || !filepath.IsAbs(path) {
		return &CodedError{Code: CodeInvalidPath, Detail: path}
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return coded(err)
	}
	defer os.Remove(tmp.Name())
	if err := h.store.ExportCSV(h.context(), tmp, f); err != nil {
		tmp.Close()
		return coded(err)
	}
	if err := tmp.Close(); err != nil {
		return coded(err)
	}
	return coded(os.Rename(tmp.Name(), path))
}

func (h *History) context() context.Context {
	if h.ctx != nil {
		return h.ctx
	}
	return context.Background()
}

// begin records a running operation; a failure to record is logged, never fatal.
func (h *History) begin(ctx context.Context, e store.Event, params map[string]any) int64 {
	if params != nil {
		b, err := json.Marshal(params)
		if err == nil {
			e.Params = b
		}
	}
	id, err := h.store.Start(ctx, e)
	if err != nil {
		h.log.Error("history not recorded", "op", string(e.Kind), "err", err)
		return 0
	}
	return id
}

// end records how an operation ended: err nil is success, a cancellation is
// cancelled, anything else failed with its code.
func (h *History) end(ctx context.Context, id int64, o store.Outcome, err error) {
	if id == 0 {
		return
	}
	switch {
	case err == nil:
		o.Status = store.StatusSucceeded
	case errors.Is(err, context.Canceled):
		o.Status, o.ErrCode = store.StatusCancelled, CodeCancelled
	default:
		o.Status, o.ErrCode, o.ErrDetail = store.StatusFailed, codeOf(err), err.Error()
	}
	if ferr := h.store.Finish(context.WithoutCancel(ctx), id, o); ferr != nil {
		h.log.Error("history not finished", "op", "history", "err", ferr)
	}
}

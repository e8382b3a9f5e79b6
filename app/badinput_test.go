package app

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"imagedesk/app/internal/badinput"
	"imagedesk/backend/profile"
	"imagedesk/backend/reliability"
	"imagedesk/backend/sandbox"
	"imagedesk/backend/store"
)

// badInputEnv is an app with a profile "sb" on a sandbox whose registry is
// reached only through a proxy that records every request.
type badInputEnv struct {
	app   *App
	sb    *sandbox.Server
	proxy *badinput.Proxy
	ev    *events
}

func newBadInputEnv(t *testing.T) *badInputEnv {
	t.Helper()
	a := newTestApp(t)
	srv := startSandbox(t)
	px := badinput.NewProxy(t, srv.URL())
	saveSandboxProfile(t, a, srv, profile.Profile{APIURL: srv.URL(), Registry: px.Addr,
		PlainHTTP: true})
	ev := &events{}
	a.Upload.setEmitter(ev.emit)
	px.Take()
	return &badInputEnv{app: a, sb: srv, proxy: px, ev: ev}
}

// request is the window's request for form values v and archive path.
func (e *badInputEnv) request(t *testing.T, v badinput.Values, path string) UploadRequest {
	pr := e.app.Profiles
	p, err := pr.get(context.Background(), "sb")
	if err != nil {
		t.Fatal(err)
	}
	kind := profile.KindBase
	if v.Business {
		kind = profile.KindBusiness
	}
	repo := v.Repo
	if repo == "" {
		repo = repoOf(t, p, kind).Name
	}
	return UploadRequest{Profile: "sb", Archive: path, Repo: repo, Project: v.Project,
		Name: v.Name, Version: v.Version, Category: v.Category, Description: v.Description}
}

// lastDrop returns the last drop event the window got.
func (e *badInputEnv) lastDrop(t *testing.T) Drop {
	t.Helper()
	drops := e.ev.list(EventUploadDropped)
	if len(drops) == 0 {
		t.Fatal("no drop event")
	}
	return drops[len(drops)-1].(Drop)
}

// final waits for the last progress event of task id, the one that is no
// longer running.
func (e *badInputEnv) final(t *testing.T, id string) UploadProgress {
	t.Helper()
	for range 400 {
		for _, v := range e.ev.list(EventUploadProgress) {
			if p := v.(UploadProgress); p.TaskID == id && p.State != TaskRunning {
				return p
			}
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatalf("upload %s did not end within 10 s", id)
	return UploadProgress{}
}

// historyRows counts the History events.
func (e *badInputEnv) historyRows(t *testing.T) int {
	t.Helper()
	page, err := e.app.store.Query(context.Background(), store.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	return page.Total
}

// tagExists asks the sandbox's registry directly, not through the proxy.
func (e *badInputEnv) tagExists(t *testing.T, ref string) bool {
	t.Helper()
	return badinput.TagExists(t, e.sb.Addr(), ref, sandbox.DefaultUser, sandboxPassword)
}

// TestBadInputArchivesWindow drops each malformed archive on the window, then
// starts its upload anyway, as a page that ignored the refusal would.
func TestBadInputArchivesWindow(t *testing.T) {
	env := newBadInputEnv(t)
	u := env.app.Upload

	// The control: a good archive goes through the proxy and is tagged, so the
	// counts below that stay at zero are not zero for want of a path.
	good := badinput.GoodArchive(t, t.TempDir(), "bad-input:v0")
	id, err := u.Start(env.request(t, badinput.Valid(), good))
	if err != nil {
		t.Fatal(err)
	}
	p := env.final(t, id)
	tr := badinput.Sum(env.proxy.Take())
	if p.State != TaskSucceeded || tr.Committed == 0 || tr.Bytes == 0 || tr.Manifests != 1 ||
		!env.tagExists(t, p.Ref) {
		t.Fatalf("control upload: %+v, traffic %+v", p, tr)
	}

	for i, c := range badinput.Archives() {
		t.Run(c.Name, func(t *testing.T) {
			dir := t.TempDir()
			path := c.Path(t, dir)
			if !filepath.IsAbs(path) {
				t.Chdir(dir) // the relative path names a good archive
			}
			before := badinput.Fingerprint(t, path)
			cache := badinput.Entries(t, env.app.dirs.Cache)
			rows := env.historyRows(t)

			_, err := u.Dropped([]string{path})
			drop := env.lastDrop(t)
			switch {
			case c.Late && (err != nil || drop.Inspection == nil):
				t.Errorf("drop = %v, %+v; want it inspected (the fault is in layer bytes)",
					err, drop)
			case !c.Late && (codeOf(err) != c.Code || drop.ErrorCode != c.Code):
				t.Errorf("drop = %v, event code %q; want %s", err, drop.ErrorCode, c.Code)
			}

			v := badinput.Valid()
			v.Version = fmt.Sprintf("a%d", i)
			req := env.request(t, v, path)
			if c.Late {
				// The window asks the registry before it starts the push.
				if _, err := u.Preflight(req); err != nil {
					t.Fatalf("Preflight: %v", err)
				}
			}
			id, err := u.Start(req)
			if err != nil {
				t.Fatalf("Start: %v", err)
			}
			p := env.final(t, id)
			if p.State != TaskFailed || p.ErrorCode != c.Code {
				t.Errorf("upload ended %s with %q (%s); want failed with %s", p.State,
					p.ErrorCode, p.Detail, c.Code)
			}
			e, err := env.app.store.Event(context.Background(), p.HistoryID)
			if err != nil || e.Status != store.StatusFailed || e.ErrCode != c.Code {
				t.Errorf("history = %+v, %v; want failed with %s", e, err, c.Code)
			}
			if n := env.historyRows(t); n != rows+1 {
				t.Errorf("%d history rows added, want 1", n-rows)
			}

			tr := badinput.Sum(env.proxy.Take())
			lost := checkTraffic(t, c, tr)
			if env.tagExists(t, p.Ref) {
				t.Errorf("tag %s exists", p.Ref)
			}
			if after := badinput.Entries(t, env.app.dirs.Cache); !slices.Equal(after, cache) {
				t.Errorf("cache directory changed:\n%s", cmp.Diff(cache, after))
			}
			if badinput.Fingerprint(t, path) != before {
				t.Error("the archive changed")
			}
			if !t.Failed() {
				reliability.Record(t, reliability.Row{Suite: "archive", Case: c.Name,
					Where: "window", Key: reliability.ErrorKey(c.Code), Lost: lost,
					Recovery: c.Recovery()})
			}
		})
	}
}

// checkTraffic checks what a refused archive sent and says what was lost.
func checkTraffic(t *testing.T, c badinput.Archive, tr badinput.Traffic) string {
	t.Helper()
	if !c.Late {
		if tr.Requests != 0 {
			t.Errorf("%d requests and %d body bytes reached the registry", tr.Requests,
				tr.Bytes)
		}
		return "nothing: refused before any request to the registry"
	}
	// Found while the layers are read: the bad layer's session must be
	// cancelled, only intact layers committed, and no manifest written.
	if tr.Manifests != 0 || tr.Committed > 1 || tr.Sessions != tr.Committed+tr.Cancelled {
		t.Errorf("traffic %+v: want no manifest, at most the intact layer committed and "+
			"every other upload session cancelled", tr)
	}
	return badinput.LateLoss(tr)
}

// TestBadInputFormsWindow types each malformed value into the form and
// presses Upload anyway.
func TestBadInputFormsWindow(t *testing.T) {
	env := newBadInputEnv(t)
	u := env.app.Upload
	good := badinput.GoodArchive(t, t.TempDir(), "bad-input:v1")

	// The control: the valid form has a reference and no marked field.
	d, err := u.Destination(env.request(t, badinput.Valid(), good))
	if err != nil || d.Ref == "" || len(d.Fields) != 0 {
		t.Fatalf("Destination(valid) = %+v, %v", d, err)
	}
	for _, b := range []bool{false, true} {
		v := badinput.Valid()
		v.Business, v.Project = b, "shop"
		if d, _ := u.Destination(env.request(t, v, good)); len(d.Fields) != 0 {
			t.Fatalf("Destination(valid, business %v) = %+v", b, d)
		}
	}

	for _, c := range badinput.Forms() {
		t.Run(c.Name, func(t *testing.T) {
			rows := env.historyRows(t)
			req := env.request(t, c.Values, good)
			want := map[string]string{c.Field: c.Rule}

			d, err := u.Destination(req)
			if err != nil || d.Ref != "" || !cmp.Equal(d.Fields, want) {
				t.Errorf("Destination = %+v, %v; want only %v", d, err, want)
			}
			detail := c.Field + "=" + c.Rule
			for name, call := range map[string]func() error{
				"Preflight": func() error { _, err := u.Preflight(req); return err },
				"Start":     func() error { _, err := u.Start(req); return err },
			} {
				var ce *CodedError
				err := call()
				if !errors.As(err, &ce) || ce.Code != CodeInvalidUpload || ce.Detail != detail {
					t.Errorf("%s = %v; want %s: %s", name, err, CodeInvalidUpload, detail)
				}
			}
			if tr := badinput.Sum(env.proxy.Take()); tr.Requests != 0 {
				t.Errorf("%d requests reached the registry", tr.Requests)
			}
			if n := env.historyRows(t); n != rows {
				t.Errorf("%d history rows added for a refused form", n-rows)
			}
			if !t.Failed() {
				reliability.Record(t, reliability.Row{Suite: "form", Case: c.Name,
					Where: "window", Key: reliability.RuleKey(c.Rule),
					Lost:     "nothing: refused before any request to the registry",
					Recovery: "correct the field the form marks"})
			}
		})
	}
}

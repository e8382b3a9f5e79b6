package app

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"imagedesk/backend/profile"
)

// events records window events by name.
type events struct {
	mu  sync.Mutex
	got map[string][]any
}

func (e *events) emit(name string, data any) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.got == nil {
		e.got = map[string][]any{}
	}
	e.got[name] = append(e.got[name], data)
}

func (e *events) list(name string) []any {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]any(nil), e.got[name]...)
}

func TestUploadWindowFlow(t *testing.T) {
	env := newUploadEnv(t)
	u := env.app.Upload
	var ev events
	u.setEmitter(ev.emit)
	env.app.Tasks.setEmitter(ev.emit)

	// A multi-image archive dropped on the window: both images are offered.
	path := mkarchive(t, "two.tar", "-images", "2", "-layers", "2", "-size", "50000",
		"-tag", "shop:2.1")
	in, err := u.Dropped([]string{path, "/ignored"})
	if err != nil || len(in.Images) != 2 || in.Images[1].Name != "shop2" {
		t.Fatalf("Dropped = %+v, %v; want two images", in, err)
	}
	drops := ev.list(EventUploadDropped)
	if len(drops) != 2 || !drops[0].(Drop).Inspecting || drops[1].(Drop).Inspection == nil ||
		drops[1].(Drop).Path != path {
		t.Fatalf("drop events = %+v, want inspecting then the inspection", drops)
	}
	bad := filepath.Join(t.TempDir(), "bad.tar")
	os.WriteFile(bad, []byte("not a tar at all, just words"), 0o644)
	if _, err := u.Dropped([]string{bad}); !codeIs(err, CodeArchiveNotArchive) {
		t.Errorf("bad drop = %v", err)
	}
	if d := ev.list(EventUploadDropped)[3].(Drop); d.ErrorCode != CodeArchiveNotArchive {
		t.Errorf("bad drop event = %+v", d)
	}

	req := UploadRequest{Profile: "sb", Archive: path, Image: 1,
		Repo: repoOf(t, env.target.Profile, profile.KindBusiness).Name, Project: "shop",
		Name: in.Images[1].Name, Version: in.Images[1].Version}
	d, err := u.Destination(req)
	if err != nil || d.Ref == "" || len(d.Fields) != 0 {
		t.Fatalf("Destination = %+v, %v", d, err)
	}
	pf, err := u.Preflight(req)
	if err != nil || pf.Exists || pf.Ref != d.Ref {
		t.Fatalf("Preflight = %+v, %v", pf, err)
	}
	if _, err := u.Start(UploadRequest{Profile: "sb"}); !codeIs(err, CodeInvalidUpload) {
		t.Errorf("Start of an empty form = %v", err)
	}
	id, err := u.Start(req)
	if err != nil {
		t.Fatal(err)
	}
	var final UploadProgress
	for range 300 {
		if c := u.Current(); len(c) > 0 && c[0].State != TaskRunning {
			final = c[0]
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if final.State != TaskSucceeded || final.Result == nil || final.TaskID != id ||
		final.Done != final.Total || final.Total == 0 || len(final.Layers) != 2 {
		t.Fatalf("final progress = %+v", final)
	}
	progress := ev.list(EventUploadProgress)
	if last := progress[len(progress)-1].(UploadProgress); last.State != TaskSucceeded {
		t.Errorf("last progress event = %+v", last)
	}
	for i := 1; i < len(progress); i++ {
		if a, b := progress[i-1].(UploadProgress), progress[i].(UploadProgress); b.Seq <= a.Seq {
			t.Fatalf("event %d has seq %d after %d; the window orders by seq", i, b.Seq, a.Seq)
		}
	}
	tasks := env.app.Tasks.List()
	if len(tasks) != 1 || tasks[0].State != TaskSucceeded || tasks[0].Subject != d.Ref {
		t.Errorf("tasks = %+v", tasks)
	}
	if got := diffIDs(t, readBack(t, env.target, d.Ref)); got[0] != in.Images[1].Layers[0].DiffID {
		t.Errorf("pushed image 1's layers %v, want %s first", got, in.Images[1].Layers[0].DiffID)
	}
	if _, err := u.Resume(final.HistoryID); !codeIs(err, CodeNotResumable) {
		t.Errorf("Resume of a success = %v", err)
	}
}

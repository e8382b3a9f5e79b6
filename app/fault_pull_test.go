package app

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"imagedesk/backend/archive"
	fp "imagedesk/backend/faultproxy"
	"imagedesk/backend/reliability"
)

// blobPath matches the requests that download blobs.
const blobPath = "/blobs/sha256:"

// pushed pushes a fault archive without faults and returns its request and
// reference.
func pushed(t *testing.T, a *App, tg UploadTarget, req UploadRequest) string {
	t.Helper()
	res, err := a.PushImage(context.Background(), tg, req, nil)
	if err != nil {
		t.Fatal(err)
	}
	return res.Ref
}

// pull downloads ref of profile into dir/out.tar with progress.
func pull(a *App, profileName, ref, out string, progress func(done, total int64)) error {
	ctx := context.Background()
	t, err := a.ResolveProfileRef(ctx, profileName, ref)
	if err != nil {
		return err
	}
	_, err = a.Refs().PullRef(ctx, t, "docker", out, progress)
	return err
}

// pulledMatches checks that out is a readable archive of the image req pushed.
func pulledMatches(t *testing.T, out string, req UploadRequest) {
	t.Helper()
	arc, err := archive.Open(out, archive.WithTempDir(t.TempDir()))
	if err != nil {
		t.Fatalf("pulled archive: %v", err)
	}
	defer arc.Close()
	img, err := arc.Image(0)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := diffIDs(t, img), archiveDiffIDs(t, req); !slices.Equal(got, want) {
		t.Errorf("pulled layers %v, want %v", got, want)
	}
}

func TestFaultPullBodyFaults(t *testing.T) {
	t.Parallel()
	e := newFaultEnv(t, nil, "")
	req := e.request(t, faultArchive(t, "61"), "pulled", "v1")
	ref := pushed(t, e.app, e.target, req)
	dir := t.TempDir()

	cases := []struct {
		name  string
		fault fp.Fault
	}{
		{"a layer download stops sending for longer than the stall time, once",
			fp.Fault{Method: http.MethodGet, Path: blobPath, After: 1, Times: 1,
				StallAfter: 100 << 10}},
		{"the connection is cut half-way through a layer download, once",
			fp.Fault{Method: http.MethodGet, Path: blobPath, After: 1, Times: 1,
				CutAfter: 100 << 10}},
		{"the registry answers 503 to a layer download, twice",
			fp.Fault{Method: http.MethodGet, Path: blobPath, Times: 2, Status: 503}},
	}
	for _, c := range cases {
		e.proxy.Set(c.fault)
		out := filepath.Join(dir, "absorbed.tar")
		if err := pull(e.app, "sb", ref, out, nil); err != nil {
			t.Fatalf("%s: %v; want the retries to absorb it", c.name, err)
		}
		if e.proxy.Broken() == 0 {
			t.Fatalf("%s: the fault never fired", c.name)
		}
		pulledMatches(t, out, req)
		os.Remove(out)
		e.proxy.Clear()
		reliability.Record(t, reliability.Row{Suite: "fault", Where: "cli",
			Case: "download: " + c.name, Lost: "nothing",
			Recovery: "none needed: the layer resumed from the last byte received"})
	}

	// Every attempt stalls: the download fails and leaves nothing behind.
	e.proxy.Set(fp.Fault{Method: http.MethodGet, Path: blobPath, After: 1,
		StallAfter: 100 << 10})
	out := filepath.Join(dir, "stalled.tar")
	err := pull(e.app, "sb", ref, out, nil)
	if code := codeOf(err); code != CodeTimeout {
		t.Fatalf("pull with every layer stalling: code %q (%v), want %s", code, err, CodeTimeout)
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a failed download left %s: %v", out, err)
	}
	noFilesLike(t, dir, "stalled")
	e.proxy.Clear()
	if err := pull(e.app, "sb", ref, out, nil); err != nil {
		t.Fatalf("download again: %v", err)
	}
	pulledMatches(t, out, req)
	reliability.Record(t, reliability.Row{Suite: "fault", Where: "cli",
		Case: "download: every layer download stalls", Key: reliability.ErrorKey(CodeTimeout),
		Lost:     "nothing: no file under the chosen name, no temporary file left",
		Recovery: "downloading again completed"})
}

func TestFaultRegistryKilledMidPull(t *testing.T) {
	t.Parallel()
	env, reg := newRegistryEnv(t)
	req := UploadRequest{Profile: "dr", Archive: faultArchive(t, "71"), Repo: "base-images",
		Name: "killed", Version: "v1"}
	ref := pushed(t, env.app, env.target, req)
	dir := t.TempDir()
	out := filepath.Join(dir, "killed.tar")

	var once sync.Once
	err := pull(env.app, "dr", ref, out, func(done, total int64) {
		if done > 0 && done < total {
			once.Do(reg.Stop)
		}
	})
	code := codeOf(err)
	if code != CodeRefused && code != CodeRegistryUnreachable && code != CodeNetwork {
		t.Fatalf("pull with the registry killed: code %q (%v), want it unreachable", code, err)
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a failed download left %s: %v", out, err)
	}
	noFilesLike(t, dir, "killed")

	reg.Restart()
	if err := pull(env.app, "dr", ref, out, nil); err != nil {
		t.Fatalf("download after the restart: %v", err)
	}
	pulledMatches(t, out, req)
	reliability.Record(t, reliability.Row{Suite: "fault", Where: "cli",
		Case:     "download: the registry process is killed mid-download, then restarted",
		Key:      reliability.ErrorKey(code),
		Lost:     "nothing: no file under the chosen name, no temporary file left",
		Recovery: "after the restart, downloading again completed"})
}

package app

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"imagedesk/backend/profile"
	"imagedesk/backend/reliability"
	"imagedesk/backend/store"
	"imagedesk/backend/testregistry"
)

// newRegistryEnv is an app with profile "dr" on a docker-registry without auth.
func newRegistryEnv(t *testing.T) (*uploadEnv, *testregistry.Registry) {
	t.Helper()
	reg := testregistry.Start(t)
	a := newTestApp(t)
	p := profile.Profile{
		Name: "dr", APIURL: "http://127.0.0.1:9", Registry: reg.Addr, PlainHTTP: true,
		User: "tester",
		Repos: []profile.Repo{
			{Name: "base-images", ID: 9007199254740993, Kind: profile.KindBase},
			{Name: "biz", ID: 1495097876821574, Kind: profile.KindBusiness},
		},
	}
	_, err := a.Profiles.Save(ProfileInput{Profile: p, Password: "unused", SessionOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	tg, err := a.Target(context.Background(), "dr")
	if err != nil {
		t.Fatal(err)
	}
	return &uploadEnv{app: a, target: tg}, reg
}

func TestUploadFormatsToDockerRegistry(t *testing.T) {
	env, _ := newRegistryEnv(t)
	pushFormats(t, env)
}

func TestUploadResumeAfterRegistryRestart(t *testing.T) {
	env, reg := newRegistryEnv(t)
	env.app.Upload.jobs = 1
	path := mkarchive(t, "big.tar", "-layers", "4", "-size", "300000", "-tag", "big:v1")
	req := UploadRequest{Profile: "dr", Archive: path, Repo: "biz", Project: "shop",
		Name: "big", Version: "v1", Description: "restart"}

	// The registry goes away once the first layer is in.
	stopped := make(chan struct{})
	progress := func(p UploadProgress) {
		for _, l := range p.Layers {
			if l.State == "done" {
				select {
				case <-stopped:
				default:
					close(stopped)
					reg.Stop()
				}
				return
			}
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	res, err := env.app.PushImage(ctx, env.target, req, progress)
	if err == nil || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("push with the registry stopped = %v, want a failure", err)
	}
	code := codeOf(err)
	if code != CodeRefused && code != CodeRegistryUnreachable && code != CodeNetwork {
		t.Errorf("code = %s (%v), want the registry unreachable", code, err)
	}
	e, _ := env.app.store.Event(context.Background(), res.HistoryID)
	if e.Status != store.StatusFailed {
		t.Fatalf("history = %+v, want failed", e)
	}

	reg.Restart()
	if tagExists(t, env.target, res.Ref) {
		t.Fatal("the failed push left a tag")
	}
	again, err := env.app.ResumeRequest(context.Background(), res.HistoryID)
	if err != nil {
		t.Fatal(err)
	}
	done, err := env.app.PushImage(context.Background(), env.target, again, nil)
	if err != nil {
		t.Fatalf("resume after restart: %v", err)
	}
	if done.Skipped == 0 || done.Uploaded == 0 {
		t.Errorf("resume uploaded %d and skipped %d bytes; want the first layer skipped",
			done.Uploaded, done.Skipped)
	}
	img := readBack(t, env.target, done.Ref)
	m, _ := img.Manifest()
	if m == nil || m.Annotations[profile.AnnotationDescription] != "restart" {
		t.Errorf("manifest read back = %+v", m)
	}
	reliability.Record(t, reliability.Row{Suite: "fault", Where: "window, cli",
		Case: "upload: the registry process is killed after the first layer, then restarted",
		Key:  reliability.ErrorKey(code),
		Lost: "nothing: no tag; the first layer stays in the registry",
		Recovery: fmt.Sprintf("after the restart, resume sent %s and kept %s already sent",
			mib(done.Uploaded), mib(done.Skipped))})
}

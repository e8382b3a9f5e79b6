package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"imagedesk/backend/profile"
	"imagedesk/backend/reliability"
	"imagedesk/backend/store"
)

// dockerRegistry is Debian's docker-registry (CNCF distribution 2.8) run by a
// test on a loopback port, with filesystem storage in a temp dir.
type dockerRegistry struct {
	t    *testing.T
	cfg  string
	addr string
	cmd  *exec.Cmd
}

const dockerRegistryBin = "/usr/bin/docker-registry"

// startDockerRegistry starts the registry, or skips the test when the binary
// is not installed (CI installs it).
func startDockerRegistry(t *testing.T) *dockerRegistry {
	t.Helper()
	if _, err := os.Stat(dockerRegistryBin); err != nil {
		t.Skip("docker-registry is not installed")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.yml")
	err = os.WriteFile(cfg, []byte(fmt.Sprintf(`version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: %s
  delete:
    enabled: true
http:
  addr: %s
  secret: imagedesk-test-secret
`, filepath.Join(dir, "data"), addr)), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	r := &dockerRegistry{t: t, cfg: cfg, addr: addr}
	r.start()
	t.Cleanup(r.stop)
	return r
}

// start runs the registry and waits, bounded, until it answers.
func (r *dockerRegistry) start() {
	r.t.Helper()
	r.cmd = exec.Command(dockerRegistryBin, "serve", r.cfg)
	if err := r.cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	for range 100 {
		resp, err := http.Get("http://" + r.addr + "/v2/")
		if err == nil {
			resp.Body.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	r.t.Fatal("docker-registry did not answer within 5 s")
}

// stop kills the registry process it started, if running.
func (r *dockerRegistry) stop() {
	if r.cmd == nil || r.cmd.Process == nil {
		return
	}
	_ = r.cmd.Process.Kill()
	_ = r.cmd.Wait()
	r.cmd = nil
}

// newRegistryEnv is an app with profile "dr" on a docker-registry without auth.
func newRegistryEnv(t *testing.T) (*uploadEnv, *dockerRegistry) {
	t.Helper()
	reg := startDockerRegistry(t)
	a := newTestApp(t)
	p := profile.Profile{
		Name: "dr", APIURL: "http://127.0.0.1:9", Registry: reg.addr, PlainHTTP: true,
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
					reg.stop()
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

	reg.start()
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

package testregistry

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// Bin is where Debian installs docker-registry.
const Bin = "/usr/bin/docker-registry"

// Registry is one docker-registry process and its configuration.
type Registry struct {
	// Addr is its host:port on 127.0.0.1.
	Addr string

	t   testing.TB
	cfg string
	cmd *exec.Cmd
}

// Start runs a registry without auth for the rest of the test, or skips the
// test when docker-registry is not installed (CI installs it).
func Start(t testing.TB) *Registry {
	t.Helper()
	if _, err := os.Stat(Bin); err != nil {
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
	conf := fmt.Sprintf("version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\n"+
		"storage:\n  filesystem:\n    rootdirectory: %s\n  delete:\n    enabled: true\n"+
		"http:\n  addr: %s\n  secret: imagedesk-test-secret\n", filepath.Join(dir, "data"), addr)
	if err := os.WriteFile(cfg, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	r := &Registry{Addr: addr, t: t, cfg: cfg}
	r.Restart()
	t.Cleanup(r.Stop)
	return r
}

// Restart runs the registry again on its port and storage and waits, bounded,
// until it answers.
func (r *Registry) Restart() {
	r.t.Helper()
	r.cmd = exec.Command(Bin, "serve", r.cfg)
	if err := r.cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	for range 100 {
		resp, err := http.Get("http://" + r.Addr + "/v2/")
		if err == nil {
			resp.Body.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	r.t.Fatal("docker-registry did not answer within 5 s")
}

// Stop kills the registry process, if it runs.
func (r *Registry) Stop() {
	if r.cmd == nil || r.cmd.Process == nil {
		return
	}
	_ = r.cmd.Process.Kill()
	_ = r.cmd.Wait()
	r.cmd = nil
}

package cli

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestSandboxCommandServesAndStopsOnSIGTERM(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	pwFile := dir + "/pw"
	if err := os.WriteFile(pwFile, []byte("pa{]ss:word\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$", "--", "--data-dir", dir, "sandbox",
		"--listen", "127.0.0.1:0", "--password-file", pwFile, "--user", "ci", "--json",
		"--no-demo")
	cmd.Env = append(os.Environ(), "IMAGEDESK_CLI_CHILD=1")
	stdout, _ := cmd.StdoutPipe()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()

	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("no address line: %v; stderr %s", err, stderr.String())
	}
	var info struct {
		API   string `json:"api"`
		Repos []struct {
			ID json.Number `json:"id"`
		} `json:"repos"`
	}
	if err := json.Unmarshal([]byte(line), &info); err != nil || info.API == "" {
		t.Fatalf("address line %q: %v", line, err)
	}
	if len(info.Repos) == 0 || info.Repos[0].ID.String() != "9007199254740993" {
		t.Errorf("repos %+v: the id above 2^53 is not exact", info.Repos)
	}

	get := func(user, pw string) int {
		req, _ := http.NewRequest("GET", info.API+"/api/sandbox/repos", nil)
		req.SetBasicAuth(user, pw)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := get("ci", "pa{]ss:word"); code != http.StatusOK {
		t.Errorf("right password: status %d", code)
	}
	if code := get("ci", "wrong"); code != http.StatusUnauthorized {
		t.Errorf("wrong password: status %d", code)
	}

	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v; stderr %s", err, stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the sandbox did not stop within 15 s of SIGTERM")
	}
	if !strings.Contains(stderr.String(), "sandbox stopped") {
		t.Errorf("stderr %q lacks the stop line", stderr.String())
	}
}

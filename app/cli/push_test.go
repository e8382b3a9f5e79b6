package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"imagedesk/backend/sandbox"
)

const pushPassword = "p{a]s)s<w>o:rd"

// runPush runs the command line with a data directory, standard input and an
// environment without a session bus.
func runPush(t *testing.T, data, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := map[string]string{"DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent"}
	code := Run(append([]string{"--data-dir", data}, args...), Options{
		Getenv: func(k string) string { return env[k] },
		Home:   t.TempDir(),
		Stdin:  strings.NewReader(stdin),
		Stdout: &out,
		Stderr: &errb,
	})
	return code, out.String(), errb.String()
}

// makeArchive writes a small docker archive with the project's generator.
func makeArchive(t *testing.T, args ...string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "img.tar")
	b, err := exec.Command("go", append([]string{"run",
		"imagedesk/backend/archive/testdata/mkarchive", "-o", out}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("mkarchive: %v: %s", err, b)
	}
	return out
}

// startSandbox starts a sandbox of the test's own with pushPassword.
func startSandbox(t *testing.T) *sandbox.Server {
	t.Helper()
	srv, err := sandbox.Start(context.Background(), sandbox.Config{
		DataDir: t.TempDir(), Password: pushPassword,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close(context.Background()) })
	return srv
}

// inlineServer starts a sandbox and returns the inline server flags for it.
func inlineServer(t *testing.T) []string {
	t.Helper()
	srv := startSandbox(t)
	var base sandbox.Repo
	for _, r := range srv.Repos() {
		if r.Kind == sandbox.KindBase {
			base = r
		}
	}
	return []string{"--api", srv.URL(), "--registry", srv.Addr(), "--plain-http",
		"--user", sandbox.DefaultUser, "--password-stdin",
		"--repo", fmt.Sprintf("%s=%d:base", base.Name, base.ID)}
}

type pushJSON struct {
	OK        bool   `json:"ok"`
	Ref       string `json:"ref"`
	Digest    string `json:"digest"`
	HistoryID int64  `json:"historyId"`
	Uploaded  int64  `json:"uploaded"`
	Skipped   int64  `json:"skipped"`
	Code      string `json:"code"`
}

func decodePush(t *testing.T, out string) pushJSON {
	t.Helper()
	var p pushJSON
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatalf("--json output %q: %v", out, err)
	}
	return p
}

func TestPushInlineServer(t *testing.T) {
	server := inlineServer(t)
	data := t.TempDir()
	file := makeArchive(t, "-layers", "2", "-size", "20000", "-tag", "cli-app:v3")
	push := func(stdin string, extra ...string) (int, string, string) {
		return runPush(t, data, stdin, append(append([]string{"push", file}, server...),
			extra...)...)
	}

	code, out, errOut := push(pushPassword+"\n", "--json", "--category", "tools")
	p := decodePush(t, out)
	if code != ExitOK || !p.OK || !strings.HasSuffix(p.Ref, "/basic/cli-app:v3") ||
		!strings.HasPrefix(p.Digest, "sha256:") || p.Uploaded == 0 {
		t.Fatalf("push: exit %d, %+v, stderr %q", code, p, errOut)
	}
	if strings.Contains(out+errOut, pushPassword) {
		t.Error("the password appears in the output")
	}

	code, out, errOut = push(pushPassword+"\n", "--json")
	if p := decodePush(t, out); code != ExitExists || p.OK || p.Code != "version_exists" {
		t.Errorf("existing version: exit %d, %+v, stderr %q", code, p, errOut)
	}
	code, out, _ = push(pushPassword+"\n", "--yes")
	if code != ExitOK || !strings.Contains(out, "pushed ") ||
		!strings.Contains(out, "already there") {
		t.Errorf("--yes: exit %d, output %q", code, out)
	}

	// A refused login is a registry failure; its History row resumes.
	code, out, _ = push("wrong\n", "--json", "--version", "v4")
	failed := decodePush(t, out)
	if code != ExitRegistry || failed.Code != "unauthorized" || failed.HistoryID == 0 {
		t.Fatalf("wrong password: exit %d, %+v", code, failed)
	}
	code, out, errOut = runPush(t, data, pushPassword+"\n", append([]string{"push", "--resume",
		fmt.Sprint(failed.HistoryID), "--json"}, server...)...)
	if p := decodePush(t, out); code != ExitOK || !strings.HasSuffix(p.Ref, "/basic/cli-app:v4") {
		t.Errorf("resume: exit %d, %+v, stderr %q", code, p, errOut)
	}

	code, out, _ = runPush(t, data, "", "history", "--kind", "upload", "--json")
	if code != ExitOK || strings.Count(out, `"kind": "upload"`) != 5 {
		t.Errorf("history: exit %d, %s", code, out)
	}
}

func TestPushExitCodes(t *testing.T) {
	server := inlineServer(t)
	bad := filepath.Join(t.TempDir(), "bad.tar")
	if err := exec.Command("sh", "-c", "head -c 5000 /dev/urandom > "+bad).Run(); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		want int
		text string
	}{
		{"bad archive", append([]string{"push", bad}, server...), ExitBadArchive, "archive"},
		{"no server", []string{"push", bad, "--repo", "x"}, ExitUsage, "--profile"},
		{"both", append([]string{"push", bad, "--profile", "p"}, server...), ExitUsage,
			"exclude"},
		{"no file", []string{"push", "--profile", "p", "--repo", "r"}, ExitUsage, "FILE"},
		{"bad inline repo", []string{"push", bad, "--api", "http://127.0.0.1:1", "--registry",
			"127.0.0.1:1", "--user", "u", "--password-stdin", "--repo", "x=abc:base"},
			ExitUsage, "--repo"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, errOut := runPush(t, t.TempDir(), pushPassword+"\n", c.args...)
			if code != c.want || !strings.Contains(errOut, c.text) {
				t.Errorf("exit %d, stderr %q; want %d mentioning %q", code, errOut, c.want,
					c.text)
			}
		})
	}
}

func TestPushSandboxProfile(t *testing.T) {
	data := t.TempDir()
	file := makeArchive(t, "-layers", "1", "-size", "5000", "-tag", "sbx:1")
	code, out, errOut := runPush(t, data, "", "push", file, "--profile", "Sandbox", "--repo",
		sandbox.DemoRepos()[0].Name, "--description", "from the cli")
	if code != ExitOK || !strings.Contains(out, "/basic/sbx:1") {
		t.Fatalf("push to the sandbox profile: exit %d, out %q, err %q", code, out, errOut)
	}
	if !strings.Contains(errOut, "layer sha256:") || !strings.Contains(errOut, "layers ") {
		t.Errorf("plain progress lines missing: %q", errOut)
	}
}

package cli

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// runIn runs the command line on one data directory with no session bus, so the
// OS keyring is really unavailable.
func runIn(t *testing.T, dir, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := map[string]string{"DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent"}
	code := Run(append([]string{"--data-dir", dir}, args...), Options{
		Getenv: func(k string) string { return env[k] },
		Home:   dir,
		Stdin:  strings.NewReader(stdin),
		Stdout: &out,
		Stderr: &errb,
	})
	return code, out.String(), errb.String()
}

func TestProfileCommands(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const pw = "pw-{]):<>-not-in-args"
	add := []string{"profile", "add", "work", "--api", "https://artifacts.example.test",
		"--registry", "registry.example.test", "--user", "me",
		"--repo", "base=9007199254740993:base"}

	code, _, errOut := runIn(t, dir, pw+"\n", append(add, "--password-stdin")...)
	if code != ExitError || !strings.Contains(errOut, "keyring_no_bus") {
		t.Fatalf("add with a password and no keyring: exit %d, %q", code, errOut)
	}
	if strings.Contains(errOut, pw) {
		t.Error("the error shows the password")
	}
	if code, out, errOut := runIn(t, dir, "", add...); code != ExitOK {
		t.Fatalf("add: exit %d, %q %q", code, out, errOut)
	}
	code, out, _ := runIn(t, dir, "", "profile", "list", "--json")
	var list []struct {
		Profile struct {
			Name  string
			Repos []struct{ ID string }
		}
		HasPassword bool
	}
	if code != ExitOK || json.Unmarshal([]byte(out), &list) != nil || len(list) != 1 {
		t.Fatalf("list: exit %d, %q", code, out)
	}
	if list[0].Profile.Repos[0].ID != "9007199254740993" || list[0].HasPassword {
		t.Errorf("listed %+v", list[0])
	}
	code, _, errOut = runIn(t, dir, "", "profile", "add", "bad", "--api", "ftp://x",
		"--registry", "r", "--user", "u", "--repo", "x=1:base")
	if code != ExitError || !strings.Contains(errOut, "api_url=url") {
		t.Errorf("invalid profile: exit %d, %q", code, errOut)
	}
	if code, _, errOut := runIn(t, dir, "", "profile", "add", "x", "--repo", "nope"); code !=
		ExitUsage {
		t.Errorf("bad --repo: exit %d, %q", code, errOut)
	}
	if code, _, _ := runIn(t, dir, "", "profile", "rm", "work"); code != ExitOK {
		t.Errorf("rm: exit %d", code)
	}
	if code, _, _ := runIn(t, dir, "", "profile", "rm", "work"); code != ExitError {
		t.Errorf("rm of a missing profile: exit %d", code)
	}
	code, out, _ = runIn(t, dir, "", "history", "--json", "--kind", "profile")
	var page struct{ Events []struct{ Status string } }
	if code != ExitOK || json.Unmarshal([]byte(out), &page) != nil || len(page.Events) < 4 {
		t.Errorf("history: exit %d, %q", code, out)
	}
}

func TestProfileTestAgainstSandbox(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// No profile yet: testing the sandbox profile starts the embedded sandbox.
	code, out, errOut := runIn(t, dir, "", "profile", "test", "Sandbox", "--json")
	if code != ExitOK {
		t.Fatalf("test Sandbox on a fresh machine: exit %d, %q %q", code, out, errOut)
	}
	code, out, _ = runIn(t, dir, "", "profile", "add", "down", "--api", "http://127.0.0.1:1",
		"--registry", "127.0.0.1:1", "--plain-http", "--user", "u", "--repo", "b=1:base")
	if code != ExitOK {
		t.Fatalf("add: %d %q", code, out)
	}
	code, out, _ = runIn(t, dir, "", "profile", "test", "down")
	if code != ExitTestFailed || !strings.Contains(out, "registry  failed: keyring_no_bus") {
		t.Errorf("test with no keyring to read: exit %d, %q", code, out)
	}
	code, out, _ = runIn(t, dir, "", "history")
	if code != ExitOK || !strings.Contains(out, "login") {
		t.Errorf("history: %q", out)
	}
}

//go:build unix

package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"imagedesk/app"
	"imagedesk/backend/archive"
	"imagedesk/backend/paths"
	"imagedesk/backend/reliability"
	"imagedesk/backend/sandbox"
	"imagedesk/backend/store"
)

// child starts the command line in a child process with the password on stdin.
func child(t *testing.T, data string, env []string, args ...string) (*exec.Cmd,
	*bufio.Scanner) {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^$", "--", "--data-dir", data},
		args...)...)
	cmd.Env = append(os.Environ(), append(env, "IMAGEDESK_CLI_CHILD=1",
		"DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent")...)
	cmd.Stdin = strings.NewReader(pushPassword)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd, bufio.NewScanner(stderr)
}

// flagValue returns the value after name in args.
func flagValue(args []string, name string) string {
	for i, a := range args {
		if a == name && i+1 < len(args) {
			return args[i+1]
		}
	}
	return ""
}

// checkStore opens the store of data and runs the integrity check.
func checkStore(t *testing.T, data string) {
	t.Helper()
	d, err := paths.Resolve(paths.Env{DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), filepath.Join(d.Data, app.DatabaseFile))
	if err != nil {
		t.Fatalf("opening the store after the kill: %v", err)
	}
	defer st.Close()
	if err := st.Check(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestFaultKilledDuringPush(t *testing.T) {
	t.Parallel()
	server := inlineServer(t)
	file := makeArchive(t, "-layers", "6", "-size", "6000000", "-tag", "killed:v1")
	points := []int{1}
	if reliability.Long() {
		points = []int{1, 3, 5}
	}
	for _, after := range points {
		data := t.TempDir()
		version := fmt.Sprintf("v%d", after)
		cmd, lines := child(t, data, nil, append([]string{"push", file, "--version", version},
			server...)...)
		done := 0
		for done < after && lines.Scan() {
			if strings.HasPrefix(lines.Text(), "layer ") && strings.Contains(lines.Text(),
				" done ") {
				done++
			}
		}
		if done < after {
			t.Fatalf("the push ended before %d layers were done", after)
		}
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		cmd.Wait()

		ref := flagValue(server, "--registry") + "/" + flagValue(server, "--repo")
		ref = ref[:strings.Index(ref, "=")] + "/basic/killed:" + version
		if tagged(t, ref) {
			t.Fatalf("a push killed after %d layers left the tag %s", after, ref)
		}
		checkStore(t, data)

		code, out, errOut := runPush(t, data, "", "history", "--json")
		var hist struct {
			Events []struct {
				ID     int64  `json:"id"`
				Status string `json:"status"`
			} `json:"events"`
		}
		if code != 0 || json.Unmarshal([]byte(out), &hist) != nil || len(hist.Events) == 0 ||
			hist.Events[0].Status != "interrupted" {
			t.Fatalf("history after the kill: %d %s %s", code, out, errOut)
		}
		code, out, errOut = runPush(t, data, pushPassword, append([]string{"push", "--resume",
			fmt.Sprint(hist.Events[0].ID), "--json"}, server...)...)
		if code != 0 {
			t.Fatalf("resume: exit %d: %s %s", code, out, errOut)
		}
		res := decodePush(t, out)
		if res.Skipped == 0 || !tagged(t, ref) {
			t.Errorf("resume = %+v; want the layers sent before the kill kept", res)
		}
		reliability.Record(t, reliability.Row{Suite: "fault", Where: "cli",
			Case: fmt.Sprintf("app killed (SIGKILL) during a push, after %d of 6 layers", after),
			Key:  "event.status.interrupted",
			Lost: "nothing: no tag; database intact; the history row shows interrupted",
			Recovery: fmt.Sprintf("resume sent %.1f MiB and kept %.1f MiB already sent",
				float64(res.Uploaded)/(1<<20), float64(res.Skipped)/(1<<20))})
	}
}

// tagged reports whether ref exists on the sandbox.
func tagged(t *testing.T, ref string) bool {
	t.Helper()
	r, err := name.ParseReference(ref, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	_, err = remote.Head(r, remote.WithAuth(authn.FromConfig(authn.AuthConfig{
		Username: sandbox.DefaultUser, Password: pushPassword})))
	return err == nil
}

func TestFaultDiskFullDuringPull(t *testing.T) {
	t.Parallel()
	server := inlineServer(t)
	data := t.TempDir()
	file := makeArchive(t, "-layers", "3", "-size", "2000000", "-tag", "full:v1")
	code, out, errOut := runPush(t, data, pushPassword, append([]string{"push", file,
		"--json"}, server...)...)
	if code != 0 {
		t.Fatalf("push: %d %s %s", code, out, errOut)
	}
	ref := decodePush(t, out).Ref
	dir := t.TempDir()
	dest := filepath.Join(dir, "full.tar")
	pullArgs := []string{"pull", ref, "-o", dest, "--plain-http", "--user", sandbox.DefaultUser,
		"--password-stdin"}

	// Files may grow to 3 MB: the 6 MB archive does not fit.
	cmd, lines := child(t, data, []string{"IMAGEDESK_CLI_FSIZE=3000000"}, pullArgs...)
	var said []string
	for lines.Scan() {
		said = append(said, lines.Text())
	}
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() == 0 {
		t.Fatalf("pull onto a full disk: %v; want a failure", err)
	}
	msg := strings.Join(said, "\n")
	if !strings.Contains(msg, app.CodeNoSpace) {
		t.Errorf("the command said %q; want the no_space code", msg)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a failed pull left %d files in the folder: %v", len(entries), entries)
	}

	code, out, errOut = runPush(t, data, pushPassword, pullArgs...)
	if code != 0 {
		t.Fatalf("pull with room: %d %s %s", code, out, errOut)
	}
	arc, err := archive.Open(dest, archive.WithTempDir(t.TempDir()))
	if err != nil {
		t.Fatalf("the archive pulled with room: %v", err)
	}
	arc.Close()
	reliability.Record(t, reliability.Row{Suite: "fault", Where: "cli",
		Case:     "disk full while downloading (files capped at 3 MB, archive 6 MB)",
		Key:      reliability.ErrorKey(app.CodeNoSpace),
		Lost:     "nothing: no file under the chosen name, no temporary file left",
		Recovery: "with room on the disk, downloading again completed"})
}

package cli

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"imagedesk/backend/sandbox"
)

// Scripts name the server inline; the password comes from stdin and is kept nowhere.
func TestInlineServerForLsReportPullVerify(t *testing.T) {
	t.Parallel()
	srv, err := sandbox.Start(context.Background(), sandbox.Config{
		DataDir: t.TempDir(), Password: "in{]line", Demo: true, ReportDelay: 100e6})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close(context.Background())
	dir := t.TempDir()
	server := []string{"--api", srv.URL(), "--registry", srv.Addr(), "--plain-http",
		"--user", "admin", "--repo", "base-images=9007199254740993:base", "--password-stdin"}

	code, out, errOut := runIn(t, dir, "in{]line\n",
		append([]string{"ls", "base-images/basic/aa"}, server...)...)
	if code != ExitOK || out != "06\n100\naa01\nV5\tnewest\n" {
		t.Fatalf("ls inline: %d %q %q", code, out, errOut)
	}
	code, _, errOut = runIn(t, dir, "wrong\n", append([]string{"ls", "base-images"}, server...)...)
	if code != ExitError || !strings.Contains(errOut, "unauthorized") {
		t.Errorf("ls with a wrong password: %d %q", code, errOut)
	}
	code, out, errOut = runIn(t, dir, "in{]line\n", append([]string{"report", "base-images",
		"basic/aa", "V5", "--wait", "20s"}, server...)...)
	if code != ExitOK || !strings.Contains(out, "Findings") {
		t.Errorf("report inline: %d %q %q", code, out, errOut)
	}

	ref := srv.Addr() + "/base-images/basic/ubuntu:v1.10"
	login := []string{"--user", "admin", "--password-stdin", "--plain-http"}
	tar := filepath.Join(dir, "u.tar")
	if code, _, errOut := runIn(t, dir, "in{]line\n",
		append([]string{"pull", ref, "-o", tar}, login...)...); code != ExitOK {
		t.Fatalf("pull inline: %d %q", code, errOut)
	}
	code, out, _ = runIn(t, dir, "in{]line\n", append([]string{"verify", ref, "--pub",
		srv.SignerPublicKeyPath()}, login...)...)
	if code != ExitOK || !strings.HasPrefix(out, "verified") {
		t.Errorf("verify inline with the sandbox key: %d %q", code, out)
	}
	code, _, errOut = runIn(t, dir, "", "sign", ref, "--key", "k", "--passphrase-stdin",
		"--user", "admin", "--password-stdin")
	if code != ExitUsage {
		t.Errorf("two secrets on stdin: %d %q", code, errOut)
	}
}

package cli

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Run(args, Options{
		Getenv: func(string) string { return "" },
		Home:   t.TempDir(),
		Stdin:  strings.NewReader(""),
		Stdout: &out,
		Stderr: &errb,
	})
	return code, out.String(), errb.String()
}

func TestVersion(t *testing.T) {
	t.Parallel()
	code, out, _ := run(t, "version")
	if code != ExitOK || !strings.HasPrefix(out, "imagedesk ") {
		t.Fatalf("version: code %d, output %q", code, out)
	}
	code, out, _ = run(t, "version", "--json")
	var info struct{ Version, GoVersion, Platform string }
	if code != ExitOK || json.Unmarshal([]byte(out), &info) != nil || info.GoVersion == "" {
		t.Fatalf("version --json: code %d, output %q", code, out)
	}
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"bogus"}, {"--no-such-flag"}, {"version", "extra"}} {
		code, out, errOut := run(t, args...)
		if code != ExitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, ExitUsage)
		}
		if out != "" || !strings.HasPrefix(errOut, "imagedesk: ") {
			t.Errorf("%v: stdout %q, stderr %q; want the error on stderr only", args, out, errOut)
		}
	}
}

func TestHelpListsCommands(t *testing.T) {
	t.Parallel()
	code, out, _ := run(t, "help")
	if code != ExitOK || !strings.Contains(out, "version") || !strings.Contains(out, "--data-dir") {
		t.Fatalf("help: code %d, output %q", code, out)
	}
}

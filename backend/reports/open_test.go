package reports

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestOpenCommand(t *testing.T) {
	t.Parallel()
	const p = "/cache/r_basic_aa_V5.xlsx"
	tests := []struct {
		goos     string
		wantName string
		wantArgs []string
	}{
		{"linux", "xdg-open", []string{p}},
		{"freebsd", "xdg-open", []string{p}},
		{"darwin", "open", []string{p}},
		{"windows", "rundll32", []string{"url.dll,FileProtocolHandler", p}},
	}
	for _, tt := range tests {
		t.Run(tt.goos, func(t *testing.T) {
			t.Parallel()
			name, args, err := OpenCommand(tt.goos, p)
			if err != nil {
				t.Fatal(err)
			}
			if name != tt.wantName {
				t.Errorf("name = %q, want %q", name, tt.wantName)
			}
			if diff := cmp.Diff(tt.wantArgs, args); diff != "" {
				t.Errorf("args mismatch (-want +got):\n%s", diff)
			}
		})
	}
	if _, _, err := OpenCommand("plan9", p); !errors.Is(err, ErrNotOpenable) {
		t.Errorf("OpenCommand(plan9) error = %v, want ErrNotOpenable", err)
	}
}

func TestOpenerOpen(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "r_basic_aa_V5 (copy).xlsx")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}

	var gotName string
	var gotArgs []string
	o := Opener{GOOS: "darwin", Start: func(name string, args ...string) error {
		gotName, gotArgs = name, args
		return nil
	}}
	if err := o.Open(file); err != nil {
		t.Fatalf("Open: %v", err)
	}
	if gotName != "open" || !cmp.Equal(gotArgs, []string{file}) {
		t.Errorf("started %q %q, want open %q", gotName, gotArgs, file)
	}

	boom := errors.New("no such program")
	failing := Opener{GOOS: "linux", Start: func(string, ...string) error { return boom }}
	if err := failing.Open(file); !errors.Is(err, boom) {
		t.Errorf("Open with a failing start = %v, want it wrapped", err)
	}

	for _, bad := range []string{"relative.xlsx", dir, filepath.Join(dir, "missing.xlsx")} {
		called := false
		o := Opener{Start: func(string, ...string) error { called = true; return nil }}
		if err := o.Open(bad); !errors.Is(err, ErrNotOpenable) || called {
			t.Errorf("Open(%q) = %v (started %v), want ErrNotOpenable without starting",
				bad, err, called)
		}
	}
}

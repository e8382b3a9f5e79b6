package paths

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestResolve(t *testing.T) {
	t.Parallel()
	env := func(m map[string]string) func(string) string {
		return func(k string) string { return m[k] }
	}
	tests := []struct {
		name string
		in   Env
		want Dirs
	}{
		{
			name: "linux defaults",
			in:   Env{GOOS: "linux", Home: "/home/u", Getenv: env(nil)},
			want: Dirs{
				Config: "/home/u/.config/imagedesk",
				Data:   "/home/u/.local/share/imagedesk",
				Cache:  "/home/u/.cache/imagedesk",
				Log:    "/home/u/.local/state/imagedesk/logs",
			},
		},
		{
			name: "linux xdg overrides, relative ignored",
			in: Env{GOOS: "linux", Home: "/home/u", Getenv: env(map[string]string{
				"XDG_CONFIG_HOME": "/cfg", "XDG_DATA_HOME": "rel", "XDG_CACHE_HOME": "/c",
			})},
			want: Dirs{
				Config: "/cfg/imagedesk",
				Data:   "/home/u/.local/share/imagedesk",
				Cache:  "/c/imagedesk",
				Log:    "/home/u/.local/state/imagedesk/logs",
			},
		},
		{
			name: "data dir wins",
			in:   Env{GOOS: "linux", Home: "/home/u", DataDir: "/tmp/x"},
			want: Dirs{
				Config: "/tmp/x/config", Data: "/tmp/x/data",
				Cache: "/tmp/x/cache", Log: "/tmp/x/logs",
			},
		},
		{
			name: "darwin",
			in:   Env{GOOS: "darwin", Home: "/Users/u"},
			want: Dirs{
				Config: "/Users/u/Library/Application Support/imagedesk",
				Data:   "/Users/u/Library/Application Support/imagedesk/data",
				Cache:  "/Users/u/Library/Caches/imagedesk",
				Log:    "/Users/u/Library/Logs/imagedesk",
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Resolve(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Resolve mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestResolveNeedsHome(t *testing.T) {
	t.Parallel()
	if _, err := Resolve(Env{GOOS: "linux"}); err == nil {
		t.Fatal("Resolve without home or data dir succeeded")
	}
}

func TestCreateIsOwnerOnly(t *testing.T) {
	t.Parallel()
	d, err := Resolve(Env{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Create(); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{d.Config, d.Data, d.Cache, d.Log} {
		fi, err := os.Stat(dir)
		if err != nil {
			t.Fatal(err)
		}
		if perm := fi.Mode().Perm(); perm != 0o700 {
			t.Errorf("%s has mode %v, want 0700", filepath.Base(dir), perm)
		}
	}
}

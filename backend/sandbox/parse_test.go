package sandbox

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestParsePackageDBs checks the dpkg and apk parsers on the demo data.
func TestParsePackageDBs(t *testing.T) {
	t.Parallel()
	dpkg := parseDpkgStatus([]byte(strings.ReplaceAll(dpkgDemoStatus, "\n", "\r\n")))
	var got []string
	for _, p := range dpkg {
		got = append(got, p.Name+"="+p.Version+"/"+p.Arch)
	}
	want := []string{"bash=5.1-6ubuntu1/amd64", "openssl=3.0.2-0ubuntu1.10/amd64",
		"zlib1g=1:1.2.11.dfsg-2ubuntu9.2/amd64", "tzdata=2024a-0ubuntu0.22.04/all"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("dpkg (-want +got):\n%s", diff)
	}
	if n := len(match(dpkg)); n != 4 {
		t.Errorf("dpkg findings %d, want 4", n)
	}
	apk := parseApkInstalled([]byte(apkDemoInstalled))
	if len(apk) != 3 || apk[0].Name != "musl" || apk[0].Arch != "x86_64" {
		t.Errorf("apk: %+v", apk)
	}
}

// TestParseArtifactPath checks accepted and refused paths.
func TestParseArtifactPath(t *testing.T) {
	t.Parallel()
	ok := map[string][]string{
		"":                           nil,
		".":                          nil,
		"/":                          nil,
		"basic":                      {"basic"},
		"basic/aa/":                  {"basic", "aa"},
		"basic/aa/V5/manifest.json":  {"basic", "aa", "V5", "manifest.json"},
		"payments/gate-way/1.0.0_rc": {"payments", "gate-way", "1.0.0_rc"},
	}
	for p, want := range ok {
		got, err := parseArtifactPath(p)
		if err != nil {
			t.Errorf("%q: %v", p, err)
			continue
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%q (-want +got):\n%s", p, diff)
		}
	}
	for _, p := range []string{"..", "basic/..", "./basic", "basic/%2e%2e", "Basic/aa",
		"basic//aa", "basic/aa/.hidden", "basic/aa/V5/other.json", "basic/aa/V5/a/b",
		"basic\\aa", "basic/aa\x00", "basic/a a", strings.Repeat("a/", 300)} {
		if _, err := parseArtifactPath(p); !errors.Is(err, ErrBadPath) {
			t.Errorf("%q: %v, want ErrBadPath", p, err)
		}
	}
}

// FuzzListRequest checks that decoding and path validation never panic and
// that an accepted path never escapes: no "..", "." or empty component.
func FuzzListRequest(f *testing.F) {
	for _, seed := range []string{
		`{"deleted": false, "repo_id": 1495097876821574}`,
		`{"deleted": true, "repo_id": 9007199254740993, "path": "basic/aa"}`,
		`{"repo_id": 99999999999999999999}`,
		`{"repo_id": 1, "path": "basic/../../etc/passwd"}`,
		`{"repo_id": 1, "path": "basic/%2e%2e/x"}`,
		`{"repo_id": "1", "deleted": "yes", "path": 3}`,
		`{"repo_id": 1e3}`,
		`[]`, `null`, ``, `{"repo_id":1,"path":"basic/aa/V5/manifest.json"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := decodeListRequest(body)
		if err != nil {
			return
		}
		parts, err := parseArtifactPath(req.Path)
		if err != nil {
			return
		}
		if len(parts) > 4 {
			t.Fatalf("%q: %d parts", req.Path, len(parts))
		}
		for _, p := range parts {
			if p == "" || p == "." || p == ".." || strings.ContainsAny(p, "/\\%\x00") {
				t.Fatalf("%q: accepted component %q", req.Path, p)
			}
		}
	})
}

// FuzzPackageDBs checks that the package database parsers never panic and
// never return a nameless package.
func FuzzPackageDBs(f *testing.F) {
	f.Add([]byte(dpkgDemoStatus))
	f.Add([]byte(apkDemoInstalled))
	f.Add([]byte("Package:\n\nP:\nV:1\n\n:\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, p := range append(parseDpkgStatus(b), parseApkInstalled(b)...) {
			if p.Name == "" {
				t.Fatalf("nameless package from %q", b)
			}
		}
	})
}

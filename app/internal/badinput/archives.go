package badinput

import (
	"errors"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// Archive is one malformed archive and the code it must be refused with.
type Archive struct {
	Name string // the case, as the report shows it
	Code string // the error code the user sees
	// Late is set for a fault that shows only while layers are read, after the
	// registry was asked; every other case is refused before any request.
	Late bool
	// WindowOnly is set for a path the command line accepts: it resolves a
	// relative path against its working directory.
	WindowOnly bool

	make func(g gen) string
}

// Path writes the archive into dir and returns the path to upload.
func (a Archive) Path(t testing.TB, dir string) string {
	t.Helper()
	return a.make(gen{t: t, dir: dir})
}

// Archives lists the malformed archives.
func Archives() []Archive {
	return []Archive{
		{Name: "empty file", Code: "archive_empty",
			make: func(g gen) string { return g.write("empty.tar", nil) }},
		{Name: "random bytes", Code: "archive_not_archive",
			make: func(g gen) string { return g.write("random.tar", random(10000)) }},
		{Name: "plain text", Code: "archive_not_archive", make: func(g gen) string {
			return g.write("notes.tar", []byte("docker save -o app.tar app:1\n"))
		}},
		{Name: "tar cut inside the first layer", Code: "archive_truncated",
			make: func(g gen) string { return g.cut("cut1.tar", "", 4000) }},
		{Name: "tar cut in the middle", Code: "archive_truncated",
			make: func(g gen) string { return g.cut("cut2.tar", "", -1) }},
		{Name: "tar cut before its end marker", Code: "archive_truncated",
			make: func(g gen) string { return g.cut("cut3.tar", "", -1024) }},
		{Name: "gzip cut short", Code: "archive_truncated",
			make: func(g gen) string { return g.cut("cut.tar.gz", "-gzip", -1) }},
		{Name: "gzip corrupt", Code: "archive_corrupt", make: func(g gen) string {
			b := g.good("-gzip")
			for i := len(b) / 2; i < len(b)/2+64; i++ {
				b[i] ^= 0x5a
			}
			return g.write("corrupt.tar.gz", b)
		}},
		{Name: "tar without manifest.json", Code: "archive_no_manifest",
			make: func(g gen) string { return g.mk("nomanifest.tar", "-break", "no-manifest") }},
		{Name: "manifest.json not JSON", Code: "archive_bad_manifest",
			make: func(g gen) string { return g.mk("manifest.tar", "-break", "manifest-json") }},
		{Name: "manifest.json lists no image", Code: "archive_no_manifest",
			make: func(g gen) string { return g.mk("noimage.tar", "-break", "manifest-empty") }},
		{Name: "layer missing", Code: "archive_missing_layer",
			make: func(g gen) string { return g.mk("nolayer.tar", "-break", "missing-layer") }},
		{Name: "config missing", Code: "archive_bad_config",
			make: func(g gen) string { return g.mk("noconfig.tar", "-break", "config-missing") }},
		{Name: "config not JSON", Code: "archive_bad_config",
			make: func(g gen) string { return g.mk("config.tar", "-break", "config-json") }},
		{Name: "config and manifest differ in layer count", Code: "archive_layer_count",
			make: func(g gen) string { return g.mk("count.tar", "-break", "layer-count") }},
		{Name: "entry climbing out with ../", Code: "archive_unsafe_path",
			make: func(g gen) string { return g.mk("climb.tar", "-break", "traversal") }},
		{Name: "entry with an absolute path", Code: "archive_unsafe_path",
			make: func(g gen) string { return g.mk("abs.tar", "-break", "absolute") }},
		{Name: "symlink pointing outside", Code: "archive_unsafe_path",
			make: func(g gen) string { return g.mk("link.tar", "-break", "symlink") }},
		{Name: "OCI index.json not JSON", Code: "archive_bad_manifest", make: func(g gen) string {
			return g.mk("index.tar", "-format", "oci", "-break", "index-json")
		}},
		{Name: "OCI layer blob missing", Code: "archive_missing_layer", make: func(g gen) string {
			return g.mk("ociblob.tar", "-format", "oci", "-break", "missing-layer")
		}},
		{Name: "OCI layout directory without a layer blob", Code: "archive_missing_layer",
			make: func(g gen) string {
				return g.mk("layout", "-format", "layout", "-break", "missing-layer")
			}},
		{Name: "directory that is not an OCI layout", Code: "archive_no_manifest",
			make: func(g gen) string {
				d := filepath.Join(g.dir, "photos")
				g.mkdir(d)
				g.write("photos/readme.txt", []byte("not an image\n"))
				return d
			}},
		{Name: "path that does not exist", Code: "file_missing",
			make: func(g gen) string { return filepath.Join(g.dir, "gone.tar") }},
		{Name: "relative path", Code: "invalid_path", WindowOnly: true, make: func(g gen) string {
			g.mk("good.tar")
			return "good.tar"
		}},
		// Seeds of their own: a layer the registry has already is not read.
		{Name: "layer bytes not matching its digest", Code: "archive_layer_digest", Late: true,
			make: func(g gen) string {
				return g.mk("digest.tar", "-break", "digest", "-seed", "101")
			}},
		{Name: "OCI layer blob not matching its digest", Code: "archive_layer_digest",
			Late: true, make: func(g gen) string {
				return g.mk("ocidigest.tar", "-format", "oci", "-break", "digest", "-seed", "102")
			}},
	}
}

// GoodArchive writes a valid one-layer docker archive tagged tag into dir.
func GoodArchive(t testing.TB, dir, tag string) string {
	t.Helper()
	return gen{t: t, dir: dir}.mk("good.tar", "-layers", "1", "-size", "4000", "-tag", tag)
}

// gen writes archives into a directory.
type gen struct {
	t   testing.TB
	dir string
}

// mk runs mkarchive for two layers of 30,000 bytes with args, writing file.
func (g gen) mk(file string, args ...string) string {
	g.t.Helper()
	out := filepath.Join(g.dir, file)
	args = append([]string{"-o", out, "-layers", "2", "-size", "30000"}, args...)
	b, err := exec.Command(Generator(g.t), args...).CombinedOutput()
	if err != nil {
		g.t.Fatalf("mkarchive %v: %v: %s", args, err, b)
	}
	return out
}

// good returns the bytes of a valid archive, made with extra mkarchive flags.
func (g gen) good(extra ...string) []byte {
	g.t.Helper()
	p := g.mk("good-source", extra...)
	b, err := os.ReadFile(p)
	if err != nil {
		g.t.Fatal(err)
	}
	if err := os.Remove(p); err != nil {
		g.t.Fatal(err)
	}
	return b
}

// cut writes a valid archive cut short: its first at bytes, all but its last
// -at bytes when at is negative, or the first half and a little when at is -1.
func (g gen) cut(file, flag string, at int) string {
	g.t.Helper()
	var b []byte
	if flag == "" {
		b = g.good()
	} else {
		b = g.good(flag)
	}
	switch {
	case at == -1:
		at = len(b)/2 + 77
	case at < 0:
		at = len(b) + at
	}
	return g.write(file, b[:at])
}

func (g gen) write(file string, b []byte) string {
	g.t.Helper()
	p := filepath.Join(g.dir, filepath.FromSlash(file))
	if err := os.WriteFile(p, b, 0o644); err != nil {
		g.t.Fatal(err)
	}
	return p
}

func (g gen) mkdir(d string) {
	g.t.Helper()
	if err := os.Mkdir(d, 0o755); err != nil {
		g.t.Fatal(err)
	}
}

func random(n int) []byte {
	r := rand.New(rand.NewPCG(7, 11))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

var (
	mkOnce sync.Once
	mkPath string
	mkErr  error
)

// Generator builds the archive generator (backend/archive/testdata/mkarchive)
// once per test binary and returns its path.
func Generator(t testing.TB) string {
	t.Helper()
	mkOnce.Do(func() {
		dir, err := os.MkdirTemp("", "badinput-")
		if err != nil {
			mkErr = err
			return
		}
		mkPath = filepath.Join(dir, "mkarchive")
		out, err := exec.Command("go", "build", "-o", mkPath,
			"imagedesk/backend/archive/testdata/mkarchive").CombinedOutput()
		if err != nil {
			mkErr = errors.New(string(out))
		}
	})
	if mkErr != nil {
		t.Fatalf("building mkarchive: %v", mkErr)
	}
	return mkPath
}

package archive

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// mutateFiles returns a copy of files changed by f, which may drop entries by
// returning false.
func mutateFiles(files []tarFile, f func(*tarFile) bool) []tarFile {
	var out []tarFile
	for _, file := range files {
		file.data = append([]byte{}, file.data...)
		if f(&file) {
			out = append(out, file)
		}
	}
	return out
}

// rewriteManifest edits the manifest.json entry of a docker archive.
func rewriteManifest(t testing.TB, files []tarFile, edit func(tarball.Manifest)) []tarFile {
	t.Helper()
	return mutateFiles(files, func(f *tarFile) bool {
		if strings.TrimPrefix(f.name, "./") != "manifest.json" {
			return true
		}
		var m tarball.Manifest
		if err := json.Unmarshal(f.data, &m); err != nil {
			t.Fatal(err)
		}
		edit(m)
		raw, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		f.data = raw
		return true
	})
}

// tarBytes returns files as tar bytes, gzip-compressed when gz is set.
func tarBytes(t testing.TB, files []tarFile, gz bool) []byte {
	t.Helper()
	p := filepath.Join(t.TempDir(), "x.tar")
	writeTar(t, p, files, gz)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestOpenRefusesBadInput(t *testing.T) {
	t.Parallel()
	classic := classicFiles(t, "", taggedImage{plainImage(t, 11), []string{"a:1"}})
	classicTar := tarBytes(t, classic, false)
	classicGz := tarBytes(t, classic, true)
	ociFiles := dirFiles(t, layoutDir(t, taggedImage{gzipImage(t, 2), []string{"b:2"}}))

	garbage := make([]byte, 4096)
	rand.New(rand.NewSource(1)).Read(garbage)
	corruptGz := append([]byte{}, classicGz...)
	for i := len(corruptGz) / 2; i < len(corruptGz)/2+64; i++ {
		corruptGz[i] ^= 0x5a
	}

	isLayer := func(f *tarFile) bool { return strings.HasSuffix(f.name, "/layer.tar") }
	isConfig := func(f *tarFile) bool {
		return strings.HasSuffix(f.name, ".json") && f.name != "manifest.json"
	}
	// ociBlob reports whether f is the blob of the first layer of the OCI image.
	firstLayer := ociFirstLayer(t, ociFiles)

	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"empty file", nil, ErrEmpty},
		{"random bytes", garbage, ErrNotArchive},
		{"short text", []byte("hello, world\n"), ErrNotArchive},
		{"cut in first entry data", classicTar[:700], ErrTruncated},
		{"cut in the middle", classicTar[:len(classicTar)/2+77], ErrTruncated},
		{"cut before end marker", classicTar[:len(classicTar)-1024], ErrTruncated},
		{"cut in a header", classicTar[:len(classicTar)-1024-300], ErrTruncated},
		{"gzip cut short", classicGz[:len(classicGz)/2], ErrTruncated},
		{"gzip magic only", classicGz[:2], ErrTruncated},
		{"gzip corrupt", corruptGz, ErrCorrupt},
		{"tar without manifest", tarBytes(t, []tarFile{{name: "hello.txt",
			data: []byte("hi")}}, false), ErrNoManifest},
		{"manifest.json not json", tarBytes(t, mutateFiles(classic, func(f *tarFile) bool {
			if f.name == "manifest.json" {
				f.data = []byte("{not json")
			}
			return true
		}), false), ErrBadManifest},
		{"manifest.json entry without config", tarBytes(t, rewriteManifest(t, classic,
			func(m tarball.Manifest) { clear(m) }), false), ErrBadConfig},
		{"manifest.json lists nothing", tarBytes(t, mutateFiles(classic, func(f *tarFile) bool {
			if f.name == "manifest.json" {
				f.data = []byte("[]")
			}
			return true
		}), false), ErrNoManifest},
		{"missing layer", tarBytes(t, mutateFiles(classic, func(f *tarFile) bool {
			return !isLayer(f) || f.typ == tar.TypeSymlink
		}), false), ErrMissingLayer},
		{"config missing", tarBytes(t, mutateFiles(classic, func(f *tarFile) bool {
			return !isConfig(f)
		}), false), ErrBadConfig},
		{"config not json", tarBytes(t, mutateFiles(classic, func(f *tarFile) bool {
			if isConfig(f) {
				f.data = []byte("[1, 2")
			}
			return true
		}), false), ErrBadConfig},
		{"diff_ids and layers differ", tarBytes(t, rewriteManifest(t, classic,
			func(m tarball.Manifest) { m[0].Layers = m[0].Layers[1:] }), false), ErrLayerCount},
		{"path traversal entry", tarBytes(t, append(classic, tarFile{name: "../evil",
			data: []byte("x")}), false), ErrUnsafePath},
		{"absolute entry", tarBytes(t, append([]tarFile{{name: "/etc/passwd",
			data: []byte("x")}}, classic...), false), ErrUnsafePath},
		{"symlink out of the archive", tarBytes(t, append(classic, tarFile{
			name: "x/layer.tar", typ: tar.TypeSymlink, link: "../../etc/shadow"}), false),
			ErrUnsafePath},
		{"oci index not json", tarBytes(t, mutateFiles(ociFiles, func(f *tarFile) bool {
			if f.name == "index.json" {
				f.data = []byte("<html>")
			}
			return true
		}), false), ErrBadManifest},
		{"oci layer blob missing", tarBytes(t, mutateFiles(ociFiles, func(f *tarFile) bool {
			return f.name != firstLayer
		}), false), ErrMissingLayer},
		{"oci layer blob shorter than its descriptor", tarBytes(t, mutateFiles(ociFiles,
			func(f *tarFile) bool {
				if f.name == firstLayer {
					f.data = f.data[:len(f.data)-1]
				}
				return true
			}), false), ErrLayerDigest},
		{"oci manifest edited", tarBytes(t, mutateFiles(ociFiles, func(f *tarFile) bool {
			if bytes.Contains(f.data, []byte(`"layers"`)) {
				f.data = append(f.data, ' ')
			}
			return true
		}), false), ErrBadManifest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			tmp := t.TempDir()
			path := filepath.Join(dir, "bad.tar")
			if err := os.WriteFile(path, tt.data, 0o644); err != nil {
				t.Fatal(err)
			}
			a, err := Open(path, WithTempDir(tmp))
			if err == nil {
				a.Close()
				t.Fatalf("Open succeeded, want %v", tt.want)
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("Open: %v, want %v", err, tt.want)
			}
			var e *Error
			if !errors.As(err, &e) || e.Path != path {
				t.Errorf("Open error %#v does not name the path", err)
			}
			if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
				t.Errorf("failed Open left %d temp files", len(entries))
			}
		})
	}
}

// ociFirstLayer returns the entry name of the first layer of the first image of
// an OCI layout's files.
func ociFirstLayer(t testing.TB, files []tarFile) string {
	t.Helper()
	for _, f := range files {
		var m struct {
			Layers []struct{ Digest string } `json:"layers"`
		}
		if json.Unmarshal(f.data, &m) == nil && len(m.Layers) > 0 {
			return "blobs/sha256/" + strings.TrimPrefix(m.Layers[0].Digest, "sha256:")
		}
	}
	t.Fatal("no manifest with layers")
	return ""
}

func TestOpenRefusesOtherPaths(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if _, err := Open(dir); !errors.Is(err, ErrNoManifest) {
		t.Errorf("directory without index.json: %v, want ErrNoManifest", err)
	}
	if _, err := Open(filepath.Join(dir, "absent.tar")); !errors.Is(err, ErrNotArchive) {
		t.Errorf("absent file: %v, want ErrNotArchive", err)
	}
	if _, err := Open(dir, WithTempDir(filepath.Join(dir, "nope"))); err == nil {
		t.Error("Open with a missing temp dir succeeded")
	}
}

func TestLayerContentMismatch(t *testing.T) {
	t.Parallel()
	classic := classicFiles(t, "", taggedImage{plainImage(t, 21), []string{"a:1"}})
	ociFiles := dirFiles(t, layoutDir(t, taggedImage{gzipImage(t, 2), nil}))
	dockerOCI := dockerOCIFiles(t, taggedImage{plainImage(t, 23), []string{"c:3"}})
	flipLast := func(name string) func(*tarFile) bool {
		return func(f *tarFile) bool {
			if f.name == name {
				f.data[len(f.data)/2] ^= 0xff
			}
			return true
		}
	}
	firstClassic := ""
	for _, f := range classic {
		if strings.HasSuffix(f.name, "/layer.tar") && f.typ == 0 {
			firstClassic = f.name
			break
		}
	}

	tests := []struct {
		name  string
		files []tarFile
	}{
		{"classic layer.tar edited", mutateFiles(classic, flipLast(firstClassic))},
		{"oci gzip blob edited", mutateFiles(ociFiles, flipLast(ociFirstLayer(t, ociFiles)))},
		{"docker oci blob edited", mutateFiles(dockerOCI,
			flipLast(ociFirstLayer(t, dockerOCI)))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "image.tar")
			writeTar(t, path, tt.files, false)
			a, err := Open(path)
			if err != nil {
				t.Fatalf("Open should only check metadata, got %v", err)
			}
			defer a.Close()

			img, err := a.Image(0)
			if err != nil {
				t.Fatal(err)
			}
			l := must(t, img.Layers)[0]
			for name, open := range map[string]func() (io.ReadCloser, error){
				"Uncompressed": l.Uncompressed,
				"Compressed":   l.Compressed,
			} {
				rc := must(t, open)
				_, err := io.Copy(io.Discard, rc)
				rc.Close()
				if !errors.Is(err, ErrLayerDigest) {
					t.Errorf("%s read: %v, want ErrLayerDigest", name, err)
				}
			}
			if err := a.Verify(t.Context(), 0, nil); !errors.Is(err, ErrLayerDigest) {
				t.Errorf("Verify: %v, want ErrLayerDigest", err)
			}
		})
	}
}

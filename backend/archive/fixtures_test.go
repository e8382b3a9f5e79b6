package archive

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"math/rand"
	"os"
	"path/filepath"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// tarFile is one entry of a test tar.
type tarFile struct {
	name string
	data []byte
	typ  byte // tar.TypeReg when zero
	link string
}

// writeTar writes files as a tar at path, gzip-compressed when gz is set.
func writeTar(t testing.TB, path string, files []tarFile, gz bool) {
	t.Helper()
	var buf bytes.Buffer
	var w io.Writer = &buf
	var zw *gzip.Writer
	if gz {
		zw = gzip.NewWriter(&buf)
		w = zw
	}
	tw := tar.NewWriter(w)
	for _, f := range files {
		hdr := &tar.Header{Name: f.name, Mode: 0o644, Typeflag: f.typ, Linkname: f.link,
			ModTime: time.Unix(1700000000, 0)}
		if f.typ == 0 {
			hdr.Typeflag = tar.TypeReg
			hdr.Size = int64(len(f.data))
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(f.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if zw != nil {
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// tarLayer returns an uncompressed layer tar holding one file of size random
// bytes drawn from seed.
func tarLayer(t testing.TB, seed int64, size int) []byte {
	t.Helper()
	data := make([]byte, size)
	rand.New(rand.NewSource(seed)).Read(data)
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	name := fmt.Sprintf("file-%d.bin", seed)
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(size),
		Typeflag: tar.TypeReg}); err != nil {
		t.Fatal(err)
	}
	if _, err := tw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// rawLayer is a test layer stored uncompressed: its digest is its diff ID.
type rawLayer struct {
	b  []byte
	mt types.MediaType
}

func (l rawLayer) Digest() (v1.Hash, error) { return sha256Hash(l.b), nil }
func (l rawLayer) DiffID() (v1.Hash, error) { return sha256Hash(l.b), nil }
func (l rawLayer) Size() (int64, error)     { return int64(len(l.b)), nil }
func (l rawLayer) MediaType() (types.MediaType, error) {
	return l.mt, nil
}

func (l rawLayer) Compressed() (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(l.b)), nil
}

func (l rawLayer) Uncompressed() (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(l.b)), nil
}

// withPlatform sets a platform and creation time on img's config.
func withPlatform(t testing.TB, img v1.Image, os, arch, variant string) v1.Image {
	t.Helper()
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cfg = cfg.DeepCopy()
	cfg.OS, cfg.Architecture, cfg.Variant = os, arch, variant
	cfg.Created = v1.Time{Time: time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)}
	out, err := mutate.ConfigFile(img, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// gzipImage returns a random image with gzip layers.
func gzipImage(t testing.TB, layers int64) v1.Image {
	t.Helper()
	img, err := random.Image(2048, layers)
	if err != nil {
		t.Fatal(err)
	}
	return withPlatform(t, img, "linux", "arm64", "v8")
}

// plainImage returns an OCI image whose layers are stored uncompressed, the
// first one twice, as Docker 25's docker save writes them.
func plainImage(t testing.TB, seed int64) v1.Image {
	t.Helper()
	l1 := rawLayer{b: tarLayer(t, seed, 3000), mt: types.OCIUncompressedLayer}
	l2 := rawLayer{b: tarLayer(t, seed+1, 1500), mt: types.OCIUncompressedLayer}
	img, err := mutate.AppendLayers(empty.Image, l1, l2, l1)
	if err != nil {
		t.Fatal(err)
	}
	img = mutate.MediaType(img, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	return withPlatform(t, img, "linux", "amd64", "")
}

// taggedImage is an image with the tags an archive should give it.
type taggedImage struct {
	img  v1.Image
	tags []string
}

// classicFiles returns the entries of a classic docker save archive: config
// files, <id>/layer.tar (uncompressed, a symlink for a repeated layer), a
// repositories file and manifest.json, every name starting with prefix.
func classicFiles(t testing.TB, prefix string, images ...taggedImage) []tarFile {
	t.Helper()
	var files []tarFile
	var manifest tarball.Manifest
	seen := map[v1.Hash]string{}
	for i, ti := range images {
		rawCfg, err := ti.img.RawConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		cfgName, err := ti.img.ConfigName()
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, tarFile{name: prefix + cfgName.Hex + ".json", data: rawCfg})
		d := tarball.Descriptor{Config: prefix + cfgName.Hex + ".json", RepoTags: ti.tags}

		layers, err := ti.img.Layers()
		if err != nil {
			t.Fatal(err)
		}
		for j, l := range layers {
			diffID, err := l.DiffID()
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(fmt.Appendf(nil, "%d-%d-%s", i, j, diffID))
			dir := hex.EncodeToString(sum[:])
			name := prefix + dir + "/layer.tar"
			d.Layers = append(d.Layers, name)
			files = append(files, tarFile{name: prefix + dir + "/", typ: tar.TypeDir})
			if first, ok := seen[diffID]; ok {
				files = append(files, tarFile{name: name, typ: tar.TypeSymlink,
					link: "../" + first + "/layer.tar"})
				continue
			}
			seen[diffID] = dir
			rc, err := l.Uncompressed()
			if err != nil {
				t.Fatal(err)
			}
			data, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, tarFile{name: name, data: data})
		}
		manifest = append(manifest, d)
	}
	files = append(files, tarFile{name: prefix + "repositories", data: []byte("{}")})
	raw, err := json.Marshal(manifest)
	if err != nil {
		t.Fatal(err)
	}
	return append(files, tarFile{name: prefix + "manifest.json", data: raw})
}

// layoutDir writes images into a new OCI layout directory, each annotated with
// its tag the way Docker 25 does.
func layoutDir(t testing.TB, images ...taggedImage) string {
	t.Helper()
	dir := t.TempDir()
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	for _, ti := range images {
		var opts []layout.Option
		if len(ti.tags) > 0 {
			opts = append(opts, layout.WithAnnotations(map[string]string{
				annotationContainerdName: ti.tags[0],
				annotationRefName:        "ignored-when-containerd-name-is-set",
			}))
		}
		if err := p.AppendImage(ti.img, opts...); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// dirFiles returns every regular file under dir as tar entries.
func dirFiles(t testing.TB, dir string) []tarFile {
	t.Helper()
	var files []tarFile
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files = append(files, tarFile{name: filepath.ToSlash(rel), data: data})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// dockerOCIFiles returns the entries of a Docker 25 docker save: the OCI layout
// plus a docker manifest.json pointing into blobs/.
func dockerOCIFiles(t testing.TB, images ...taggedImage) []tarFile {
	t.Helper()
	files := dirFiles(t, layoutDir(t, images...))
	var manifest tarball.Manifest
	for _, ti := range images {
		m, err := ti.img.Manifest()
		if err != nil {
			t.Fatal(err)
		}
		d := tarball.Descriptor{Config: blobName(m.Config.Digest), RepoTags: ti.tags}
		for _, l := range m.Layers {
			d.Layers = append(d.Layers, blobName(l.Digest))
		}
		manifest = append(manifest, d)
	}
	raw, err := json.Marshal(manifest)
	if err != nil {
		t.Fatal(err)
	}
	return append(files, tarFile{name: "manifest.json", data: raw})
}

// ggcrDockerArchive writes img with go-containerregistry's tarball.Write, which
// stores gzip layers named <digest>.tar.gz.
func ggcrDockerArchive(t testing.TB, path string, img v1.Image, tag string) {
	t.Helper()
	ref := mustTag(t, tag)
	if err := tarball.WriteToFile(path, ref, img); err != nil {
		t.Fatal(err)
	}
}

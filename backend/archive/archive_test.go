package archive

import (
	"crypto/sha256"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

func mustTag(t testing.TB, s string) name.Tag {
	t.Helper()
	tag, err := name.NewTag(s)
	if err != nil {
		t.Fatal(err)
	}
	return tag
}

// layerInfoFunc describes how an archive stores one layer of a source image.
type layerInfoFunc func(t testing.TB, l v1.Layer) LayerInfo

// storedPlain is a layer stored as an uncompressed docker layer.tar.
func storedPlain(t testing.TB, l v1.Layer) LayerInfo {
	diffID := must(t, l.DiffID)
	rc := must(t, l.Uncompressed)
	defer rc.Close()
	n, err := io.Copy(io.Discard, rc)
	if err != nil {
		t.Fatal(err)
	}
	return LayerInfo{DiffID: diffID.String(), Digest: diffID.String(), Size: n,
		MediaType: string(types.DockerUncompressedLayer)}
}

// storedGzipNoDigest is a gzip layer of a classic archive, digest unknown.
func storedGzipNoDigest(t testing.TB, l v1.Layer) LayerInfo {
	return LayerInfo{DiffID: must(t, l.DiffID).String(), Size: must(t, l.Size),
		MediaType: string(types.DockerLayer), Compressed: true}
}

// storedAsManifest is a layer stored as its manifest describes it.
func storedAsManifest(t testing.TB, l v1.Layer) LayerInfo {
	mt := must(t, l.MediaType)
	return LayerInfo{DiffID: must(t, l.DiffID).String(), Digest: must(t, l.Digest).String(),
		Size: must(t, l.Size), MediaType: string(mt),
		Compressed: mt == types.DockerLayer || mt == types.OCILayer}
}

// must returns f's value or fails the test.
func must[T any](t testing.TB, f func() (T, error)) T {
	t.Helper()
	v, err := f()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// wantInfo builds the ImageInfo an archive holding img should report.
func wantInfo(t testing.TB, index int, img v1.Image, tags []string, withDigest bool,
	layerInfo layerInfoFunc) ImageInfo {
	t.Helper()
	cfg := must(t, img.ConfigFile)
	info := ImageInfo{
		Index:        index,
		Tags:         append([]string{}, tags...),
		ConfigDigest: must(t, img.ConfigName).String(),
		OS:           cfg.OS,
		Arch:         cfg.Architecture,
		Variant:      cfg.Variant,
		Created:      cfg.Created.Time,
		TotalSize:    int64(len(must(t, img.RawConfigFile))),
	}
	if len(tags) > 0 {
		info.Name, info.Version = splitTag(tags[0])
	}
	if withDigest {
		info.Digest = must(t, img.Digest).String()
	}
	for _, l := range must(t, img.Layers) {
		li := layerInfo(t, l)
		info.Layers = append(info.Layers, li)
		info.TotalSize += li.Size
	}
	return info
}

// checkImage compares an image read from an archive with its source: config
// bytes, diff IDs, layer digests against the reported info, and that every layer
// reads back to its diff ID. sameManifest also compares manifest digests.
func checkImage(t *testing.T, got, want v1.Image, info ImageInfo, sameManifest bool) {
	t.Helper()
	if diff := cmp.Diff(must(t, want.RawConfigFile), must(t, got.RawConfigFile)); diff != "" {
		t.Errorf("config (-want +got):\n%s", diff)
	}
	if must(t, got.ConfigName) != must(t, want.ConfigName) {
		t.Errorf("config name differs")
	}
	if sameManifest && must(t, got.Digest) != must(t, want.Digest) {
		t.Errorf("manifest digest %s, want %s", must(t, got.Digest), must(t, want.Digest))
	}
	m := must(t, got.Manifest)
	gotLayers, wantLayers := must(t, got.Layers), must(t, want.Layers)
	if len(gotLayers) != len(wantLayers) || len(m.Layers) != len(wantLayers) {
		t.Fatalf("%d layers, %d in manifest, want %d", len(gotLayers), len(m.Layers),
			len(wantLayers))
	}
	for i, gl := range gotLayers {
		diffID := must(t, gl.DiffID)
		if diffID != must(t, wantLayers[i].DiffID) {
			t.Errorf("layer %d diff id %s, want %s", i, diffID, must(t, wantLayers[i].DiffID))
		}
		digest := must(t, gl.Digest)
		if info.Layers[i].Digest != "" && digest.String() != info.Layers[i].Digest {
			t.Errorf("layer %d digest %s, info says %s", i, digest, info.Layers[i].Digest)
		}
		if m.Layers[i].Digest != digest {
			t.Errorf("layer %d manifest digest %s, layer says %s", i, m.Layers[i].Digest, digest)
		}
		if sum := readAll(t, gl.Uncompressed); sum != diffID {
			t.Errorf("layer %d uncompressed to %s, want %s", i, sum, diffID)
		}
		if sum := readAll(t, gl.Compressed); sum != digest {
			t.Errorf("layer %d stored bytes hash to %s, want %s", i, sum, digest)
		}
	}
}

// readAll reads a stream to its end and returns its sha256 digest.
func readAll(t testing.TB, open func() (io.ReadCloser, error)) v1.Hash {
	t.Helper()
	rc := must(t, open)
	defer rc.Close()
	h := sha256.New()
	if _, err := io.Copy(h, rc); err != nil {
		t.Fatalf("reading: %v", err)
	}
	return sumHash(h)
}

func TestOpenFormats(t *testing.T) {
	t.Parallel()
	gzImg := gzipImage(t, 3)
	gzImg2 := gzipImage(t, 1)
	plain := plainImage(t, 1)
	plain2 := plainImage(t, 7)

	type want struct {
		img          v1.Image
		tags         []string
		withDigest   bool
		layers       layerInfoFunc
		sameManifest bool
	}
	tests := []struct {
		name    string
		write   func(t *testing.T, path string) string
		format  Format
		gzipped bool
		want    []want
	}{{
		name: "classic docker save with symlinked layer and ./ prefix",
		write: func(t *testing.T, p string) string {
			writeTar(t, p, classicFiles(t, "./", taggedImage{plain, []string{"team/app:1.0"}}),
				false)
			return p
		},
		format: DockerArchive,
		want:   []want{{img: plain, tags: []string{"team/app:1.0"}, layers: storedPlain}},
	}, {
		name: "classic docker save of two images, gzipped",
		write: func(t *testing.T, p string) string {
			writeTar(t, p, classicFiles(t, "",
				taggedImage{plain, []string{"a:1", "reg:5000/x/a:latest"}},
				taggedImage{gzImg, nil}), true)
			return p
		},
		format:  DockerArchive,
		gzipped: true,
		want: []want{
			{img: plain, tags: []string{"a:1", "reg:5000/x/a:latest"}, layers: storedPlain},
			{img: gzImg, layers: storedPlain},
		},
	}, {
		name: "go-containerregistry tarball with gzip layers",
		write: func(t *testing.T, p string) string {
			ggcrDockerArchive(t, p, gzImg, "example.com/ns/ubuntu:22.04")
			return p
		},
		format: DockerArchive,
		want: []want{{img: gzImg, tags: []string{"example.com/ns/ubuntu:22.04"},
			layers: storedGzipNoDigest}},
	}, {
		name: "docker 25 oci-in-tar",
		write: func(t *testing.T, p string) string {
			writeTar(t, p, dockerOCIFiles(t, taggedImage{plain, []string{"ubuntu:22.04"}},
				taggedImage{plain2, []string{"busybox:1"}}), false)
			return p
		},
		format: DockerOCIArchive,
		want: []want{
			{img: plain, tags: []string{"ubuntu:22.04"}, withDigest: true,
				layers: storedAsManifest, sameManifest: true},
			{img: plain2, tags: []string{"busybox:1"}, withDigest: true,
				layers: storedAsManifest, sameManifest: true},
		},
	}, {
		name: "oci archive",
		write: func(t *testing.T, p string) string {
			files := dirFiles(t, layoutDir(t, taggedImage{gzImg, []string{"docker.io/l/x:2"}},
				taggedImage{gzImg2, nil}))
			writeTar(t, p, files, false)
			return p
		},
		format: OCIArchive,
		want: []want{
			{img: gzImg, tags: []string{"docker.io/l/x:2"}, withDigest: true,
				layers: storedAsManifest, sameManifest: true},
			{img: gzImg2, withDigest: true, layers: storedAsManifest, sameManifest: true},
		},
	}, {
		name: "oci archive, gzipped",
		write: func(t *testing.T, p string) string {
			writeTar(t, p, dirFiles(t, layoutDir(t, taggedImage{plain, nil})), true)
			return p
		},
		format:  OCIArchive,
		gzipped: true,
		want: []want{{img: plain, withDigest: true, layers: storedAsManifest,
			sameManifest: true}},
	}, {
		name: "oci layout directory",
		write: func(t *testing.T, _ string) string {
			return layoutDir(t, taggedImage{gzImg, []string{"app:3"}})
		},
		format: OCILayout,
		want: []want{{img: gzImg, tags: []string{"app:3"}, withDigest: true,
			layers: storedAsManifest, sameManifest: true}},
	}}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := tt.write(t, filepath.Join(t.TempDir(), "image.tar"))
			tmp := t.TempDir()
			a, err := Open(path, WithTempDir(tmp))
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer a.Close()

			if a.Format() != tt.format || a.Gzipped() != tt.gzipped {
				t.Errorf("format %v gzipped %v, want %v %v", a.Format(), a.Gzipped(),
					tt.format, tt.gzipped)
			}
			var wantInfos []ImageInfo
			for i, w := range tt.want {
				wantInfos = append(wantInfos, wantInfo(t, i, w.img, w.tags, w.withDigest,
					w.layers))
			}
			got := a.Images()
			if diff := cmp.Diff(wantInfos, got); diff != "" {
				t.Fatalf("Images() (-want +got):\n%s", diff)
			}
			for i, w := range tt.want {
				img, err := a.Image(i)
				if err != nil {
					t.Fatal(err)
				}
				checkImage(t, img, w.img, got[i], w.sameManifest)
				if err := a.Verify(t.Context(), i, nil); err != nil {
					t.Errorf("Verify(%d): %v", i, err)
				}
			}
		})
	}
}

func TestClosedArchive(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "image.tar.gz")
	writeTar(t, path, classicFiles(t, "", taggedImage{plainImage(t, 3), []string{"a:1"}}),
		true)
	tmp := t.TempDir()
	a, err := Open(path, WithTempDir(tmp))
	if err != nil {
		t.Fatal(err)
	}
	img, err := a.Image(0)
	if err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 1 {
		t.Fatalf("temp dir holds %d files while open, want 1", len(entries))
	}

	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
		t.Errorf("temp dir holds %d files after Close, want 0", len(entries))
	}
	if _, err := a.Image(0); !errors.Is(err, ErrClosed) {
		t.Errorf("Image after Close: %v, want ErrClosed", err)
	}
	l := must(t, img.Layers)[0]
	if _, err := l.Uncompressed(); !errors.Is(err, ErrClosed) {
		t.Errorf("Uncompressed after Close: %v, want ErrClosed", err)
	}
	if _, err := a.Image(5); !errors.Is(err, ErrClosed) {
		t.Errorf("Image(5) after Close: %v, want ErrClosed", err)
	}
}

func TestImageOutOfRange(t *testing.T) {
	t.Parallel()
	a, err := Open(layoutDir(t, taggedImage{plainImage(t, 4), nil}))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	for _, i := range []int{-1, 1} {
		if _, err := a.Image(i); !errors.Is(err, ErrNoImage) {
			t.Errorf("Image(%d): %v, want ErrNoImage", i, err)
		}
		if err := a.Verify(t.Context(), i, nil); !errors.Is(err, ErrNoImage) {
			t.Errorf("Verify(%d): %v, want ErrNoImage", i, err)
		}
	}
}

func TestSplitTag(t *testing.T) {
	t.Parallel()
	tests := []struct{ ref, name, version string }{
		{"ubuntu:22.04", "ubuntu", "22.04"},
		{"docker.io/library/ubuntu:22.04", "ubuntu", "22.04"},
		{"reg.example.com:5000/team/app:V5", "app", "V5"},
		{"reg.example.com:5000/team/app", "app", ""},
		{"app@sha256:abcd", "app", ""},
		{"team/app:1.0@sha256:abcd", "app", "1.0"},
		{"22.04", "", "22.04"},
		{"latest", "", "latest"},
		{"", "", ""},
	}
	for _, tt := range tests {
		name, version := splitTag(tt.ref)
		if name != tt.name || version != tt.version {
			t.Errorf("splitTag(%q) = %q, %q; want %q, %q", tt.ref, name, version, tt.name,
				tt.version)
		}
	}
}

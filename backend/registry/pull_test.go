package registry

import (
	"archive/tar"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// pushedImage pushes a fresh archive image and returns it with its result.
func pushedImage(t *testing.T, reg *testRegistry, tag string) (v1.Image, Result) {
	t.Helper()
	img := archiveImage(t, layerSpec{300 << 10, 31}, layerSpec{120 << 10, 32},
		layerSpec{120 << 10, 32})
	res, err := Push(t.Context(), img, reg.ref(t, tag))
	if err != nil {
		t.Fatal(err)
	}
	return img, res
}

// dirEntries lists the names in dir.
func dirEntries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

// compareImages checks that got holds the layers and configuration of want.
func compareImages(t *testing.T, want, got v1.Image) {
	t.Helper()
	wantCfg, _ := want.RawConfigFile()
	gotCfg, err := got.RawConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(wantCfg), string(gotCfg)); diff != "" {
		t.Errorf("config (-want +got):\n%s", diff)
	}
	layers, err := got.Layers()
	if err != nil {
		t.Fatal(err)
	}
	var ids []v1.Hash
	for _, l := range layers {
		rc, err := l.Uncompressed()
		if err != nil {
			t.Fatal(err)
		}
		h, _, err := v1.SHA256(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, h)
	}
	if diff := cmp.Diff(diffIDs(t, want), ids); diff != "" {
		t.Errorf("diff ids (-want +got):\n%s", diff)
	}
}

// extractTar unpacks a tar file into a new directory.
func extractTar(t *testing.T, path string) string {
	t.Helper()
	dir := t.TempDir()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for range 1000 {
		hdr, err := tr.Next()
		if err == io.EOF {
			return dir
		}
		if err != nil {
			t.Fatal(err)
		}
		target := filepath.Join(dir, filepath.FromSlash(hdr.Name))
		if hdr.Typeflag == tar.TypeDir {
			if err := os.MkdirAll(target, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(target, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Fatal("archive has too many entries")
	return ""
}

func TestPullRoundTrip(t *testing.T) {
	t.Parallel()
	reg := newDistRegistry(t)
	src, pushed := pushedImage(t, reg, "basic/pull:V1")
	ref := reg.ref(t, "basic/pull:V1")

	t.Run("docker", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		out := filepath.Join(dir, "image.tar")
		var last Progress
		res, err := Pull(t.Context(), ref, out, FormatDocker,
			WithProgress(func(p Progress) { last = p }))
		if err != nil {
			t.Fatal(err)
		}
		if res.Digest != pushed.Digest || res.Layers != 3 || res.Path != out {
			t.Errorf("result %+v, pushed %+v", res, pushed)
		}
		if st, err := os.Stat(out); err != nil || st.Size() != res.Size {
			t.Errorf("archive stat %v, %v; result size %d", st, err, res.Size)
		}
		if diff := cmp.Diff([]string{"image.tar"}, dirEntries(t, dir)); diff != "" {
			t.Errorf("directory (-want +got):\n%s", diff)
		}
		if last.Phase != PhaseDone || last.Done != last.Total || len(last.Layers) != 2 {
			t.Errorf("last progress %+v", last)
		}

		img, err := tarball.ImageFromPath(out, nil)
		if err != nil {
			t.Fatal(err)
		}
		compareImages(t, src, img)

		m, err := tarball.LoadManifest(func() (io.ReadCloser, error) { return os.Open(out) })
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{ref.String()}, m[0].RepoTags); diff != "" {
			t.Errorf("repo tags (-want +got):\n%s", diff)
		}
	})

	t.Run("oci", func(t *testing.T) {
		t.Parallel()
		out := filepath.Join(t.TempDir(), "image.oci.tar")
		res, err := Pull(t.Context(), ref, out, FormatOCI)
		if err != nil {
			t.Fatal(err)
		}
		idx, err := layout.ImageIndexFromPath(extractTar(t, out))
		if err != nil {
			t.Fatal(err)
		}
		im, err := idx.IndexManifest()
		if err != nil {
			t.Fatal(err)
		}
		want := []v1.Descriptor{{
			MediaType: types.DockerManifestSchema2, Digest: res.Digest,
			Size: im.Manifests[0].Size,
			Annotations: map[string]string{
				"org.opencontainers.image.ref.name": "V1",
				"io.containerd.image.name":          ref.String(),
			},
		}}
		if diff := cmp.Diff(want, im.Manifests); diff != "" {
			t.Errorf("index (-want +got):\n%s", diff)
		}
		img, err := idx.Image(res.Digest)
		if err != nil {
			t.Fatal(err)
		}
		compareImages(t, src, img)
		if err := validateDigests(img); err != nil {
			t.Error(err)
		}
	})
}

// validateDigests reads every layer of an image from a layout and checks its
// compressed digest.
func validateDigests(img v1.Image) error {
	layers, err := img.Layers()
	if err != nil {
		return err
	}
	for _, l := range layers {
		want, err := l.Digest()
		if err != nil {
			return err
		}
		rc, err := l.Compressed()
		if err != nil {
			return err
		}
		got, _, err := v1.SHA256(rc)
		rc.Close()
		if err != nil {
			return err
		}
		if got != want {
			return errors.New("layer digest mismatch in layout: " + got.String())
		}
	}
	return nil
}

func TestPullResumesBrokenTransfer(t *testing.T) {
	t.Parallel()
	reg := newGCRRegistry(t)
	src, _ := pushedImage(t, reg, "basic/trunc:V1")
	reg.truncateOnce.Store(true)

	out := filepath.Join(t.TempDir(), "image.tar")
	if _, err := Pull(t.Context(), reg.ref(t, "basic/trunc:V1"), out, FormatDocker,
		fastRetry); err != nil {
		t.Fatal(err)
	}
	if reg.ranged.Load() != 1 {
		t.Errorf("made %d range requests, want 1", reg.ranged.Load())
	}
	img, err := tarball.ImageFromPath(out, nil)
	if err != nil {
		t.Fatal(err)
	}
	compareImages(t, src, img)
}

func TestPullFailuresLeaveNothing(t *testing.T) {
	t.Parallel()
	reg := newGCRRegistry(t)
	pushedImage(t, reg, "basic/fail:V1")
	ref := reg.ref(t, "basic/fail:V1")

	t.Run("cancel", func(t *testing.T) {
		dir := t.TempDir()
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		_, err := Pull(ctx, ref, filepath.Join(dir, "out.tar"), FormatOCI,
			WithProgress(func(p Progress) {
				if p.Phase == PhaseLayers && p.Done > 0 {
					cancel()
				}
			}))
		if !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled pull: %v, want context.Canceled", err)
		}
		if names := dirEntries(t, dir); len(names) != 0 {
			t.Errorf("cancelled pull left %v", names)
		}
	})

	t.Run("corrupt blob", func(t *testing.T) {
		dir := t.TempDir()
		reg.corruptBlobs.Store(true)
		defer reg.corruptBlobs.Store(false)
		_, err := Pull(t.Context(), ref, filepath.Join(dir, "out.tar"), FormatDocker)
		var de *DigestError
		if !errors.Is(err, ErrBlobDigest) || !errors.As(err, &de) {
			t.Errorf("pull of a corrupted blob: %v, want ErrBlobDigest", err)
		}
		if names := dirEntries(t, dir); len(names) != 0 {
			t.Errorf("failed pull left %v", names)
		}
	})

	t.Run("existing file kept", func(t *testing.T) {
		dir := t.TempDir()
		out := filepath.Join(dir, "out.tar")
		if err := os.WriteFile(out, []byte("old"), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Pull(t.Context(), reg.ref(t, "basic/fail:missing"), out, FormatDocker)
		if err == nil {
			t.Fatal("pull of a missing tag succeeded")
		}
		if data, _ := os.ReadFile(out); string(data) != "old" {
			t.Errorf("failed pull changed the existing file to %q", data)
		}
		if diff := cmp.Diff([]string{"out.tar"}, dirEntries(t, dir)); diff != "" {
			t.Errorf("directory (-want +got):\n%s", diff)
		}
	})

	t.Run("bad format", func(t *testing.T) {
		_, err := Pull(t.Context(), ref, filepath.Join(t.TempDir(), "x"), Format("zip"))
		if !errors.Is(err, ErrFormat) {
			t.Errorf("pull as zip: %v, want ErrFormat", err)
		}
	})
}

// TestPullNoSpace replaces the free-space probe, so it does not run in parallel.
func TestPullNoSpace(t *testing.T) {
	reg := newGCRRegistry(t)
	pushedImage(t, reg, "basic/space:V1")
	old := freeSpaceFunc
	freeSpaceFunc = func(string) (uint64, error) { return 4096, nil }
	t.Cleanup(func() { freeSpaceFunc = old })

	dir := t.TempDir()
	_, err := Pull(t.Context(), reg.ref(t, "basic/space:V1"), filepath.Join(dir, "o.tar"),
		FormatDocker)
	var se *SpaceError
	if !errors.Is(err, ErrNoSpace) || !errors.As(err, &se) || se.Free != 4096 ||
		se.Need < 540<<10 {
		t.Errorf("pull onto a full disk: %v, want ErrNoSpace", err)
	}
	if names := dirEntries(t, dir); len(names) != 0 {
		t.Errorf("refused pull left %v", names)
	}
}

func TestFreeSpace(t *testing.T) {
	t.Parallel()
	free, err := freeSpace(t.TempDir())
	if err != nil || free == 0 {
		t.Errorf("freeSpace = %d, %v", free, err)
	}
	if _, err := freeSpace(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("freeSpace of a missing directory succeeded")
	}
}

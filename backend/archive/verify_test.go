package archive

import (
	"context"
	"errors"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

func TestVerifyProgress(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "image.tar")
	writeTar(t, path, dirFiles(t, layoutDir(t, taggedImage{gzipImage(t, 3), nil})), false)
	a, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()

	var calls [][2]int64
	err = a.Verify(t.Context(), 0, func(done, total int64) {
		calls = append(calls, [2]int64{done, total})
	})
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	for _, l := range a.Images()[0].Layers {
		total += l.Size
	}
	if len(calls) < 3 {
		t.Fatalf("%d progress calls, want one per layer at least", len(calls))
	}
	for i, c := range calls {
		if c[1] != total || (i > 0 && c[0] < calls[i-1][0]) {
			t.Errorf("progress call %d = %v, want rising done of total %d", i, c, total)
		}
	}
	if last := calls[len(calls)-1]; last[0] != total {
		t.Errorf("last progress %v, want done = total = %d", last, total)
	}
}

func TestVerifyCancelled(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "image.tar")
	writeTar(t, path, classicFiles(t, "", taggedImage{plainImage(t, 31), nil}), false)
	a, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()

	ctx, cancel := context.WithCancel(t.Context())
	calls := 0
	err = a.Verify(ctx, 0, func(done, total int64) {
		calls++
		cancel()
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Verify: %v, want context.Canceled", err)
	}
	if calls != 1 {
		t.Errorf("%d progress calls after cancel, want 1", calls)
	}
}

func TestVerifyLayerNotTar(t *testing.T) {
	t.Parallel()
	junk := make([]byte, 5000)
	rand.New(rand.NewSource(5)).Read(junk)
	img, err := mutate.AppendLayers(empty.Image,
		rawLayer{b: junk, mt: types.DockerUncompressedLayer})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "image.tar")
	writeTar(t, path, classicFiles(t, "", taggedImage{img, nil}), false)
	a, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()

	err = a.Verify(t.Context(), 0, nil)
	if !errors.Is(err, ErrCorrupt) || errors.Is(err, ErrLayerDigest) {
		t.Fatalf("Verify: %v, want ErrCorrupt only", err)
	}
}

func TestMultiPlatformIndex(t *testing.T) {
	t.Parallel()
	amd := withPlatform(t, plainImage(t, 41), "linux", "amd64", "")
	arm := withPlatform(t, plainImage(t, 43), "linux", "arm", "v7")
	att := plainImage(t, 45)
	idx := mutate.AppendManifests(empty.Index,
		mutate.IndexAddendum{Add: amd, Descriptor: v1.Descriptor{
			Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}}},
		mutate.IndexAddendum{Add: arm, Descriptor: v1.Descriptor{
			Platform: &v1.Platform{OS: "linux", Architecture: "arm", Variant: "v7"}}},
		mutate.IndexAddendum{Add: att, Descriptor: v1.Descriptor{
			Platform:    &v1.Platform{OS: "unknown", Architecture: "unknown"},
			Annotations: map[string]string{annotationRefType: "attestation-manifest"}}},
	)
	dir := t.TempDir()
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	err = p.AppendIndex(idx, layout.WithAnnotations(map[string]string{
		annotationRefName: "v2.1"}))
	if err != nil {
		t.Fatal(err)
	}

	a, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	type platform struct{ Tags, Platform []string }
	var got []platform
	for _, info := range a.Images() {
		got = append(got, platform{info.Tags, []string{info.Name, info.Version, info.OS,
			info.Arch, info.Variant}})
	}
	want := []platform{
		{[]string{"v2.1"}, []string{"", "v2.1", "linux", "amd64", ""}},
		{[]string{"v2.1"}, []string{"", "v2.1", "linux", "arm", "v7"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("images (-want +got):\n%s", diff)
	}
	a.Close()

	// docker save keeps the whole index but only local platforms: a platform
	// whose manifest is absent is left out, and none left is an error.
	armDigest := must(t, arm.Digest)
	if err := os.Remove(filepath.Join(dir, blobName(armDigest))); err != nil {
		t.Fatal(err)
	}
	a, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(a.Images()); n != 1 || a.Images()[0].Arch != "amd64" {
		t.Errorf("after removing arm: %d images %+v, want amd64 only", n, a.Images())
	}
	a.Close()
	if err := os.Remove(filepath.Join(dir, blobName(must(t, amd.Digest)))); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir); !errors.Is(err, ErrMissingLayer) {
		t.Errorf("no platform left: %v, want ErrMissingLayer", err)
	}
}

// TestMemoryBounded streams a large layer through Uncompressed and Verify and
// checks that the bytes allocated stay far below the layer's size. It is not
// parallel so that other tests do not allocate while it measures.
func TestMemoryBounded(t *testing.T) {
	const layerSize = 48 << 20
	path := filepath.Join(t.TempDir(), "big.tar")
	writeBigClassic(t, path, 1, layerSize)
	a, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	img, err := a.Image(0)
	if err != nil {
		t.Fatal(err)
	}

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	rc := must(t, must(t, img.Layers)[0].Uncompressed)
	n, err := io.Copy(io.Discard, rc)
	rc.Close()
	if err != nil || n < layerSize {
		t.Fatalf("read %d bytes: %v", n, err)
	}
	if err := a.Verify(t.Context(), 0, nil); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 4<<20 {
		t.Errorf("reading a %d MiB layer twice allocated %d KiB, want under 4 MiB",
			layerSize>>20, alloc>>10)
	}
}

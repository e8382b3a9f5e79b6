package registry

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

func randomImage(t testing.TB, size, layers int64) v1.Image {
	t.Helper()
	img, err := random.Image(size, layers)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// diffIDs returns the diff ids an image's configuration declares.
func diffIDs(t testing.TB, img v1.Image) []v1.Hash {
	t.Helper()
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	return cfg.RootFS.DiffIDs
}

// checkPushed reads the pushed image back and compares it with the source.
func checkPushed(t *testing.T, reg *testRegistry, src v1.Image, res Result, tag string,
	wantType types.MediaType, wantAnn map[string]string) {
	t.Helper()
	ref := reg.ref(t, tag)
	got, err := remote.Image(ref)
	if err != nil {
		t.Fatalf("reading back %s: %v", ref, err)
	}

	gotDigest, err := got.Digest()
	if err != nil {
		t.Fatal(err)
	}
	if gotDigest != res.Digest {
		t.Errorf("registry digest %s, result %s", gotDigest, res.Digest)
	}
	m, err := got.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	if m.MediaType != wantType || res.MediaType != wantType {
		t.Errorf("manifest media type %s, result %s, want %s", m.MediaType, res.MediaType,
			wantType)
	}
	if diff := cmp.Diff(wantAnn, m.Annotations); diff != "" {
		t.Errorf("annotations (-want +got):\n%s", diff)
	}

	wantCfg, _ := src.RawConfigFile()
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
	var gotDiffIDs []v1.Hash
	for i, l := range layers {
		d, err := l.Digest()
		if err != nil {
			t.Fatal(err)
		}
		if d != m.Layers[i].Digest {
			t.Errorf("layer %d digest %s, manifest says %s", i, d, m.Layers[i].Digest)
		}
		// Recompute the diff id from the stored bytes rather than trusting
		// the configuration.
		rc, err := l.Uncompressed()
		if err != nil {
			t.Fatal(err)
		}
		h, _, err := v1.SHA256(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		gotDiffIDs = append(gotDiffIDs, h)
	}
	if diff := cmp.Diff(diffIDs(t, src), gotDiffIDs); diff != "" {
		t.Errorf("layer diff ids (-want +got):\n%s", diff)
	}
	if res.Layers != len(layers) {
		t.Errorf("result layers %d, want %d", res.Layers, len(layers))
	}
	if res.Ref != ref.Context().Digest(res.Digest.String()).String() {
		t.Errorf("result ref %q", res.Ref)
	}
}

func TestPushRoundTrip(t *testing.T) {
	t.Parallel()
	ann := map[string]string{"org.opencontainers.image.description": "测试 image"}
	for _, regKind := range []string{"gcr", "distribution"} {
		for _, tc := range []struct {
			name     string
			img      func(t testing.TB) v1.Image
			ann      map[string]string
			wantType types.MediaType
		}{
			{"random docker", func(t testing.TB) v1.Image { return randomImage(t, 4096, 3) },
				nil, types.DockerManifestSchema2},
			{"archive with annotations", func(t testing.TB) v1.Image {
				return archiveImage(t, layerSpec{300 << 10, 1}, layerSpec{70 << 10, 2})
			}, ann, types.OCIManifestSchema1},
			{"archive same layer twice", func(t testing.TB) v1.Image {
				return archiveImage(t, layerSpec{10 << 10, 3}, layerSpec{10 << 10, 3})
			}, nil, types.DockerManifestSchema2},
		} {
			t.Run(regKind+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				reg := newGCRRegistry(t)
				if regKind == "distribution" {
					reg = newDistRegistry(t)
				}
				img := tc.img(t)

				var mu sync.Mutex
				var phases []string
				var last Progress
				opts := []Option{WithProgress(func(p Progress) {
					mu.Lock()
					defer mu.Unlock()
					if len(phases) == 0 || phases[len(phases)-1] != p.Phase {
						phases = append(phases, p.Phase)
					}
					last = p
				})}
				if tc.ann != nil {
					opts = append(opts, WithAnnotations(tc.ann))
				}
				res, err := Push(t.Context(), img, reg.ref(t, "basic/app:V1"), opts...)
				if err != nil {
					t.Fatal(err)
				}
				checkPushed(t, reg, img, res, "basic/app:V1", tc.wantType, tc.ann)

				want := []string{PhaseConnect, PhaseLayers, PhaseConfig, PhaseManifest,
					PhaseVerify, PhaseDone}
				mu.Lock()
				defer mu.Unlock()
				if diff := cmp.Diff(want, phases); diff != "" {
					t.Errorf("phases (-want +got):\n%s", diff)
				}
				for i, l := range last.Layers {
					if l.State != LayerDone || l.Digest == (v1.Hash{}) || l.Done == 0 {
						t.Errorf("layer %d ended as %+v", i, l)
					}
				}
				if res.Uploaded <= 0 || res.Skipped != 0 || res.Size < res.Uploaded-4096 {
					t.Errorf("result counts %+v", res)
				}
			})
		}
	}
}

func TestPushSkipsCachedBlobs(t *testing.T) {
	t.Parallel()
	reg := newDistRegistry(t)
	img := archiveImage(t, layerSpec{200 << 10, 4}, layerSpec{100 << 10, 5},
		layerSpec{50 << 10, 6})
	cache := &MapBlobCache{}

	first, err := Push(t.Context(), img, reg.ref(t, "basic/skip:V1"), WithBlobCache(cache))
	if err != nil {
		t.Fatal(err)
	}
	if cache.Len() != 3 {
		t.Errorf("cache holds %d blobs after the first push, want 3", cache.Len())
	}

	before := reg.patched.Load()
	second, err := Push(t.Context(), img, reg.ref(t, "basic/skip:V2"), WithBlobCache(cache))
	if err != nil {
		t.Fatal(err)
	}
	if sent := reg.patched.Load() - before; sent != 0 {
		t.Errorf("second push sent %d blob bytes, want 0", sent)
	}
	if second.Uploaded != 0 || second.Skipped != first.Size-configSize(t, img) {
		t.Errorf("second push counts %+v, first %+v", second, first)
	}
	if second.Digest != first.Digest {
		t.Errorf("second digest %s, first %s", second.Digest, first.Digest)
	}
	checkPushed(t, reg, img, second, "basic/skip:V2", types.DockerManifestSchema2, nil)
}

func configSize(t testing.TB, img v1.Image) int64 {
	raw, err := img.RawConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	return int64(len(raw))
}

// tagMissing asserts that the reference has no manifest.
func tagMissing(t *testing.T, reg *testRegistry, tag string) {
	t.Helper()
	_, err := remote.Head(reg.ref(t, tag))
	var te *transport.Error
	if !errors.As(err, &te) || te.StatusCode != http.StatusNotFound {
		t.Errorf("head %s after failed push: %v, want 404", tag, err)
	}
}

func TestPushCancelThenResume(t *testing.T) {
	t.Parallel()
	reg := newDistRegistry(t)
	img := archiveImage(t, layerSpec{256 << 10, 7}, layerSpec{256 << 10, 8},
		layerSpec{256 << 10, 9})
	cache := &MapBlobCache{}
	ref := reg.ref(t, "basic/cancel:V1")

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	_, err := Push(ctx, img, ref, WithJobs(1), WithBlobCache(cache), WithProgress(
		func(p Progress) {
			if p.Layers[0].State == LayerDone {
				cancel()
			}
		}))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled push: %v, want context.Canceled", err)
	}
	tagMissing(t, reg, "basic/cancel:V1")
	cached := cache.Len()
	if cached < 1 || cached > 2 {
		t.Fatalf("cache holds %d blobs after cancel, want 1 or 2", cached)
	}

	before := reg.patched.Load()
	res, err := Push(t.Context(), img, ref, WithBlobCache(cache))
	if err != nil {
		t.Fatal(err)
	}
	sent := reg.patched.Load() - before
	if res.Skipped == 0 || sent != res.Uploaded {
		t.Errorf("resume sent %d bytes, result %+v", sent, res)
	}
	if want := res.Size - res.Skipped; res.Uploaded != want {
		t.Errorf("resume uploaded %d, want only the missing %d", res.Uploaded, want)
	}
	checkPushed(t, reg, img, res, "basic/cancel:V1", types.DockerManifestSchema2, nil)
}

func TestPushRetriesServerErrors(t *testing.T) {
	t.Parallel()
	reg := newGCRRegistry(t)
	reg.fail503.Store(2)
	img := randomImage(t, 2048, 2)

	var retried bool
	var mu sync.Mutex
	res, err := Push(t.Context(), img, reg.ref(t, "basic/retry:V1"), fastRetry, WithJobs(1),
		WithProgress(func(p Progress) {
			mu.Lock()
			defer mu.Unlock()
			retried = retried || slices.ContainsFunc(p.Layers, func(l LayerProgress) bool {
				return l.State == LayerRetrying
			})
		}))
	if err != nil {
		t.Fatal(err)
	}
	if n := reg.served503.Load(); n != 2 {
		t.Errorf("served %d 503 answers, want 2", n)
	}
	mu.Lock()
	if !retried {
		t.Error("progress never showed a retrying layer")
	}
	mu.Unlock()
	checkPushed(t, reg, img, res, "basic/retry:V1", types.DockerManifestSchema2, nil)

	t.Run("gives up", func(t *testing.T) {
		reg.fail503.Store(100)
		_, err := Push(t.Context(), randomImage(t, 2048, 1), reg.ref(t, "basic/retry:V2"),
			fastRetry)
		var te *transport.Error
		if !errors.As(err, &te) || te.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("push against a failing registry: %v, want a 503 error", err)
		}
		tagMissing(t, reg, "basic/retry:V2")
	})
}

func TestPushRegistryDownThenBack(t *testing.T) {
	t.Parallel()
	reg := newDistRegistry(t)
	img := archiveImage(t, layerSpec{128 << 10, 10}, layerSpec{128 << 10, 11},
		layerSpec{128 << 10, 12})
	cache := &MapBlobCache{}
	ref := reg.ref(t, "basic/down:V1")

	reg.downAfterCommits.Store(1)
	_, err := Push(t.Context(), img, ref, fastRetry, WithJobs(1), WithBlobCache(cache))
	if err == nil {
		t.Fatal("push while the registry went away succeeded")
	}
	if errors.Is(err, context.Canceled) {
		t.Fatalf("unexpected cancel: %v", err)
	}
	if cache.Len() != 1 {
		t.Errorf("cache holds %d blobs, want the 1 committed before the outage", cache.Len())
	}

	reg.downAfterCommits.Store(0)
	reg.down.Store(false)
	tagMissing(t, reg, "basic/down:V1")

	before := reg.patched.Load()
	res, err := Push(t.Context(), img, ref, WithBlobCache(cache))
	if err != nil {
		t.Fatal(err)
	}
	if sent := reg.patched.Load() - before; sent != res.Uploaded || res.Skipped == 0 {
		t.Errorf("resume sent %d bytes, result %+v", sent, res)
	}
	checkPushed(t, reg, img, res, "basic/down:V1", types.DockerManifestSchema2, nil)
}

func TestPushDetectsDigestRewrite(t *testing.T) {
	t.Parallel()
	reg := newGCRRegistry(t)
	reg.rewriteDigest.Store(true)
	_, err := Push(t.Context(), randomImage(t, 1024, 1), reg.ref(t, "basic/rw:V1"))
	var de *DigestError
	if !errors.Is(err, ErrManifestDigest) || !errors.As(err, &de) {
		t.Fatalf("push through a rewriting proxy: %v, want ErrManifestDigest", err)
	}
	if de.Got.Hex != "0000000000000000000000000000000000000000000000000000000000000000" {
		t.Errorf("mismatch reports got %s", de.Got)
	}
}

func TestPushRefusesWrongDiffID(t *testing.T) {
	t.Parallel()
	reg := newGCRRegistry(t)
	img := randomImage(t, 1024, 2)
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cfg = cfg.DeepCopy()
	cfg.RootFS.DiffIDs[1] = v1.Hash{Algorithm: "sha256", Hex: "ab" + cfg.RootFS.DiffIDs[1].Hex[2:]}
	bad, err := mutate.ConfigFile(img, cfg)
	if err != nil {
		t.Fatal(err)
	}
	cache := &MapBlobCache{}

	_, err = Push(t.Context(), bad, reg.ref(t, "basic/bad:V1"), WithBlobCache(cache), fastRetry)
	if !errors.Is(err, ErrDiffID) {
		t.Fatalf("push of a lying image: %v, want ErrDiffID", err)
	}
	if reg.served503.Load() != 0 || cache.Len() != 1 {
		t.Errorf("cache holds %d blobs, want only the honest layer", cache.Len())
	}
	tagMissing(t, reg, "basic/bad:V1")
}

func TestPushRefusesLayerCountMismatch(t *testing.T) {
	t.Parallel()
	reg := newGCRRegistry(t)
	img := randomImage(t, 1024, 2)
	cfg, _ := img.ConfigFile()
	cfg = cfg.DeepCopy()
	cfg.RootFS.DiffIDs = cfg.RootFS.DiffIDs[:1]
	bad, err := mutate.ConfigFile(img, cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Push(t.Context(), bad, reg.ref(t, "basic/bad:V2"))
	if !errors.Is(err, ErrImage) {
		t.Fatalf("push: %v, want ErrImage", err)
	}
	if n := reg.patched.Load(); n != 0 {
		t.Errorf("sent %d bytes before refusing", n)
	}
}

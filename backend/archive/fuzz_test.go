package archive

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// maxFuzzInput bounds fuzz inputs so that a gzip bomb stays a few MiB.
const maxFuzzInput = 16 << 10

// FuzzOpen feeds arbitrary bytes to Open and, when they open, reads every image
// and layer. It must never panic or hang, and every failure must be an *Error.
func FuzzOpen(f *testing.F) {
	small, err := mutate.AppendLayers(empty.Image,
		rawLayer{b: tarLayer(f, 51, 100), mt: types.OCIUncompressedLayer})
	if err != nil {
		f.Fatal(err)
	}
	small = mutate.MediaType(small, types.OCIManifestSchema1)
	classic := classicFiles(f, "", taggedImage{small, []string{"a:1"}})
	oci := dirFiles(f, layoutDir(f, taggedImage{small, nil}))
	for _, seed := range [][]byte{
		nil,
		[]byte("not an archive"),
		tarBytes(f, classic, false),
		tarBytes(f, classic, true),
		tarBytes(f, oci, false),
		tarBytes(f, dockerOCIFiles(f, taggedImage{small, []string{"b:2"}}), true),
	} {
		if len(seed) > maxFuzzInput {
			f.Fatalf("seed of %d bytes is over the fuzz limit", len(seed))
		}
		f.Add(seed)
	}

	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > maxFuzzInput {
			return
		}
		dir := t.TempDir()
		path := filepath.Join(dir, "fuzz.tar")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		a, err := Open(path, WithTempDir(dir))
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Open error %v is not an *Error", err)
			}
			return
		}
		defer a.Close()
		for i := range a.Images() {
			img, err := a.Image(i)
			if err != nil {
				t.Fatal(err)
			}
			layers, err := img.Layers()
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range layers {
				if rc, err := l.Uncompressed(); err == nil {
					io.Copy(io.Discard, rc)
					rc.Close()
				}
			}
			_ = a.Verify(context.Background(), i, nil)
			_, _ = img.RawManifest()
		}
	})
}

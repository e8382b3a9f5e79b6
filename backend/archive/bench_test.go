package archive

import (
	"archive/tar"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// writeBigClassic streams a classic docker archive of layers uncompressed layers,
// each holding one file of size pseudo-random bytes, to path without holding a
// layer in memory.
func writeBigClassic(t testing.TB, path string, layers int, size int64) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tw := tar.NewWriter(f)

	cfg := v1.ConfigFile{OS: "linux", Architecture: "amd64",
		RootFS: v1.RootFS{Type: "layers"}}
	desc := tarball.Descriptor{RepoTags: []string{"big:1"}}
	for i := range layers {
		// A layer tar is its header, the data padded to a block, and two zero
		// blocks; compute its size so it can be streamed as one entry.
		padded := (size + blockSize - 1) / blockSize * blockSize
		layerSize := blockSize + padded + 2*blockSize
		name := fmt.Sprintf("layer%d/layer.tar", i)
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: layerSize,
			Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		h := sha256.New()
		inner := tar.NewWriter(io.MultiWriter(tw, h))
		if err := inner.WriteHeader(&tar.Header{Name: "data.bin", Mode: 0o644, Size: size,
			Typeflag: tar.TypeReg, Format: tar.FormatUSTAR}); err != nil {
			t.Fatal(err)
		}
		if _, err := io.CopyN(inner, rand.New(rand.NewSource(int64(i))), size); err != nil {
			t.Fatal(err)
		}
		if err := inner.Close(); err != nil {
			t.Fatal(err)
		}
		cfg.RootFS.DiffIDs = append(cfg.RootFS.DiffIDs, sumHash(h))
		desc.Layers = append(desc.Layers, name)
	}

	rawCfg, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	desc.Config = sha256Hash(rawCfg).Hex + ".json"
	rawManifest, err := json.Marshal(tarball.Manifest{desc})
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range []tarFile{{desc.Config, rawCfg, 0, ""},
		{"manifest.json", rawManifest, 0, ""}} {
		if err := tw.WriteHeader(&tar.Header{Name: file.name, Mode: 0o644,
			Size: int64(len(file.data)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(file.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkOpen opens a 256 MiB, 4-layer classic docker archive: Open reads only
// headers and metadata, so its cost should not grow with layer size.
func BenchmarkOpen(b *testing.B) {
	path := filepath.Join(b.TempDir(), "big.tar")
	writeBigClassic(b, path, 4, 64<<20)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		a, err := Open(path)
		if err != nil {
			b.Fatal(err)
		}
		a.Close()
	}
}

// BenchmarkVerify reads every layer of a 64 MiB, 4-layer archive once, checking
// diff IDs and tar structure.
func BenchmarkVerify(b *testing.B) {
	path := filepath.Join(b.TempDir(), "big.tar")
	writeBigClassic(b, path, 4, 16<<20)
	a, err := Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	b.SetBytes(a.Images()[0].TotalSize)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := a.Verify(b.Context(), 0, nil); err != nil {
			b.Fatal(err)
		}
	}
}

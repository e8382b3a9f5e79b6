package archive

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

const (
	// maxManifestSize bounds manifest.json, index.json and OCI manifests.
	maxManifestSize = 4 << 20

	// maxConfigSize bounds an image config.
	maxConfigSize = 16 << 20

	// maxImages bounds how many images one archive may list.
	maxImages = 1024
)

// parser reads the metadata of an archive through its source.
type parser struct {
	src source
}

// fail wraps err in an *Error naming the entry.
func fail(entry string, err error) error {
	return &Error{Entry: entry, Err: err}
}

// readSmall reads a whole metadata file of at most limit bytes. A missing file
// gives an error wrapping fs.ErrNotExist.
func (p *parser) readSmall(name string, limit int64) ([]byte, error) {
	b, err := p.src.open(name)
	if err != nil {
		return nil, err
	}
	defer b.close()

	if b.size > limit {
		return nil, fmt.Errorf("%d bytes is more than the %d allowed", b.size, limit)
	}
	buf := make([]byte, b.size)
	if _, err := io.ReadFull(io.NewSectionReader(b.r, 0, b.size), buf); err != nil {
		return nil, fmt.Errorf("reading: %w", err)
	}
	return buf, nil
}

// config reads and parses the image config at name. When want is not zero the
// config's digest must equal it.
func (p *parser) config(name string, want v1.Hash) ([]byte, *v1.ConfigFile, v1.Hash, error) {
	raw, err := p.readSmall(name, maxConfigSize)
	if err != nil {
		return nil, nil, v1.Hash{}, fail(name, fmt.Errorf("%w: %v", ErrBadConfig, err))
	}
	got := sha256Hash(raw)
	if want != (v1.Hash{}) && got != want {
		return nil, nil, v1.Hash{}, fail(name,
			fmt.Errorf("%w: digest is %s, expected %s", ErrBadConfig, got, want))
	}
	cfg, err := v1.ParseConfigFile(bytes.NewReader(raw))
	if err != nil {
		return nil, nil, v1.Hash{}, fail(name, fmt.Errorf("%w: %v", ErrBadConfig, err))
	}
	return raw, cfg, got, nil
}

// layer describes the stored layer at name, checking that it exists and, when
// wantSize is not negative, that it has that size.
func (p *parser) layer(name string, diffID v1.Hash, wantSize int64) (layerSpec, error) {
	b, err := p.src.open(name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return layerSpec{}, fail(name, ErrMissingLayer)
		}
		return layerSpec{}, fail(name, err)
	}
	defer b.close()

	if wantSize >= 0 && b.size != wantSize {
		return layerSpec{}, fail(name, fmt.Errorf("%w: %d bytes, manifest says %d",
			ErrLayerDigest, b.size, wantSize))
	}
	comp, err := sniffAt(b.r, b.size)
	if err != nil {
		return layerSpec{}, fail(name, err)
	}
	return layerSpec{entry: name, size: b.size, diffID: diffID, comp: comp}, nil
}

// blobName returns the OCI layout path of a blob.
func blobName(h v1.Hash) string {
	return "blobs/" + h.Algorithm + "/" + h.Hex
}

// blobDigest returns the digest an OCI layout path names, if it is one.
func blobDigest(name string) (v1.Hash, bool) {
	rest, ok := strings.CutPrefix(name, "blobs/")
	if !ok {
		return v1.Hash{}, false
	}
	alg, hexPart, ok := strings.Cut(rest, "/")
	if !ok {
		return v1.Hash{}, false
	}
	h, err := v1.NewHash(alg + ":" + hexPart)
	if err != nil {
		return v1.Hash{}, false
	}
	return h, true
}

// sha256Hash returns the sha256 digest of b.
func sha256Hash(b []byte) v1.Hash {
	sum := sha256.Sum256(b)
	return v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(sum[:])}
}

package archive

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// layer is a v1.Layer that reads its bytes from the archive on demand.
type layer struct {
	a    *Archive
	spec layerSpec

	// digestOnce guards the lazily computed digest of a layer whose digest the
	// archive does not record.
	digestOnce sync.Once
	digest     v1.Hash
	digestErr  error
}

var _ v1.Layer = (*layer)(nil)

// Digest returns the digest of the stored bytes. For a compressed layer of a
// classic docker archive it is computed on the first call by hashing the layer
// once (no decompression), and remembered.
func (l *layer) Digest() (v1.Hash, error) {
	if !zeroHash(l.spec.digest) {
		return l.spec.digest, nil
	}
	l.digestOnce.Do(func() {
		l.digest, l.digestErr = l.hashStored()
	})
	return l.digest, l.digestErr
}

// hashStored reads the stored bytes once and returns their sha256 digest.
func (l *layer) hashStored() (v1.Hash, error) {
	b, err := l.a.src.open(l.spec.entry)
	if err != nil {
		return v1.Hash{}, l.wrap(err)
	}
	defer b.close()

	h := sha256.New()
	if _, err := io.Copy(h, io.NewSectionReader(b.r, 0, b.size)); err != nil {
		return v1.Hash{}, l.wrap(fmt.Errorf("hashing: %w", err))
	}
	return v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(h.Sum(nil))}, nil
}

// DiffID returns the digest of the uncompressed layer, from the image config.
func (l *layer) DiffID() (v1.Hash, error) {
	return l.spec.diffID, nil
}

// Size returns the number of bytes the layer takes in the archive.
func (l *layer) Size() (int64, error) {
	return l.spec.size, nil
}

// MediaType returns the media type of the stored layer.
func (l *layer) MediaType() (types.MediaType, error) {
	return l.spec.mediaType, nil
}

// Compressed returns the stored bytes, which are uncompressed for most docker
// archives (the media type says so). When the digest is known the bytes are
// checked against it as they are read, and the read that reaches the end fails
// with ErrLayerDigest on a mismatch.
func (l *layer) Compressed() (io.ReadCloser, error) {
	want := l.spec.digest
	if zeroHash(want) {
		if d, err := l.Digest(); err == nil {
			want = d
		}
	}
	return l.open(want, v1.Hash{}, false, nil)
}

// Uncompressed returns the layer tar, decompressing gzip or zstd as needed. Its
// diff ID, and the stored digest when known, are checked as it is read: the read
// that reaches the end fails with ErrLayerDigest on a mismatch.
func (l *layer) Uncompressed() (io.ReadCloser, error) {
	return l.open(l.spec.digest, l.spec.diffID, true, nil)
}

// open returns a checking reader over the layer. wantDigest and wantDiffID are
// skipped when zero; counted, when not nil, receives the stored bytes read.
func (l *layer) open(wantDigest, wantDiffID v1.Hash, decompress bool,
	counted func(int)) (*layerReader, error) {
	if l.a.closed.Load() {
		return nil, l.wrap(ErrClosed)
	}
	b, err := l.a.src.open(l.spec.entry)
	if err != nil {
		return nil, l.wrap(err)
	}

	r := &layerReader{
		path:       l.a.path,
		entry:      l.spec.entry,
		blob:       b,
		raw:        &hashingReader{r: io.NewSectionReader(b.r, 0, b.size), h: sha256.New()},
		wantDigest: wantDigest,
		wantDiffID: wantDiffID,
		release:    func() {},
	}
	r.raw.counted = counted
	r.out = r.raw
	if decompress && l.spec.comp != compNone {
		dec, release, err := decompressor(l.spec.comp, r.raw)
		if err != nil {
			r.Close()
			return nil, l.wrap(decodeError(err))
		}
		r.out, r.release = dec, release
	}
	if r.out != io.Reader(r.raw) {
		// Decompressed bytes differ from stored ones and need their own hash;
		// for an uncompressed layer the stored hash is the diff id.
		r.uh = sha256.New()
	}
	return r, nil
}

// VerifiesDiffID reports that Uncompressed fails its last read unless the bytes
// match DiffID, so a consumer need not hash them again.
func (l *layer) VerifiesDiffID() bool { return !zeroHash(l.spec.diffID) }

// wrap wraps err in an *Error naming the layer.
func (l *layer) wrap(err error) error {
	return &Error{Path: l.a.path, Entry: l.spec.entry, Err: err}
}

// hashingReader hashes and counts what it reads.
type hashingReader struct {
	r       io.Reader
	h       hash.Hash
	n       int64
	counted func(int)
}

func (h *hashingReader) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	h.h.Write(p[:n])
	h.n += int64(n)
	if h.counted != nil && n > 0 {
		h.counted(n)
	}
	return n, err
}

// layerReader reads a layer and checks, at the end, the digest of the stored
// bytes and the digest of what it returned.
type layerReader struct {
	path       string
	entry      string
	blob       blob
	raw        *hashingReader
	out        io.Reader
	uh         hash.Hash
	wantDigest v1.Hash
	wantDiffID v1.Hash
	release    func()
	err        error
}

// Read returns the next bytes; at the end of the stream it returns io.EOF only
// if every check passed.
func (r *layerReader) Read(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	n, err := r.out.Read(p)
	if r.uh != nil {
		r.uh.Write(p[:n])
	}
	switch {
	case err == nil:
		return n, nil
	case errors.Is(err, io.EOF):
		r.err = r.finish()
	default:
		r.err = r.broken(err)
	}
	return n, r.err
}

// finish runs the checks once the output is exhausted.
func (r *layerReader) finish() error {
	// A decompressor may stop before the stored bytes end; read the rest so the
	// stored digest covers them all. The section bounds this read.
	if _, err := io.Copy(io.Discard, r.raw); err != nil {
		return r.wrap(fmt.Errorf("reading: %w", err))
	}
	if err := r.checkStored(); err != nil {
		return err
	}
	if !zeroHash(r.wantDiffID) {
		got := sumHash(r.raw.h)
		if r.uh != nil {
			got = sumHash(r.uh)
		}
		if got != r.wantDiffID {
			return r.wrap(fmt.Errorf("%w: diff id is %s, expected %s",
				ErrLayerDigest, got, r.wantDiffID))
		}
	}
	return io.EOF
}

// broken explains a read error: a stored digest mismatch explains a decoding
// failure best, so the rest of the stored bytes are hashed to check for one.
func (r *layerReader) broken(err error) error {
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return r.wrap(err)
	}
	if r.out != io.Reader(r.raw) && !zeroHash(r.wantDigest) {
		if _, cerr := io.Copy(io.Discard, r.raw); cerr == nil {
			if serr := r.checkStored(); serr != nil {
				return serr
			}
		}
	}
	if r.out == io.Reader(r.raw) {
		return r.wrap(fmt.Errorf("reading: %w", err))
	}
	return r.wrap(decodeError(err))
}

// checkStored compares the stored bytes' digest with the expected one.
func (r *layerReader) checkStored() error {
	if zeroHash(r.wantDigest) {
		return nil
	}
	if got := sumHash(r.raw.h); got != r.wantDigest {
		return r.wrap(fmt.Errorf("%w: digest is %s, expected %s",
			ErrLayerDigest, got, r.wantDigest))
	}
	return nil
}

// Close releases the decompressor and the file.
func (r *layerReader) Close() error {
	r.release()
	return r.blob.close()
}

// wrap wraps err in an *Error naming the archive and the layer.
func (r *layerReader) wrap(err error) error {
	return &Error{Path: r.path, Entry: r.entry, Err: err}
}

// sumHash returns the sha256 digest h holds.
func sumHash(h hash.Hash) v1.Hash {
	return v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(h.Sum(nil))}
}

package archive

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/klauspost/compress/zstd"
)

// compression is how a stream's bytes are stored.
type compression int

const (
	compNone compression = iota
	compGzip
	compZstd
)

var (
	gzipMagic = []byte{0x1f, 0x8b}
	zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}
)

// zstdMaxMemory bounds the memory a zstd decoder may use for one layer.
const zstdMaxMemory = 256 << 20

// sniff reports the compression of the stream that starts with head.
func sniff(head []byte) compression {
	switch {
	case bytes.HasPrefix(head, gzipMagic):
		return compGzip
	case bytes.HasPrefix(head, zstdMagic):
		return compZstd
	default:
		return compNone
	}
}

// sniffAt reads the first bytes of r and reports their compression.
func sniffAt(r io.ReaderAt, size int64) (compression, error) {
	head := make([]byte, min(size, int64(len(zstdMagic))))
	if _, err := r.ReadAt(head, 0); err != nil && !errors.Is(err, io.EOF) {
		return compNone, fmt.Errorf("reading first bytes: %w", err)
	}
	return sniff(head), nil
}

// decompressor returns a reader of the decompressed bytes of r and a function that
// releases it.
func decompressor(c compression, r io.Reader) (io.Reader, func(), error) {
	switch c {
	case compGzip:
		zr, err := gzip.NewReader(r)
		if err != nil {
			return nil, nil, err
		}
		return zr, func() { zr.Close() }, nil
	case compZstd:
		zr, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(1),
			zstd.WithDecoderLowmem(true), zstd.WithDecoderMaxMemory(zstdMaxMemory))
		if err != nil {
			return nil, nil, err
		}
		return zr, zr.Close, nil
	default:
		return r, func() {}, nil
	}
}

// unpackToTemp decompresses the whole of f, which starts with gzip magic,
// into a new file in dir and returns it, positioned at its start. This costs one
// sequential read of the archive and one write of its uncompressed size; it is
// what gives layers random access afterwards. The gzip checksum is verified at the
// end of the stream. On error the temporary file is removed.
func unpackToTemp(f *os.File, c compression, dir string) (*os.File, error) {
	dec, release, err := decompressor(c, f)
	if err != nil {
		return nil, decodeError(err)
	}
	defer release()

	tmp, err := os.CreateTemp(dir, "imagedesk-archive-*.tar")
	if err != nil {
		return nil, fmt.Errorf("creating temp file: %w", err)
	}
	fail := func(err error) (*os.File, error) {
		tmp.Close()
		os.Remove(tmp.Name())
		return nil, err
	}

	if _, err := io.Copy(tmp, dec); err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) && pe.Path == tmp.Name() {
			return fail(fmt.Errorf("writing temp file: %w", err))
		}
		return fail(decodeError(err))
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return fail(fmt.Errorf("rewinding temp file: %w", err))
	}
	return tmp, nil
}

// decodeError classifies an error of a decompressor: an early end is a
// truncation, anything else is corruption.
func decodeError(err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: %v", ErrTruncated, err)
	}
	return fmt.Errorf("%w: %v", ErrCorrupt, err)
}

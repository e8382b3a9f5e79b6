package registry

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"io"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// compressed is what one compression pass learned about a layer.
type compressed struct {
	digest, diffID v1.Hash
	size           int64
	// levels holds the gzip level of each member, in order.
	levels []int
}

// compressor gzips a layer in its own goroutine and offers the result as a
// reader, hashing the uncompressed and the compressed bytes on the way: the
// one pass over the layer that Push makes.
type compressor struct {
	pr   *io.PipeReader
	done chan struct{}
	res  compressed
	err  error
}

// startCompress starts reading src; onRead is told of every uncompressed
// chunk. level is a gzip level or CompressionAuto; local says the registry
// runs on this machine. src is closed when the pass ends, however it ends.
func startCompress(src io.ReadCloser, level int, local, hashSource bool,
	onRead func(int64)) (*compressor, error) {
	pr, pw := io.Pipe()
	timed := &timedWriter{w: pw}
	out := &hashWriter{w: timed, h: sha256.New()}
	bw := bufio.NewWriterSize(out, ioBufferSize)
	zw, err := newMemberWriter(bw, timed, level, local)
	if err != nil {
		src.Close()
		return nil, err
	}

	c := &compressor{pr: pr, done: make(chan struct{})}
	go func() {
		defer close(c.done)
		defer src.Close()

		var uh hash.Hash
		if hashSource {
			uh = sha256.New()
		}
		err := copyChunks(zw, uh, src, onRead)
		if err == nil {
			err = zw.Close()
		}
		if err == nil {
			err = bw.Flush()
		}
		if err == nil {
			c.res = compressed{digest: sum(out.h), size: out.n, levels: zw.pick.levels}
			if uh != nil {
				c.res.diffID = sum(uh)
			}
		}
		c.err = err
		pw.CloseWithError(err)
	}()
	return c, nil
}

// Read returns compressed bytes.
func (c *compressor) Read(p []byte) (int, error) { return c.pr.Read(p) }

// finish waits for the pass to end, stopping it first with cause if the
// compressed stream was not read to its end, and returns its result.
func (c *compressor) finish(cause error) (compressed, error) {
	if cause != nil {
		c.pr.CloseWithError(cause)
	}
	<-c.done

	// A failure to read the source explains everything that followed it.
	var se *sourceError
	if errors.As(c.err, &se) {
		return compressed{}, c.err
	}
	if cause != nil {
		return compressed{}, cause
	}
	return c.res, c.err
}

// copyChunks feeds src into zw and uh in large chunks. Read failures are
// marked as source errors so they are never retried as network failures.
func copyChunks(zw io.Writer, uh hash.Hash, src io.Reader, onRead func(int64)) error {
	buf := make([]byte, ioBufferSize)
	for {
		n, rerr := src.Read(buf)
		if n > 0 {
			if uh != nil {
				uh.Write(buf[:n])
			}
			if _, err := zw.Write(buf[:n]); err != nil {
				return err
			}
			onRead(int64(n))
		}
		if rerr == io.EOF {
			return nil
		}
		if rerr != nil {
			return &sourceError{rerr}
		}
	}
}

// hashWriter hashes and counts what it passes on.
type hashWriter struct {
	w io.Writer
	h hash.Hash
	n int64
}

func (w *hashWriter) Write(p []byte) (int, error) {
	n, err := w.w.Write(p)
	w.h.Write(p[:n])
	w.n += int64(n)
	return n, err
}

func sum(h hash.Hash) v1.Hash {
	return v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(h.Sum(nil))}
}

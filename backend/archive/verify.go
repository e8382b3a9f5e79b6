package archive

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"time"
)

// progressStep is how many stored bytes Verify reads between progress calls.
const progressStep = 4 << 20

// Verify reads every layer of image i once, checking its stored digest (when
// known), its diff ID, and that it is a readable tar. progress, when not nil, is
// called from the calling goroutine with the stored bytes read so far and the
// total, at least at the end of each layer. It stops at the first problem, or
// when ctx is done, and returns an *Error wrapping ErrLayerDigest, ErrCorrupt,
// ErrTruncated or the context's error.
func (a *Archive) Verify(ctx context.Context, i int, progress func(done, total int64)) error {
	spec, err := a.spec(i)
	if err != nil {
		return err
	}
	start := time.Now()
	img := newImage(a, spec)

	var total, done, reported int64
	for _, l := range img.layers {
		total += l.spec.size
	}
	report := func(force bool) {
		if progress != nil && (force || done-reported >= progressStep) {
			reported = done
			progress(done, total)
		}
	}

	for _, l := range img.layers {
		if err := ctx.Err(); err != nil {
			return l.wrap(err)
		}
		err := verifyLayer(ctx, l, func(n int) {
			done += int64(n)
			report(false)
		})
		if err != nil {
			a.log.Debug("layer failed verification", "op", "verify",
				"digest", l.spec.diffID.String(), "err", err)
			return err
		}
		report(true)
	}

	a.log.Debug("image verified", "op", "verify", "bytes", total,
		"ms", time.Since(start).Milliseconds())
	return nil
}

// verifyLayer reads one layer through its checking reader and walks its tar.
func verifyLayer(ctx context.Context, l *layer, counted func(int)) error {
	r, err := l.open(l.spec.digest, l.spec.diffID, true, counted)
	if err != nil {
		return err
	}
	defer r.Close()
	r.raw.r = &ctxReader{ctx: ctx, r: r.raw.r}

	walkErr := walkTar(r)

	// Whatever the tar walk found, read to the end: a digest mismatch is the
	// better explanation of a broken tar.
	_, drainErr := io.Copy(io.Discard, r)
	if err := ctx.Err(); err != nil {
		return l.wrap(err)
	}
	if drainErr != nil {
		return drainErr
	}
	if walkErr != nil {
		return l.wrap(fmt.Errorf("%w: layer is not a valid tar: %v", ErrCorrupt, walkErr))
	}
	return nil
}

// walkTar reads every entry of a tar stream. Entries are bounded only by the
// stream, which the layer's size bounds.
func walkTar(r io.Reader) error {
	tr := tar.NewReader(r)
	for {
		_, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// ctxReader fails reads once its context is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

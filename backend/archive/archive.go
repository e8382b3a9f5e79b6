package archive

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync/atomic"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
)

// Archive is an opened image archive. Its methods are safe for concurrent use;
// the images it hands out read from it until Close.
type Archive struct {
	path    string
	format  Format
	gzipped bool
	src     source
	images  []*imageSpec
	log     *slog.Logger

	// tmp is the decompressed copy of a gzip-compressed archive, or "".
	tmp    string
	closed atomic.Bool
}

// Open opens the archive at path, detects its format from its content, and reads
// and checks its metadata: manifests, configs, and the presence, size and
// compression of every layer. It reads no layer beyond its first bytes, except
// that a gzip-compressed archive is first decompressed whole into a temporary
// file (see WithTempDir). Errors are *Error values wrapping a sentinel error.
func Open(path string, opts ...Option) (*Archive, error) {
	o := defaultOptions()
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, fmt.Errorf("opening %s: %w", path, err)
		}
	}
	start := time.Now()

	a := &Archive{path: path, log: o.logger}
	if err := a.open(o); err != nil {
		a.Close()
		o.logger.Debug("archive refused", "op", "open", "err", err)
		return nil, withPath(path, err)
	}

	o.logger.Debug("archive opened", "op", "open", "ms", time.Since(start).Milliseconds())
	return a, nil
}

// withPath makes err an *Error that names the archive's path.
func withPath(path string, err error) error {
	var e *Error
	if errors.As(err, &e) {
		e.Path = path
		return e
	}
	return &Error{Path: path, Err: err}
}

// open detects the format and parses the metadata.
func (a *Archive) open(o options) error {
	st, err := os.Stat(a.path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("%w: %v", ErrNotArchive, err)
		}
		return err
	}
	if st.IsDir() {
		return a.openDir()
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("%w: not a regular file", ErrNotArchive)
	}
	if st.Size() == 0 {
		return ErrEmpty
	}

	f, err := os.Open(a.path)
	if err != nil {
		return err
	}
	size := st.Size()
	comp, err := sniffAt(f, size)
	if err != nil {
		f.Close()
		return err
	}
	// Only gzip is accepted for a whole archive: a zstd frame can expand a few
	// bytes into gigabytes, which would be written to disk before any check.
	if comp == compGzip {
		tmp, err := unpackToTemp(f, comp, o.tempDir)
		f.Close()
		if err != nil {
			return err
		}
		a.gzipped = true
		a.tmp = tmp.Name()
		f = tmp
		if size, err = f.Seek(0, io.SeekEnd); err != nil {
			f.Close()
			return fmt.Errorf("sizing decompressed archive: %w", err)
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			f.Close()
			return fmt.Errorf("rewinding decompressed archive: %w", err)
		}
		o.logger.Debug("archive decompressed", "op", "open", "bytes", size)
	}

	src, err := scanTar(f, size)
	if err != nil {
		f.Close()
		return err
	}
	a.src = src
	return a.parseTar()
}

// openDir opens an OCI image layout directory.
func (a *Archive) openDir() error {
	if _, err := layout.FromPath(a.path); err != nil {
		return fmt.Errorf("%w: directory without %s", ErrNoManifest, ociIndex)
	}
	root, err := os.OpenRoot(a.path)
	if err != nil {
		return err
	}
	a.src = &dirSource{root: root}
	a.format = OCILayout

	images, err := (&parser{src: a.src}).oci()
	if err != nil {
		return err
	}
	a.images = images
	return nil
}

// parseTar picks the format from the files a tar holds and parses it.
func (a *Archive) parseTar() error {
	p := &parser{src: a.src}
	hasDocker := a.src.has(dockerManifest)
	hasOCI := a.src.has(ociIndex)

	switch {
	case hasDocker && (hasOCI || a.src.has(ociLayoutFile)):
		a.format = DockerOCIArchive
		images, err := p.docker()
		if err != nil {
			return err
		}
		if hasOCI {
			// The docker manifest is what docker load trusts; the OCI index only
			// adds manifest digests, so a broken index is tolerated.
			oci, err := p.oci()
			if err != nil {
				a.log.Debug("ignoring oci index of docker archive", "op", "open", "err", err)
			}
			mergeOCI(images, oci)
		}
		a.images = images
	case hasDocker:
		a.format = DockerArchive
		images, err := p.docker()
		if err != nil {
			return err
		}
		a.images = images
	case hasOCI:
		a.format = OCIArchive
		images, err := p.oci()
		if err != nil {
			return err
		}
		a.images = images
	default:
		return fmt.Errorf("%w: neither %s nor %s found", ErrNoManifest, dockerManifest, ociIndex)
	}
	return nil
}

// Path returns the path the archive was opened from.
func (a *Archive) Path() string {
	return a.path
}

// Format returns the detected format.
func (a *Archive) Format() Format {
	return a.format
}

// Gzipped reports whether the archive file was gzip-compressed as a whole and
// was therefore decompressed to a temporary file by Open.
func (a *Archive) Gzipped() bool {
	return a.gzipped
}

// Images returns a description of every image in the archive, in archive order.
// The slice is a copy the caller may keep.
func (a *Archive) Images() []ImageInfo {
	out := make([]ImageInfo, len(a.images))
	for i, spec := range a.images {
		info := spec.info
		info.Tags = append([]string{}, info.Tags...)
		info.Layers = append([]LayerInfo{}, info.Layers...)
		out[i] = info
	}
	return out
}

// Image returns image i as a v1.Image that reads its layers lazily from the
// archive. See the package documentation for how layers are described.
func (a *Archive) Image(i int) (v1.Image, error) {
	spec, err := a.spec(i)
	if err != nil {
		return nil, err
	}
	return newImage(a, spec), nil
}

// spec returns the description of image i.
func (a *Archive) spec(i int) (*imageSpec, error) {
	if a.closed.Load() {
		return nil, &Error{Path: a.path, Err: ErrClosed}
	}
	if i < 0 || i >= len(a.images) {
		return nil, &Error{Path: a.path, Err: fmt.Errorf("%w: %d of %d", ErrNoImage, i,
			len(a.images))}
	}
	return a.images[i], nil
}

// Close releases the archive file and removes the decompressed copy, if any.
// Readers still open fail afterwards. Close is idempotent.
func (a *Archive) Close() error {
	if a.closed.Swap(true) {
		return nil
	}
	var errs []error
	if a.src != nil {
		if err := a.src.close(); err != nil {
			errs = append(errs, fmt.Errorf("closing %s: %w", a.path, err))
		}
	}
	if a.tmp != "" {
		if err := os.Remove(a.tmp); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, fmt.Errorf("removing decompressed copy: %w", err))
		}
	}
	return errors.Join(errs...)
}

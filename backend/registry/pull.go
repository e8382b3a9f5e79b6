package registry

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Format is the kind of archive Pull writes.
type Format string

// The archive formats.
const (
	// FormatDocker is a docker-save archive with RepoTags, loadable by
	// `docker load` and skopeo's docker-archive: transport. Layers are kept
	// as the registry stores them (usually gzip).
	FormatDocker Format = "docker-archive"
	// FormatOCI is a tar of an OCI image layout, skopeo's oci-archive:.
	FormatOCI Format = "oci-archive"
)

// PullResult describes a finished pull.
type PullResult struct {
	// Digest is the manifest digest of the image pulled.
	Digest v1.Hash
	// MediaType is its manifest media type.
	MediaType types.MediaType
	// Size is the size of the archive written.
	Size int64
	// Layers is the number of layers in the manifest.
	Layers int
	// Ref is the image pinned by digest.
	Ref string
	// Path is where the archive was written.
	Path string
}

// archiveSlack is the space reserved beyond the blobs: tar headers, the
// archive's own JSON files, and a margin.
const archiveSlack = 8 << 20

// freeSpaceFunc is replaced in tests.
var freeSpaceFunc = freeSpace

// Pull downloads ref into an archive at out. Blobs are streamed into a
// temporary file next to out, each checked against its digest on the way;
// only a complete archive is synced and renamed to out. On error or
// cancellation the temporary file is removed and out is left as it was.
// For a multi-platform index the linux/amd64 image is pulled.
func Pull(ctx context.Context, ref name.Reference, out string, format Format,
	opts ...Option) (PullResult, error) {
	o, err := makeOptions(opts)
	if err != nil {
		return PullResult{}, fmt.Errorf("pulling %s: %w", ref, err)
	}
	if format != FormatDocker && format != FormatOCI {
		return PullResult{}, fmt.Errorf("pulling %s: %w: %q", ref, ErrFormat, format)
	}

	start := time.Now()
	p := &puller{o: o, ref: ref, out: out, format: format}
	res, err := p.run(ctx)
	if err != nil {
		o.logger.Debug("pull failed", "op", "pull", "ref", ref.String(), "err", err,
			"ms", time.Since(start).Milliseconds())
		if diskFull(err) {
			err = fmt.Errorf("%w: %w", ErrNoSpace, err)
		}
		return PullResult{}, fmt.Errorf("pulling %s: %w", ref, classify(err))
	}
	o.logger.Debug("pulled", "op", "pull", "ref", ref.String(), "digest", res.Digest.String(),
		"bytes", res.Size, "ms", time.Since(start).Milliseconds())
	return res, nil
}

// puller holds the state of one pull.
type puller struct {
	o      *options
	ref    name.Reference
	out    string
	format Format
	c      *client
	t      *tracker

	manifest    *v1.Manifest
	rawManifest []byte
	rawConfig   []byte
	digest      v1.Hash
	blobs       []v1.Descriptor // distinct layers in manifest order
	index       map[v1.Hash]int // digest → position in blobs
}

func (p *puller) run(ctx context.Context) (PullResult, error) {
	p.t = newTracker(p.o.progress, nil)
	p.t.setPhase(PhaseConnect)

	var err error
	p.c, err = newClient(ctx, p.ref.Context(), p.o, false)
	if err != nil {
		return PullResult{}, err
	}
	if err := p.resolve(ctx); err != nil {
		return PullResult{}, err
	}

	dir := filepath.Dir(p.out)
	need := uint64(archiveSlack + len(p.rawConfig) + len(p.rawManifest))
	for _, b := range p.blobs {
		need += uint64(b.Size)
	}
	if free, err := freeSpaceFunc(dir); err == nil && free < need {
		return PullResult{}, &SpaceError{Dir: dir, Need: need, Free: free}
	}

	size, err := p.writeFile(ctx, dir)
	if err != nil {
		return PullResult{}, err
	}
	p.t.setPhase(PhaseDone)
	return PullResult{
		Digest:    p.digest,
		MediaType: p.manifest.MediaType,
		Size:      size,
		Layers:    len(p.manifest.Layers),
		Ref:       p.ref.Context().Digest(p.digest.String()).String(),
		Path:      p.out,
	}, nil
}

// resolve reads the manifest and configuration, picking the linux/amd64
// image out of an index.
func (p *puller) resolve(ctx context.Context) error {
	var img v1.Image
	err := p.o.retry(ctx, "get manifest", func() error {
		desc, err := remote.Get(p.ref, remote.WithContext(ctx), remote.WithTransport(p.c.tr))
		if err != nil {
			return err
		}
		img, err = desc.Image()
		if err != nil {
			return err
		}
		p.rawManifest, err = img.RawManifest()
		return err
	}, nil)
	if err != nil {
		return fmt.Errorf("reading manifest: %w", err)
	}
	if p.manifest, err = img.Manifest(); err != nil {
		return fmt.Errorf("reading manifest: %w", err)
	}
	if p.rawConfig, err = p.fetchConfig(ctx); err != nil {
		return err
	}
	if p.digest, err = img.Digest(); err != nil {
		return fmt.Errorf("reading manifest: %w", err)
	}

	p.index = make(map[v1.Hash]int)
	var layers []LayerProgress
	for _, l := range p.manifest.Layers {
		if _, ok := p.index[l.Digest]; ok {
			continue
		}
		p.index[l.Digest] = len(p.blobs)
		p.blobs = append(p.blobs, l)
		layers = append(layers, LayerProgress{Digest: l.Digest, Total: l.Size,
			State: LayerWaiting})
	}
	p.t = newTracker(p.o.progress, layers)
	return nil
}

// fetchConfig downloads the configuration blob and checks its digest.
func (p *puller) fetchConfig(ctx context.Context) ([]byte, error) {
	d := p.manifest.Config
	if d.Size < 0 || d.Size > maxManifestSize {
		return nil, fmt.Errorf("config %s: size %d out of bounds", d.Digest, d.Size)
	}
	var raw []byte
	err := p.o.retry(ctx, "get config", func() error {
		rc, _, err := p.c.getBlob(ctx, d.Digest, 0, d.Size)
		if err != nil {
			return err
		}
		defer rc.Close()
		raw, err = io.ReadAll(io.LimitReader(rc, d.Size+1))
		return err
	}, nil)
	if err != nil {
		return nil, fmt.Errorf("reading config %s: %w", d.Digest, err)
	}
	got, n, _ := v1.SHA256(bytes.NewReader(raw))
	if got != d.Digest || n != d.Size {
		return nil, fmt.Errorf("reading config %s: %w", d.Digest, &DigestError{
			Kind: ErrBlobDigest, Want: d.Digest, Got: got, WantSize: d.Size, GotSize: n})
	}
	return raw, nil
}

// writeFile writes the archive to a temporary file in dir and renames it to
// out once it is complete and synced. It returns the archive size.
func (p *puller) writeFile(ctx context.Context, dir string) (size int64, err error) {
	f, err := os.CreateTemp(dir, "."+filepath.Base(p.out)+".partial-*")
	if err != nil {
		return 0, fmt.Errorf("creating archive: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()

	// TODO: blobs are downloaded one after the other, in archive order;
	// fetching the next ones ahead into spare files would use more of a fast
	// link at the cost of writing them twice.
	bw := bufio.NewWriterSize(&flushingFile{f: f}, ioBufferSize)
	tw := tar.NewWriter(bw)
	p.t.setPhase(PhaseLayers)
	if p.format == FormatOCI {
		err = p.writeOCI(ctx, tw)
	} else {
		err = p.writeDocker(ctx, tw)
	}
	if err != nil {
		return 0, err
	}

	p.t.setPhase(PhaseManifest)
	if err := tw.Close(); err != nil {
		return 0, fmt.Errorf("writing archive: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return 0, fmt.Errorf("writing archive: %w", err)
	}
	if err := f.Sync(); err != nil {
		return 0, fmt.Errorf("syncing archive: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		return 0, fmt.Errorf("writing archive: %w", err)
	}
	if err := f.Close(); err != nil {
		return 0, fmt.Errorf("writing archive: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if err := os.Rename(f.Name(), p.out); err != nil {
		return 0, fmt.Errorf("placing archive: %w", err)
	}
	syncDir(dir)
	return st.Size(), nil
}

// syncDir makes a rename durable, best effort: not every system can sync a
// directory.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// writeBlob copies the layer blob d into the archive as entry, checking its
// size and digest. A transfer that breaks off resumes where it stopped.
func (p *puller) writeBlob(ctx context.Context, tw *tar.Writer, entry string,
	d v1.Descriptor) error {
	i := p.index[d.Digest]
	hdr := &tar.Header{Name: entry, Mode: 0o644, Size: d.Size, Typeflag: tar.TypeReg,
		ModTime: time.Unix(0, 0)}
	if err := tw.WriteHeader(hdr); err != nil {
		return fmt.Errorf("writing archive: %w", err)
	}

	p.t.state(i, LayerMoving)
	h := sha256.New()
	var n int64
	buf := make([]byte, ioBufferSize)
	err := p.o.retry(ctx, "pull blob", func() error {
		rc, start, err := p.c.getBlob(ctx, d.Digest, n, d.Size)
		if err != nil {
			return err
		}
		defer rc.Close()
		if _, err := io.CopyN(io.Discard, rc, n-start); err != nil {
			return err
		}

		w := io.MultiWriter(tw, h, progressWriter(func(k int64) { p.t.add(i, k) }))
		m, err := io.CopyBuffer(w, io.LimitReader(onlyReader{rc}, d.Size-n), buf)
		n += m
		if err != nil {
			return err
		}
		if n < d.Size {
			return io.ErrUnexpectedEOF
		}
		return nil
	}, func(error) { p.t.state(i, LayerRetrying) })
	if err != nil {
		p.t.state(i, LayerFailed)
		return fmt.Errorf("pulling blob %s: %w", d.Digest, err)
	}

	if got := sum(h); got != d.Digest {
		p.t.state(i, LayerFailed)
		return fmt.Errorf("pulling blob %s: %w", d.Digest,
			&DigestError{Kind: ErrBlobDigest, Want: d.Digest, Got: got})
	}
	p.t.state(i, LayerDone)
	return nil
}

// writeBytes adds a small file to the archive.
func writeBytes(tw *tar.Writer, entry string, data []byte) error {
	hdr := &tar.Header{Name: entry, Mode: 0o644, Size: int64(len(data)),
		Typeflag: tar.TypeReg, ModTime: time.Unix(0, 0)}
	if err := tw.WriteHeader(hdr); err != nil {
		return fmt.Errorf("writing archive: %w", err)
	}
	if _, err := tw.Write(data); err != nil {
		return fmt.Errorf("writing archive: %w", err)
	}
	return nil
}

// progressWriter reports how many bytes pass.
type progressWriter func(int64)

func (f progressWriter) Write(p []byte) (int, error) {
	f(int64(len(p)))
	return len(p), nil
}

// onlyReader hides any WriteTo method, so that copies use the given buffer.
type onlyReader struct{ io.Reader }

// flushingFile writes to f and asks the system to start writing each
// flushEvery bytes to disk as they come, so that the sync before the rename
// waits for the last stretch only, not for the whole archive.
type flushingFile struct {
	f       *os.File
	written int64
	flushed int64
}

// flushEvery is how far the written bytes may run ahead of the disk.
const flushEvery = 32 << 20

func (w *flushingFile) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	w.written += int64(n)
	if w.written-w.flushed >= flushEvery {
		startWriteback(w.f, w.flushed, w.written-w.flushed)
		w.flushed = w.written
	}
	return n, err
}

package registry

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Result describes a finished push.
type Result struct {
	// Digest is the manifest digest, as computed and as read back.
	Digest v1.Hash
	// MediaType is the manifest media type written.
	MediaType types.MediaType
	// Size is the stored size of the image: configuration plus compressed layers.
	Size int64
	// Uploaded counts the compressed blob bytes sent by this push; Skipped
	// those found in the registry already.
	Uploaded, Skipped int64
	// Layers is the number of layers in the manifest.
	Layers int
	// Ref is the pushed image pinned by digest, e.g. "host/repo@sha256:…".
	Ref string
}

// cancelTimeout bounds the best-effort cleanup of an abandoned upload.
const cancelTimeout = 2 * time.Second

// Push uploads img to ref: the layers in parallel, each compressed in one
// pass while it is sent, then the configuration, then the manifest, which is
// read back to check its digest. The tag is written only once every blob is
// in, so a failed or cancelled push leaves no tag behind; blobs already
// committed are recorded in the blob cache and skipped by the next attempt.
//
// Layers are read with Uncompressed only: Digest, Size and Compressed of the
// source layers are never called, so a lazily read archive is read once.
func Push(ctx context.Context, img v1.Image, ref name.Reference, opts ...Option) (Result, error) {
	o, err := makeOptions(opts)
	if err != nil {
		return Result{}, fmt.Errorf("pushing %s: %w", ref, err)
	}

	start := time.Now()
	p := &pusher{o: o, img: img, ref: ref, repoKey: ref.Context().Name(),
		local: onThisMachine(ref.Context().RegistryStr())}
	res, err := p.run(ctx)
	if err != nil {
		o.logger.Debug("push failed", "op", "push", "ref", ref.String(), "err", err,
			"ms", time.Since(start).Milliseconds())
		return res, fmt.Errorf("pushing %s: %w", ref, classify(err))
	}
	o.logger.Debug("pushed", "op", "push", "ref", ref.String(), "digest", res.Digest.String(),
		"bytes", res.Uploaded, "ms", time.Since(start).Milliseconds())
	return res, nil
}

// pusher holds the state of one push.
type pusher struct {
	o       *options
	img     v1.Image
	ref     name.Reference
	repoKey string
	c       *client
	t       *tracker
	oci     bool
	local   bool // the registry runs on this machine

	blobs    []*blobJob
	uploaded atomic.Int64
	skipped  atomic.Int64
}

// blobJob is one distinct layer to send; its result is filled in on success.
type blobJob struct {
	index  int
	layer  v1.Layer
	diffID v1.Hash
	digest v1.Hash
	size   int64
}

func (p *pusher) run(ctx context.Context) (Result, error) {
	layers, err := p.img.Layers()
	if err != nil {
		return Result{}, fmt.Errorf("reading layers: %w", err)
	}
	cfg, err := p.img.ConfigFile()
	if err != nil {
		return Result{}, fmt.Errorf("reading config: %w", err)
	}
	rawCfg, err := p.img.RawConfigFile()
	if err != nil {
		return Result{}, fmt.Errorf("reading config: %w", err)
	}
	diffIDs := cfg.RootFS.DiffIDs
	if len(diffIDs) != len(layers) {
		return Result{}, fmt.Errorf("%w: %d diff ids for %d layers", ErrImage,
			len(diffIDs), len(layers))
	}
	p.oci = len(p.o.annotations) > 0
	if mt, err := p.img.MediaType(); err == nil && mt == types.OCIManifestSchema1 {
		p.oci = true
	}

	// One job per distinct layer: an archive may hold the same layer twice.
	byDiffID := make(map[v1.Hash]*blobJob, len(layers))
	var progress []LayerProgress
	for i, l := range layers {
		if _, ok := byDiffID[diffIDs[i]]; ok {
			continue
		}
		j := &blobJob{index: len(p.blobs), layer: l, diffID: diffIDs[i]}
		byDiffID[diffIDs[i]] = j
		p.blobs = append(p.blobs, j)
		progress = append(progress, LayerProgress{DiffID: diffIDs[i],
			Total: uncompressedSize(l), State: LayerWaiting})
	}
	p.t = newTracker(p.o.progress, progress)
	p.t.setPhase(PhaseConnect)

	p.c, err = newClient(ctx, p.ref.Context(), p.o, true)
	if err != nil {
		return Result{}, err
	}

	p.t.setPhase(PhaseLayers)
	if err := p.pushLayers(ctx); err != nil {
		return p.result(), err
	}

	p.t.setPhase(PhaseConfig)
	cfgDesc, err := p.pushConfig(ctx, rawCfg)
	if err != nil {
		return p.result(), err
	}

	p.t.setPhase(PhaseManifest)
	m := v1.Manifest{SchemaVersion: 2, Config: cfgDesc, Annotations: p.o.annotations}
	m.MediaType, m.Config.MediaType = types.DockerManifestSchema2, types.DockerConfigJSON
	layerType := types.DockerLayer
	if p.oci {
		m.MediaType, m.Config.MediaType = types.OCIManifestSchema1, types.OCIConfigJSON
		layerType = types.OCILayer
	}
	for _, d := range diffIDs {
		j := byDiffID[d]
		m.Layers = append(m.Layers, v1.Descriptor{MediaType: layerType, Size: j.size,
			Digest: j.digest})
	}
	digest, err := p.pushManifest(ctx, m)
	res := p.result()
	res.Digest, res.MediaType, res.Layers = digest, m.MediaType, len(m.Layers)
	res.Size = cfgDesc.Size
	for _, l := range m.Layers {
		res.Size += l.Size
	}
	if err != nil {
		return res, err
	}
	res.Ref = p.ref.Context().Digest(digest.String()).String()

	p.t.setPhase(PhaseDone)
	return res, nil
}

func (p *pusher) result() Result {
	return Result{Uploaded: p.uploaded.Load(), Skipped: p.skipped.Load()}
}

// pushLayers runs the layer jobs, o.jobs at a time. A failing layer does not
// stop the others, so that everything that can be sent is sent and recorded
// for the next attempt; cancelling ctx stops them all.
func (p *pusher) pushLayers(ctx context.Context) error {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
		work = make(chan *blobJob)
	)
	for range min(p.o.jobs, len(p.blobs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range work {
				if err := p.pushLayer(ctx, j); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}
		}()
	}
feed:
	for _, j := range p.blobs {
		select {
		case work <- j:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()

	if err := ctx.Err(); err != nil {
		return err
	}
	return errors.Join(errs...)
}

// pushLayer sends one layer unless the cache and the registry say it is
// there already.
func (p *pusher) pushLayer(ctx context.Context, j *blobJob) error {
	if ok, err := p.skipLayer(ctx, j); err != nil || ok {
		return err
	}

	err := p.o.retry(ctx, "push layer", func() error {
		return p.uploadLayer(ctx, j)
	}, func(error) {
		p.t.update(j.index, func(l *LayerProgress) { l.State, l.Done = LayerRetrying, 0 })
	})
	if err != nil {
		p.t.state(j.index, LayerFailed)
		return fmt.Errorf("pushing layer %s: %w", j.diffID, err)
	}

	// The layer is remembered before it is shown done, so that a crash right
	// after "done" still lets a resume skip it.
	if p.o.cache != nil {
		err := p.o.cache.Put(ctx, p.repoKey, j.diffID, j.digest, j.size, types.OCILayer)
		if err != nil {
			p.o.logger.Warn("recording blob failed", "op", "push", "repo", p.repoKey,
				"digest", j.digest.String(), "err", err)
		}
	}
	p.t.update(j.index, func(l *LayerProgress) { l.Digest, l.State = j.digest, LayerDone })
	return nil
}

// skipLayer reports whether the cache knows the layer's blob and the registry
// still has it; then the layer is not read at all.
// TODO: a blob cached for another repository of the same registry could be
// mounted (POST ?mount=&from=) instead of uploaded; BlobCache lookups are per
// repository today.
func (p *pusher) skipLayer(ctx context.Context, j *blobJob) (bool, error) {
	if p.o.cache == nil {
		return false, nil
	}
	digest, size, mt, ok := p.o.cache.Get(ctx, p.repoKey, j.diffID)
	if !ok || !isGzipLayer(mt) {
		return false, nil
	}

	p.t.state(j.index, LayerChecking)
	var found bool
	var got int64
	err := p.o.retry(ctx, "head blob", func() error {
		var err error
		got, found, err = p.c.headBlob(ctx, digest)
		return err
	}, nil)
	if err != nil {
		return false, fmt.Errorf("checking blob %s: %w", digest, err)
	}
	if !found || (got > 0 && got != size) {
		return false, nil
	}

	j.digest, j.size = digest, size
	p.skipped.Add(size)
	p.t.update(j.index, func(l *LayerProgress) {
		l.Digest, l.Done, l.State = digest, l.Total, LayerSkipped
	})
	p.o.logger.Debug("blob present", "op", "push", "repo", p.repoKey, "digest", digest.String())
	return true, nil
}

// uploadLayer makes one attempt at sending a layer: open an upload, stream
// the compressed layer into it while hashing, check the diff ID, commit.
// TODO: a source layer that is already gzip (an OCI layout, a pulled archive)
// is decompressed and compressed again; sending its compressed bytes as they
// are would save the CPU. Foreign (non-distributable) layers are sent too.
func (p *pusher) uploadLayer(ctx context.Context, j *blobJob) error {
	p.t.update(j.index, func(l *LayerProgress) { l.State, l.Done = LayerMoving, 0 })

	loc, err := p.c.startUpload(ctx)
	if err != nil {
		return err
	}
	rc, err := j.layer.Uncompressed()
	if err != nil {
		p.abandon(ctx, loc)
		return &sourceError{err}
	}
	// A source that checks its own diff id fails its last read on a mismatch, so
	// the uncompressed bytes are not hashed twice.
	selfChecked := verifiesDiffID(j.layer)
	comp, err := startCompress(rc, p.o.level, p.local, !selfChecked,
		func(n int64) { p.t.add(j.index, n) })
	if err != nil {
		p.abandon(ctx, loc)
		return err
	}

	next, err := p.c.patch(ctx, loc, comp)
	res, err := comp.finish(err)
	if err != nil {
		p.abandon(ctx, loc)
		return err
	}
	if !selfChecked && res.diffID != j.diffID {
		p.abandon(ctx, loc)
		return &DigestError{Kind: ErrDiffID, Want: j.diffID, Got: res.diffID}
	}
	if err := p.c.commit(ctx, next, res.digest, nil); err != nil {
		return err
	}

	j.digest, j.size = res.digest, res.size
	p.uploaded.Add(res.size)
	p.o.logger.Debug("blob pushed", "op", "push", "repo", p.repoKey,
		"digest", res.digest.String(), "bytes", res.size)
	return nil
}

// abandon deletes an upload session unless ctx is done: a cancelled push
// stops talking to the registry at once.
func (p *pusher) abandon(ctx context.Context, loc string) {
	if ctx.Err() == nil {
		p.c.cancelUpload(loc)
	}
}

// pushConfig uploads the configuration blob unless the registry has it.
func (p *pusher) pushConfig(ctx context.Context, raw []byte) (v1.Descriptor, error) {
	h, size, err := v1.SHA256(bytes.NewReader(raw))
	if err != nil {
		return v1.Descriptor{}, err
	}
	desc := v1.Descriptor{Digest: h, Size: size}

	err = p.o.retry(ctx, "push config", func() error {
		_, found, err := p.c.headBlob(ctx, h)
		if err != nil || found {
			return err
		}
		loc, err := p.c.startUpload(ctx)
		if err != nil {
			return err
		}
		if err := p.c.commit(ctx, loc, h, raw); err != nil {
			return err
		}
		p.uploaded.Add(size)
		return nil
	}, nil)
	if err != nil {
		return desc, fmt.Errorf("pushing config %s: %w", h, err)
	}
	return desc, nil
}

// pushManifest writes the manifest under the reference and reads its digest
// back.
func (p *pusher) pushManifest(ctx context.Context, m v1.Manifest) (v1.Hash, error) {
	raw, err := json.Marshal(m)
	if err != nil {
		return v1.Hash{}, fmt.Errorf("encoding manifest: %w", err)
	}
	want, _, err := v1.SHA256(bytes.NewReader(raw))
	if err != nil {
		return v1.Hash{}, err
	}
	if d, ok := p.ref.(name.Digest); ok && d.DigestStr() != want.String() {
		return want, &DigestError{Kind: ErrManifestDigest, Want: want}
	}

	mt := string(m.MediaType)
	id := p.ref.Identifier()
	var got v1.Hash
	err = p.o.retry(ctx, "push manifest", func() error {
		got, err = p.c.putManifest(ctx, id, mt, raw)
		return err
	}, nil)
	if err != nil {
		return want, fmt.Errorf("pushing manifest: %w", err)
	}
	if got != (v1.Hash{}) && got != want {
		return want, &DigestError{Kind: ErrManifestDigest, Want: want, Got: got}
	}

	p.t.setPhase(PhaseVerify)
	err = p.o.retry(ctx, "verify manifest", func() error {
		got, err = p.c.headManifest(ctx, id, mt)
		return err
	}, nil)
	if err != nil {
		return want, fmt.Errorf("reading manifest back: %w", err)
	}
	if got != want {
		return want, &DigestError{Kind: ErrManifestDigest, Want: want, Got: got}
	}
	return want, nil
}

// uncompressedSize returns the uncompressed size of a layer when it is known
// without reading it, else 0.
func uncompressedSize(l v1.Layer) int64 {
	if s, ok := l.(interface{ UncompressedSize() (int64, error) }); ok {
		if n, err := s.UncompressedSize(); err == nil {
			return n
		}
	}
	mt, err := l.MediaType()
	if err == nil && (mt == types.DockerUncompressedLayer || mt == types.OCIUncompressedLayer) {
		if n, err := l.Size(); err == nil {
			return n
		}
	}
	return 0
}

// isGzipLayer reports whether a cached blob is a gzip layer, the only kind
// Push writes.
func isGzipLayer(mt types.MediaType) bool {
	return mt == types.OCILayer || mt == types.DockerLayer
}

// verifiesDiffID reports whether a layer promises to fail the last read of its
// uncompressed stream when the bytes do not match its diff id.
func verifiesDiffID(l v1.Layer) bool {
	v, ok := l.(interface{ VerifiesDiffID() bool })
	return ok && v.VerifiesDiffID()
}

// onThisMachine reports whether a registry host[:port] is a loopback address.
func onThisMachine(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

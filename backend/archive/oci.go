package archive

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

const (
	// ociIndex is the name of an OCI layout's top-level index.
	ociIndex = "index.json"

	// ociLayoutFile marks an OCI image layout.
	ociLayoutFile = "oci-layout"

	// maxIndexDepth bounds how deep image indexes may nest.
	maxIndexDepth = 4

	// Annotations that carry an image's reference in an OCI index.
	annotationContainerdName = "io.containerd.image.name"
	annotationRefName        = "org.opencontainers.image.ref.name"

	// annotationRefType marks buildkit's attestation manifests, which are not
	// runnable images.
	annotationRefType = "vnd.docker.reference.type"
)

// ociWalker collects the images an OCI index reaches.
type ociWalker struct {
	p       *parser
	visited int
	images  []*imageSpec

	// missing is the first manifest blob that was absent, for the error when no
	// image remains.
	missing string
}

// oci parses index.json and describes every image manifest it reaches. Every
// platform of a multi-platform index is listed as its own image. A platform
// whose manifest is absent from the archive is left out, because docker save
// keeps the full index but only the platforms present locally; attestation
// manifests are left out too.
func (p *parser) oci() ([]*imageSpec, error) {
	raw, err := p.readSmall(ociIndex, maxManifestSize)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fail(ociIndex, ErrNoManifest)
		}
		return nil, fail(ociIndex, fmt.Errorf("%w: %v", ErrBadManifest, err))
	}
	idx, err := v1.ParseIndexManifest(bytes.NewReader(raw))
	if err != nil {
		return nil, fail(ociIndex, fmt.Errorf("%w: %v", ErrBadManifest, err))
	}

	w := &ociWalker{p: p}
	if err := w.walk(idx, nil, 0); err != nil {
		return nil, err
	}
	if len(w.images) == 0 {
		if w.missing != "" {
			return nil, fail(w.missing, ErrMissingLayer)
		}
		return nil, fail(ociIndex, ErrNoManifest)
	}
	for i, spec := range w.images {
		spec.info.Index = i
	}
	return w.images, nil
}

// walk visits the descriptors of one index. A manifest named by the top-level
// index must be present; deeper ones may be absent.
func (w *ociWalker) walk(idx *v1.IndexManifest, parentTags []string, depth int) error {
	for _, d := range idx.Manifests {
		w.visited++
		if w.visited > maxImages {
			return fail(ociIndex, fmt.Errorf("%w: more than %d manifests",
				ErrBadManifest, maxImages))
		}
		tags := descriptorTags(d)
		if len(tags) == 0 {
			tags = parentTags
		}
		if !d.MediaType.IsIndex() && !d.MediaType.IsImage() || isAttestation(d) {
			continue
		}

		raw, err := w.p.manifestBlob(d)
		if errors.Is(err, ErrMissingLayer) && depth > 0 {
			if w.missing == "" {
				w.missing = blobName(d.Digest)
			}
			continue
		}
		if err != nil {
			return err
		}

		if d.MediaType.IsImage() {
			spec, err := w.p.ociImage(d, raw, tags)
			if err != nil {
				return err
			}
			w.images = append(w.images, spec)
			continue
		}
		if depth+1 > maxIndexDepth {
			return fail(blobName(d.Digest), fmt.Errorf("%w: indexes nest deeper than %d",
				ErrBadManifest, maxIndexDepth))
		}
		child, err := v1.ParseIndexManifest(bytes.NewReader(raw))
		if err != nil {
			return fail(blobName(d.Digest), fmt.Errorf("%w: %v", ErrBadManifest, err))
		}
		if err := w.walk(child, tags, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// manifestBlob reads the manifest or index a descriptor names and checks its
// size and digest.
func (p *parser) manifestBlob(d v1.Descriptor) ([]byte, error) {
	name := blobName(d.Digest)
	raw, err := p.readSmall(name, maxManifestSize)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fail(name, ErrMissingLayer)
	}
	if err != nil {
		return nil, fail(name, fmt.Errorf("%w: %v", ErrBadManifest, err))
	}
	if got := sha256Hash(raw); got != d.Digest || int64(len(raw)) != d.Size {
		return nil, fail(name, fmt.Errorf("%w: content is %s (%d bytes), expected %s (%d)",
			ErrBadManifest, got, len(raw), d.Digest, d.Size))
	}
	return raw, nil
}

// ociImage describes the image whose manifest d names and raw holds.
func (p *parser) ociImage(d v1.Descriptor, raw []byte, tags []string) (*imageSpec, error) {
	name := blobName(d.Digest)
	m, err := v1.ParseManifest(bytes.NewReader(raw))
	if err != nil {
		return nil, fail(name, fmt.Errorf("%w: %v", ErrBadManifest, err))
	}
	rawCfg, cfg, cfgDigest, err := p.config(blobName(m.Config.Digest), m.Config.Digest)
	if err != nil {
		return nil, err
	}
	if len(cfg.RootFS.DiffIDs) != len(m.Layers) {
		return nil, fail(name, fmt.Errorf("%w: %d diff_ids, %d layers",
			ErrLayerCount, len(cfg.RootFS.DiffIDs), len(m.Layers)))
	}

	spec := &imageSpec{
		rawConfig:   rawCfg,
		configName:  cfgDigest,
		rawManifest: raw,
		manifestMT:  d.MediaType,
		layers:      make([]layerSpec, 0, len(m.Layers)),
	}
	// TODO: non-distributable layers with URLs are often left out of archives;
	// they fail here with ErrMissingLayer instead of being pushed by reference.
	for i, ld := range m.Layers {
		l, err := p.layer(blobName(ld.Digest), cfg.RootFS.DiffIDs[i], ld.Size)
		if err != nil {
			return nil, err
		}
		l.digest = ld.Digest
		l.mediaType = ld.MediaType
		spec.layers = append(spec.layers, l)
	}
	spec.info.Digest = d.Digest.String()
	spec.fillInfo(cfg, tags, d.Platform)
	return spec, nil
}

// descriptorTags returns the reference an index descriptor gives its image:
// containerd's full name when present, else the OCI ref.name.
func descriptorTags(d v1.Descriptor) []string {
	if n := d.Annotations[annotationContainerdName]; n != "" {
		return []string{n}
	}
	if n := d.Annotations[annotationRefName]; n != "" {
		return []string{n}
	}
	return nil
}

// isAttestation reports whether d names an attestation rather than an image.
func isAttestation(d v1.Descriptor) bool {
	if d.Annotations[annotationRefType] == "attestation-manifest" {
		return true
	}
	return d.Platform != nil && d.Platform.OS == "unknown" && d.Platform.Architecture == "unknown"
}

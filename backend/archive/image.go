package archive

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// image is a v1.Image over one image of an archive.
type image struct {
	a      *Archive
	spec   *imageSpec
	layers []*layer

	// manifestOnce guards the manifest built for a classic docker archive.
	manifestOnce sync.Once
	manifest     []byte
	manifestErr  error
}

var _ v1.Image = (*image)(nil)

// newImage returns the v1.Image of spec. Its layers are created once so that a
// lazily computed digest is remembered across calls.
func newImage(a *Archive, spec *imageSpec) *image {
	img := &image{a: a, spec: spec, layers: make([]*layer, len(spec.layers))}
	for i, ls := range spec.layers {
		img.layers[i] = &layer{a: a, spec: ls}
	}
	return img
}

// Layers returns the layers, base first, without reading them.
func (img *image) Layers() ([]v1.Layer, error) {
	out := make([]v1.Layer, len(img.layers))
	for i, l := range img.layers {
		out[i] = l
	}
	return out, nil
}

// MediaType returns the manifest's media type: the stored one, or Docker
// schema 2 for a classic docker archive.
func (img *image) MediaType() (types.MediaType, error) {
	return img.spec.manifestMT, nil
}

// Size returns the size of the raw manifest.
func (img *image) Size() (int64, error) {
	return partial.Size(img)
}

// ConfigName returns the digest of the config, the image ID.
func (img *image) ConfigName() (v1.Hash, error) {
	return img.spec.configName, nil
}

// ConfigFile returns a freshly parsed copy of the config.
func (img *image) ConfigFile() (*v1.ConfigFile, error) {
	return v1.ParseConfigFile(bytes.NewReader(img.spec.rawConfig))
}

// RawConfigFile returns the config bytes as stored.
func (img *image) RawConfigFile() ([]byte, error) {
	return append([]byte{}, img.spec.rawConfig...), nil
}

// Digest returns the digest of the raw manifest.
func (img *image) Digest() (v1.Hash, error) {
	return partial.Digest(img)
}

// Manifest returns the parsed manifest.
func (img *image) Manifest() (*v1.Manifest, error) {
	return partial.Manifest(img)
}

// RawManifest returns the stored manifest, or for a classic docker archive a
// Docker schema 2 manifest describing the layers as stored. Building it needs
// every layer's digest, which for a compressed layer of a classic archive means
// hashing that layer once.
func (img *image) RawManifest() ([]byte, error) {
	if img.spec.rawManifest != nil {
		return append([]byte{}, img.spec.rawManifest...), nil
	}
	img.manifestOnce.Do(func() {
		img.manifest, img.manifestErr = img.buildManifest()
	})
	return img.manifest, img.manifestErr
}

// buildManifest describes the stored image as a Docker schema 2 manifest.
func (img *image) buildManifest() ([]byte, error) {
	m := v1.Manifest{
		SchemaVersion: 2,
		MediaType:     types.DockerManifestSchema2,
		Config: v1.Descriptor{
			MediaType: types.DockerConfigJSON,
			Size:      int64(len(img.spec.rawConfig)),
			Digest:    img.spec.configName,
		},
		Layers: make([]v1.Descriptor, len(img.layers)),
	}
	for i, l := range img.layers {
		d, err := l.Digest()
		if err != nil {
			return nil, fmt.Errorf("building manifest: %w", err)
		}
		m.Layers[i] = v1.Descriptor{MediaType: l.spec.mediaType, Size: l.spec.size, Digest: d}
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("encoding manifest: %w", err)
	}
	return raw, nil
}

// LayerByDigest returns the layer, or the config as a layer, with digest h.
func (img *image) LayerByDigest(h v1.Hash) (v1.Layer, error) {
	if h == img.spec.configName {
		return partial.ConfigLayer(img)
	}
	for _, l := range img.layers {
		d, err := l.Digest()
		if err != nil {
			return nil, err
		}
		if d == h {
			return l, nil
		}
	}
	return nil, fmt.Errorf("no layer with digest %s", h)
}

// LayerByDiffID returns the layer whose uncompressed digest is h.
func (img *image) LayerByDiffID(h v1.Hash) (v1.Layer, error) {
	for _, l := range img.layers {
		if l.spec.diffID == h {
			return l, nil
		}
	}
	return nil, fmt.Errorf("no layer with diff id %s", h)
}

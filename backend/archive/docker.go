package archive

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// dockerManifest is the name of docker save's manifest.
const dockerManifest = "manifest.json"

// docker parses manifest.json and describes every image it lists.
//
// TODO: foreign layers listed in LayerSources (Windows base layers) are treated
// like any other layer, so an archive that leaves them out fails with
// ErrMissingLayer instead of offering to push without them.
func (p *parser) docker() ([]*imageSpec, error) {
	raw, err := p.readSmall(dockerManifest, maxManifestSize)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fail(dockerManifest, ErrNoManifest)
		}
		return nil, fail(dockerManifest, fmt.Errorf("%w: %v", ErrBadManifest, err))
	}
	var m tarball.Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fail(dockerManifest, fmt.Errorf("%w: %v", ErrBadManifest, err))
	}
	if len(m) == 0 {
		return nil, fail(dockerManifest, ErrNoManifest)
	}
	if len(m) > maxImages {
		return nil, fail(dockerManifest, fmt.Errorf("%w: %d images, at most %d allowed",
			ErrBadManifest, len(m), maxImages))
	}

	specs := make([]*imageSpec, 0, len(m))
	for i, d := range m {
		spec, err := p.dockerImage(d)
		if err != nil {
			return nil, err
		}
		spec.info.Index = i
		specs = append(specs, spec)
	}
	return specs, nil
}

// dockerImage describes one entry of manifest.json.
func (p *parser) dockerImage(d tarball.Descriptor) (*imageSpec, error) {
	cfgName, err := cleanName(d.Config)
	if err != nil {
		return nil, fail(d.Config, err)
	}
	if cfgName == "" {
		return nil, fail(dockerManifest, fmt.Errorf("%w: image without config", ErrBadConfig))
	}
	want, _ := blobDigest(cfgName)
	rawCfg, cfg, cfgDigest, err := p.config(cfgName, want)
	if err != nil {
		return nil, err
	}
	if len(cfg.RootFS.DiffIDs) != len(d.Layers) {
		return nil, fail(cfgName, fmt.Errorf("%w: %d diff_ids, %d layers",
			ErrLayerCount, len(cfg.RootFS.DiffIDs), len(d.Layers)))
	}

	spec := &imageSpec{
		rawConfig:  rawCfg,
		configName: cfgDigest,
		manifestMT: types.DockerManifestSchema2,
		layers:     make([]layerSpec, 0, len(d.Layers)),
	}
	for i, ln := range d.Layers {
		name, err := cleanName(ln)
		if err != nil {
			return nil, fail(ln, err)
		}
		l, err := p.layer(name, cfg.RootFS.DiffIDs[i], -1)
		if err != nil {
			return nil, err
		}
		if h, ok := blobDigest(name); ok {
			l.digest = h
		} else if l.comp == compNone {
			l.digest = l.diffID
		}
		l.mediaType = dockerLayerType(l.comp)
		spec.layers = append(spec.layers, l)
	}
	spec.fillInfo(cfg, d.RepoTags, nil)
	return spec, nil
}

// dockerLayerType is the media type a classic docker archive's layer gets from
// its stored compression.
func dockerLayerType(c compression) types.MediaType {
	switch c {
	case compGzip:
		return types.DockerLayer
	case compZstd:
		return types.OCILayerZStd
	default:
		return types.DockerUncompressedLayer
	}
}

// mergeOCI fills docker-described images with what the OCI index of the same
// archive says about them: manifest, manifest digest and layer media types. An
// OCI image matches when its config and layer files are the same.
func mergeOCI(docker, oci []*imageSpec) {
	for _, d := range docker {
		for _, o := range oci {
			if !sameImage(d, o) {
				continue
			}
			d.rawManifest = o.rawManifest
			d.manifestMT = o.manifestMT
			d.info.Digest = o.info.Digest
			for i := range d.layers {
				d.layers[i].digest = o.layers[i].digest
				d.layers[i].mediaType = o.layers[i].mediaType
				d.info.Layers[i].Digest = o.info.Layers[i].Digest
				d.info.Layers[i].MediaType = o.info.Layers[i].MediaType
			}
			if len(d.info.Tags) == 0 {
				d.info.Tags = o.info.Tags
				d.info.Name, d.info.Version = o.info.Name, o.info.Version
			}
			break
		}
	}
}

// sameImage reports whether two descriptions are of the same stored image.
func sameImage(a, b *imageSpec) bool {
	if a.configName != b.configName || len(a.layers) != len(b.layers) {
		return false
	}
	for i := range a.layers {
		if a.layers[i].entry != b.layers[i].entry {
			return false
		}
	}
	return true
}

// zeroHash reports whether h is unset.
func zeroHash(h v1.Hash) bool {
	return h == v1.Hash{}
}

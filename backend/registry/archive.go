package registry

import (
	"archive/tar"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// dockerManifestEntry is one image in a docker-save manifest.json.
type dockerManifestEntry struct {
	Config   string
	RepoTags []string
	Layers   []string
}

// writeDocker writes a docker-save archive: the layer blobs as they are
// stored, the configuration, and manifest.json naming the tag.
func (p *puller) writeDocker(ctx context.Context, tw *tar.Writer) error {
	names := make(map[v1.Hash]string, len(p.blobs))
	for _, b := range p.blobs {
		names[b.Digest] = b.Digest.Hex + layerExtension(b.MediaType)
		if err := p.writeBlob(ctx, tw, names[b.Digest], b); err != nil {
			return err
		}
	}

	entry := dockerManifestEntry{Config: p.manifest.Config.Digest.Hex + ".json"}
	if tag, ok := p.ref.(name.Tag); ok {
		entry.RepoTags = []string{tag.String()}
	}
	for _, l := range p.manifest.Layers {
		entry.Layers = append(entry.Layers, names[l.Digest])
	}
	if err := writeBytes(tw, entry.Config, p.rawConfig); err != nil {
		return err
	}
	raw, err := json.Marshal([]dockerManifestEntry{entry})
	if err != nil {
		return fmt.Errorf("encoding manifest.json: %w", err)
	}
	return writeBytes(tw, "manifest.json", raw)
}

// layerExtension names a layer file after its compression; docker load
// detects the compression from the content anyway.
func layerExtension(mt types.MediaType) string {
	switch mt {
	case types.DockerUncompressedLayer, types.OCIUncompressedLayer:
		return ".tar"
	case types.OCILayerZStd:
		return ".tar.zst"
	default:
		return ".tar.gz"
	}
}

// writeOCI writes a tar of an OCI image layout: oci-layout, the blobs, and
// index.json pointing at the manifest with the tag as its ref name.
func (p *puller) writeOCI(ctx context.Context, tw *tar.Writer) error {
	layout := []byte(`{"imageLayoutVersion":"1.0.0"}`)
	if err := writeBytes(tw, "oci-layout", layout); err != nil {
		return err
	}
	for _, d := range []string{"blobs/", "blobs/sha256/"} {
		hdr := &tar.Header{Name: d, Mode: 0o755, Typeflag: tar.TypeDir, ModTime: time.Unix(0, 0)}
		if err := tw.WriteHeader(hdr); err != nil {
			return fmt.Errorf("writing archive: %w", err)
		}
	}

	for _, b := range p.blobs {
		if err := p.writeBlob(ctx, tw, blobPath(b.Digest), b); err != nil {
			return err
		}
	}
	if err := writeBytes(tw, blobPath(p.manifest.Config.Digest), p.rawConfig); err != nil {
		return err
	}
	if err := writeBytes(tw, blobPath(p.digest), p.rawManifest); err != nil {
		return err
	}

	desc := v1.Descriptor{MediaType: p.manifest.MediaType, Digest: p.digest,
		Size: int64(len(p.rawManifest))}
	if desc.MediaType == "" {
		desc.MediaType = types.OCIManifestSchema1
	}
	if tag, ok := p.ref.(name.Tag); ok {
		desc.Annotations = map[string]string{
			"org.opencontainers.image.ref.name": tag.TagStr(),
			"io.containerd.image.name":          tag.String(),
		}
	}
	index := v1.IndexManifest{SchemaVersion: 2, MediaType: types.OCIImageIndex,
		Manifests: []v1.Descriptor{desc}}
	raw, err := json.Marshal(index)
	if err != nil {
		return fmt.Errorf("encoding index.json: %w", err)
	}
	return writeBytes(tw, "index.json", raw)
}

func blobPath(h v1.Hash) string {
	return "blobs/" + h.Algorithm + "/" + h.Hex
}

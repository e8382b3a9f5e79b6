package archive

import (
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Format is the layout of an archive, detected from its content.
type Format int

// The formats Open recognises. Whether the file was gzip-compressed as a whole
// is reported separately by Archive.Gzipped.
const (
	// DockerArchive is the classic output of docker save: manifest.json, a
	// config JSON file and one directory per layer.
	DockerArchive Format = iota + 1

	// DockerOCIArchive is the output of docker save from Docker 25 on: an OCI
	// image layout in a tar that also carries a docker manifest.json.
	DockerOCIArchive

	// OCIArchive is a tar of an OCI image layout, as skopeo's oci-archive writes.
	OCIArchive

	// OCILayout is an OCI image layout directory.
	OCILayout
)

// String returns a stable identifier of the format, such as "docker-archive".
func (f Format) String() string {
	switch f {
	case DockerArchive:
		return "docker-archive"
	case DockerOCIArchive:
		return "docker-oci-archive"
	case OCIArchive:
		return "oci-archive"
	case OCILayout:
		return "oci-layout"
	default:
		return "unknown"
	}
}

// MarshalText encodes the format as its String form, so JSON shows a name.
func (f Format) MarshalText() ([]byte, error) {
	return []byte(f.String()), nil
}

// ImageInfo describes one image of an archive as found at Open, without reading
// any layer.
type ImageInfo struct {
	// Index is the position to pass to Archive.Image and Archive.Verify.
	Index int `json:"index"`

	// Tags are the references the archive gives the image, as written there
	// (for example "ubuntu:22.04" or "docker.io/library/ubuntu:22.04").
	Tags []string `json:"tags"`

	// Name is the last path element of the first tag's repository, and Version
	// its tag, to pre-fill an upload form; both are "" without a tag.
	Name    string `json:"name"`
	Version string `json:"version"`

	// Digest is the manifest digest when the archive stores a manifest (the OCI
	// formats), and "" for a classic docker archive.
	Digest string `json:"digest,omitempty"`

	// ConfigDigest is the digest of the image config, the image ID.
	ConfigDigest string `json:"configDigest"`

	// OS, Arch and Variant are the platform from the image config.
	OS      string `json:"os"`
	Arch    string `json:"arch"`
	Variant string `json:"variant,omitempty"`

	// Created is the creation time from the config, zero when absent.
	Created time.Time `json:"created"`

	// Layers lists the layers, base first.
	Layers []LayerInfo `json:"layers"`

	// TotalSize is the sum of the layer sizes and the config size in the archive.
	TotalSize int64 `json:"totalSize"`
}

// LayerInfo describes one layer as stored in the archive.
type LayerInfo struct {
	// DiffID is the digest of the uncompressed layer tar, from the config.
	DiffID string `json:"diffId"`

	// Digest is the digest of the stored bytes. It is "" when it cannot be known
	// without reading the layer: a compressed layer of a classic docker archive.
	Digest string `json:"digest,omitempty"`

	// Size is the number of bytes the layer takes in the archive.
	Size int64 `json:"size"`

	// MediaType is the manifest's media type, or one derived from the stored
	// compression for a classic docker archive.
	MediaType string `json:"mediaType"`

	// Compressed reports whether the stored bytes are gzip or zstd compressed.
	Compressed bool `json:"compressed"`
}

// layerSpec is what Open learned about one layer.
type layerSpec struct {
	entry     string
	size      int64
	diffID    v1.Hash
	digest    v1.Hash // zero when unknown until the layer is read
	mediaType types.MediaType
	comp      compression
}

// imageSpec is what Open learned about one image.
type imageSpec struct {
	info        ImageInfo
	rawConfig   []byte
	configName  v1.Hash
	rawManifest []byte // nil for a classic docker archive: built on demand
	manifestMT  types.MediaType
	layers      []layerSpec
}

// fillInfo completes spec.info from the parsed config and layer specs.
func (spec *imageSpec) fillInfo(cfg *v1.ConfigFile, tags []string, platform *v1.Platform) {
	info := &spec.info
	info.Tags = append([]string{}, tags...)
	if len(tags) > 0 {
		info.Name, info.Version = splitTag(tags[0])
	}
	info.ConfigDigest = spec.configName.String()
	info.OS, info.Arch, info.Variant = cfg.OS, cfg.Architecture, cfg.Variant
	if info.OS == "" && info.Arch == "" && platform != nil {
		info.OS, info.Arch, info.Variant = platform.OS, platform.Architecture, platform.Variant
	}
	info.Created = cfg.Created.Time
	info.TotalSize = int64(len(spec.rawConfig))
	info.Layers = make([]LayerInfo, len(spec.layers))
	for i, l := range spec.layers {
		li := LayerInfo{
			DiffID:     l.diffID.String(),
			Size:       l.size,
			MediaType:  string(l.mediaType),
			Compressed: l.comp != compNone,
		}
		if l.digest != (v1.Hash{}) {
			li.Digest = l.digest.String()
		}
		info.Layers[i] = li
		info.TotalSize += l.size
	}
}

// splitTag returns the last path element of a reference's repository and its
// tag: "registry:5000/team/app:1.2" gives "app" and "1.2". A digest suffix is
// dropped. A string with neither "/", ":" nor "@" is taken as a bare tag, as OCI
// ref.name annotations often hold, and gives an empty name.
func splitTag(ref string) (name, version string) {
	full := false
	if i := strings.IndexByte(ref, '@'); i >= 0 {
		ref, full = ref[:i], true
	}
	if !full && !strings.ContainsAny(ref, "/:") {
		return "", ref
	}
	repo := ref
	if i := strings.LastIndexByte(ref, ':'); i > strings.LastIndexByte(ref, '/') {
		repo, version = ref[:i], ref[i+1:]
	}
	if i := strings.LastIndexByte(repo, '/'); i >= 0 {
		repo = repo[i+1:]
	}
	return repo, version
}

package sandbox

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"time"

	"github.com/distribution/distribution/v3"
	"github.com/distribution/distribution/v3/registry/storage"
	"github.com/distribution/distribution/v3/registry/storage/driver/filesystem"
	"github.com/distribution/reference"
	"github.com/opencontainers/go-digest"
)

// Limits that keep report jobs bounded on hostile images.
const (
	maxSmallBlob   = 4 << 20  // manifests and configs
	maxPackageDB   = 16 << 20 // one dpkg status or apk installed file
	maxTarEntries  = 200000   // entries read per layer
	maxReportLayer = 256      // layers read per image
)

// Package database paths inside an image, without the leading slash.
const (
	dpkgStatusPath   = "var/lib/dpkg/status"
	apkInstalledPath = "lib/apk/db/installed"
)

// imageStore reads manifests, configs and layers straight from the
// registry's filesystem storage, without going through HTTP.
type imageStore struct {
	ns distribution.Namespace
}

// newImageStore opens the registry storage under root for reading.
func newImageStore(ctx context.Context, root string) (*imageStore, error) {
	drv := filesystem.New(filesystem.DriverParameters{RootDirectory: root, MaxThreads: 25})
	ns, err := storage.NewRegistry(ctx, drv)
	if err != nil {
		return nil, fmt.Errorf("opening registry storage %s: %w", root, err)
	}
	return &imageStore{ns: ns}, nil
}

// repository opens a registry repository and parses a digest in it.
func (s *imageStore) repository(ctx context.Context, name, dgst string) (
	distribution.Repository, digest.Digest, error) {
	named, err := reference.WithName(name)
	if err != nil {
		return nil, "", err
	}
	d, err := digest.Parse(dgst)
	if err != nil {
		return nil, "", err
	}
	repo, err := s.ns.Repository(ctx, named)
	if err != nil {
		return nil, "", err
	}
	return repo, d, nil
}

// manifest reads the payload of a manifest of a registry repository.
func (s *imageStore) manifest(ctx context.Context, name, dgst string) ([]byte, error) {
	repo, d, err := s.repository(ctx, name, dgst)
	if err != nil {
		return nil, fmt.Errorf("reading manifest %s@%s: %w", name, dgst, err)
	}
	ms, err := repo.Manifests(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading manifest %s@%s: %w", name, dgst, err)
	}
	m, err := ms.Get(ctx, d)
	if err != nil {
		return nil, fmt.Errorf("reading manifest %s@%s: %w", name, dgst, err)
	}
	_, payload, err := m.Payload()
	if err != nil {
		return nil, fmt.Errorf("reading manifest %s@%s: %w", name, dgst, err)
	}
	return payload, nil
}

// open streams one blob of a registry repository.
func (s *imageStore) open(ctx context.Context, name, dgst string) (io.ReadCloser, error) {
	repo, d, err := s.repository(ctx, name, dgst)
	if err != nil {
		return nil, fmt.Errorf("opening %s@%s: %w", name, dgst, err)
	}
	rc, err := repo.Blobs(ctx).Open(ctx, d)
	if err != nil {
		return nil, fmt.Errorf("opening %s@%s: %w", name, dgst, err)
	}
	return rc, nil
}

// small reads a blob of at most maxSmallBlob bytes.
func (s *imageStore) small(ctx context.Context, name, dgst string) ([]byte, error) {
	rc, err := s.open(ctx, name, dgst)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, maxSmallBlob+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s@%s: %w", name, dgst, err)
	}
	if len(b) > maxSmallBlob {
		return nil, fmt.Errorf("reading %s@%s: larger than %d bytes", name, dgst, maxSmallBlob)
	}
	return b, nil
}

// imageConfig is the part of an image config a report shows.
type imageConfig struct {
	Created      time.Time `json:"created"`
	OS           string    `json:"os"`
	Architecture string    `json:"architecture"`
	History      []struct {
		CreatedBy  string `json:"created_by"`
		EmptyLayer bool   `json:"empty_layer"`
	} `json:"history"`
}

// imageInfo is what a report says about one image.
type imageInfo struct {
	Digest   string
	Config   imageConfig
	Layers   []layerInfo
	Packages []pkgInfo
}

// layerInfo is one layer with the command that created it.
type layerInfo struct {
	Digest    string
	Size      int64
	CreatedBy string
}

// inspect reads an image (the first image of an index) and its packages.
func (s *imageStore) inspect(ctx context.Context, name, dgst string) (imageInfo, error) {
	info := imageInfo{Digest: dgst}
	b, err := s.manifest(ctx, name, dgst)
	if err != nil {
		return info, err
	}
	var doc manifestDoc
	if err := json.Unmarshal(b, &doc); err != nil {
		return info, fmt.Errorf("decoding manifest %s@%s: %w", name, dgst, err)
	}
	if len(doc.Manifests) > 0 {
		// TODO: an index is reported through its first image only; a report
		// per platform would need one sheet set per child manifest.
		child := doc.Manifests[0].Digest
		if b, err = s.manifest(ctx, name, child); err != nil {
			return info, err
		}
		doc = manifestDoc{}
		if err := json.Unmarshal(b, &doc); err != nil {
			return info, fmt.Errorf("decoding manifest %s@%s: %w", name, child, err)
		}
	}
	if doc.Config.Digest == "" {
		return info, fmt.Errorf("manifest %s@%s has no config", name, dgst)
	}
	if len(doc.Layers) > maxReportLayer {
		return info, fmt.Errorf("manifest %s@%s has %d layers, more than %d", name, dgst,
			len(doc.Layers), maxReportLayer)
	}
	cb, err := s.small(ctx, name, doc.Config.Digest)
	if err != nil {
		return info, err
	}
	if err := json.Unmarshal(cb, &info.Config); err != nil {
		return info, fmt.Errorf("decoding config %s@%s: %w", name, doc.Config.Digest, err)
	}

	var commands []string
	for _, h := range info.Config.History {
		if !h.EmptyLayer {
			commands = append(commands, h.CreatedBy)
		}
	}
	for i, l := range doc.Layers {
		li := layerInfo{Digest: l.Digest, Size: l.Size}
		if i < len(commands) {
			li.CreatedBy = commands[i]
		}
		info.Layers = append(info.Layers, li)
	}

	var dbs packageDBs
	for _, l := range doc.Layers {
		if err := s.scanLayer(ctx, name, l.Digest, &dbs); err != nil {
			return info, err
		}
	}
	info.Packages = dbs.packages()
	return info, nil
}

// packageDBs holds the newest dpkg and apk databases seen in the layers.
type packageDBs struct {
	dpkg, apk []byte
}

// packages parses both databases.
func (d *packageDBs) packages() []pkgInfo {
	return append(parseDpkgStatus(d.dpkg), parseApkInstalled(d.apk)...)
}

// scanLayer streams one layer (gzip or plain tar) and keeps the package
// databases it holds; a whiteout removes an earlier one.
func (s *imageStore) scanLayer(ctx context.Context, name, dgst string, dbs *packageDBs) error {
	rc, err := s.open(ctx, name, dgst)
	if err != nil {
		return err
	}
	defer rc.Close()
	br := bufio.NewReader(rc)
	var r io.Reader = br
	if magic, _ := br.Peek(2); bytes.Equal(magic, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return fmt.Errorf("reading layer %s: %w", dgst, err)
		}
		defer zr.Close()
		r = zr
	}
	// TODO: zstd-compressed layers are read as plain tar and so yield no
	// packages.
	tr := tar.NewReader(r)
	for range maxTarEntries {
		if err := ctx.Err(); err != nil {
			return err
		}
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			// A layer that is not a tar archive has no package database.
			return nil
		}
		p := strings.TrimPrefix(path.Clean("/"+hdr.Name), "/")
		switch p {
		case dpkgStatusPath, apkInstalledPath:
			b, err := io.ReadAll(io.LimitReader(tr, maxPackageDB))
			if err != nil {
				return fmt.Errorf("reading %s in layer %s: %w", p, dgst, err)
			}
			if p == dpkgStatusPath {
				dbs.dpkg = b
			} else {
				dbs.apk = b
			}
		case path.Join(path.Dir(dpkgStatusPath), ".wh.status"):
			dbs.dpkg = nil
		case path.Join(path.Dir(apkInstalledPath), ".wh.installed"):
			dbs.apk = nil
		}
	}
	return nil
}

// pkgInfo is one installed package.
type pkgInfo struct {
	Name    string
	Version string
	Arch    string
	Source  string // "dpkg" or "apk"
}

// parseDpkgStatus reads the installed packages of a dpkg status file.
func parseDpkgStatus(b []byte) []pkgInfo {
	var out []pkgInfo
	for _, para := range splitParagraphs(b) {
		var p pkgInfo
		status := ""
		for _, line := range para {
			if line == "" || line[0] == ' ' || line[0] == '\t' {
				continue
			}
			key, val, ok := strings.Cut(line, ":")
			if !ok {
				continue
			}
			val = strings.TrimSpace(val)
			switch key {
			case "Package":
				p.Name = val
			case "Version":
				p.Version = val
			case "Architecture":
				p.Arch = val
			case "Status":
				status = val
			}
		}
		if p.Name == "" || (status != "" && !strings.HasSuffix(status, " installed")) {
			continue
		}
		p.Source = "dpkg"
		out = append(out, p)
	}
	return out
}

// parseApkInstalled reads the packages of an apk installed database.
func parseApkInstalled(b []byte) []pkgInfo {
	var out []pkgInfo
	for _, para := range splitParagraphs(b) {
		var p pkgInfo
		for _, line := range para {
			if len(line) < 2 || line[1] != ':' {
				continue
			}
			switch line[0] {
			case 'P':
				p.Name = line[2:]
			case 'V':
				p.Version = line[2:]
			case 'A':
				p.Arch = line[2:]
			}
		}
		if p.Name == "" {
			continue
		}
		p.Source = "apk"
		out = append(out, p)
	}
	return out
}

// splitParagraphs splits text into blank-line separated groups of lines.
func splitParagraphs(b []byte) [][]string {
	var (
		out [][]string
		cur []string
	)
	for _, line := range strings.Split(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n") {
		if strings.TrimSpace(line) == "" {
			if len(cur) > 0 {
				out = append(out, cur)
				cur = nil
			}
			continue
		}
		cur = append(cur, line)
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

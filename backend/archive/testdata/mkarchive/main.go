// Command mkarchive writes a small image archive for tests: N layers of
// incompressible bytes of a given size, tagged name:version, in one of the formats
// package archive accepts, optionally gzip-compressed as a whole, and optionally
// broken in a chosen way (see breaks).
//
//	go run ./backend/archive/testdata/mkarchive -o FILE -layers N -size BYTES \
//	    -tag name:version [-format docker|docker-oci|oci|layout] [-gzip] \
//	    [-images N] [-seed S] [-break MODE]
//
// The same seed gives the same bytes, so two runs with the same flags write
// archives whose layers have the same diff ids.
package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// spec is what the flags ask for.
type spec struct {
	out     string
	layers  int
	size    int64
	tag     string
	format  string
	gzip    bool
	images  int
	seed    uint64
	breakIt string
}

func main() {
	var s spec
	flag.StringVar(&s.out, "o", "", "write the archive to `FILE` (a directory for -format layout)")
	flag.IntVar(&s.layers, "layers", 2, "number of layers per image")
	flag.Int64Var(&s.size, "size", 64<<10, "bytes of random content per layer")
	flag.StringVar(&s.tag, "tag", "demo:v1", "tag as `name:version`")
	flag.StringVar(&s.format, "format", "docker", "docker, docker-oci, oci or layout")
	flag.BoolVar(&s.gzip, "gzip", false, "gzip the whole archive (not for layout)")
	flag.IntVar(&s.images, "images", 1,
		"number of images; the second and later are tagged name2, name3, …")
	flag.Uint64Var(&s.seed, "seed", 1, "seed of the layer content")
	flag.StringVar(&s.breakIt, "break", "", "write an archive broken in `MODE`: "+breakModes())
	flag.Parse()
	if err := run(s); err != nil {
		fmt.Fprintln(os.Stderr, "mkarchive: "+err.Error())
		os.Exit(1)
	}
}

func run(s spec) error {
	switch {
	case s.out == "":
		return errors.New("-o is required")
	case s.layers < 1 || s.layers > 64:
		return errors.New("-layers must be 1 to 64")
	case s.size < 1 || s.size > 1<<30:
		return errors.New("-size must be 1 byte to 1 GiB")
	case s.images < 1 || s.images > 8:
		return errors.New("-images must be 1 to 8")
	case !strings.Contains(s.tag, ":"):
		return errors.New("-tag must be name:version")
	case s.breakIt != "" && !knownBreak(s.breakIt):
		return fmt.Errorf("unknown -break %q; one of %s", s.breakIt, breakModes())
	}
	imgs := make([]image, s.images)
	for i := range imgs {
		tag := s.tag
		if i > 0 {
			n, v, _ := strings.Cut(s.tag, ":")
			tag = fmt.Sprintf("%s%d:%s", n, i+1, v)
		}
		imgs[i] = makeImage(tag, s.layers, s.size, s.seed+uint64(i)*1000)
	}
	var files []file
	switch s.format {
	case "docker":
		files = dockerFiles(imgs, s.breakIt)
	case "docker-oci", "oci", "layout":
		files = ociFiles(imgs, s.breakIt, s.format == "docker-oci")
	default:
		return fmt.Errorf("unknown -format %q", s.format)
	}
	if b, ok := breaks[s.breakIt]; ok {
		var changed bool
		if files, changed = b(files); !changed {
			return fmt.Errorf("-break %s does not apply to -format %s", s.breakIt, s.format)
		}
	}
	if s.format == "layout" {
		return writeDir(s.out, files)
	}
	return writeTar(s.out, files, s.gzip)
}

// image is one generated image: its uncompressed layers and its config.
type image struct {
	tag    string
	layers [][]byte
	diffs  []string
	config []byte
}

// makeImage builds layers of random bytes, each a tar holding one file.
func makeImage(tag string, n int, size int64, seed uint64) image {
	img := image{tag: tag}
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	for i := range n {
		data := make([]byte, size)
		for j := range data {
			data[j] = byte(rng.Uint32())
		}
		var buf bytes.Buffer
		tw := tar.NewWriter(&buf)
		_ = tw.WriteHeader(&tar.Header{
			Name: fmt.Sprintf("data/layer-%d.bin", i), Mode: 0o644, Size: size,
			ModTime: time.Unix(1700000000, 0), Typeflag: tar.TypeReg,
		})
		_, _ = tw.Write(data)
		_ = tw.Close()
		img.layers = append(img.layers, buf.Bytes())
		img.diffs = append(img.diffs, digest(buf.Bytes()))
	}
	cfg := map[string]any{
		"architecture": "amd64",
		"os":           "linux",
		"created":      "2024-01-02T03:04:05Z",
		"config":       map[string]any{"Env": []string{"PATH=/usr/bin"}},
		"rootfs":       map[string]any{"type": "layers", "diff_ids": img.diffs},
	}
	img.config, _ = json.Marshal(cfg)
	return img
}

// file is one entry of the archive: a regular file, or a symbolic link when
// link is set.
type file struct {
	name string
	body []byte
	link string
}

// dockerFiles lays images out as classic docker save does.
func dockerFiles(imgs []image, breakIt string) []file {
	var files []file
	var manifest []map[string]any
	seen := map[string]bool{}
	for _, img := range imgs {
		cfgName := hexOf(img.config) + ".json"
		files = append(files, file{name: cfgName, body: img.config})
		var paths []string
		for i, l := range img.layers {
			p := strings.TrimPrefix(img.diffs[i], "sha256:") + "/layer.tar"
			paths = append(paths, p)
			if seen[p] {
				continue
			}
			seen[p] = true
			body := l
			if breakIt == "digest" && i == len(img.layers)-1 {
				body = flipped(l)
			}
			if breakIt != "missing-layer" || i != len(img.layers)-1 {
				files = append(files, file{name: p, body: body})
			}
		}
		manifest = append(manifest, map[string]any{
			"Config": cfgName, "RepoTags": []string{img.tag}, "Layers": paths,
		})
	}
	mb, _ := json.Marshal(manifest)
	return append(files, file{name: "manifest.json", body: mb})
}

// ociFiles lays images out as an OCI image layout with gzip layers; withDocker
// adds the manifest.json of docker save from Docker 25 on.
func ociFiles(imgs []image, breakIt string, withDocker bool) []file {
	blobs := map[string][]byte{}
	var index []map[string]any
	var dockerManifest []map[string]any
	for _, img := range imgs {
		var layers []map[string]any
		var paths []string
		for i, l := range img.layers {
			gz := gzipped(l)
			d := digest(gz)
			layers = append(layers, desc("application/vnd.oci.image.layer.v1.tar+gzip", gz))
			paths = append(paths, "blobs/sha256/"+strings.TrimPrefix(d, "sha256:"))
			switch {
			case breakIt == "digest" && i == len(img.layers)-1:
				blobs[d] = flipped(gz)
			case breakIt == "missing-layer" && i == len(img.layers)-1:
			default:
				blobs[d] = gz
			}
		}
		blobs[digest(img.config)] = img.config
		m, _ := json.Marshal(map[string]any{
			"schemaVersion": 2,
			"mediaType":     "application/vnd.oci.image.manifest.v1+json",
			"config":        desc("application/vnd.oci.image.config.v1+json", img.config),
			"layers":        layers,
		})
		blobs[digest(m)] = m
		md := desc("application/vnd.oci.image.manifest.v1+json", m)
		_, version, _ := strings.Cut(img.tag, ":")
		md["annotations"] = map[string]string{
			"io.containerd.image.name":          "docker.io/library/" + img.tag,
			"org.opencontainers.image.ref.name": version,
		}
		index = append(index, md)
		dockerManifest = append(dockerManifest, map[string]any{
			"Config":   "blobs/sha256/" + hexOf(img.config),
			"RepoTags": []string{img.tag},
			"Layers":   paths,
		})
	}
	ib, _ := json.Marshal(map[string]any{
		"schemaVersion": 2,
		"mediaType":     "application/vnd.oci.image.index.v1+json",
		"manifests":     index,
	})
	files := []file{
		{name: "oci-layout", body: []byte(`{"imageLayoutVersion":"1.0.0"}`)},
		{name: "index.json", body: ib},
	}
	names := make([]string, 0, len(blobs))
	for d := range blobs {
		names = append(names, d)
	}
	sort.Strings(names)
	for _, d := range names {
		name := "blobs/sha256/" + strings.TrimPrefix(d, "sha256:")
		files = append(files, file{name: name, body: blobs[d]})
	}
	if withDocker {
		mb, _ := json.Marshal(dockerManifest)
		files = append(files, file{name: "manifest.json", body: mb})
	}
	return files
}

func desc(mediaType string, b []byte) map[string]any {
	return map[string]any{"mediaType": mediaType, "digest": digest(b), "size": len(b)}
}

// writeTar writes files as a tar, gzip-compressed as a whole when asked.
func writeTar(path string, files []file, gz bool) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	var w io.Writer = f
	var zw *gzip.Writer
	if gz {
		zw = gzip.NewWriter(f)
		w = zw
	}
	tw := tar.NewWriter(w)
	dirs := map[string]bool{}
	for _, fl := range files {
		dir := filepath.Dir(fl.name)
		if dir != "." && filepath.IsLocal(dir) && !dirs[dir] {
			dirs[dir] = true
			err = tw.WriteHeader(&tar.Header{Name: dir + "/", Mode: 0o755,
				Typeflag: tar.TypeDir, ModTime: time.Unix(1700000000, 0)})
			if err != nil {
				break
			}
		}
		h := &tar.Header{Name: fl.name, Mode: 0o644, Size: int64(len(fl.body)),
			Typeflag: tar.TypeReg, ModTime: time.Unix(1700000000, 0)}
		if fl.link != "" {
			h.Typeflag, h.Linkname, h.Size = tar.TypeSymlink, fl.link, 0
		}
		err = tw.WriteHeader(h)
		if err == nil && fl.link == "" {
			_, err = tw.Write(fl.body)
		}
		if err != nil {
			break
		}
	}
	if err == nil {
		err = tw.Close()
	}
	if err == nil && zw != nil {
		err = zw.Close()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// writeDir writes files under dir, which must not exist yet or be empty.
func writeDir(dir string, files []file) error {
	for _, fl := range files {
		if fl.link != "" || !filepath.IsLocal(fl.name) {
			return fmt.Errorf("%s: a layout directory holds only plain local files", fl.name)
		}
		p := filepath.Join(dir, filepath.FromSlash(fl.name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, fl.body, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func gzipped(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = zw.Write(b)
	_ = zw.Close()
	return buf.Bytes()
}

// flipped returns a copy of b with one byte near the end changed.
func flipped(b []byte) []byte {
	c := bytes.Clone(b)
	c[len(c)-len(c)/4-1] ^= 0xff
	return c
}

func digest(b []byte) string { return "sha256:" + hexOf(b) }

func hexOf(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

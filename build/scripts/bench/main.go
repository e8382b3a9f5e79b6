// Command bench writes the uncompressed docker-archive that `make bench` pushes
// and pulls. Unlike the test generator in backend/archive/testdata/mkarchive,
// whose layers are one file of random bytes and which stops at 64 layers, each
// layer here is a tar of many files of realistic sizes, part random bytes (like
// compressed assets and stripped code) and part text (like sources, scripts and
// configuration), so that gzip has real work to do, and it streams layer by
// layer so a 1 GiB archive needs one layer in memory at a time.
//
//	go run ./build/scripts/bench -o FILE -layers N -size BYTES [-random 0.35] \
//	    [-tag name:version] [-seed S]
//
// The same flags write the same bytes.
package main

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"time"
)

// spec is what the flags ask for.
type spec struct {
	out    string
	layers int
	size   int64
	random float64
	tag    string
	seed   uint64
}

// mtime is the fixed modification time of every entry, for repeatable bytes.
var mtime = time.Unix(1700000000, 0)

func main() {
	var s spec
	flag.StringVar(&s.out, "o", "", "write the archive to `FILE`")
	flag.IntVar(&s.layers, "layers", 4, "number of layers")
	flag.Int64Var(&s.size, "size", 256<<20, "file content `BYTES` per layer")
	flag.Float64Var(&s.random, "random", 0.35, "share of random (incompressible) bytes")
	flag.StringVar(&s.tag, "tag", "bench/big:v1", "tag as `name:version`")
	flag.Uint64Var(&s.seed, "seed", 1, "seed of the content")
	flag.Parse()
	if err := run(s); err != nil {
		fmt.Fprintln(os.Stderr, "bench: "+err.Error())
		os.Exit(1)
	}
}

func run(s spec) error {
	switch {
	case s.out == "":
		return errors.New("-o is required")
	case s.layers < 1 || s.layers > 1000:
		return errors.New("-layers must be 1 to 1000")
	case s.size < 1 || s.size > 4<<30:
		return errors.New("-size must be 1 byte to 4 GiB")
	case s.random < 0 || s.random > 1:
		return errors.New("-random must be 0 to 1")
	case !strings.Contains(s.tag, ":"):
		return errors.New("-tag must be name:version")
	}
	f, err := os.Create(s.out + ".part")
	if err != nil {
		return err
	}
	err = write(f, s)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(s.out+".part", s.out)
	}
	if err != nil {
		_ = os.Remove(s.out + ".part")
		return fmt.Errorf("writing %s: %w", s.out, err)
	}
	return nil
}

// write streams the archive: each layer is built in memory, hashed and
// written, then the config and manifest.json follow.
func write(f *os.File, s spec) error {
	tw := tar.NewWriter(f)
	g := newGen(s.seed)
	var diffs, paths []string
	var buf bytes.Buffer
	for i := range s.layers {
		buf.Reset()
		if err := g.layer(&buf, i, s.size, s.random); err != nil {
			return err
		}
		sum := sha256.Sum256(buf.Bytes())
		h := hex.EncodeToString(sum[:])
		diffs = append(diffs, "sha256:"+h)
		paths = append(paths, h+"/layer.tar")
		if err := entry(tw, h+"/", nil); err != nil {
			return err
		}
		if err := entry(tw, h+"/layer.tar", buf.Bytes()); err != nil {
			return err
		}
	}
	cfg, err := json.Marshal(map[string]any{
		"architecture": "amd64",
		"os":           "linux",
		"created":      "2024-01-02T03:04:05Z",
		"config":       map[string]any{"Env": []string{"PATH=/usr/bin"}},
		"rootfs":       map[string]any{"type": "layers", "diff_ids": diffs},
	})
	if err != nil {
		return err
	}
	sum := sha256.Sum256(cfg)
	cfgName := hex.EncodeToString(sum[:]) + ".json"
	man, err := json.Marshal([]map[string]any{
		{"Config": cfgName, "RepoTags": []string{s.tag}, "Layers": paths},
	})
	if err != nil {
		return err
	}
	if err := entry(tw, cfgName, cfg); err != nil {
		return err
	}
	if err := entry(tw, "manifest.json", man); err != nil {
		return err
	}
	return tw.Close()
}

// entry writes one file, or a directory when name ends in a slash.
func entry(tw *tar.Writer, name string, body []byte) error {
	h := &tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), ModTime: mtime,
		Typeflag: tar.TypeReg}
	if strings.HasSuffix(name, "/") {
		h.Mode, h.Typeflag = 0o755, tar.TypeDir
	}
	if err := tw.WriteHeader(h); err != nil {
		return err
	}
	_, err := tw.Write(body)
	return err
}

// gen makes the content: random bytes from a ChaCha8 stream and text from a
// fixed vocabulary of made-up words.
type gen struct {
	rng   *rand.Rand
	zipf  *rand.Zipf
	bytes *rand.ChaCha8
	words [][]byte
}

func newGen(seed uint64) *gen {
	var key [32]byte
	for i := range key {
		key[i] = byte(seed >> (8 * (i % 8)))
	}
	g := &gen{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		bytes: rand.NewChaCha8(key)}
	const letters = "abcdefghijklmnopqrstuvwxyz_"
	for range 2048 {
		w := make([]byte, 2+g.rng.IntN(10))
		for j := range w {
			w[j] = letters[g.rng.IntN(len(letters))]
		}
		g.words = append(g.words, w)
	}
	// Word frequencies follow Zipf's law, as in natural and program text.
	g.zipf = rand.NewZipf(g.rng, 1.1, 1, uint64(len(g.words)-1))
	return g
}

// layer writes a tar of files whose contents add up to size bytes, with file
// sizes spread log-uniformly from 512 B to 8 MiB, each file random or text so
// that the random share of the bytes stays near share.
func (g *gen) layer(w *bytes.Buffer, n int, size int64, share float64) error {
	w.Grow(int(size + size/64 + 1<<20))
	tw := tar.NewWriter(w)
	var done, random int64
	for i := 0; done < size; i++ {
		fsize := int64(math.Exp(math.Log(512) + g.rng.Float64()*(math.Log(8<<20)-math.Log(512))))
		fsize = min(fsize, size-done)
		isRandom := float64(random+fsize) <= share*float64(done+fsize)+float64(fsize)/2
		name := fmt.Sprintf("opt/bench/layer%d/dir%02d/file%05d.txt", n, i%37, i)
		if isRandom {
			name = fmt.Sprintf("opt/bench/layer%d/dir%02d/file%05d.bin", n, i%37, i)
		}
		err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: fsize,
			ModTime: mtime, Typeflag: tar.TypeReg})
		if err != nil {
			return err
		}
		body := make([]byte, fsize)
		if isRandom {
			_, _ = g.bytes.Read(body)
			random += fsize
		} else {
			g.text(body)
		}
		if _, err := tw.Write(body); err != nil {
			return err
		}
		done += fsize
	}
	return tw.Close()
}

// text fills b with lines of words, numbers and indentation.
func (g *gen) text(b []byte) {
	i := 0
	for i < len(b) {
		switch r := g.rng.IntN(16); {
		case r == 0:
			i += copy(b[i:], "\n")
		case r == 1:
			i += copy(b[i:], "\n    ")
		case r == 2:
			i += copy(b[i:], " ")
			i += copy(b[i:], strconv.Itoa(g.rng.IntN(100000)))
		default:
			i += copy(b[i:], " ")
			i += copy(b[i:], g.words[g.zipf.Uint64()])
		}
	}
}

package registry

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/klauspost/compress/gzip"

	"imagedesk/backend/archive"
	"imagedesk/backend/testregistry"
)

// gzipMembers counts the gzip members of a stream and checks that each is
// valid on its own.
func gzipMembers(t *testing.T, r io.Reader) int {
	t.Helper()
	br := bufio.NewReader(r)
	zr, err := gzip.NewReader(br)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for {
		zr.Multistream(false)
		if _, err := io.Copy(io.Discard, zr); err != nil {
			t.Fatalf("member %d: %v", n, err)
		}
		n++
		if err := zr.Reset(br); err == io.EOF {
			return n
		} else if err != nil {
			t.Fatalf("after member %d: %v", n, err)
		}
	}
}

// blobMembers counts the gzip members of each layer blob of a pushed image.
func blobMembers(t *testing.T, ref name.Reference) []int {
	t.Helper()
	img, err := remote.Image(ref)
	if err != nil {
		t.Fatal(err)
	}
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	var counts []int
	for _, l := range layers {
		rc, err := l.Compressed()
		if err != nil {
			t.Fatal(err)
		}
		counts = append(counts, gzipMembers(t, rc))
		rc.Close()
	}
	return counts
}

func TestPushMultiMemberLayers(t *testing.T) {
	t.Parallel()
	reg := newDistRegistry(t)
	// 20 MiB: three members of segmentSize or less; 10 KiB: one.
	img := archiveImage(t, layerSpec{20 << 20, 41}, layerSpec{10 << 10, 42})
	res, err := Push(t.Context(), img, reg.ref(t, "basic/multi:V1"))
	if err != nil {
		t.Fatal(err)
	}
	checkPushed(t, reg, img, res, "basic/multi:V1", types.DockerManifestSchema2, nil)
	if diff := cmp.Diff([]int{3, 1}, blobMembers(t, reg.ref(t, "basic/multi:V1"))); diff != "" {
		t.Errorf("gzip members per layer (-want +got):\n%s", diff)
	}

	out := filepath.Join(t.TempDir(), "pulled.tar")
	if _, err := Pull(t.Context(), reg.ref(t, "basic/multi:V1"), out, FormatDocker); err != nil {
		t.Fatal(err)
	}
	archiveHolds(t, out, img)
}

func TestPushFixedLevelIsOneMember(t *testing.T) {
	t.Parallel()
	reg := newDistRegistry(t)
	img := archiveImage(t, layerSpec{12 << 20, 43})
	var digests []v1.Hash
	for i := range 2 {
		tag := fmt.Sprintf("basic/fixed:V%d", i)
		res, err := Push(t.Context(), img, reg.ref(t, tag), WithCompressionLevel(gzip.BestSpeed))
		if err != nil {
			t.Fatal(err)
		}
		checkPushed(t, reg, img, res, tag, types.DockerManifestSchema2, nil)
		if diff := cmp.Diff([]int{1}, blobMembers(t, reg.ref(t, tag))); diff != "" {
			t.Errorf("gzip members (-want +got):\n%s", diff)
		}
		digests = append(digests, res.Digest)
	}
	if digests[0] != digests[1] {
		t.Errorf("a fixed level gave two digests: %v", digests)
	}
}

// compressLevels gzips size bytes adaptively while consume reads the result,
// and returns the level of each member.
func compressLevels(t *testing.T, size int64, consume func(io.Reader) error) []int {
	t.Helper()
	src := io.NopCloser(io.LimitReader(newMixedReader(7), size))
	c, err := startCompress(src, CompressionAuto, false, true, func(int64) {})
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.finish(consume(c))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.levels) != int((size+segmentSize-1)/segmentSize) {
		t.Fatalf("%d members for %d bytes", len(res.levels), size)
	}
	return res.levels
}

func TestCompressionFollowsConsumer(t *testing.T) {
	const size = 5 * segmentSize

	t.Run("instant", func(t *testing.T) {
		levels := compressLevels(t, size, func(r io.Reader) error {
			_, err := io.Copy(io.Discard, r)
			return err
		})
		t.Logf("levels %v", levels)
		// The first member is always slowLevel; most later ones should not be.
		fast := 0
		for _, l := range levels[1:] {
			if l == fastLevel {
				fast++
			}
		}
		if fast < len(levels[1:])/2 {
			t.Errorf("levels %v: an instant consumer should get mostly %d", levels, fastLevel)
		}
	})

	t.Run("throttled", func(t *testing.T) {
		// About 16 MB/s, far below what either level produces.
		levels := compressLevels(t, size, func(r io.Reader) error {
			buf := make([]byte, 32<<10)
			for {
				if _, err := io.ReadFull(r, buf); err == io.EOF || err == io.ErrUnexpectedEOF {
					return nil
				} else if err != nil {
					return err
				}
				time.Sleep(2 * time.Millisecond)
			}
		})
		t.Logf("levels %v", levels)
		for _, l := range levels {
			if l != slowLevel {
				t.Fatalf("levels %v: a slow consumer should get only %d", levels, slowLevel)
			}
		}
	})
}

func TestLevelPicker(t *testing.T) {
	t.Parallel()
	const seg = 100 * time.Millisecond
	step := func(p *levelPicker, share, spare float64) int {
		p.next(time.Duration(share*float64(seg)), seg, spare)
		return p.level
	}

	p := levelPicker{level: slowLevel}
	if got := step(&p, 0.5, 1); got != slowLevel {
		t.Errorf("slow level left at a blocked share of 0.5")
	}
	if got := step(&p, 0.1, 1); got != fastLevel {
		t.Errorf("slow level kept at a blocked share of 0.1")
	}
	if got := step(&p, 0.9, 0.05); got != fastLevel {
		t.Errorf("fast level left although the CPUs were busy")
	}
	if got := step(&p, 0.9, 0.5); got != slowLevel {
		t.Errorf("fast level kept although the consumer was slow and CPUs idle")
	}
	// Held at the slow level for holdSegments members, however fast the consumer.
	for i := range holdSegments {
		if got := step(&p, 0, 1); got != slowLevel {
			t.Fatalf("left the slow level after %d of %d held members", i+1, holdSegments)
		}
	}
	if got := step(&p, 0, 1); got != fastLevel {
		t.Errorf("fast level not tried again after the hold")
	}
	// A second failure doubles the hold.
	step(&p, 0.9, 0.5)
	if p.hold != 2*holdSegments {
		t.Errorf("hold %d after a second failure, want %d", p.hold, 2*holdSegments)
	}
	if len(p.levels) != 10 {
		t.Errorf("%d levels recorded, want 10", len(p.levels))
	}
}

func TestCompressEmptyLayer(t *testing.T) {
	t.Parallel()
	for _, level := range []int{CompressionAuto, gzip.BestSpeed} {
		c, err := startCompress(io.NopCloser(bytes.NewReader(nil)), level, false, true,
			func(int64) {})
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		res, err := c.finish(func() error { _, err := io.Copy(&buf, c); return err }())
		if err != nil {
			t.Fatal(err)
		}
		empty := sha256.Sum256(nil)
		if res.diffID.Hex != fmt.Sprintf("%x", empty) || res.size != int64(buf.Len()) {
			t.Errorf("level %d: result %+v for %d bytes", level, res, buf.Len())
		}
		if n := gzipMembers(t, &buf); n != 1 {
			t.Errorf("level %d: %d members", level, n)
		}
	}
}

func TestSkopeoCopiesMultiMemberLayers(t *testing.T) {
	t.Parallel()
	skopeo, err := exec.LookPath("skopeo")
	if err != nil {
		t.Skip("skopeo is not installed")
	}
	host := testregistry.Start(t).Addr
	ref, err := name.ParseReference(host+"/basic/skopeo:V1", name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	img := archiveImage(t, layerSpec{18 << 20, 44}, layerSpec{64 << 10, 45})
	if _, err := Push(t.Context(), img, ref); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int{3, 1}, blobMembers(t, ref)); diff != "" {
		t.Errorf("gzip members per layer (-want +got):\n%s", diff)
	}

	out := filepath.Join(t.TempDir(), "copied.tar")
	cmd := exec.CommandContext(t.Context(), skopeo, "copy", "--quiet",
		"--src-tls-verify=false", "docker://"+ref.String(), "docker-archive:"+out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("skopeo copy: %v\n%s", err, b)
	}
	archiveHolds(t, out, img)
}

// archiveHolds opens the archive at path, verifies its layers and compares its
// first image with want.
func archiveHolds(t *testing.T, path string, want v1.Image) {
	t.Helper()
	a, err := archive.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := a.Verify(t.Context(), 0, nil); err != nil {
		t.Fatal(err)
	}
	got, err := a.Image(0)
	if err != nil {
		t.Fatal(err)
	}
	compareImages(t, want, got)
}

func TestOnThisMachine(t *testing.T) {
	t.Parallel()
	for host, want := range map[string]bool{
		"127.0.0.1:5000": true, "localhost:5000": true, "[::1]:443": true, "127.0.0.2": true,
		"registry.example.test": false, "10.0.0.8:5000": false, "[2001:db8::1]:5000": false,
	} {
		if got := onThisMachine(host); got != want {
			t.Errorf("onThisMachine(%q) = %v, want %v", host, got, want)
		}
	}
}

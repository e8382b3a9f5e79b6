package registry

import (
	"archive/tar"
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/distribution/distribution/v3/configuration"
	"github.com/distribution/distribution/v3/registry/handlers"
	_ "github.com/distribution/distribution/v3/registry/storage/driver/filesystem"
	"github.com/google/go-containerregistry/pkg/name"
	gcrregistry "github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/sirupsen/logrus"
)

// quietDistribution silences distribution's logrus output once per process.
var quietDistribution sync.Once

// testRegistry is an in-process registry behind httptest on 127.0.0.1, with
// hooks to count, fail and refuse requests.
type testRegistry struct {
	srv *httptest.Server
	// patched counts the request body bytes of blob uploads (PATCH and PUT).
	patched atomic.Int64
	// commits counts finished blob uploads.
	commits atomic.Int64
	// fail503 makes that many upcoming PATCH requests answer 503.
	fail503 atomic.Int64
	// served503 counts the 503 answers given.
	served503 atomic.Int64
	// down makes every request fail by dropping the connection.
	down atomic.Bool
	// downAfterCommits, when above 0, sets down once that many uploads finished.
	downAfterCommits atomic.Int64
	// rewriteDigest makes manifest HEAD answers report a wrong digest.
	rewriteDigest atomic.Bool
	// corruptBlobs flips a byte in every blob body served.
	corruptBlobs atomic.Bool
	// truncateOnce cuts the next blob download off after 1000 bytes.
	truncateOnce atomic.Bool
	// ranged counts blob downloads asking for a byte range.
	ranged atomic.Int64
}

// newGCRRegistry starts go-containerregistry's in-memory registry.
func newGCRRegistry(t testing.TB) *testRegistry {
	t.Helper()
	h := gcrregistry.New(gcrregistry.Logger(log.New(io.Discard, "", 0)))
	return startRegistry(t, h)
}

// newDistRegistry starts CNCF distribution with filesystem storage in a
// temporary directory.
func newDistRegistry(t testing.TB) *testRegistry {
	t.Helper()
	quietDistribution.Do(func() {
		logrus.SetOutput(io.Discard)
		logrus.SetLevel(logrus.ErrorLevel)
	})
	noPurge := map[any]any{"enabled": false}
	cfg := &configuration.Configuration{
		Storage: configuration.Storage{
			"filesystem":  configuration.Parameters{"rootdirectory": t.TempDir()},
			"delete":      configuration.Parameters{"enabled": true},
			"maintenance": configuration.Parameters{"uploadpurging": noPurge},
		},
	}
	cfg.HTTP.Secret = "test-secret-not-used-for-anything"
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	return startRegistry(t, handlers.NewApp(ctx, cfg))
}

func startRegistry(t testing.TB, h http.Handler) *testRegistry {
	r := &testRegistry{}
	r.srv = httptest.NewServer(r.wrap(h))
	t.Cleanup(r.srv.Close)
	return r
}

// host returns "127.0.0.1:port".
func (r *testRegistry) host() string {
	return strings.TrimPrefix(r.srv.URL, "http://")
}

// ref parses a reference on this registry.
func (r *testRegistry) ref(t testing.TB, s string) name.Reference {
	t.Helper()
	ref, err := name.ParseReference(r.host()+"/"+s, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	return ref
}

func (r *testRegistry) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if r.down.Load() {
			dropConnection(w)
			return
		}
		upload := strings.Contains(req.URL.Path, "/blobs/uploads/")
		if upload && req.Method == http.MethodPatch && r.fail503.Add(-1) >= 0 {
			io.Copy(io.Discard, req.Body)
			r.served503.Add(1)
			http.Error(w, "try later", http.StatusServiceUnavailable)
			return
		}
		if upload && (req.Method == http.MethodPatch || req.Method == http.MethodPut) {
			req.Body = &countingBody{rc: req.Body, n: &r.patched}
		}
		if strings.Contains(req.URL.Path, "/manifests/") && r.rewriteDigest.Load() {
			w = &digestRewriter{ResponseWriter: w}
		}
		if strings.Contains(req.URL.Path, "/blobs/sha256:") && req.Method == http.MethodGet &&
			r.corruptBlobs.Load() {
			w = &corruptWriter{ResponseWriter: w}
		}
		blobGet := strings.Contains(req.URL.Path, "/blobs/sha256:") &&
			req.Method == http.MethodGet
		if blobGet && req.Header.Get("Range") != "" {
			r.ranged.Add(1)
		}
		if blobGet && r.truncateOnce.CompareAndSwap(true, false) {
			tw := &truncWriter{ResponseWriter: w, left: 1000}
			h.ServeHTTP(tw, req)
			if !tw.cut {
				// Too small to cut: wait for a bigger blob.
				r.truncateOnce.Store(true)
				return
			}
			w.(http.Flusher).Flush()
			panic(http.ErrAbortHandler)
		}
		rec := &statusRecorder{ResponseWriter: w}
		h.ServeHTTP(rec, req)
		if upload && req.Method == http.MethodPut && rec.status == http.StatusCreated {
			n := r.commits.Add(1)
			if lim := r.downAfterCommits.Load(); lim > 0 && n >= lim {
				r.down.Store(true)
			}
		}
	})
}

// dropConnection closes the client connection without an answer, as a
// registry that went away would.
func dropConnection(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("response writer cannot hijack")
	}
	conn, _, err := hj.Hijack()
	if err == nil {
		conn.Close()
	}
}

type countingBody struct {
	rc io.ReadCloser
	n  *atomic.Int64
}

func (c *countingBody) Read(p []byte) (int, error) {
	n, err := c.rc.Read(p)
	c.n.Add(int64(n))
	return n, err
}

func (c *countingBody) Close() error { return c.rc.Close() }

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

type digestRewriter struct{ http.ResponseWriter }

func (d *digestRewriter) WriteHeader(code int) {
	if d.Header().Get("Docker-Content-Digest") != "" {
		d.Header().Set("Docker-Content-Digest", "sha256:"+strings.Repeat("0", 64))
	}
	d.ResponseWriter.WriteHeader(code)
}

type corruptWriter struct {
	http.ResponseWriter
	done bool
}

func (c *corruptWriter) Write(p []byte) (int, error) {
	if !c.done && len(p) > 0 {
		q := append([]byte(nil), p...)
		q[len(q)/2] ^= 0xff
		c.done = true
		return c.ResponseWriter.Write(q)
	}
	return c.ResponseWriter.Write(p)
}

// truncWriter passes on only the first left bytes of a body.
type truncWriter struct {
	http.ResponseWriter
	left int
	cut  bool
}

func (w *truncWriter) Write(p []byte) (int, error) {
	n := min(len(p), w.left)
	w.cut = w.cut || n < len(p)
	w.left -= n
	if _, err := w.ResponseWriter.Write(p[:n]); err != nil {
		return 0, err
	}
	return len(p), nil
}

// fastRetry keeps retry waits short in tests.
var fastRetry = WithRetry(3, 10*time.Millisecond)

// layerSpec describes one layer of a generated docker archive.
type layerSpec struct {
	size int64 // bytes of file content in the layer
	seed uint64
}

// writeDockerArchive writes a classic docker-save archive with uncompressed
// layers, streaming, and returns its path.
func writeDockerArchive(t testing.TB, dir string, layers []layerSpec) string {
	t.Helper()
	path := filepath.Join(dir, "image.tar")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<20)
	tw := tar.NewWriter(bw)

	var diffIDs []string
	var names []string
	for i, l := range layers {
		tmp := filepath.Join(dir, "layer.tmp")
		diffID, size := writeLayerTar(t, tmp, l)
		entry := hex.EncodeToString([]byte{byte(i)}) + "/layer.tar"
		copyFileIntoTar(t, tw, entry, tmp, size)
		os.Remove(tmp)
		diffIDs = append(diffIDs, diffID)
		names = append(names, entry)
	}

	cfg, _ := json.Marshal(map[string]any{
		"architecture": "amd64", "os": "linux",
		"config": map[string]any{"Env": []string{"PATH=/bin"}},
		"rootfs": map[string]any{"type": "layers", "diff_ids": diffIDs},
	})
	cfgSum := sha256.Sum256(cfg)
	cfgName := hex.EncodeToString(cfgSum[:]) + ".json"
	writeTarEntry(t, tw, cfgName, cfg)
	manifest, _ := json.Marshal([]map[string]any{{
		"Config": cfgName, "RepoTags": []string{"example.com/test:v1"}, "Layers": names,
	}})
	writeTarEntry(t, tw, "manifest.json", manifest)

	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := bw.Flush(); err != nil {
		t.Fatal(err)
	}
	return path
}

// writeLayerTar writes an uncompressed layer tar holding one file of
// partly compressible content and returns its diff ID and size.
func writeLayerTar(t testing.TB, path string, l layerSpec) (string, int64) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	bw := bufio.NewWriterSize(io.MultiWriter(f, h), 1<<20)
	tw := tar.NewWriter(bw)
	hdr := &tar.Header{Name: "data.bin", Mode: 0o644, Size: l.size, Typeflag: tar.TypeReg,
		ModTime: time.Unix(1700000000, 0)}
	if err := tw.WriteHeader(hdr); err != nil {
		t.Fatal(err)
	}
	if _, err := io.CopyN(tw, newMixedReader(l.seed), l.size); err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := bw.Flush(); err != nil {
		t.Fatal(err)
	}
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), st.Size()
}

// mixedReader yields endless bytes that compress to roughly half: random
// blocks alternate with repetitive text.
type mixedReader struct {
	rng *rand.Rand
	buf []byte
	off int
}

func newMixedReader(seed uint64) *mixedReader {
	return &mixedReader{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

func (m *mixedReader) Read(p []byte) (int, error) {
	if m.off == len(m.buf) {
		m.buf = make([]byte, 64<<10)
		if m.rng.IntN(2) == 0 {
			for i := 0; i+8 <= len(m.buf); i += 8 {
				v := m.rng.Uint64()
				for k := range 8 {
					m.buf[i+k] = byte(v >> (8 * k))
				}
			}
		} else {
			line := []byte("INFO request served path=/api/v1/items status=200 ms=12\n")
			for i := range m.buf {
				m.buf[i] = line[i%len(line)]
			}
		}
		m.off = 0
	}
	n := copy(p, m.buf[m.off:])
	m.off += n
	return n, nil
}

func copyFileIntoTar(t testing.TB, tw *tar.Writer, entry, path string, size int64) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	hdr := &tar.Header{Name: entry, Mode: 0o644, Size: size, Typeflag: tar.TypeReg}
	if err := tw.WriteHeader(hdr); err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(tw, f); err != nil {
		t.Fatal(err)
	}
}

func writeTarEntry(t testing.TB, tw *tar.Writer, entry string, data []byte) {
	t.Helper()
	hdr := &tar.Header{Name: entry, Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg}
	if err := tw.WriteHeader(hdr); err != nil {
		t.Fatal(err)
	}
	if _, err := tw.Write(data); err != nil {
		t.Fatal(err)
	}
}

// archiveImage writes a docker archive of the given layers and opens it the
// lazy way the product does.
func archiveImage(t testing.TB, layers ...layerSpec) v1.Image {
	t.Helper()
	path := writeDockerArchive(t, t.TempDir(), layers)
	img, err := tarball.ImageFromPath(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

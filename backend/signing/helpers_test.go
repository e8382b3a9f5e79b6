package signing

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/secure-systems-lab/go-securesystemslib/encrypted"
	"github.com/sigstore/cosign/v2/pkg/cosign"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
)

// tufRoot is where cosign would keep TUF metadata during the tests; it must
// still be empty when they end.
var tufRoot string

// globalGuard wraps http.DefaultTransport for the whole test binary, so a
// library that ignores the transport it is given is caught as well.
var globalGuard *guard

// TestMain points every sigstore and docker setting at empty temporary
// directories, guards http.DefaultTransport, and after the tests fails the
// run if any request left the loopback interface or TUF metadata appeared.
func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "signing-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)

	tufRoot = filepath.Join(dir, "tuf")
	for k, v := range map[string]string{
		"TUF_ROOT":      tufRoot,
		"DOCKER_CONFIG": filepath.Join(dir, "docker"),
		"HOME":          filepath.Join(dir, "home"),
	} {
		os.Setenv(k, v)
	}
	for _, k := range []string{"TUF_MIRROR", "TUF_ROOT_JSON", "SIGSTORE_REKOR_PUBLIC_KEY",
		"SIGSTORE_ROOT_FILE", "COSIGN_REPOSITORY", "COSIGN_EXPERIMENTAL"} {
		os.Unsetenv(k)
	}
	globalGuard = &guard{base: http.DefaultTransport}
	http.DefaultTransport = globalGuard

	code := m.Run()

	if bad := globalGuard.refused(); len(bad) > 0 {
		fmt.Fprintf(os.Stderr, "requests to non-loopback hosts: %v\n", bad)
		code = 1
	}
	if entries, err := os.ReadDir(tufRoot); err == nil && len(entries) > 0 {
		fmt.Fprintf(os.Stderr, "TUF metadata was written to %s\n", tufRoot)
		code = 1
	}
	return code
}

// guard is a transport that lets only loopback requests through and records
// the hosts of the others.
type guard struct {
	base http.RoundTripper

	mu  sync.Mutex
	bad []string
}

// RoundTrip passes loopback requests to the base transport and refuses the
// rest.
func (g *guard) RoundTrip(req *http.Request) (*http.Response, error) {
	ip := net.ParseIP(req.URL.Hostname())
	if ip == nil || !ip.IsLoopback() {
		g.mu.Lock()
		g.bad = append(g.bad, req.URL.Host)
		g.mu.Unlock()
		return nil, fmt.Errorf("test guard: request to non-loopback host %q", req.URL.Host)
	}
	return g.base.RoundTrip(req)
}

// refused returns the hosts the guard refused.
func (g *guard) refused() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.bad...)
}

// testRegistry is an in-memory registry on 127.0.0.1 and the guarded
// transport to reach it.
type testRegistry struct {
	host string
	rt   http.RoundTripper
}

// newRegistry starts an in-process registry for one test.
func newRegistry(t *testing.T) *testRegistry {
	t.Helper()
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	host := srv.Listener.Addr().String()
	if ip, _, _ := net.SplitHostPort(host); !net.ParseIP(ip).IsLoopback() {
		t.Fatalf("test registry listens on %s, want loopback", host)
	}
	return &testRegistry{host: host, rt: &guard{base: srv.Client().Transport}}
}

// ref parses "repo:tag" or "repo@digest" on the test registry.
func (r *testRegistry) ref(t *testing.T, s string) name.Reference {
	t.Helper()
	ref, err := name.ParseReference(r.host+"/"+s, name.Insecure)
	if err != nil {
		t.Fatalf("parsing %q: %v", s, err)
	}
	return ref
}

// opts returns remote options for direct registry access in tests.
func (r *testRegistry) opts() []remote.Option {
	return []remote.Option{remote.WithTransport(r.rt)}
}

// pushRandom pushes a fresh random image under repo:tag and returns its
// digest.
func (r *testRegistry) pushRandom(t *testing.T, repo, tag string) v1.Hash {
	t.Helper()
	img, err := random.Image(64, 1)
	if err != nil {
		t.Fatalf("random image: %v", err)
	}
	if err := remote.Write(r.ref(t, repo+":"+tag), img, r.opts()...); err != nil {
		t.Fatalf("pushing %s:%s: %v", repo, tag, err)
	}
	h, err := img.Digest()
	if err != nil {
		t.Fatalf("digest: %v", err)
	}
	return h
}

// sigTag is the cosign signature tag of a digest in repo.
func (r *testRegistry) sigTag(t *testing.T, repo string, h v1.Hash) name.Reference {
	t.Helper()
	return r.ref(t, repo+":"+h.Algorithm+"-"+h.Hex+".sig")
}

// manifest reads and decodes the manifest under ref.
func (r *testRegistry) manifest(t *testing.T, ref name.Reference) (*v1.Manifest, types.MediaType) {
	t.Helper()
	desc, err := remote.Get(ref, r.opts()...)
	if err != nil {
		t.Fatalf("getting %s: %v", ref, err)
	}
	var m v1.Manifest
	if err := json.Unmarshal(desc.Manifest, &m); err != nil {
		t.Fatalf("decoding %s: %v", ref, err)
	}
	return &m, desc.MediaType
}

// putManifest stores m under ref.
func (r *testRegistry) putManifest(t *testing.T, ref name.Reference, m *v1.Manifest,
	mt types.MediaType) {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatalf("encoding manifest: %v", err)
	}
	if err := remote.Put(ref, rawManifest{b: b, mt: mt}, r.opts()...); err != nil {
		t.Fatalf("putting %s: %v", ref, err)
	}
}

// rawManifest is a manifest as bytes, for remote.Put.
type rawManifest struct {
	b  []byte
	mt types.MediaType
}

// RawManifest returns the manifest bytes.
func (m rawManifest) RawManifest() ([]byte, error) { return m.b, nil }

// MediaType returns the manifest's media type.
func (m rawManifest) MediaType() (types.MediaType, error) { return m.mt, nil }

// pass returns a passphrase function that hands out a fresh copy of s.
func pass(s string) func() ([]byte, error) {
	return func() ([]byte, error) { return []byte(s), nil }
}

// Key pairs shared by the tests. They are real cosign keys, encrypted with
// the cheapest scrypt parameters cosign accepts (those of older cosign
// releases) so that the race detector's slow scrypt does not dominate the run.
var (
	keysOnce     sync.Once
	keyA, keyB   KeyPair
	fpA, fpB     string
	errKeys      error
	passA, passB = "correct horse {]):<>", "battery staple"
)

// testKeys returns two key pairs; their fingerprints are fpA and fpB.
func testKeys(t testing.TB) (a, b KeyPair) {
	t.Helper()
	keysOnce.Do(func() {
		if keyA, errKeys = legacyKeyPair(passA); errKeys != nil {
			return
		}
		if keyB, errKeys = legacyKeyPair(passB); errKeys != nil {
			return
		}
		if fpA, errKeys = Fingerprint(keyA.PublicPEM); errKeys != nil {
			return
		}
		fpB, errKeys = Fingerprint(keyB.PublicPEM)
	})
	if errKeys != nil {
		t.Fatalf("making test keys: %v", errKeys)
	}
	return keyA, keyB
}

// legacyKeyPair makes an ECDSA P-256 key pair in cosign's encrypted format
// with the legacy scrypt parameters.
func legacyKeyPair(passphrase string) (KeyPair, error) {
	pk, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return KeyPair{}, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(pk)
	if err != nil {
		return KeyPair{}, err
	}
	enc, err := encrypted.EncryptWithCustomKDFParameters(der, []byte(passphrase),
		encrypted.Legacy)
	if err != nil {
		return KeyPair{}, err
	}
	pub, err := cryptoutils.MarshalPublicKeyToPEM(pk.Public())
	if err != nil {
		return KeyPair{}, err
	}
	priv := pem.EncodeToMemory(&pem.Block{Type: cosign.SigstorePrivateKeyPemType, Bytes: enc})
	return KeyPair{PrivatePEM: priv, PublicPEM: pub}, nil
}

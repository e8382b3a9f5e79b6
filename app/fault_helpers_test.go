package app

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"imagedesk/backend/archive"
	"imagedesk/backend/faultproxy"
	"imagedesk/backend/profile"
	"imagedesk/backend/reliability"
	"imagedesk/backend/sandbox"
	"imagedesk/backend/store"
)

// faultTimeouts are short, so that a fault test waits seconds, not minutes.
var faultTimeouts = profile.Timeouts{Dial: 2 * time.Second, TLSHandshake: 2 * time.Second,
	ResponseHeader: time.Second, Stall: time.Second}

// faultEnv is an app whose profile "sb" reaches a sandbox (API and registry)
// through a fault proxy.
type faultEnv struct {
	app    *App
	sb     *sandbox.Server
	proxy  *faultproxy.Proxy
	target UploadTarget
}

// newFaultEnv starts a sandbox and a fault proxy in front of it; with cert the
// proxy speaks TLS, and caFile, when set, is the profile's CA bundle.
func newFaultEnv(t *testing.T, cert *tls.Certificate, caFile string) *faultEnv {
	t.Helper()
	a := newTestAppConfig(t, nil, func(c *Config) { c.Timeouts = faultTimeouts })
	a.Upload.jobs = 1
	srv := startSandbox(t)
	px, err := faultproxy.Start(srv.URL(), cert)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(px.Close)
	saveSandboxProfile(t, a, srv, profile.Profile{APIURL: px.URL, Registry: px.Addr,
		PlainHTTP: cert == nil, CAFile: caFile})
	tg, err := a.Target(context.Background(), "sb")
	if err != nil {
		t.Fatal(err)
	}
	warmUp(t, srv.URL()+"/v2/")
	return &faultEnv{app: a, sb: srv, proxy: px, target: tg}
}

// warmUp logs in once without a time limit: the sandbox's first password check
// is a bcrypt hash, which takes seconds under the race detector, and the
// sandbox remembers a good check for a while.
func warmUp(t *testing.T, url string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.SetBasicAuth(sandbox.DefaultUser, sandboxPassword)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("logging in to the sandbox: %s", resp.Status)
	}
}

// request is an upload of path as a base image.
func (e *faultEnv) request(t *testing.T, path, name, version string) UploadRequest {
	return UploadRequest{Profile: "sb", Archive: path, Name: name, Version: version,
		Repo: repoOf(t, e.target.Profile, profile.KindBase).Name}
}

// faultArchive is a 3-layer archive, large enough that layers go one by one.
func faultArchive(t *testing.T, seed string) string {
	size := "400000"
	if reliability.Long() {
		size = "4000000"
	}
	return mkarchive(t, "fault-"+seed+".tar", "-layers", "3", "-size", size, "-seed", seed)
}

// failThenResume pushes req with the proxy's faults set, checks the push fails
// with want and leaves no tag, then clears the faults and resumes. It returns
// what the resume sent, for the report.
func failThenResume(t *testing.T, e *faultEnv, req UploadRequest, want string,
	faults ...faultproxy.Fault) string {
	t.Helper()
	e.proxy.Set(faults...)
	res, err := e.app.PushImage(context.Background(), e.target, req, nil)
	if code := codeOf(err); code != want {
		t.Fatalf("push with %+v: code %q (%v), want %q", faults, code, err, want)
	}
	e.proxy.Clear()
	if tagExists(t, e.target, res.Ref) {
		t.Fatal("the failed push left a tag")
	}
	ev, err := e.app.store.Event(context.Background(), res.HistoryID)
	if err != nil || ev.Status != store.StatusFailed || ev.ErrCode != want {
		t.Fatalf("history row %+v (%v), want failed with %s", ev, err, want)
	}

	again, err := e.app.ResumeRequest(context.Background(), res.HistoryID)
	if err != nil {
		t.Fatal(err)
	}
	done, err := e.app.PushImage(context.Background(), e.target, again, nil)
	if err != nil {
		t.Fatalf("resume: %v", err)
	}
	if done.Skipped == 0 {
		t.Errorf("resume skipped nothing (sent %d); want the layers sent before kept",
			done.Uploaded)
	}
	got, wantIDs := diffIDs(t, readBack(t, e.target, done.Ref)), archiveDiffIDs(t, req)
	if !slices.Equal(got, wantIDs) {
		t.Errorf("image read back has layers %v, want %v", got, wantIDs)
	}
	return fmt.Sprintf("resume sent %s, kept %s already sent", mib(done.Uploaded),
		mib(done.Skipped))
}

// archiveDiffIDs lists the diff ids of the image req pushes.
func archiveDiffIDs(t *testing.T, req UploadRequest) []string {
	t.Helper()
	arc, err := archive.Open(req.Archive, archive.WithTempDir(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	defer arc.Close()
	img, err := arc.Image(req.Image)
	if err != nil {
		t.Fatal(err)
	}
	return diffIDs(t, img)
}

func mib(n int64) string { return fmt.Sprintf("%.2f MiB", float64(n)/(1<<20)) }

// noFilesLike fails when dir holds a file whose name contains part.
func noFilesLike(t *testing.T, dir, part string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.Contains(e.Name(), part) {
			t.Errorf("%s left in %s", e.Name(), dir)
		}
	}
}

// testCA makes a CA and a certificate it signed for 127.0.0.1, and writes the
// CA's certificate as PEM into a file.
func testCA(t *testing.T) (tls.Certificate, string) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1),
		Subject:   pkix.Name{CommonName: "ImageDesk test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), IsCA: true,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	leaf := &x509.Certificate{SerialNumber: big.NewInt(2),
		Subject:   pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		KeyUsage:    x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, leaf, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "ca.pem")
	block := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	if err := os.WriteFile(file, block, 0o644); err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, file
}

package app

import (
	"context"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"imagedesk/app/internal/badinput"
	"imagedesk/backend/profile"
	"imagedesk/backend/registry"
	"imagedesk/backend/sandbox"
)

// sandboxPassword has the characters the real server's passwords have.
const sandboxPassword = "s{a]n)d<b>o:x"

// mkarchive runs the archive generator with args and "-o" a new file in a temp
// directory, and returns the file's path.
func mkarchive(t *testing.T, file string, args ...string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), file)
	b, err := exec.Command(badinput.Generator(t), append([]string{"-o", out}, args...)...).
		CombinedOutput()
	if err != nil {
		t.Fatalf("mkarchive %v: %v: %s", args, err, b)
	}
	return out
}

// uploadEnv is an app with a profile "sb" on a sandbox of its own, reached
// through a proxy that counts the blob bytes sent.
type uploadEnv struct {
	app    *App
	sb     *sandbox.Server
	target UploadTarget
	sent   *atomic.Int64 // request body bytes of blob uploads
}

func newUploadEnv(t *testing.T) *uploadEnv {
	t.Helper()
	a := newTestApp(t)
	srv := startSandbox(t)
	sent := new(atomic.Int64)
	proxy := countingProxy(t, srv.URL(), sent)
	saveSandboxProfile(t, a, srv, profile.Profile{APIURL: srv.URL(), Registry: proxy,
		PlainHTTP: true})
	tg, err := a.Target(context.Background(), "sb")
	if err != nil {
		t.Fatal(err)
	}
	return &uploadEnv{app: a, sb: srv, target: tg, sent: sent}
}

// startSandbox starts a sandbox of the test's own, with reports after 50 ms.
func startSandbox(t *testing.T) *sandbox.Server {
	t.Helper()
	srv, err := sandbox.Start(context.Background(), sandbox.Config{
		DataDir: t.TempDir(), Password: sandboxPassword, ReportDelay: 50 * time.Millisecond,
		Logger: discard(),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close(context.Background()) })
	return srv
}

// saveSandboxProfile saves p as profile "sb" of a, with the sandbox's user,
// repositories and password (kept for the session).
func saveSandboxProfile(t *testing.T, a *App, srv *sandbox.Server, p profile.Profile) {
	t.Helper()
	p.Name, p.User = "sb", sandbox.DefaultUser
	for _, r := range srv.Repos() {
		p.Repos = append(p.Repos, profile.Repo{Name: r.Name, ID: r.ID, Kind: profile.Kind(r.Kind)})
	}
	_, err := a.Profiles.Save(ProfileInput{Profile: p, Password: sandboxPassword,
		SessionOnly: true})
	if err != nil {
		t.Fatal(err)
	}
}

// countingProxy forwards to backend and adds the body bytes of blob upload
// requests to sent. It returns its host:port.
func countingProxy(t *testing.T, backend string, sent *atomic.Int64) string {
	t.Helper()
	u, err := url.Parse(backend)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ErrorLog = log.New(io.Discard, "", 0)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "/blobs/uploads/") && r.Body != nil {
			r.Body = &countBody{ReadCloser: r.Body, n: sent}
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

type countBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (c *countBody) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// repoOf returns the profile's repository of kind k.
func repoOf(t *testing.T, p profile.Profile, k profile.Kind) profile.Repo {
	t.Helper()
	for _, r := range p.Repos {
		if r.Kind == k {
			return r
		}
	}
	t.Fatalf("profile %s has no %s repository", p.Name, k)
	return profile.Repo{}
}

// readBack fetches ref from the target's registry.
func readBack(t *testing.T, tg UploadTarget, ref string) v1.Image {
	t.Helper()
	r, err := tg.parseRef(ref)
	if err != nil {
		t.Fatal(err)
	}
	pw, _ := tg.Password()
	rt, err := tg.Profile.Transport()
	if err != nil {
		t.Fatal(err)
	}
	img, err := remote.Image(r, remote.WithTransport(rt), remote.WithAuth(
		authn.FromConfig(authn.AuthConfig{Username: tg.Profile.User, Password: pw})))
	if err != nil {
		t.Fatalf("reading back %s: %v", ref, err)
	}
	return img
}

// tagExists asks the registry whether ref exists.
func tagExists(t *testing.T, tg UploadTarget, ref string) bool {
	t.Helper()
	r, err := tg.parseRef(ref)
	if err != nil {
		t.Fatal(err)
	}
	opts, err := tg.registryOptions()
	if err != nil {
		t.Fatal(err)
	}
	_, found, err := registry.Exists(context.Background(), r, opts...)
	if err != nil {
		t.Fatalf("looking up %s: %v", ref, err)
	}
	return found
}

// diffIDs lists the diff ids of an image.
func diffIDs(t *testing.T, img v1.Image) []string {
	t.Helper()
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(cf.RootFS.DiffIDs))
	for i, d := range cf.RootFS.DiffIDs {
		out[i] = d.String()
	}
	return out
}

// codeIs reports whether err carries code.
func codeIs(err error, code string) bool {
	var ce *CodedError
	return errors.As(err, &ce) && ce.Code == code
}

// cancelAfterLayers returns a progress function that cancels when n layers are
// done, and the context it cancels.
func cancelAfterLayers(n int) (context.Context, func(UploadProgress)) {
	ctx, cancel := context.WithCancel(context.Background())
	return ctx, func(p UploadProgress) {
		done := 0
		for _, l := range p.Layers {
			if l.State == string(registry.LayerDone) {
				done++
			}
		}
		if done >= n {
			cancel()
		}
	}
}

func mustHash(t *testing.T, s string) v1.Hash {
	t.Helper()
	h, err := v1.NewHash(s)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

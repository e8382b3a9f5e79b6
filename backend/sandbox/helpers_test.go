package sandbox

import (
	"context"
	"encoding/json"
	"golang.org/x/crypto/bcrypt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// testPassword has the special characters the real server's passwords have.
const testPassword = `pa{ss]w)o<r>d:1`

// startTest starts a sandbox for one test on a temp dir unless cfg names one,
// with the test password and a short report delay, closed at cleanup.
func startTest(t *testing.T, cfg Config) *Server {
	t.Helper()
	if cfg.DataDir == "" {
		cfg.DataDir = t.TempDir()
	}
	if cfg.Password == "" {
		cfg.Password = testPassword
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(t.Output(),
			&slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	if cfg.ReportDelay == 0 {
		cfg.ReportDelay = 50 * time.Millisecond
	}
	s, err := Start(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := s.Close(ctx); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// remoteOpts authenticates go-containerregistry calls to s.
func remoteOpts(s *Server) []remote.Option {
	return []remote.Option{remote.WithAuth(&authn.Basic{Username: DefaultUser,
		Password: s.cfg.Password})}
}

// tagRef names image:version of repo on s.
func tagRef(t *testing.T, s *Server, repo, image, version string) name.Tag {
	t.Helper()
	ref, err := name.NewTag(s.Addr()+"/"+repo+"/"+image+":"+version, name.Insecure)
	if err != nil {
		t.Fatalf("NewTag: %v", err)
	}
	return ref
}

// push writes a small demo-style image to s and returns it.
func push(t *testing.T, s *Server, repo, image, version string) v1.Image {
	t.Helper()
	flavour := flavourDebian
	if strings.Contains(image, "alpine") {
		flavour = flavourAlpine
	}
	img, err := demoImage(image, version, flavour)
	if err != nil {
		t.Fatalf("demoImage: %v", err)
	}
	if err := remote.Write(tagRef(t, s, repo, image, version), img, remoteOpts(s)...); err != nil {
		t.Fatalf("pushing %s:%s: %v", image, version, err)
	}
	return img
}

// do sends a request with the sandbox credentials (or none when user is
// empty) and returns the status, headers and body.
func do(t *testing.T, method, u, user, password, body string) (int, http.Header, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		t.Fatalf("NewRequest: %v", err)
	}
	if user != "" {
		req.SetBasicAuth(user, password)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading %s %s: %v", method, u, err)
	}
	return resp.StatusCode, resp.Header, b
}

// list posts a list request body and returns status and trimmed body.
func list(t *testing.T, s *Server, body string) (int, string) {
	t.Helper()
	st, _, b := do(t, http.MethodPost, s.URL()+"/api/v1/artifact/repo/file/list", DefaultUser,
		s.cfg.Password, body)
	return st, strings.TrimSpace(string(b))
}

// reportURL is the scan report URL of ns/image/version, properly encoded.
func reportURL(s *Server, repoID int64, image, version string) string {
	q := url.Values{}
	q.Set("repo_id", strconv.FormatInt(repoID, 10))
	q.Set("path", image+"/"+version+"/manifest.json")
	return s.URL() + "/api/v1/artifact/repo/file/scanreport?" + q.Encode()
}

// getReport fetches a scan report.
func getReport(t *testing.T, s *Server, u string) (int, http.Header, []byte) {
	t.Helper()
	return do(t, http.MethodGet, u, DefaultUser, s.cfg.Password, "")
}

// waitReport polls a report URL until it answers 200, for at most 15 s.
func waitReport(t *testing.T, s *Server, u string) []byte {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for i := 0; i < 300; i++ {
		st, _, b := getReport(t, s, u)
		if st == http.StatusOK {
			return b
		}
		if time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("report %s not generated in time", u)
	return nil
}

// time1h is a report delay that keeps reports from appearing during a test.
const time1h = time.Hour

// mustUnmarshal decodes JSON text or fails the test.
func mustUnmarshal(t *testing.T, text string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(text), v); err != nil {
		t.Fatalf("decoding %q: %v", text, err)
	}
}

// TestMain lowers the bcrypt cost: under the race detector one hash at the
// default cost takes seconds.
func TestMain(m *testing.M) {
	bcryptCost = bcrypt.MinCost
	os.Exit(m.Run())
}

// remoteList lists the tags of a registry repository on s, sorted.
func remoteList(s *Server, repo string) ([]string, error) {
	r, err := name.NewRepository(s.Addr()+"/"+repo, name.Insecure)
	if err != nil {
		return nil, err
	}
	return remote.List(r, remoteOpts(s)...)
}

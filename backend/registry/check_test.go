package registry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	gcrregistry "github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

const testPassword = `p{]):<>"ss`

// newAuthRegistry starts a registry that wants basic auth; user "reader" may
// only pull.
func newAuthRegistry(t *testing.T) *testRegistry {
	t.Helper()
	inner := gcrregistry.New(gcrregistry.Logger(log.New(io.Discard, "", 0)))
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pw, ok := r.BasicAuth()
		if !ok || pw != testPassword || (user != "writer" && user != "reader") {
			w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
			http.Error(w, `{"errors":[{"code":"UNAUTHORIZED"}]}`, http.StatusUnauthorized)
			return
		}
		if user == "reader" && r.Method != http.MethodGet && r.Method != http.MethodHead {
			http.Error(w, `{"errors":[{"code":"DENIED"}]}`, http.StatusForbidden)
			return
		}
		inner.ServeHTTP(w, r)
	})
	return startRegistry(t, h)
}

func password() (string, error) { return testPassword, nil }

func TestCheck(t *testing.T) {
	t.Parallel()
	reg := newAuthRegistry(t)
	repo := reg.ref(t, "basic/app:V1").Context()

	// A port that was just free: nothing listens there.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedHost := l.Addr().String()
	l.Close()
	closedRepo, err := name.NewRepository(closedHost+"/basic/app", name.Insecure)
	if err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name string
		repo name.Repository
		opts []Option
		want error
	}{
		{"writer", repo, []Option{WithAuth(BasicAuth("writer", password))}, nil},
		{"wrong password", repo, []Option{WithAuth(BasicAuth("writer",
			func() (string, error) { return "nope", nil }))}, ErrUnauthorized},
		{"anonymous", repo, nil, ErrUnauthorized},
		{"reader may not push", repo, []Option{WithAuth(BasicAuth("reader", password))},
			ErrDenied},
		{"nobody listening", closedRepo, []Option{fastRetry}, ErrUnreachable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := Check(t.Context(), tc.repo, tc.opts...)
			if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
				t.Fatalf("Check = %v, want %v", err, tc.want)
			}
			if err != nil && strings.Contains(err.Error(), testPassword) {
				t.Errorf("error shows the password: %v", err)
			}
		})
	}

	t.Run("password callback fails", func(t *testing.T) {
		t.Parallel()
		boom := errors.New("keyring locked")
		err := Check(t.Context(), repo, WithAuth(BasicAuth("writer",
			func() (string, error) { return "", boom })))
		if !errors.Is(err, boom) {
			t.Errorf("Check = %v, want the keyring error", err)
		}
	})
}

func TestCheckUntrustedCertificate(t *testing.T) {
	t.Parallel()
	srv := httptest.NewTLSServer(gcrregistry.New(gcrregistry.Logger(log.New(io.Discard, "",
		0))))
	t.Cleanup(srv.Close)
	repo, err := name.NewRepository(strings.TrimPrefix(srv.URL, "https://") + "/basic/app")
	if err != nil {
		t.Fatal(err)
	}
	// Without name.Insecure the registry is spoken to over TLS only.
	if err := Check(t.Context(), repo); !errors.Is(err, ErrUntrusted) {
		t.Errorf("Check = %v, want ErrUntrusted", err)
	}
	if err := Check(t.Context(), repo, WithTransport(srv.Client().Transport)); err != nil {
		t.Errorf("Check with the server's CA = %v", err)
	}
}

func TestExists(t *testing.T) {
	t.Parallel()
	reg := newAuthRegistry(t)
	auth := WithAuth(BasicAuth("writer", password))
	img := randomImage(t, 512, 1)
	res, err := Push(t.Context(), img, reg.ref(t, "basic/ex:V1"), auth)
	if err != nil {
		t.Fatal(err)
	}

	desc, found, err := Exists(t.Context(), reg.ref(t, "basic/ex:V1"), auth)
	if err != nil || !found || desc.Digest != res.Digest {
		t.Errorf("Exists(V1) = %v, %v, %v; want digest %s", desc, found, err, res.Digest)
	}
	for _, tag := range []string{"basic/ex:V2", "basic/none:V1"} {
		desc, found, err := Exists(t.Context(), reg.ref(t, tag), auth)
		if err != nil || found || desc != nil {
			t.Errorf("Exists(%s) = %v, %v, %v; want not found", tag, desc, found, err)
		}
	}
	if _, _, err := Exists(t.Context(), reg.ref(t, "basic/ex:V1")); !errors.Is(err,
		ErrUnauthorized) {
		t.Errorf("anonymous Exists = %v, want ErrUnauthorized", err)
	}
}

func TestOptionsRefuseBadInput(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		opt  Option
	}{
		{"nil transport", WithTransport(nil)},
		{"nil auth", WithAuth(nil)},
		{"zero jobs", WithJobs(0)},
		{"too many jobs", WithJobs(33)},
		{"zero attempts", WithRetry(0, time.Second)},
		{"negative backoff", WithRetry(3, -time.Second)},
		{"huge backoff", WithRetry(3, time.Hour)},
		{"nil logger", WithLogger(nil)},
		{"level 10", WithCompressionLevel(10)},
		{"level -3", WithCompressionLevel(-3)},
		{"empty annotation key", WithAnnotations(map[string]string{"": "x"})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ref := name.MustParseReference("127.0.0.1:1/a:b", name.Insecure)
			_, err := Push(t.Context(), randomImage(t, 8, 1), ref, tc.opt)
			if !errors.Is(err, ErrInvalidOption) {
				t.Errorf("Push = %v, want ErrInvalidOption", err)
			}
		})
	}
}

func TestTransient(t *testing.T) {
	t.Parallel()
	live := context.Background()
	done, cancel := context.WithCancel(context.Background())
	cancel()
	opErr := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	for _, tc := range []struct {
		name string
		ctx  context.Context
		err  error
		want bool
	}{
		{"503", live, &transport.Error{StatusCode: 503}, true},
		{"429", live, &transport.Error{StatusCode: 429}, true},
		{"404", live, &transport.Error{StatusCode: 404}, false},
		{"401", live, &transport.Error{StatusCode: 401}, false},
		{"refused", live, &url.Error{Op: "Post", URL: "http://x", Err: opErr}, true},
		{"reset", live, fmt.Errorf("read: %w", syscall.ECONNRESET), true},
		{"truncated", live, io.ErrUnexpectedEOF, true},
		{"source truncated", live, &sourceError{io.ErrUnexpectedEOF}, false},
		{"diff id", live, &DigestError{Kind: ErrDiffID}, false},
		{"cancelled", done, &transport.Error{StatusCode: 503}, false},
		{"plain", live, errors.New("x"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := transient(tc.ctx, tc.err); got != tc.want {
				t.Errorf("transient(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
}

// FuzzLocation feeds the Location header of an upload answer, which the
// registry controls, to the resolver.
func FuzzLocation(f *testing.F) {
	for _, s := range []string{"/v2/a/blobs/uploads/1?_state=x", "http://other/x", "", "%zz",
		"//host/path", "uploads/rel", "http://[::1]:5000/a"} {
		f.Add(s)
	}
	base, _ := url.Parse("http://127.0.0.1:5000/v2/a/blobs/uploads/")
	f.Fuzz(func(t *testing.T, loc string) {
		resp := &http.Response{Header: http.Header{}, Request: &http.Request{
			Method: http.MethodPost, URL: base}}
		resp.Header.Set("Location", loc)
		got, err := location(resp)
		if err != nil {
			return
		}
		u, err := url.Parse(got)
		if err != nil || !u.IsAbs() {
			t.Errorf("location(%q) = %q, not an absolute URL (%v)", loc, got, err)
		}
	})
}

// FuzzHeaderDigest feeds the Docker-Content-Digest header to its parser.
func FuzzHeaderDigest(f *testing.F) {
	f.Add("sha256:" + strings.Repeat("ab", 32))
	f.Add("sha256:xyz")
	f.Add("md5:00")
	f.Add("")
	f.Fuzz(func(t *testing.T, d string) {
		resp := &http.Response{Header: http.Header{}}
		resp.Header.Set("Docker-Content-Digest", d)
		h, err := headerDigest(resp)
		if err == nil && h.String() != strings.TrimSpace(d) && d != "" {
			t.Errorf("headerDigest(%q) = %s", d, h)
		}
	})
}

package badinput

import (
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"

	"imagedesk/backend/registry"
)

// Request is one request that reached the registry through a Proxy.
type Request struct {
	Method string
	Path   string
	Query  string
	Status int
	Body   int64 // request body bytes the registry read
}

// Proxy forwards to a registry and records every request and its body bytes.
type Proxy struct {
	// Addr is the proxy's host:port, to give as the profile's registry.
	Addr string

	mu   sync.Mutex
	reqs []Request
}

// NewProxy starts a proxy to the registry at backend (a base URL) on
// 127.0.0.1; it stops when the test ends.
func NewProxy(t testing.TB, backend string) *Proxy {
	t.Helper()
	u, err := url.Parse(backend)
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ErrorLog = log.New(io.Discard, "", 0)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := &countBody{r: r.Body}
		if r.Body != nil {
			r.Body = body
		}
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		rp.ServeHTTP(sw, r)
		p.mu.Lock()
		p.reqs = append(p.reqs, Request{Method: r.Method, Path: r.URL.Path,
			Query: r.URL.RawQuery, Status: sw.status, Body: body.n.Load()})
		p.mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	p.Addr = strings.TrimPrefix(srv.URL, "http://")
	return p
}

// Take returns the requests recorded since the last Take and forgets them.
func (p *Proxy) Take() []Request {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := p.reqs
	p.reqs = nil
	return out
}

type countBody struct {
	r io.ReadCloser
	n atomic.Int64
}

func (c *countBody) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n.Add(int64(n))
	return n, err
}

func (c *countBody) Close() error { return c.r.Close() }

type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Traffic sums up what a list of requests did to the registry.
type Traffic struct {
	Requests  int   // every request
	Bytes     int64 // every request body byte
	Sessions  int   // blob upload sessions opened
	Committed int   // blobs committed
	Cancelled int   // upload sessions deleted
	Manifests int   // manifests written: tags
}

// Sum sums up reqs.
func Sum(reqs []Request) Traffic {
	var tr Traffic
	for _, r := range reqs {
		tr.Requests++
		tr.Bytes += r.Body
		upload := strings.Contains(r.Path, "/blobs/uploads/")
		ok := r.Status >= 200 && r.Status < 300
		switch {
		case upload && r.Method == http.MethodPost && ok:
			tr.Sessions++
		case upload && r.Method == http.MethodPut && ok:
			tr.Committed++
		case upload && r.Method == http.MethodDelete && ok:
			tr.Cancelled++
		case strings.Contains(r.Path, "/manifests/") && r.Method == http.MethodPut:
			tr.Manifests++
		}
	}
	return tr
}

// TagExists asks the registry at addr, over plain HTTP and not through any
// proxy, whether the repository and tag of ref exist.
func TagExists(t testing.TB, addr, ref, user, password string) bool {
	t.Helper()
	r, err := name.ParseReference(ref, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	direct, err := name.ParseReference(addr+"/"+r.Context().RepositoryStr()+":"+
		r.Identifier(), name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	_, found, err := registry.Exists(context.Background(), direct,
		registry.WithTransport(http.DefaultTransport),
		registry.WithAuth(registry.BasicAuth(user, func() (string, error) {
			return password, nil
		})))
	if err != nil {
		t.Fatalf("looking up %s: %v", direct, err)
	}
	return found
}

package faultproxy

import (
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
)

func start(t *testing.T) *Proxy {
	t.Helper()
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		w.Header().Set("X-Host", r.Host)
		if n > 0 {
			io.WriteString(w, "got body")
			return
		}
		io.WriteString(w, strings.Repeat("b", 100000))
	}))
	t.Cleanup(backend.Close)
	p, err := Start(backend.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

func get(c *http.Client, url string) (int, string, error) {
	resp, err := c.Get(url)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

func TestStatusAfterAndTimes(t *testing.T) {
	p := start(t)
	p.Set(Fault{Method: http.MethodGet, Path: "^/v2/", After: 1, Times: 2, Status: 503})
	var codes []int
	for range 4 {
		code, _, err := get(http.DefaultClient, p.URL+"/v2/x")
		if err != nil {
			t.Fatal(err)
		}
		codes = append(codes, code)
	}
	if want := []int{200, 503, 503, 200}; !slices.Equal(codes, want) {
		t.Errorf("codes = %v, want %v", codes, want)
	}
	if code, _, _ := get(http.DefaultClient, p.URL+"/api/x"); code != 200 {
		t.Errorf("unmatched path got %d", code)
	}
	if p.Broken() != 2 || p.Requests() != 5 {
		t.Errorf("broken %d requests %d, want 2 and 5", p.Broken(), p.Requests())
	}
}

func TestHostIsKept(t *testing.T) {
	p := start(t)
	resp, err := http.Get(p.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if h := resp.Header.Get("X-Host"); h != p.Addr {
		t.Errorf("backend saw host %q, want the proxy's %q", h, p.Addr)
	}
}

func TestStallAndCut(t *testing.T) {
	p := start(t)
	p.Set(Fault{StallAfter: 1000})
	c := &http.Client{Timeout: 500 * time.Millisecond}
	_, body, err := get(c, p.URL+"/")
	if err == nil || len(body) > 1000 {
		t.Errorf("stalled GET: %d bytes, %v; want a timeout after at most 1000", len(body), err)
	}
	p.Set(Fault{CutAfter: 5000})
	_, body, err = get(http.DefaultClient, p.URL+"/")
	if err == nil || len(body) > 5000 {
		t.Errorf("cut GET: %d bytes, %v; want an error after at most 5000", len(body), err)
	}
	p.Set(Fault{CutRequestAfter: 10})
	_, err = http.Post(p.URL+"/", "text/plain", strings.NewReader(strings.Repeat("r", 1<<20)))
	if err == nil {
		t.Error("cut POST succeeded")
	}
	p.Clear()
	resp, err := http.Post(p.URL+"/", "text/plain", strings.NewReader("12345"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if p.Sent() < 5 {
		t.Errorf("Sent = %d, want at least 5", p.Sent())
	}
}

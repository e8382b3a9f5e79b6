package profile

import (
	"encoding/pem"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"
)

// get sends one GET through rt and returns the body.
func get(t *testing.T, rt http.RoundTripper, url string) (string, error) {
	t.Helper()
	client := &http.Client{Transport: rt, Timeout: 10 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return string(body), err
}

func TestTransportTLS(t *testing.T) {
	t.Parallel()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello")
	}))
	t.Cleanup(srv.Close)

	dir := t.TempDir()
	caFile := filepath.Join(dir, "ca.pem")
	block := &pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}
	if err := os.WriteFile(caFile, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	junk := filepath.Join(dir, "junk.pem")
	if err := os.WriteFile(junk, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}

	t.Run("system roots reject the test certificate", func(t *testing.T) {
		t.Parallel()
		rt, err := Profile{Name: "p"}.Transport()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := get(t, rt, srv.URL); err == nil {
			t.Fatal("GET succeeded without trusting the test CA")
		}
	})

	t.Run("ca bundle is trusted", func(t *testing.T) {
		t.Parallel()
		rt, err := Profile{Name: "p", CAFile: caFile}.Transport()
		if err != nil {
			t.Fatal(err)
		}
		body, err := get(t, rt, srv.URL)
		if err != nil || body != "hello" {
			t.Fatalf("GET = %q, %v", body, err)
		}
	})

	t.Run("insecure skips verification", func(t *testing.T) {
		t.Parallel()
		rt, err := Profile{Name: "p", Insecure: true}.Transport()
		if err != nil {
			t.Fatal(err)
		}
		if body, err := get(t, rt, srv.URL); err != nil || body != "hello" {
			t.Fatalf("GET = %q, %v", body, err)
		}
	})

	t.Run("bundle without certificates", func(t *testing.T) {
		t.Parallel()
		_, err := Profile{Name: "p", CAFile: junk}.Transport()
		if !errors.Is(err, ErrCABundle) {
			t.Fatalf("Transport() error = %v, want ErrCABundle", err)
		}
	})

	t.Run("missing bundle", func(t *testing.T) {
		t.Parallel()
		_, err := Profile{Name: "p", CAFile: filepath.Join(dir, "none.pem")}.Transport()
		if !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("Transport() error = %v, want os.ErrNotExist", err)
		}
	})
}

func TestTransportProxyAndTimeouts(t *testing.T) {
	t.Parallel()

	var proxied atomic.Int32
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A forward proxy receives the absolute URL of the target.
		if r.URL.Host == "artifacts.invalid" {
			proxied.Add(1)
			io.WriteString(w, "via proxy")
			return
		}
		http.Error(w, "unexpected request", http.StatusBadGateway)
	}))
	t.Cleanup(proxy.Close)

	rt, err := Profile{Name: "p", Proxy: proxy.URL}.Transport()
	if err != nil {
		t.Fatal(err)
	}
	body, err := get(t, rt, "http://artifacts.invalid/api")
	if err != nil || body != "via proxy" || proxied.Load() != 1 {
		t.Fatalf("GET through proxy = %q, %v (proxied %d)", body, err, proxied.Load())
	}

	tr, ok := rt.(stallGuard).base.(*http.Transport)
	if !ok {
		t.Fatalf("Transport() = %T, want *http.Transport", rt)
	}
	if tr.TLSHandshakeTimeout != 10*time.Second || tr.ResponseHeaderTimeout != 30*time.Second {
		t.Errorf("timeouts = %v / %v, want 10s / 30s",
			tr.TLSHandshakeTimeout, tr.ResponseHeaderTimeout)
	}

	noProxy, err := Profile{Name: "p"}.Transport()
	if err != nil {
		t.Fatal(err)
	}
	if p := noProxy.(stallGuard).base.(*http.Transport).Proxy; p != nil {
		t.Error("a profile without proxy got a proxy function")
	}
}

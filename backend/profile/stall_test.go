package profile

import (
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// stallServer answers GET with 64 KiB and then hangs, and reads 1 KiB of a PUT
// body and then hangs, until the test ends.
func stallServer(t *testing.T) string {
	t.Helper()
	quit := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet:
			w.Header().Set("Content-Length", "1048576")
			w.Write(bytes.Repeat([]byte("x"), 64<<10))
			w.(http.Flusher).Flush()
		case http.MethodPut:
			io.CopyN(io.Discard, r.Body, 1024)
		}
		select {
		case <-quit:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(quit); srv.Close() })
	return srv.URL
}

func TestStallEndsAHungDownload(t *testing.T) {
	t.Parallel()
	url := stallServer(t)
	rt, err := Profile{Name: "p", Timeouts: Timeouts{Stall: 300 * time.Millisecond}}.Transport()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := (&http.Client{Transport: rt}).Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	start := time.Now()
	n, err := io.Copy(io.Discard, resp.Body)
	var se *StallError
	var ne net.Error
	if !errors.As(err, &se) || !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("read %d bytes, error %v; want a StallError that is a timeout", n, err)
	}
	if n != 64<<10 {
		t.Errorf("read %d bytes before the stall, want %d", n, 64<<10)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the stall was noticed after %v", d)
	}
}

func TestStallEndsAHungUpload(t *testing.T) {
	t.Parallel()
	url := stallServer(t)
	rt, err := Profile{Name: "p", Timeouts: Timeouts{Stall: 300 * time.Millisecond}}.Transport()
	if err != nil {
		t.Fatal(err)
	}
	// 64 MiB cannot fit in the socket buffers, so the server's silence
	// stops the body from moving.
	body := strings.NewReader(strings.Repeat("y", 64<<20))
	req, _ := http.NewRequest(http.MethodPut, url, body)
	_, err = (&http.Client{Transport: rt}).Do(req)
	var se *StallError
	if !errors.As(err, &se) || !se.Sending {
		t.Fatalf("PUT error = %v, want a StallError while sending", err)
	}
}

func TestSlowButMovingBodyIsNotAStall(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for range 8 {
			w.Write([]byte("chunk"))
			w.(http.Flusher).Flush()
			time.Sleep(100 * time.Millisecond)
		}
	}))
	t.Cleanup(srv.Close)
	rt, err := Profile{Name: "p", Timeouts: Timeouts{Stall: 300 * time.Millisecond}}.Transport()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := (&http.Client{Transport: rt}).Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || len(b) != 40 {
		t.Fatalf("read %d bytes, %v; want 40 bytes over 800 ms without a stall", len(b), err)
	}
}

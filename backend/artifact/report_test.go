package artifact

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestReportPath(t *testing.T) {
	t.Parallel()
	got, want := ReportPath("basic", "ubuntu", "V1"), "basic/ubuntu/V1/manifest.json"
	if got != want {
		t.Errorf("ReportPath = %q, want %q", got, want)
	}
}

func TestScanReport(t *testing.T) {
	t.Parallel()
	f, srv := newFakeServer(t)
	c := newTestClient(t, srv)

	t.Run("query is really encoded", func(t *testing.T) {
		var buf bytes.Buffer
		n, err := c.ScanReport(context.Background(), testRepoID, "basic", "aa", "aa03", &buf)
		if err != nil {
			t.Fatalf("ScanReport: %v", err)
		}
		if buf.String() != "PK\x03\x04report" || n != int64(buf.Len()) {
			t.Errorf("got %d bytes %q", n, buf.String())
		}
		f.mu.Lock()
		q := f.queries[len(f.queries)-1]
		f.mu.Unlock()
		want := "path=basic%2Faa%2Faa03%2Fmanifest.json&repo_id=1495097876821574"
		if q != want {
			t.Errorf("raw query = %q, want %q", q, want)
		}
	})

	t.Run("a hand-encoded path is what fails", func(t *testing.T) {
		u := srv.URL + reportPath + "?repo_id=1495097876821574&path=basic%aa%aa03%2Fmanifest.json"
		req, err := http.NewRequest(http.MethodGet, u, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.SetBasicAuth(testUser, testPassword)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusInternalServerError {
			t.Errorf("hand-encoded path answered %d, want 500", resp.StatusCode)
		}
	})

	t.Run("not generated is a 500 server error", func(t *testing.T) {
		var buf bytes.Buffer
		_, err := c.ScanReport(context.Background(), testRepoID, "basic", "aa", "V5", &buf)
		var e *Error
		if !errors.Is(err, ErrServer) || !errors.As(err, &e) || e.Status != 500 {
			t.Fatalf("error = %v, want *Error status 500 matching ErrServer", err)
		}
		if buf.Len() != 0 {
			t.Errorf("error page written to the destination: %q", buf.String())
		}
		if !strings.Contains(err.Error(), "basic/aa:V5") {
			t.Errorf("error does not name the image: %v", err)
		}
	})

	t.Run("bad path elements are refused locally", func(t *testing.T) {
		for _, parts := range [][3]string{{"", "aa", "V1"}, {"basic", "a/b", "V1"},
			{"basic", "aa", ".."}, {"basic", `a\b`, "V1"}} {
			_, err := c.ScanReport(context.Background(), testRepoID, parts[0], parts[1],
				parts[2], &bytes.Buffer{})
			if !errors.Is(err, ErrInvalidArgument) {
				t.Errorf("ScanReport%q error = %v, want ErrInvalidArgument", parts, err)
			}
		}
	})
}

func TestScanReportBodyFaults(t *testing.T) {
	t.Parallel()
	payload := bytes.Repeat([]byte("x"), 64<<10)

	t.Run("cut off mid-stream", func(t *testing.T) {
		t.Parallel()
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter,
			r *http.Request) {
			w.Header().Set("Content-Length", fmt.Sprint(len(payload)))
			w.WriteHeader(http.StatusOK)
			w.Write(payload[:len(payload)/2])
			w.(http.Flusher).Flush()
			conn, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				conn.Close()
			}
		}))
		t.Cleanup(srv.Close)
		c := newTestClient(t, srv)
		var buf bytes.Buffer
		n, err := c.ScanReport(context.Background(), testRepoID, "basic", "aa", "V1", &buf)
		if !errors.Is(err, ErrNetwork) {
			t.Fatalf("error = %v, want ErrNetwork", err)
		}
		if n >= int64(len(payload)) {
			t.Errorf("copied %d bytes of a cut-off body of %d", n, len(payload))
		}
	})

	t.Run("over the size cap", func(t *testing.T) {
		t.Parallel()
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter,
			r *http.Request) {
			w.(http.Flusher).Flush() // chunked: no Content-Length to check up front
			w.Write(payload)
		}))
		t.Cleanup(srv.Close)
		c := newTestClient(t, srv, WithMaxBytes(1<<20, 1024))
		_, err := c.ScanReport(context.Background(), testRepoID, "basic", "aa", "V1",
			&bytes.Buffer{})
		if !errors.Is(err, ErrTooLarge) {
			t.Fatalf("error = %v, want ErrTooLarge", err)
		}
	})

	t.Run("destination failure is not a network error", func(t *testing.T) {
		t.Parallel()
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter,
			r *http.Request) {
			w.Write(payload)
		}))
		t.Cleanup(srv.Close)
		c := newTestClient(t, srv)
		boom := errors.New("disk full")
		_, err := c.ScanReport(context.Background(), testRepoID, "basic", "aa", "V1",
			failWriter{boom})
		if !errors.Is(err, boom) || errors.Is(err, ErrNetwork) {
			t.Fatalf("error = %v, want the write error without ErrNetwork", err)
		}
	})
}

// failWriter fails every write with err.
type failWriter struct{ err error }

// Write returns the configured error.
func (f failWriter) Write([]byte) (int, error) { return 0, f.err }

package reports

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"imagedesk/backend/artifact"
)

// smallReport returns the bytes of a real one-sheet .xlsx file.
func smallReport(t *testing.T, marker string) []byte {
	t.Helper()
	p := writeWorkbook(t, t.TempDir(), []string{"Summary"},
		map[string][][]any{"Summary": {{"Image", marker}}})
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// dirNames lists the names in dir, or nil when it does not exist.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// ignoreErr compares statuses without their error values.
var ignoreErr = cmpopts.IgnoreFields(Status{}, "Err")

func TestFetchReady(t *testing.T) {
	t.Parallel()
	srv, client := newFake(t)
	body := smallReport(t, "v1")
	srv.setReport("basic", "aa", "aa03", body)
	cache := t.TempDir()
	f := NewFetcher(client, cache, WithClock(func() time.Time { return fixedNow }))

	st, err := f.Fetch(context.Background(), testKey)
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	wantPath := filepath.Join(cache, "office", "base-repo_basic_aa_aa03.xlsx")
	want := Status{State: StateReady, Path: wantPath, Size: int64(len(body)),
		FetchedAt: fixedNow}
	if diff := cmp.Diff(want, st); diff != "" {
		t.Errorf("status mismatch (-want +got):\n%s", diff)
	}
	got, err := os.ReadFile(wantPath)
	if err != nil || !bytes.Equal(got, body) {
		t.Errorf("cached file differs from the served report (err %v)", err)
	}
	if names := dirNames(t, filepath.Join(cache, "office")); len(names) != 1 {
		t.Errorf("cache holds %q, want only the report", names)
	}

	srv.mu.Lock()
	q := srv.queries[0]
	srv.mu.Unlock()
	if !strings.HasPrefix(q, "path=basic%2Faa%2Faa03%2Fmanifest.json&") {
		t.Errorf("report query = %q, want path=basic%%2Faa%%2Faa03%%2Fmanifest.json", q)
	}

	cached, err := f.Cached(testKey)
	if err != nil || cached.Path != wantPath || cached.Size != int64(len(body)) {
		t.Errorf("Cached = %+v, %v; want the fetched file", cached, err)
	}
}

func TestFetchPendingThenReady(t *testing.T) {
	t.Parallel()
	srv, client := newFake(t)
	f := NewFetcher(client, t.TempDir())

	st, err := f.Fetch(context.Background(), testKey)
	if err != nil {
		t.Fatalf("Fetch of a report not generated yet: %v", err)
	}
	if diff := cmp.Diff(Status{State: StatePending}, st, ignoreErr); diff != "" {
		t.Errorf("status mismatch (-want +got):\n%s", diff)
	}
	var ae *artifact.Error
	if !errors.As(st.Err, &ae) || ae.Status != http.StatusInternalServerError {
		t.Errorf("pending cause = %v, want the 500", st.Err)
	}
	if _, err := f.Cached(testKey); !errors.Is(err, ErrNotCached) {
		t.Errorf("Cached while pending = %v, want ErrNotCached", err)
	}

	srv.setReport("basic", "aa", "aa03", smallReport(t, "generated"))
	st, err = f.Fetch(context.Background(), testKey)
	if err != nil || st.State != StateReady {
		t.Fatalf("Fetch after generation = %+v, %v; want ready", st, err)
	}
}

func TestFetchFailures(t *testing.T) {
	t.Parallel()
	cutOff := func(w http.ResponseWriter, r *http.Request) {
		body := bytes.Repeat([]byte("PK"), 32<<10)
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		w.WriteHeader(http.StatusOK)
		w.Write(body[:len(body)/2])
		w.(http.Flusher).Flush()
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			conn.Close()
		}
	}
	notXLSX := func(w http.ResponseWriter, r *http.Request) {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		fw, _ := zw.Create("[Content_Types].xml")
		fw.Write([]byte("<Types/>"))
		zw.Close()
		w.Write(buf.Bytes())
	}
	randomBytes := func(w http.ResponseWriter, r *http.Request) {
		b := make([]byte, 4096)
		rng := rand.New(rand.NewPCG(7, 8))
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		w.Write(b)
	}
	tests := []struct {
		name      string
		key       Key
		report    http.HandlerFunc
		list      http.HandlerFunc
		password  string
		want      Failure
		wantErr   error
		wantLists int
	}{
		{name: "version missing", key: Key{RepoID: testRepoID, Namespace: "basic",
			Image: "aa", Version: "nope"}, want: FailureNotFound,
			wantErr: ErrVersionNotFound, wantLists: 1},
		{name: "image missing", key: Key{RepoID: testRepoID, Namespace: "basic",
			Image: "zz", Version: "V1"}, want: FailureNotFound,
			wantErr: ErrVersionNotFound, wantLists: 1},
		{name: "500 and listing down", key: testKey, want: FailureServer,
			list: func(w http.ResponseWriter, r *http.Request) {
				http.Error(w, "down", http.StatusServiceUnavailable)
			}, wantErr: artifact.ErrServer, wantLists: 1},
		{name: "500 and listing answers html", key: testKey, want: FailureServer,
			list: func(w http.ResponseWriter, r *http.Request) {
				fmt.Fprint(w, "<html>maintenance</html>")
			}, wantErr: artifact.ErrNotJSON, wantLists: 1},
		{name: "500 and listing 404", key: testKey, want: FailureNotFound,
			list: http.NotFound, wantErr: artifact.ErrNotFound, wantLists: 1},
		{name: "bad gateway", key: testKey, want: FailureServer,
			report: func(w http.ResponseWriter, r *http.Request) {
				http.Error(w, "bad gateway", http.StatusBadGateway)
			}, wantErr: artifact.ErrServer},
		{name: "report 404", key: testKey, want: FailureNotFound,
			report: http.NotFound, wantErr: artifact.ErrNotFound},
		{name: "wrong password", key: testKey, password: "x{]) <>:", want: FailureAuth,
			wantErr: artifact.ErrUnauthorized},
		{name: "random bytes with 200", key: testKey, report: randomBytes,
			want: FailureInvalid, wantErr: ErrNotXLSX},
		{name: "zip that is no workbook", key: testKey, report: notXLSX,
			want: FailureInvalid, wantErr: ErrNotXLSX},
		{name: "cut off mid-stream", key: testKey, report: cutOff,
			want: FailureNetwork, wantErr: artifact.ErrNetwork},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, client := newFake(t)
			srv.mu.Lock()
			srv.report, srv.list = tt.report, tt.list
			srv.mu.Unlock()
			if tt.password != "" {
				client = newClient(t, srv.base, tt.password)
			}
			cache := t.TempDir()
			f := NewFetcher(client, cache)

			st, err := f.Fetch(context.Background(), tt.key)
			if err == nil || !errors.Is(err, tt.wantErr) {
				t.Fatalf("error = %v, want %v", err, tt.wantErr)
			}
			want := Status{State: StateFailed, Failure: tt.want}
			if diff := cmp.Diff(want, st, ignoreErr); diff != "" {
				t.Errorf("status mismatch (-want +got):\n%s", diff)
			}
			if st.Err != err {
				t.Errorf("Status.Err = %v, want the returned error", st.Err)
			}
			if tt.password != "" && strings.Contains(err.Error(), tt.password) {
				t.Errorf("error leaks the password: %v", err)
			}
			srv.mu.Lock()
			lists := srv.listCalls
			srv.mu.Unlock()
			if lists != tt.wantLists {
				t.Errorf("listing called %d times, want %d", lists, tt.wantLists)
			}
			if names := dirNames(t, cache); len(names) > 0 && tt.key.ProfileName == "" {
				t.Errorf("cache holds %q after a failure, want nothing", names)
			}
			if names := dirNames(t, filepath.Join(cache, "office")); len(names) > 0 {
				t.Errorf("cache holds %q after a failure, want nothing", names)
			}
		})
	}
}

func TestFetchNetworkDown(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	f := NewFetcher(newClient(t, "http://"+addr, testPassword), t.TempDir())

	st, err := f.Fetch(context.Background(), testKey)
	if !errors.Is(err, artifact.ErrNetwork) || !artifact.IsRefused(err) {
		t.Fatalf("error = %v, want a refused network error", err)
	}
	if st.State != StateFailed || st.Failure != FailureNetwork {
		t.Errorf("status = %+v, want failed network", st)
	}
}

func TestFetchKeepsGoodCopyWhenRefreshIsCutOff(t *testing.T) {
	t.Parallel()
	srv, client := newFake(t)
	good := smallReport(t, "good")
	srv.setReport("basic", "aa", "aa03", good)
	cache := t.TempDir()
	f := NewFetcher(client, cache)
	if _, err := f.Fetch(context.Background(), testKey); err != nil {
		t.Fatal(err)
	}

	srv.mu.Lock()
	srv.report = func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", fmt.Sprint(len(good)*2))
		w.WriteHeader(http.StatusOK)
		w.Write(good) // a complete-looking zip, then the connection dies
		w.(http.Flusher).Flush()
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			conn.Close()
		}
	}
	srv.mu.Unlock()

	st, err := f.Fetch(context.Background(), testKey)
	if st.Failure != FailureNetwork || !errors.Is(err, artifact.ErrNetwork) {
		t.Fatalf("refresh = %+v, %v; want failed network", st, err)
	}
	got, err := os.ReadFile(f.Path(testKey))
	if err != nil || !bytes.Equal(got, good) {
		t.Errorf("good cached report was replaced or lost (err %v)", err)
	}
	want := []string{FileName(testKey)}
	if diff := cmp.Diff(want, dirNames(t, filepath.Join(cache, "office"))); diff != "" {
		t.Errorf("cache folder mismatch (-want +got):\n%s", diff)
	}
}

func TestFetchRejectsBadKeys(t *testing.T) {
	t.Parallel()
	_, client := newFake(t)
	f := NewFetcher(client, t.TempDir())
	for _, k := range []Key{
		{RepoID: 0, Namespace: "basic", Image: "aa", Version: "V1"},
		{RepoID: testRepoID, Namespace: "", Image: "aa", Version: "V1"},
		{RepoID: testRepoID, Namespace: "basic", Image: "../etc", Version: "V1"},
		{RepoID: testRepoID, Namespace: "basic", Image: "aa", Version: ".."},
	} {
		if _, err := f.Fetch(context.Background(), k); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Fetch(%+v) error = %v, want ErrInvalidKey", k, err)
		}
	}
}

func TestFetchCancelled(t *testing.T) {
	t.Parallel()
	_, client := newFake(t)
	f := NewFetcher(client, t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	st, err := f.Fetch(ctx, testKey)
	if !errors.Is(err, context.Canceled) || st.State != "" {
		t.Errorf("Fetch with a cancelled context = %+v, %v; want context.Canceled", st, err)
	}
}

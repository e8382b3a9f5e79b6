package artifact

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
)

// Test credentials; the password holds the characters the contract warns of.
const (
	testUser     = "deployer"
	testPassword = `p{a]s)s<w>o:rd`
	testRepoID   = int64(1495097876821574)
)

// fakeServer answers like the artifact API described in the contract,
// including its faults.
type fakeServer struct {
	mu       sync.Mutex
	trees    map[int64]map[string]Listing // repo → listed path → listing
	reports  map[string][]byte            // "repo|path" → xlsx bytes
	queries  []string                     // raw queries of report calls
	bodies   [][]byte                     // bodies of list calls
	requests []*http.Request
}

// newFakeServer starts the fake on 127.0.0.1 with the contract's examples.
func newFakeServer(t *testing.T) (*fakeServer, *httptest.Server) {
	t.Helper()
	f := &fakeServer{
		trees: map[int64]map[string]Listing{testRepoID: {
			"": {Pre: ".", Entries: []Entry{
				{Dir: true, Name: "aa", Path: "basic/aa"},
				{Dir: true, Name: "test", Path: "basic/test"},
				{Dir: true, Name: "ubuntu", Path: "basic/ubuntu"},
			}},
			"basic/aa": {Pre: "basic", Entries: []Entry{
				{Dir: true, Name: "06", Path: "basic/aa/06"},
				{Dir: true, Name: "100", Path: "basic/aa/100"},
				{Dir: true, Name: "V5", Path: "basic/aa/V5"},
				{Dir: true, Name: "aa01", Path: "basic/aa/aa01"},
			}},
		}},
		reports: map[string][]byte{
			reportKey(testRepoID, "basic/aa/aa03/manifest.json"): []byte("PK\x03\x04report"),
		},
	}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

// reportKey indexes the fake's reports.
func reportKey(repo int64, path string) string {
	return strconv.FormatInt(repo, 10) + "|" + path
}

// ServeHTTP routes the two API calls.
func (f *fakeServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests = append(f.requests, r)
	f.mu.Unlock()

	user, pass, ok := r.BasicAuth()
	if !ok || user != testUser || pass != testPassword {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, "<html><body>401 Unauthorized</body></html>")
		return
	}
	switch r.URL.Path {
	case listPath:
		f.serveList(w, r)
	case reportPath:
		f.serveReport(w, r)
	default:
		http.NotFound(w, r)
	}
}

// serveList answers the folder listing.
func (f *fakeServer) serveList(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(r.Body); err != nil {
		http.Error(w, "read", http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.bodies = append(f.bodies, buf.Bytes())
	f.mu.Unlock()

	var req struct {
		Deleted *bool       `json:"deleted"`
		RepoID  json.Number `json:"repo_id"`
		Path    string      `json:"path"`
	}
	dec := json.NewDecoder(&buf)
	dec.UseNumber()
	if err := dec.Decode(&req); err != nil || req.Deleted == nil {
		writeJSON(w, map[string]any{"code": "BAD_REQUEST", "msg": "bad body"})
		return
	}
	id, err := strconv.ParseInt(req.RepoID.String(), 10, 64)
	if err != nil {
		writeJSON(w, map[string]any{"code": "BAD_REQUEST", "msg": "bad repo_id"})
		return
	}
	tree, ok := f.trees[id]
	if !ok {
		writeJSON(w, map[string]any{"code": "REPO_NOT_FOUND", "msg": "仓库不存在"})
		return
	}
	l, ok := tree[req.Path]
	if !ok {
		l = Listing{Pre: ".", Entries: nil}
	}
	list := make([]map[string]any, 0, len(l.Entries))
	for _, e := range l.Entries {
		dir := 0
		if e.Dir {
			dir = 1
		}
		list = append(list, map[string]any{"dir": dir, "name": e.Name, "path": e.Path})
	}
	writeJSON(w, map[string]any{"code": "OK", "body": map[string]any{"pre": l.Pre,
		"list": list}})
}

// serveReport answers the scan report download: 500 for anything unknown,
// exactly like the real server does for a report not generated yet and for a
// badly encoded path.
func (f *fakeServer) serveReport(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.queries = append(f.queries, r.URL.RawQuery)
	f.mu.Unlock()

	q := r.URL.Query()
	id, err := strconv.ParseInt(q.Get("repo_id"), 10, 64)
	body, ok := f.reports[reportKey(id, q.Get("path"))]
	if err != nil || !ok {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprint(w, "<html><body><h1>Internal Server Error</h1></body></html>")
		return
	}
	w.Header().Set("Content-Type",
		"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Write(body)
}

// writeJSON answers v as JSON with status 200.
func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// goodCreds returns the test credentials.
func goodCreds() (string, string, error) { return testUser, testPassword, nil }

// newTestClient returns a client for srv with the test credentials.
func newTestClient(t *testing.T, srv *httptest.Server, opts ...Option) *Client {
	t.Helper()
	opts = append([]Option{WithCredentials(goodCreds)}, opts...)
	c, err := New(srv.URL, opts...)
	if err != nil {
		t.Fatalf("New(%q): %v", srv.URL, err)
	}
	return c
}

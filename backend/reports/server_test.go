package reports

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"imagedesk/backend/artifact"
)

// Test credentials; the password holds the characters the contract warns of.
const (
	testUser     = "deployer"
	testPassword = `p{a]s)s<w>o:rd`
	testRepoID   = int64(1495097876821574)
)

// fakeArtifact answers like the artifact API of the contract: versions are
// folders, and a report not generated yet (or a badly encoded path) is a 500.
type fakeArtifact struct {
	mu        sync.Mutex
	versions  map[string][]string // "ns/image" → versions
	reports   map[string][]byte   // "ns/image/version/manifest.json" → body
	report    http.HandlerFunc    // when set, answers report calls instead
	list      http.HandlerFunc    // when set, answers list calls instead
	queries   []string
	listCalls int
	base      string // the server's URL
}

// newFake starts the fake on 127.0.0.1 and returns it with a client for it.
func newFake(t *testing.T) (*fakeArtifact, *artifact.Client) {
	t.Helper()
	f := &fakeArtifact{
		versions: map[string][]string{"basic/aa": {"06", "100", "V5", "aa01", "aa03"}},
		reports:  map[string][]byte{},
	}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	f.base = srv.URL
	return f, newClient(t, srv.URL, testPassword)
}

// newClient returns an artifact client for url using password.
func newClient(t *testing.T, url, password string) *artifact.Client {
	t.Helper()
	c, err := artifact.New(url, artifact.WithCredentials(func() (string, string, error) {
		return testUser, password, nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// setReport makes the server answer body for the version's report.
func (f *fakeArtifact) setReport(ns, image, version string, body []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reports[artifact.ReportPath(ns, image, version)] = body
}

// ServeHTTP checks basic auth and routes the two API calls.
func (f *fakeArtifact) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	user, pass, ok := r.BasicAuth()
	if !ok || user != testUser || pass != testPassword {
		http.Error(w, "<html>401 Unauthorized</html>", http.StatusUnauthorized)
		return
	}
	f.mu.Lock()
	report, list := f.report, f.list
	f.mu.Unlock()

	switch r.URL.Path {
	case "/api/v1/artifact/repo/file/list":
		f.mu.Lock()
		f.listCalls++
		f.mu.Unlock()
		if list != nil {
			list(w, r)
			return
		}
		f.serveList(w, r)
	case "/api/v1/artifact/repo/file/scanreport":
		f.mu.Lock()
		f.queries = append(f.queries, r.URL.RawQuery)
		f.mu.Unlock()
		if report != nil {
			report(w, r)
			return
		}
		f.serveReport(w, r)
	default:
		http.NotFound(w, r)
	}
}

// serveList lists the versions of one image.
func (f *fakeArtifact) serveList(w http.ResponseWriter, r *http.Request) {
	var req struct {
		RepoID int64  `json:"repo_id"`
		Path   string `json:"path"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.RepoID != testRepoID {
		fmt.Fprint(w, `{"code":"BAD_REQUEST","msg":"bad request"}`)
		return
	}
	f.mu.Lock()
	versions := f.versions[req.Path]
	f.mu.Unlock()
	list := make([]map[string]any, 0, len(versions))
	for _, v := range versions {
		list = append(list, map[string]any{"dir": 1, "name": v, "path": req.Path + "/" + v})
	}
	pre := strings.Split(req.Path, "/")[0]
	json.NewEncoder(w).Encode(map[string]any{"code": "OK",
		"body": map[string]any{"pre": pre, "list": list}})
}

// serveReport answers a generated report or a bare 500.
func (f *fakeArtifact) serveReport(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f.mu.Lock()
	body, ok := f.reports[q.Get("path")]
	f.mu.Unlock()
	if q.Get("repo_id") != strconv.FormatInt(testRepoID, 10) || !ok {
		http.Error(w, "<html>Internal Server Error</html>", http.StatusInternalServerError)
		return
	}
	w.Write(body)
}

// testKey is the key of basic/aa:aa03 in the test repository.
var testKey = Key{ProfileName: "office", RepoID: testRepoID, RepoName: "base-repo",
	Namespace: "basic", Image: "aa", Version: "aa03"}

// fixedNow is the clock of test fetchers.
var fixedNow = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// writeWorkbook saves a workbook with the given sheets (name → rows, in the
// order given by names) under dir and returns its path.
func writeWorkbook(t *testing.T, dir string, names []string, sheets map[string][][]any) string {
	t.Helper()
	wb := excelize.NewFile()
	defer wb.Close()
	for i, name := range names {
		if i == 0 {
			if err := wb.SetSheetName("Sheet1", name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := wb.NewSheet(name); err != nil {
			t.Fatal(err)
		}
		for r, row := range sheets[name] {
			cell, err := excelize.CoordinatesToCellName(1, r+1)
			if err != nil {
				t.Fatal(err)
			}
			if err := wb.SetSheetRow(name, cell, &row); err != nil {
				t.Fatal(err)
			}
		}
	}
	path := filepath.Join(dir, "book.xlsx")
	if err := wb.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path
}

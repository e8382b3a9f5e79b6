package sandbox

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// TestAuth checks that the API and the registry refuse missing and wrong
// credentials with a Basic challenge.
func TestAuth(t *testing.T) {
	t.Parallel()
	s := startTest(t, Config{})
	listURL := s.URL() + "/api/v1/artifact/repo/file/list"
	body := `{"deleted":false,"repo_id":9007199254740993}`
	tests := []struct {
		name, method, url, user, password, body string
		want                                    int
	}{
		{"api no creds", http.MethodPost, listURL, "", "", body, 401},
		{"api wrong password", http.MethodPost, listURL, DefaultUser, "nope", body, 401},
		{"api wrong user", http.MethodPost, listURL, "root", testPassword, body, 401},
		{"api ok", http.MethodPost, listURL, DefaultUser, testPassword, body, 200},
		{"repos no creds", http.MethodGet, s.URL() + "/api/sandbox/repos", "", "", "", 401},
		{"registry no creds", http.MethodGet, s.URL() + "/v2/", "", "", "", 401},
		{"registry wrong", http.MethodGet, s.URL() + "/v2/", DefaultUser, "x", "", 401},
		{"registry ok", http.MethodGet, s.URL() + "/v2/", DefaultUser, testPassword, "", 200},
		{"registry ok cached", http.MethodGet, s.URL() + "/v2/", DefaultUser, testPassword, "",
			200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, h, b := do(t, tc.method, tc.url, tc.user, tc.password, tc.body)
			if st != tc.want {
				t.Fatalf("status %d, want %d: %s", st, tc.want, b)
			}
			if st == 401 && !strings.HasPrefix(h.Get("WWW-Authenticate"), "Basic ") {
				t.Errorf("WWW-Authenticate %q", h.Get("WWW-Authenticate"))
			}
			if st == 401 && strings.Contains(string(b), testPassword) {
				t.Errorf("401 body echoes the password")
			}
		})
	}
}

// TestHostileInput sends malformed requests; each gets a clean JSON error and
// the server keeps answering.
func TestHostileInput(t *testing.T) {
	t.Parallel()
	s := startTest(t, Config{ReportDelay: time1h})
	push(t, s, baseRepo.Name, "basic/aa", "06")
	big := `{"deleted":false,"repo_id":9007199254740993,"path":"` +
		strings.Repeat("a", 70<<10) + `"}`
	tests := []struct {
		name, body string
		status     int
		code       string
	}{
		{"oversize body", big, 413, codeTooLarge},
		{"not json", `{"deleted":`, 400, codeBadRequest},
		{"empty body", ``, 400, codeBadRequest},
		{"array body", `[1,2]`, 400, codeBadRequest},
		{"repo_id string", `{"repo_id":"9007199254740993"}`, 400, codeBadRequest},
		{"repo_id float", `{"repo_id":9007199254740993.5}`, 400, codeBadRequest},
		{"repo_id exponent", `{"repo_id":1e15}`, 400, codeBadRequest},
		{"repo_id missing", `{"deleted":false}`, 400, codeBadRequest},
		{"repo_id huge", `{"repo_id":99999999999999999999}`, 400, codeBadRequest},
		{"deleted string", `{"repo_id":9007199254740993,"deleted":"no"}`, 400, codeBadRequest},
		{"path number", `{"repo_id":9007199254740993,"path":7}`, 400, codeBadRequest},
		{"unknown repo", `{"repo_id":1234567890123456}`, 404, codeRepoNotFound},
		{"dotdot", `{"repo_id":9007199254740993,"path":"basic/../../etc"}`, 400,
			codeBadRequest},
		{"leading dotdot", `{"repo_id":9007199254740993,"path":"../accounts"}`, 400,
			codeBadRequest},
		{"encoded dotdot", `{"repo_id":9007199254740993,"path":"basic/%2e%2e/%2e%2e"}`, 400,
			codeBadRequest},
		{"backslash", `{"repo_id":9007199254740993,"path":"basic\\..\\aa"}`, 400,
			codeBadRequest},
		{"nul", `{"repo_id":9007199254740993,"path":"basic/aa\u0000"}`, 400, codeBadRequest},
		{"too deep", `{"repo_id":9007199254740993,"path":"basic/aa/06/manifest.json/x"}`, 400,
			codeBadRequest},
		{"file", `{"repo_id":9007199254740993,"path":"basic/aa/06/manifest.json"}`, 400,
			codeBadRequest},
		{"unknown image", `{"repo_id":9007199254740993,"path":"basic/zz"}`, 404,
			codePathNotFound},
		{"unknown version", `{"repo_id":9007199254740993,"path":"basic/aa/07"}`, 404,
			codePathNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, got := list(t, s, tc.body)
			var resp errResponse
			mustUnmarshal(t, got, &resp)
			if st != tc.status || resp.Code != tc.code || resp.Message == "" {
				t.Errorf("got %d %s, want %d code %s", st, got, tc.status, tc.code)
			}
		})
	}

	st, _, b := do(t, http.MethodGet, s.URL()+"/api/v1/artifact/repo/file/list", DefaultUser,
		testPassword, "")
	if st != http.StatusMethodNotAllowed || !strings.Contains(string(b), codeNotAllowed) {
		t.Errorf("GET list: %d %s", st, b)
	}
	st, got := list(t, s, `{"deleted":false,"repo_id":9007199254740993,"path":"basic/aa"}`)
	if st != http.StatusOK || !strings.Contains(got, `"name":"06"`) {
		t.Errorf("server after hostile input: %d %s", st, got)
	}
}

// TestRepos checks that repository ids above 2^53 come back exactly.
func TestRepos(t *testing.T) {
	t.Parallel()
	s := startTest(t, Config{})
	st, _, b := do(t, http.MethodGet, s.URL()+"/api/sandbox/repos", DefaultUser, testPassword, "")
	want := `{"code":"OK","body":[` +
		`{"id":9007199254740993,"name":"base-images","kind":"base"},` +
		`{"id":1495097876821574,"name":"business-images","kind":"business"}]}`
	if st != 200 {
		t.Fatalf("status %d", st)
	}
	if diff := cmp.Diff(want, strings.TrimSpace(string(b))); diff != "" {
		t.Errorf("repos (-want +got):\n%s", diff)
	}
}

// TestDeletedTags deletes by tag and by digest through the registry API and
// finds the versions under deleted:true.
func TestDeletedTags(t *testing.T) {
	t.Parallel()
	s := startTest(t, Config{ReportDelay: time1h})
	push(t, s, baseRepo.Name, "basic/aa", "06")
	push(t, s, baseRepo.Name, "basic/aa", "100")
	img := push(t, s, baseRepo.Name, "basic/aa", "V5")

	if err := remote.Delete(tagRef(t, s, baseRepo.Name, "basic/aa", "06"),
		remoteOpts(s)...); err != nil {
		t.Fatalf("deleting tag: %v", err)
	}
	dg, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	byDigest := tagRef(t, s, baseRepo.Name, "basic/aa", "V5").Context().Digest(dg.String())
	if err := remote.Delete(byDigest, remoteOpts(s)...); err != nil {
		t.Fatalf("deleting digest: %v", err)
	}

	_, live := list(t, s, `{"deleted":false,"repo_id":9007199254740993,"path":"basic/aa"}`)
	wantLive := `{"code":"OK","body":{"pre":"basic","list":[` +
		`{"dir":1,"name":"100","path":"basic/aa/100"}]}}`
	if diff := cmp.Diff(wantLive, live); diff != "" {
		t.Errorf("live listing (-want +got):\n%s", diff)
	}
	_, dead := list(t, s, `{"deleted":true,"repo_id":9007199254740993,"path":"basic/aa"}`)
	wantDead := `{"code":"OK","body":{"pre":"basic","list":[` +
		`{"dir":1,"name":"06","path":"basic/aa/06"},` +
		`{"dir":1,"name":"V5","path":"basic/aa/V5"}]}}`
	if diff := cmp.Diff(wantDead, dead); diff != "" {
		t.Errorf("deleted listing (-want +got):\n%s", diff)
	}
	_, root := list(t, s, `{"deleted":true,"repo_id":9007199254740993}`)
	if !strings.Contains(root, `"path":"basic/aa"`) {
		t.Errorf("deleted root: %s", root)
	}
	st, files := list(t, s, `{"deleted":true,"repo_id":9007199254740993,"path":"basic/aa/06"}`)
	if st != 200 || !strings.Contains(files, `"name":"manifest.json"`) {
		t.Errorf("deleted version files: %d %s", st, files)
	}
	if st, _, _ := getReport(t, s, reportURL(s, baseRepo.ID, "basic/aa", "06")); st != 500 {
		t.Errorf("report of a deleted version: status %d, want 500", st)
	}

	// Pushing the tag again brings it back to the live list, at the end.
	push(t, s, baseRepo.Name, "basic/aa", "06")
	_, live = list(t, s, `{"deleted":false,"repo_id":9007199254740993,"path":"basic/aa"}`)
	if !strings.HasSuffix(live, `{"dir":1,"name":"06","path":"basic/aa/06"}]}}`) {
		t.Errorf("re-pushed tag: %s", live)
	}
}

// TestRegistryNames checks that pushes follow <repo_name>/<namespace>/<image>.
func TestRegistryNames(t *testing.T) {
	t.Parallel()
	s := startTest(t, Config{ReportDelay: time1h})
	img, err := demoImage("x/y", "1", flavourDebian)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, repo, image string
		wantErr           bool
	}{
		{"base ok", baseRepo.Name, "basic/tool", false},
		{"business ok", bizRepo.Name, "payments/api", false},
		{"base with project", baseRepo.Name, "payments/api", true},
		{"business with basic", bizRepo.Name, "basic/tool", true},
		{"unknown repository", "nowhere", "basic/tool", true},
		{"too short", baseRepo.Name, "tool", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := remote.Write(tagRef(t, s, tc.repo, tc.image, "1"), img, remoteOpts(s)...)
			if (err != nil) != tc.wantErr {
				t.Errorf("push error %v, want error %v", err, tc.wantErr)
			}
		})
	}
}

// TestConfig checks the refused configurations and EnsurePassword.
func TestConfig(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	_, err := Start(context.Background(), Config{DataDir: dir, Listen: "0.0.0.0:0"})
	if !errors.Is(err, ErrNotLoopback) {
		t.Errorf("Listen 0.0.0.0: %v, want ErrNotLoopback", err)
	}
	_, err = Start(context.Background(), Config{DataDir: dir, NoReportPattern: "re:("})
	if !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("bad pattern: %v, want ErrInvalidConfig", err)
	}
	_, err = Start(context.Background(), Config{DataDir: dir, Repos: []Repo{
		{ID: 1, Name: "a", Kind: KindBase}, {ID: 1, Name: "b", Kind: KindBase}}})
	if !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("duplicate id: %v, want ErrInvalidConfig", err)
	}

	pw, path, created, err := EnsurePassword(filepath.Join(dir, "new"))
	if err != nil || !created || len(pw) < 20 {
		t.Fatalf("EnsurePassword: %q %v %v", pw, created, err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("password file mode %v %v", fi.Mode(), err)
	}
	again, _, created, err := EnsurePassword(filepath.Join(dir, "new"))
	if err != nil || created || again != pw {
		t.Errorf("EnsurePassword again: created %v err %v same %v", created, err, again == pw)
	}

	// A sandbox without a configured password uses the kept one.
	s, err := Start(context.Background(), Config{DataDir: filepath.Join(dir, "new")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	if st, _, _ := do(t, http.MethodGet, s.URL()+"/v2/", DefaultUser, pw, ""); st != 200 {
		t.Errorf("kept password refused: %d", st)
	}
	st, _, _ := do(t, http.MethodGet, s.URL()+"/v2/", DefaultUser, testPassword, "")
	if st != 401 {
		t.Errorf("other password accepted: %d", st)
	}
}

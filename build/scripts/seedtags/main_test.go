package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"testing"

	"imagedesk/backend/sandbox"
)

// TestSeedTags seeds a few tags, then starts the sandbox again on the same
// directory, as the window does, and checks the registry lists every one.
func TestSeedTags(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	data := filepath.Join(dir, "sandbox")
	out := filepath.Join(dir, "expected.json")
	if err := run(data, 120, 3, out); err != nil {
		t.Fatal(err)
	}

	var exp expected
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &exp); err != nil {
		t.Fatal(err)
	}
	if len(exp.Versions) != 120 || exp.Versions[10] != "1.0.10" || exp.Versions[100] != "1.1.0" {
		t.Fatalf("versions %v: want 120 in numeric order", exp.Versions)
	}
	if sort.StringsAreSorted(exp.Versions) {
		t.Error("numeric order equals string order here: the check would prove nothing")
	}

	pw, _, _, err := sandbox.EnsurePassword(data)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := sandbox.Start(context.Background(), sandbox.Config{DataDir: data, Password: pw,
		Demo: true, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close(context.Background())
	req, _ := http.NewRequest(http.MethodGet,
		srv.URL()+"/v2/"+repoName+"/"+imagePath+"/tags/list?n=1000", nil)
	req.SetBasicAuth(sandbox.DefaultUser, pw)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var list struct {
		Tags []string `json:"tags"`
	}
	if err := json.Unmarshal(body, &list); err != nil {
		t.Fatalf("tags list %s: %v", body, err)
	}
	sigs := slices.DeleteFunc(slices.Clone(list.Tags), func(s string) bool {
		return !isSig(s)
	})
	if len(list.Tags) != 123 || len(sigs) != 3 {
		t.Errorf("%d tags, %d of them signatures; want 123 and 3", len(list.Tags), len(sigs))
	}
	for _, v := range exp.Versions {
		if !slices.Contains(list.Tags, v) {
			t.Fatalf("version %s not in the registry", v)
		}
	}
}

func isSig(tag string) bool {
	return len(tag) == len("sha256-.sig")+64 && tag[:7] == "sha256-" && tag[len(tag)-4:] == ".sig"
}

func TestSeedTagsRefusesBadFlags(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, c := range [][2]int{{0, 1}, {maxVersions + 1, 1}, {10, -1}, {10, maxSigs + 1}} {
		if err := run(dir, c[0], c[1], ""); err == nil {
			t.Errorf("-n %d -sigs %d accepted", c[0], c[1])
		}
	}
	if err := run("", 10, 1, ""); err == nil {
		t.Error("an empty -data accepted")
	}
}

package sandbox

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// contractRepo is the repository of the contract's examples.
var contractRepo = Repo{ID: 1495097876821574, Name: "base-images", Kind: KindBase}

// TestContractListing replays the two requests of the contract and compares
// the exact JSON answers.
func TestContractListing(t *testing.T) {
	t.Parallel()
	s := startTest(t, Config{Repos: []Repo{contractRepo}, ReportDelay: time1h})
	for _, v := range []string{"06", "100", "V5", "aa01"} {
		push(t, s, contractRepo.Name, "basic/aa", v)
	}
	push(t, s, contractRepo.Name, "basic/ubuntu", "V1")
	push(t, s, contractRepo.Name, "basic/test", "1")

	tests := []struct {
		name, body, want string
	}{
		{
			name: "root",
			body: `{"deleted": false, "repo_id": 1495097876821574}`,
			want: `{"code":"OK","body":{"pre":".","list":[` +
				`{"dir":1,"name":"aa","path":"basic/aa"},` +
				`{"dir":1,"name":"test","path":"basic/test"},` +
				`{"dir":1,"name":"ubuntu","path":"basic/ubuntu"}]}}`,
		},
		{
			name: "image",
			body: `{"deleted": false, "repo_id": 1495097876821574, "path": "basic/aa"}`,
			want: `{"code":"OK","body":{"pre":"basic","list":[` +
				`{"dir":1,"name":"06","path":"basic/aa/06"},` +
				`{"dir":1,"name":"100","path":"basic/aa/100"},` +
				`{"dir":1,"name":"V5","path":"basic/aa/V5"},` +
				`{"dir":1,"name":"aa01","path":"basic/aa/aa01"}]}}`,
		},
		{
			name: "namespace",
			body: `{"deleted": false, "repo_id": 1495097876821574, "path": "basic"}`,
			want: `{"code":"OK","body":{"pre":".","list":[` +
				`{"dir":1,"name":"aa","path":"basic/aa"},` +
				`{"dir":1,"name":"test","path":"basic/test"},` +
				`{"dir":1,"name":"ubuntu","path":"basic/ubuntu"}]}}`,
		},
		{
			name: "nothing deleted",
			body: `{"deleted": true, "repo_id": 1495097876821574}`,
			want: `{"code":"OK","body":{"pre":".","list":[]}}`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, got := list(t, s, tc.body)
			if st != http.StatusOK {
				t.Fatalf("status %d, body %s", st, got)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("listing (-want +got):\n%s", diff)
			}
		})
	}
}

// TestVersionListing checks that a version folder lists manifest.json and its
// layer files, with the image path as pre.
func TestVersionListing(t *testing.T) {
	t.Parallel()
	s := startTest(t, Config{Repos: []Repo{contractRepo}, ReportDelay: time1h})
	img := push(t, s, contractRepo.Name, "basic/aa", "V5")
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	want := listBody{Pre: "basic/aa", List: []listEntry{
		{Dir: 0, Name: "manifest.json", Path: "basic/aa/V5/manifest.json"},
	}}
	for _, l := range layers {
		d, err := l.Digest()
		if err != nil {
			t.Fatal(err)
		}
		n := "sha256__" + d.Hex
		want.List = append(want.List, listEntry{Dir: 0, Name: n, Path: "basic/aa/V5/" + n})
	}
	if len(want.List) != 3 {
		t.Fatalf("demo image has %d layers, want 2", len(want.List)-1)
	}
	st, got := list(t, s, `{"deleted":false,"repo_id":1495097876821574,"path":"basic/aa/V5"}`)
	if st != http.StatusOK {
		t.Fatalf("status %d: %s", st, got)
	}
	var resp struct {
		Code string   `json:"code"`
		Body listBody `json:"body"`
	}
	mustUnmarshal(t, got, &resp)
	if resp.Code != "OK" {
		t.Fatalf("code %q", resp.Code)
	}
	if diff := cmp.Diff(want, resp.Body); diff != "" {
		t.Errorf("version listing (-want +got):\n%s", diff)
	}
}

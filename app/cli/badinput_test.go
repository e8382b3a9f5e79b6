package cli

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"imagedesk/app"
	"imagedesk/app/internal/badinput"
	"imagedesk/backend/reliability"
	"imagedesk/backend/sandbox"
	"imagedesk/backend/store"
)

// badInputCLI is a data directory and an inline server whose registry is a
// sandbox reached only through a proxy that records every request.
type badInputCLI struct {
	data  string
	sb    *sandbox.Server
	proxy *badinput.Proxy
	repos map[string]sandbox.Repo // by kind
}

func newBadInputCLI(t *testing.T) *badInputCLI {
	t.Helper()
	srv := startSandbox(t)
	c := &badInputCLI{data: t.TempDir(), sb: srv, proxy: badinput.NewProxy(t, srv.URL()),
		repos: map[string]sandbox.Repo{}}
	for _, r := range srv.Repos() {
		c.repos[r.Kind] = r
	}
	return c
}

// push runs "push FILE --json" with the inline server and the flags of v.
func (c *badInputCLI) push(t *testing.T, file string, v badinput.Values) (int, pushJSON,
	string) {
	t.Helper()
	args := []string{"push", file, "--json", "--api", c.sb.URL(), "--registry", c.proxy.Addr,
		"--plain-http", "--user", sandbox.DefaultUser, "--password-stdin"}
	kind := sandbox.KindBase
	if v.Business {
		kind = sandbox.KindBusiness
		args = append(args, "--project="+v.Project)
	}
	r := c.repos[kind]
	repo := fmt.Sprintf("%s=%d:%s", r.Name, r.ID, kind)
	if v.Repo != "" {
		repo = v.Repo
	}
	args = append(args, "--repo", repo, "--name="+v.Name, "--version="+v.Version,
		"--category="+v.Category, "--description="+v.Description)
	code, out, errOut := runPush(t, c.data, pushPassword+"\n", args...)
	return code, decodePush(t, out), errOut
}

// history returns the first page of upload events of the data directory.
func (c *badInputCLI) history(t *testing.T) store.Page {
	t.Helper()
	code, out, errOut := runPush(t, c.data, "", "history", "--kind", "upload", "--json")
	var page store.Page
	if err := json.Unmarshal([]byte(out), &page); code != ExitOK || err != nil {
		t.Fatalf("history: exit %d, %v, %s", code, err, errOut)
	}
	return page
}

// tagExists asks the sandbox's registry directly, not through the proxy.
func (c *badInputCLI) tagExists(t *testing.T, ref string) bool {
	t.Helper()
	return badinput.TagExists(t, c.sb.Addr(), ref, sandbox.DefaultUser, pushPassword)
}

// TestBadInputArchivesCLI pushes each malformed archive with the command line.
func TestBadInputArchivesCLI(t *testing.T) {
	c := newBadInputCLI(t)
	cache := filepath.Join(c.data, "cache")

	// The control: a good archive goes through the proxy and is tagged.
	good := badinput.GoodArchive(t, t.TempDir(), "bad-input:v0")
	code, p, errOut := c.push(t, good, badinput.Valid())
	tr := badinput.Sum(c.proxy.Take())
	if code != ExitOK || !p.OK || tr.Committed == 0 || tr.Manifests != 1 ||
		!c.tagExists(t, p.Ref) {
		t.Fatalf("control push: exit %d, %+v, traffic %+v, %s", code, p, tr, errOut)
	}

	for i, a := range badinput.Archives() {
		if a.WindowOnly {
			continue
		}
		t.Run(a.Name, func(t *testing.T) {
			path := a.Path(t, t.TempDir())
			before := badinput.Fingerprint(t, path)
			entries := badinput.Entries(t, cache)
			rows := c.history(t).Total

			v := badinput.Valid()
			v.Version = fmt.Sprintf("c%d", i)
			code, p, errOut := c.push(t, path, v)
			if code != ExitBadArchive || p.OK || p.Code != a.Code ||
				!strings.HasPrefix(errOut, "imagedesk: "+a.Code+": ") {
				t.Errorf("exit %d, %+v, stderr %q; want %d and %s", code, p, errOut,
					ExitBadArchive, a.Code)
			}

			// Refused on inspection, before the push and its History row; a
			// fault in layer bytes fails the push, which History records.
			h := c.history(t)
			switch {
			case !a.Late && (p.HistoryID != 0 || h.Total != rows):
				t.Errorf("history id %d, %d rows added; want none", p.HistoryID, h.Total-rows)
			case a.Late && (h.Total != rows+1 || h.Events[0].ID != p.HistoryID ||
				h.Events[0].Status != store.StatusFailed || h.Events[0].ErrCode != a.Code):
				t.Errorf("history %+v; want one failed row %d with %s", h.Events, p.HistoryID,
					a.Code)
			}

			tr := badinput.Sum(c.proxy.Take())
			lost := "nothing: refused before any request to the registry"
			switch {
			case !a.Late && tr.Requests != 0:
				t.Errorf("%d requests and %d body bytes reached the registry", tr.Requests,
					tr.Bytes)
			case a.Late && (tr.Manifests != 0 || tr.Committed > 1 ||
				tr.Sessions != tr.Committed+tr.Cancelled):
				t.Errorf("traffic %+v: want no manifest, at most the intact layer committed "+
					"and every other upload session cancelled", tr)
			case a.Late:
				lost = badinput.LateLoss(tr)
			}
			ref := fmt.Sprintf("%s/%s/basic/%s:%s", c.proxy.Addr, c.repos[sandbox.KindBase].Name,
				v.Name, v.Version)
			if c.tagExists(t, ref) {
				t.Errorf("tag %s exists", ref)
			}
			if after := badinput.Entries(t, cache); !slices.Equal(after, entries) {
				t.Errorf("cache directory changed:\n%s", cmp.Diff(entries, after))
			}
			if badinput.Fingerprint(t, path) != before {
				t.Error("the archive changed")
			}
			if !t.Failed() {
				reliability.Record(t, reliability.Row{Suite: "archive", Case: a.Name,
					Where: "cli", Key: reliability.ErrorKey(a.Code), Lost: lost,
					Recovery: a.Recovery()})
			}
		})
	}
}

// TestBadInputFormsCLI gives each malformed value as a push flag.
func TestBadInputFormsCLI(t *testing.T) {
	c := newBadInputCLI(t)
	good := badinput.GoodArchive(t, t.TempDir(), "bad-input:v1")
	if _, _, err := reliability.Sentences(reliability.ErrorKey(app.CodeInvalidUpload)); err != nil {
		t.Fatal(err)
	}

	for _, f := range badinput.Forms() {
		if f.WindowOnly {
			continue
		}
		t.Run(f.Name, func(t *testing.T) {
			rows := c.history(t).Total
			code, p, errOut := c.push(t, good, f.Values)
			want := app.CodeInvalidUpload + ": " + f.Field + "=" + f.Rule
			if code != ExitUsage || p.OK || p.Code != app.CodeInvalidUpload ||
				errOut != "imagedesk: "+want+"\n" {
				t.Errorf("exit %d, %+v, stderr %q; want %d and %q", code, p, errOut, ExitUsage,
					want)
			}
			if tr := badinput.Sum(c.proxy.Take()); tr.Requests != 0 {
				t.Errorf("%d requests reached the registry", tr.Requests)
			}
			if n := c.history(t).Total; n != rows || p.HistoryID != 0 {
				t.Errorf("%d history rows added, id %d; want none", n-rows, p.HistoryID)
			}
			if !t.Failed() {
				reliability.Record(t, reliability.Row{Suite: "form", Case: f.Name,
					Where: "cli", Key: reliability.RuleKey(f.Rule),
					Lost:     "nothing: refused before any request to the registry",
					Recovery: "run the command again with the flag corrected"})
			}
		})
	}
}

package app

import (
	"context"
	"os"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"imagedesk/backend/secrets"
	"imagedesk/backend/store"
)

// sandboxApp starts an app with its embedded sandbox, reports arriving after delay.
func sandboxApp(t *testing.T, delay string) (*App, string, string) {
	t.Helper()
	a := newTestAppEnv(t, map[string]string{"IMAGEDESK_SANDBOX_REPORT_DELAY": delay})
	if err := a.StartSandbox(context.Background()); err != nil {
		t.Fatal(err)
	}
	p, _ := a.Profiles.Find(SandboxProfile)
	return a, p.Repos[0].IDString(), p.Repos[1].IDString()
}

func TestBrowseTreeAndOffline(t *testing.T) {
	a, base, _ := sandboxApp(t, "1h")
	imgs, err := a.Browse.Images(SandboxProfile, base)
	if err != nil || imgs.Offline {
		t.Fatalf("Images = %+v, %v", imgs, err)
	}
	var paths []string
	for _, im := range imgs.Images {
		paths = append(paths, im.Path)
	}
	if len(paths) != 3 || paths[0] != "basic/aa" || imgs.Images[0].Namespace != "basic" {
		t.Fatalf("images %v", paths)
	}
	vs, err := a.Browse.Versions(SandboxProfile, base, "basic/ubuntu")
	if err != nil {
		t.Fatal(err)
	}
	if len(vs.Versions) != 2 || vs.Versions[0].Name != "v1.2" || vs.Versions[1].Name != "v1.10" {
		t.Fatalf("versions %+v, want v1.2 before v1.10 and no signature tags", vs.Versions)
	}
	if !vs.Versions[1].Signed || vs.Versions[0].Signed || !vs.Versions[1].Newest {
		t.Errorf("marks %+v: v1.10 is the signed, newest one", vs.Versions)
	}
	if len(vs.SigTags) != 1 {
		t.Errorf("signature tags %v", vs.SigTags)
	}
	d, err := a.Browse.Details(SandboxProfile, base, "basic", "ubuntu", "v1.10", vs.SigTags)
	if err != nil || d.SignatureTag == "" || len(d.Layers) != 2 || d.Platform != "linux/amd64" {
		t.Fatalf("details %+v, %v", d, err)
	}
	if d.Description == "" || d.Category == "" {
		t.Errorf("annotations not read: %+v", d)
	}

	// With the server gone, the cached tree is served and says so.
	if err := a.stopSandbox(context.Background()); err != nil {
		t.Fatal(err)
	}
	off, err := a.Browse.Versions(SandboxProfile, base, "basic/ubuntu")
	if err != nil || !off.Offline || off.ErrorCode != CodeRefused || len(off.Versions) != 2 {
		t.Fatalf("offline versions = %+v, %v", off, err)
	}
	if off.FetchedAt.IsZero() || time.Since(off.FetchedAt) > time.Minute {
		t.Errorf("offline listing time %v", off.FetchedAt)
	}
	if _, err := a.Browse.Versions(SandboxProfile, base, "basic/never-listed"); codeOf(err) !=
		CodeRefused {
		t.Errorf("uncached listing offline: %v, want %s", err, CodeRefused)
	}
}

func TestReportPendingThenReadyThenOffline(t *testing.T) {
	a, base, business := sandboxApp(t, "4s")
	pushVariant(t, a, base, "basic", "aa", "V5", "fresh")
	v, err := a.Reports.Fetch(SandboxProfile, base, "basic", "aa", "fresh")
	if err != nil || v.State != "pending" {
		t.Fatalf("first fetch = %+v, %v; want pending", v, err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for v.State == "pending" && time.Now().Before(deadline) {
		time.Sleep(500 * time.Millisecond)
		v, err = a.Reports.Fetch(SandboxProfile, base, "basic", "aa", "fresh")
	}
	if err != nil || v.State != "ready" || v.Summary == nil || v.Summary.Findings["HIGH"] == 0 {
		t.Fatalf("report = %+v, %v; want ready with findings", v, err)
	}
	if b, err := os.ReadFile(v.Path); err != nil || string(b[:2]) != "PK" {
		t.Fatalf("cached report %s is not a workbook: %v", v.Path, err)
	}

	nf, _ := a.Reports.Fetch(SandboxProfile, base, "basic", "aa", "nope")
	if nf.State != "failed" || nf.Failure != "not_found" {
		t.Errorf("missing version: %+v", nf)
	}
	never, _ := a.Reports.Fetch(SandboxProfile, business, "payments", "ledger", "2.1.0-noscan")
	if never.State != "pending" {
		t.Errorf("never-generated report: %+v, want the pending placeholder", never)
	}
	page, _ := a.History.Query(store.Filter{Kinds: []store.Kind{store.KindReport}})
	if len(page.Events) != 2 {
		t.Errorf("report history rows = %d, want 2 (ready and not found, not each poll)",
			len(page.Events))
	}

	if err := a.stopSandbox(context.Background()); err != nil {
		t.Fatal(err)
	}
	off, err := a.Reports.Fetch(SandboxProfile, base, "basic", "aa", "fresh")
	if err != nil || off.State != "ready" || !off.Offline || off.Path != v.Path {
		t.Fatalf("offline report = %+v, %v; want the cached copy", off, err)
	}
	down, _ := a.Reports.Fetch(SandboxProfile, base, "basic", "aa", "V5")
	if down.State != "failed" || down.Failure != "network" || down.ErrorCode != CodeRefused {
		t.Errorf("uncached report offline = %+v", down)
	}
}

func TestReportOpenRefusesPathsOutsideTheCache(t *testing.T) {
	a := newTestApp(t)
	opened := ""
	a.Reports.open = func(p string) error { opened = p; return nil }
	for _, p := range []string{"/etc/passwd", a.dirs.Cache + "/reports/../../x"} {
		if err := a.Reports.Open(p); codeOf(err) != CodeInvalidPath {
			t.Errorf("Open(%s) = %v, want %s", p, err, CodeInvalidPath)
		}
	}
	if opened != "" {
		t.Errorf("opened %s", opened)
	}
}

func TestWrongPasswordIsNotOffline(t *testing.T) {
	a, base, _ := sandboxApp(t, "1h")
	if err := a.secrets.Set(secrets.PasswordKey(SandboxProfile), "wrong", true); err != nil {
		t.Fatal(err)
	}
	_, err := a.Browse.Images(SandboxProfile, base)
	if codeOf(err) != CodeUnauthorized {
		t.Fatalf("Images with a wrong password = %v, want %s", err, CodeUnauthorized)
	}
	v, _ := a.Reports.Fetch(SandboxProfile, base, "basic", "aa", "V5")
	if v.State != "failed" || v.Failure != "auth" {
		t.Errorf("report with a wrong password = %+v", v)
	}
}

// pushVariant pushes a copy of one version, changed by an annotation, under a new
// tag, so its report starts pending now.
func pushVariant(t *testing.T, a *App, repoID, ns, image, from, to string) {
	t.Helper()
	ctx := context.Background()
	c, err := a.connect(ctx, SandboxProfile)
	if err != nil {
		t.Fatal(err)
	}
	r, _ := c.repo(repoID)
	src, _ := c.ref(r, ns, image, from)
	dst, _ := c.ref(r, ns, image, to)
	img, err := remote.Image(src, c.remote(ctx)...)
	if err != nil {
		t.Fatal(err)
	}
	img = mutate.Annotations(img, map[string]string{"variant": to}).(v1.Image)
	if err := remote.Write(dst, img, c.remote(ctx)...); err != nil {
		t.Fatal(err)
	}
}

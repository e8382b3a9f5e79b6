package app

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"imagedesk/backend/artifact"
	"imagedesk/backend/profile"
	"imagedesk/backend/store"
)

// formats are the archive kinds an upload accepts, as mkarchive flags.
var formats = []struct {
	name, file string
	args       []string
}{
	{"docker", "img.tar", []string{"-format", "docker"}},
	{"docker-gzip", "img.tar.gz", []string{"-format", "docker", "-gzip"}},
	{"docker-oci", "img.tar", []string{"-format", "docker-oci"}},
	{"oci-archive", "img.tar", []string{"-format", "oci"}},
	{"oci-layout", "layout", []string{"-format", "layout"}},
}

// pushFormats pushes every format to env and checks what the registry holds.
func pushFormats(t *testing.T, env *uploadEnv) {
	for i, f := range formats {
		t.Run(f.name, func(t *testing.T) {
			args := append([]string{"-layers", "3", "-size", "40000", "-tag", "app:1.0",
				"-seed", string(rune('1' + i))}, f.args...)
			path := mkarchive(t, f.file, args...)
			in, err := env.app.Upload.Inspect(path)
			if err != nil {
				t.Fatalf("Inspect: %v", err)
			}
			if len(in.Images) != 1 || in.Images[0].Name != "app" || in.Images[0].Version != "1.0" {
				t.Fatalf("Inspect = %+v, want one image app:1.0", in.Images)
			}
			req := UploadRequest{
				Profile: env.target.Profile.Name, Archive: path,
				Repo: repoOf(t, env.target.Profile, profile.KindBase).Name, Name: "fmt-" + f.name,
				Version: "v1", Category: "os", Description: "format " + f.name,
			}
			res, err := env.app.PushImage(context.Background(), env.target, req, nil)
			if err != nil {
				t.Fatalf("PushImage: %v", err)
			}
			var want []string
			for _, l := range in.Images[0].Layers {
				want = append(want, l.DiffID)
			}
			img := readBack(t, env.target, res.Ref)
			if diff := cmp.Diff(want, diffIDs(t, img)); diff != "" {
				t.Errorf("layers read back differ (-archive +registry):\n%s", diff)
			}
			m, err := img.Manifest()
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range map[string]string{
				profile.AnnotationDescription: "format " + f.name,
				profile.AnnotationCategory:    "os",
				profile.AnnotationVersion:     "v1",
				profile.AnnotationUploader:    env.target.Profile.User,
			} {
				if m.Annotations[k] != v {
					t.Errorf("annotation %s = %q, want %q", k, m.Annotations[k], v)
				}
			}
			created := m.Annotations[profile.AnnotationCreated]
			if _, err := time.Parse(time.RFC3339, created); err != nil {
				t.Errorf("created annotation %q: %v", created, err)
			}
			e, err := env.app.store.Event(context.Background(), res.HistoryID)
			if err != nil || e.Status != store.StatusSucceeded || e.Digest != res.Digest ||
				e.Bytes != res.Size || e.Ref != res.Ref {
				t.Errorf("history = %+v, %v; want succeeded with %s", e, err, res.Digest)
			}
		})
	}
}

func TestUploadFormatsToSandbox(t *testing.T) {
	env := newUploadEnv(t)
	pushFormats(t, env)
}

func TestUploadReportAppears(t *testing.T) {
	env := newUploadEnv(t)
	path := mkarchive(t, "img.tar", "-layers", "1", "-size", "2000", "-tag", "rep:v1")
	repo := repoOf(t, env.target.Profile, profile.KindBusiness)
	res, err := env.app.PushImage(context.Background(), env.target, UploadRequest{
		Profile: "sb", Archive: path, Repo: repo.Name, Project: "proj-a", Name: "rep",
		Version: "v1",
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res.Ref, "/proj-a/rep:v1") {
		t.Errorf("business ref = %s, want the project namespace", res.Ref)
	}
	c, err := apiClient(env.target.Profile, env.target.Password)
	if err != nil {
		t.Fatal(err)
	}
	var last error
	for range 100 {
		var buf bytes.Buffer
		_, last = c.ScanReport(context.Background(), repo.ID, "proj-a", "rep", "v1", &buf)
		if last == nil && bytes.HasPrefix(buf.Bytes(), []byte("PK")) {
			return
		}
		if last != nil && !errors.Is(last, artifact.ErrServer) {
			t.Fatalf("report: %v", last)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no scan report after 5 s: %v", last)
}

func TestUploadRefusesBadArchives(t *testing.T) {
	env := newUploadEnv(t)
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := dir + "/" + name
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	random := make([]byte, 10000)
	rand.Read(random)
	good := mkarchive(t, "good.tar", "-layers", "2", "-size", "30000")
	gz := mkarchive(t, "good.tar.gz", "-layers", "2", "-size", "30000", "-gzip")
	cut := func(name, from string, keep float64) string {
		b, err := os.ReadFile(from)
		if err != nil {
			t.Fatal(err)
		}
		return write(name, b[:int(float64(len(b))*keep)])
	}
	cases := []struct {
		name    string
		path    string
		codes   []string
		atOpen  bool // refused by Inspect already
		version string
	}{
		{"empty", write("empty.tar", nil), []string{CodeArchiveEmpty}, true, "e1"},
		{"random", write("random.bin", random), []string{CodeArchiveNotArchive}, true, "e2"},
		{"truncated", cut("cut.tar", good, 0.6),
			[]string{CodeArchiveTruncated, CodeArchiveMissingLayer}, true, "e3"},
		{"missing layer", mkarchive(t, "miss.tar", "-break", "missing-layer"),
			[]string{CodeArchiveMissingLayer}, true, "e4"},
		{"digest mismatch docker", mkarchive(t, "dig.tar", "-break", "digest"),
			[]string{CodeArchiveLayerDigest}, false, "e5"},
		{"digest mismatch oci", mkarchive(t, "dig-oci.tar", "-format", "oci", "-break", "digest"),
			[]string{CodeArchiveLayerDigest, CodeArchiveCorrupt}, false, "e6"},
		{"gzip ends early", cut("cut.tar.gz", gz, 0.7),
			[]string{CodeArchiveTruncated}, true, "e7"},
		{"no such file", dir + "/nothing.tar", []string{CodeFileMissing}, true, "e8"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, ierr := env.app.Upload.Inspect(c.path)
			if c.atOpen != (ierr != nil) {
				t.Errorf("Inspect error = %v, want refused at open: %v", ierr, c.atOpen)
			}
			req := UploadRequest{Profile: "sb", Archive: c.path,
				Repo: repoOf(t, env.target.Profile, profile.KindBase).Name, Name: "bad",
				Version: c.version}
			res, err := env.app.PushImage(context.Background(), env.target, req, nil)
			code := codeOf(err)
			if !strings.Contains(strings.Join(c.codes, " "), code) || code == "" {
				t.Fatalf("PushImage error = %v (code %q), want one of %v", err, code, c.codes)
			}
			if !IsArchiveCode(code) {
				t.Errorf("IsArchiveCode(%s) = false", code)
			}
			if ref := res.Ref; ref == "" || tagExists(t, env.target, ref) {
				t.Errorf("tag %q written for a bad archive", ref)
			}
			if e, _ := env.app.store.Event(context.Background(), res.HistoryID); e.Status !=
				store.StatusFailed || e.ErrCode != code {
				t.Errorf("history = %+v, want failed with %s", e, code)
			}
		})
	}
}

func TestUploadExistingVersionNeedsOverwrite(t *testing.T) {
	env := newUploadEnv(t)
	path := mkarchive(t, "a.tar", "-layers", "1", "-size", "1000")
	req := UploadRequest{Profile: "sb", Archive: path,
		Repo: repoOf(t, env.target.Profile, profile.KindBase).Name, Name: "dup", Version: "v1"}
	first, err := env.app.PushImage(context.Background(), env.target, req, nil)
	if err != nil {
		t.Fatal(err)
	}
	pf, err := env.app.Upload.Preflight(req)
	if err != nil || !pf.Exists || pf.Digest != first.Digest || pf.Ref != first.Ref {
		t.Fatalf("Preflight = %+v, %v; want exists as %s", pf, err, first.Digest)
	}
	_, err = env.app.PushImage(context.Background(), env.target, req, nil)
	var ce *CodedError
	if !errors.As(err, &ce) || ce.Code != CodeVersionExists || ce.Detail != first.Digest {
		t.Fatalf("second push = %v, want %s with the existing digest", err, CodeVersionExists)
	}
	req.Overwrite = true
	second, err := env.app.PushImage(context.Background(), env.target, req, nil)
	if err != nil || second.Uploaded != 0 || second.Skipped == 0 {
		t.Fatalf("overwrite = %+v, %v; want every layer skipped", second, err)
	}
}

func TestUploadCancelThenResumeSendsOnlyMissing(t *testing.T) {
	env := newUploadEnv(t)
	env.app.Upload.jobs = 1
	path := mkarchive(t, "big.tar", "-layers", "4", "-size", "300000", "-tag", "big:v1")
	req := UploadRequest{Profile: "sb", Archive: path,
		Repo: repoOf(t, env.target.Profile, profile.KindBase).Name, Name: "big", Version: "v1"}

	ctx, progress := cancelAfterLayers(1)
	res, err := env.app.PushImage(ctx, env.target, req, progress)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled push = %v", err)
	}
	if tagExists(t, env.target, res.Ref) {
		t.Fatal("a cancelled push left a tag")
	}
	e, _ := env.app.store.Event(context.Background(), res.HistoryID)
	if e.Status != store.StatusCancelled {
		t.Fatalf("history status = %s, want cancelled", e.Status)
	}
	sentBefore := env.sent.Load()

	again, err := env.app.ResumeRequest(context.Background(), res.HistoryID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(req, again); diff != "" {
		t.Errorf("resume request differs (-pushed +resumed):\n%s", diff)
	}
	env.sent.Store(0)
	done, err := env.app.PushImage(context.Background(), env.target, again, nil)
	if err != nil {
		t.Fatalf("resume: %v", err)
	}
	if done.Skipped == 0 || done.Uploaded == 0 {
		t.Errorf("resume uploaded %d and skipped %d bytes; want both", done.Uploaded,
			done.Skipped)
	}
	if got := env.sent.Load(); got < done.Uploaded || got >= done.Uploaded+done.Skipped {
		t.Errorf("resume sent %d blob bytes; uploaded %d, skipped %d", got, done.Uploaded,
			done.Skipped)
	}
	if sentBefore < done.Skipped {
		t.Errorf("the first attempt sent %d bytes, less than the %d skipped", sentBefore,
			done.Skipped)
	}
	if !tagExists(t, env.target, done.Ref) {
		t.Error("resumed push wrote no tag")
	}
	if _, err := env.app.ResumeRequest(context.Background(), done.HistoryID); !codeIs(err,
		CodeNotResumable) {
		t.Errorf("resuming a succeeded upload = %v, want %s", err, CodeNotResumable)
	}
}

func TestDestinationRules(t *testing.T) {
	t.Parallel()
	pr := profile.Profile{Name: "p", Registry: "reg.example.test:5000", Repos: []profile.Repo{
		{Name: "base-images", ID: 1, Kind: profile.KindBase},
		{Name: "biz", ID: 2, Kind: profile.KindBusiness},
	}}
	long := strings.Repeat("a", 129)
	cases := []struct {
		name string
		req  UploadRequest
		ref  string
		want map[string]string
	}{
		{"base", UploadRequest{Repo: "base-images", Name: "ubuntu", Version: "V5"},
			"reg.example.test:5000/base-images/basic/ubuntu:V5", map[string]string{}},
		{"business", UploadRequest{Repo: "biz", Project: "shop", Name: "web", Version: "1.2"},
			"reg.example.test:5000/biz/shop/web:1.2", map[string]string{}},
		{"empty", UploadRequest{}, "",
			map[string]string{"repo": "required", "name": "required", "version": "required"}},
		{"grammar", UploadRequest{Repo: "base-images", Name: "Ubuntu", Version: "-x"}, "",
			map[string]string{"name": "name", "version": "tag"}},
		{"basic project", UploadRequest{Repo: "biz", Project: "basic", Name: "a", Version: "1"},
			"", map[string]string{"project": "basic"}},
		{"no project", UploadRequest{Repo: "biz", Name: "a", Version: "1"}, "",
			map[string]string{"project": "required"}},
		{"unknown repo", UploadRequest{Repo: "nope", Name: "a", Version: "1"}, "",
			map[string]string{"repo": "no_repo"}},
		{"long", UploadRequest{Repo: "base-images", Name: long, Version: long}, "",
			map[string]string{"name": "too_long", "version": "too_long"}},
		{"texts", UploadRequest{Repo: "base-images", Name: "a", Version: "1",
			Category: "a\nb", Description: "line\nline"}, "",
			map[string]string{"category": "one_line"}},
	}
	for _, c := range cases {
		d := destination(pr, c.req)
		if d.Ref != c.ref {
			t.Errorf("%s: ref = %q, want %q", c.name, d.Ref, c.ref)
		}
		if diff := cmp.Diff(c.want, d.Fields); diff != "" {
			t.Errorf("%s: fields (-want +got):\n%s", c.name, diff)
		}
	}
}

func TestStoreBlobCache(t *testing.T) {
	a := newTestApp(t)
	c := storeBlobCache{st: a.store, log: discard()}
	ctx := context.Background()
	diff := mustHash(t, "sha256:"+strings.Repeat("1", 64))
	dig := mustHash(t, "sha256:"+strings.Repeat("2", 64))
	if _, _, _, ok := c.Get(ctx, "127.0.0.1:5000/r/basic/a", diff); ok {
		t.Fatal("empty cache found a blob")
	}
	if err := c.Put(ctx, "127.0.0.1:5000/r/basic/a", diff, dig, 42, "m"); err != nil {
		t.Fatal(err)
	}
	got, size, mt, ok := c.Get(ctx, "127.0.0.1:5000/r/basic/a", diff)
	if !ok || got != dig || size != 42 || mt != "m" {
		t.Errorf("Get = %v %d %s %v", got, size, mt, ok)
	}
	if _, _, _, ok := c.Get(ctx, "127.0.0.1:5001/r/basic/a", diff); ok {
		t.Error("a blob of another registry host was found")
	}
	blobs, _ := a.store.Blobs(ctx, "127.0.0.1:5000", "r/basic/a")
	if len(blobs) != 1 {
		t.Errorf("store rows = %+v, want one under registry and repo path", blobs)
	}
}

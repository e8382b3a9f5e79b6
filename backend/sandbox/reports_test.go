package sandbox

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/xuri/excelize/v2"
)

// baseRepo and bizRepo are the demo repositories.
var (
	baseRepo = DemoRepos()[0]
	bizRepo  = DemoRepos()[1]
)

// TestReportLifecycle checks the 500 → xlsx transition and the workbook.
func TestReportLifecycle(t *testing.T) {
	t.Parallel()
	s := startTest(t, Config{ReportDelay: 300 * time.Millisecond})
	img := push(t, s, baseRepo.Name, "basic/aa", "V5")
	u := reportURL(s, baseRepo.ID, "basic/aa", "V5")

	st, h, _ := getReport(t, s, u)
	if st != http.StatusInternalServerError || h.Get("X-Sandbox-Report") != reportPending {
		t.Fatalf("before generation: status %d reason %q, want 500 %q", st,
			h.Get("X-Sandbox-Report"), reportPending)
	}

	body := waitReport(t, s, u)
	_, h, _ = getReport(t, s, u)
	if got := h.Get("Content-Type"); got != xlsxType {
		t.Errorf("Content-Type %q, want %q", got, xlsxType)
	}
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("opening report: %v", err)
	}
	defer f.Close()
	if diff := cmp.Diff([]string{"Summary", "Layers", "Packages", "Findings"},
		f.GetSheetList()); diff != "" {
		t.Errorf("sheets (-want +got):\n%s", diff)
	}

	dg, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	summary := sheetMap(t, f, "Summary")
	want := map[string]string{
		"Repository":  baseRepo.Name,
		"Image":       "basic/aa",
		"Version":     "V5",
		"Digest":      dg.String(),
		"Layer count": "2",
		"OS/Arch":     "linux/amd64",
		"Created":     "2024-05-20T08:00:00Z",
	}
	for k, v := range want {
		if summary[k] != v {
			t.Errorf("summary %q = %q, want %q", k, summary[k], v)
		}
	}
	if summary["Total size (bytes)"] == "" || summary["Total size (bytes)"] == "0" {
		t.Errorf("total size missing: %q", summary["Total size (bytes)"])
	}

	layers := rows(t, f, "Layers")
	if len(layers) != 3 || layers[2][3] != "COPY VERSION /opt/imagedesk/VERSION" {
		t.Errorf("layers sheet: %q", layers)
	}
	var pkgs []string
	for _, r := range rows(t, f, "Packages")[1:] {
		pkgs = append(pkgs, r[0]+"="+r[1])
	}
	if !slices.Contains(pkgs, "openssl=3.0.2-0ubuntu1.10") || slices.Contains(pkgs,
		"removed-tool=0.1-1") {
		t.Errorf("packages: %q", pkgs)
	}
	finds := rows(t, f, "Findings")
	if finds[0][1] != "Severity" {
		t.Fatalf("findings header %q", finds[0])
	}
	var sev []string
	for _, r := range finds[1:] {
		sev = append(sev, r[1])
	}
	slices.Sort(sev)
	if diff := cmp.Diff([]string{"CRITICAL", "HIGH", "LOW", "MEDIUM"}, sev); diff != "" {
		t.Errorf("severities (-want +got):\n%s", diff)
	}

	// A new push of the same version with new content drops the old report
	// until the new one is written.
	other, err := demoImage("basic/aa", "V5-rebuilt", flavourDebian)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(tagRef(t, s, baseRepo.Name, "basic/aa", "V5"), other,
		remoteOpts(s)...); err != nil {
		t.Fatal(err)
	}
	if st, _, _ := getReport(t, s, u); st != http.StatusInternalServerError {
		t.Errorf("after re-push: status %d, want 500", st)
	}
	waitReport(t, s, u)
}

// TestReportAlpine reads packages from an apk database.
func TestReportAlpine(t *testing.T) {
	t.Parallel()
	s := startTest(t, Config{})
	push(t, s, baseRepo.Name, "basic/alpine", "3")
	body := waitReport(t, s, reportURL(s, baseRepo.ID, "basic/alpine", "3"))
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var got []string
	for _, r := range rows(t, f, "Packages")[1:] {
		got = append(got, r[0]+"="+r[1]+"/"+r[3])
	}
	want := []string{"musl=1.2.4-r2/apk", "busybox=1.36.1-r5/apk",
		"ca-certificates-bundle=20240226-r0/apk"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("packages (-want +got):\n%s", diff)
	}
}

// TestReportNeverAndFail checks that the never-report pattern and the fail
// switch keep a report at 500, and that bad requests also answer 500.
func TestReportNeverAndFail(t *testing.T) {
	t.Parallel()
	never := startTest(t, Config{NoReportPattern: "basic/aa:skip*"})
	push(t, never, baseRepo.Name, "basic/aa", "skip1")
	push(t, never, baseRepo.Name, "basic/aa", "keep1")
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	failing := startTest(t, Config{FailReports: true, Logger: quiet})
	push(t, failing, baseRepo.Name, "basic/aa", "V5")

	waitReport(t, never, reportURL(never, baseRepo.ID, "basic/aa", "keep1"))
	time.Sleep(300 * time.Millisecond) // several report delays

	enc := never.URL() + "/api/v1/artifact/repo/file/scanreport?repo_id=9007199254740993" +
		"&path=basic%aa%aa03%2Fmanifest.json"
	tests := []struct {
		name, url, reason string
		s                 *Server
	}{
		{"never pattern", reportURL(never, baseRepo.ID, "basic/aa", "skip1"), reportNever, never},
		{"fail switch", reportURL(failing, baseRepo.ID, "basic/aa", "V5"), reportFailed, failing},
		{"hand encoded", enc, reportBadPath, never},
		{"unknown version", reportURL(never, baseRepo.ID, "basic/aa", "nope"), reportNoVersion,
			never},
		{"unknown repo", reportURL(never, 42, "basic/aa", "keep1"), reportNoRepo, never},
		{"traversal", never.URL() + "/api/v1/artifact/repo/file/scanreport?repo_id=" +
			"9007199254740993&path=basic%2F..%2F..%2Faccounts%2Fmanifest.json", reportBadPath,
			never},
		{"huge id", never.URL() + "/api/v1/artifact/repo/file/scanreport?repo_id=" +
			"99999999999999999999&path=basic%2Faa%2Fkeep1%2Fmanifest.json", reportBadRequest,
			never},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, h, _ := getReport(t, tc.s, tc.url)
			if st != http.StatusInternalServerError || h.Get("X-Sandbox-Report") != tc.reason {
				t.Errorf("status %d reason %q, want 500 %q", st, h.Get("X-Sandbox-Report"),
					tc.reason)
			}
		})
	}
}

// TestPersistence restarts a sandbox on the same directory: listings, tags
// and reports survive, and a job that had not run yet is resumed.
func TestPersistence(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	first, err := Start(context.Background(), Config{DataDir: dir, Password: testPassword,
		ReportDelay: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	push(t, first, baseRepo.Name, "basic/aa", "06")
	push(t, first, baseRepo.Name, "basic/aa", "100")
	waitReport(t, first, reportURL(first, baseRepo.ID, "basic/aa", "06"))
	waitReport(t, first, reportURL(first, baseRepo.ID, "basic/aa", "100"))
	if err := first.Close(context.Background()); err != nil {
		t.Fatal(err)
	}

	second, err := Start(context.Background(), Config{DataDir: dir, Password: testPassword,
		ReportDelay: time1h})
	if err != nil {
		t.Fatal(err)
	}
	push(t, second, baseRepo.Name, "basic/aa", "V5") // its report waits an hour
	if err := second.Close(context.Background()); err != nil {
		t.Fatal(err)
	}

	third := startTest(t, Config{DataDir: dir})
	st, got := list(t, third, `{"deleted":false,"repo_id":9007199254740993,"path":"basic/aa"}`)
	want := `{"code":"OK","body":{"pre":"basic","list":[` +
		`{"dir":1,"name":"06","path":"basic/aa/06"},` +
		`{"dir":1,"name":"100","path":"basic/aa/100"},` +
		`{"dir":1,"name":"V5","path":"basic/aa/V5"}]}}`
	if st != http.StatusOK || got != want {
		t.Errorf("listing after restart: %d %s", st, got)
	}
	for _, v := range []string{"06", "100"} {
		st, _, _ := getReport(t, third, reportURL(third, baseRepo.ID, "basic/aa", v))
		if st != 200 {
			t.Errorf("report of %s after restart: status %d", v, st)
		}
	}
	waitReport(t, third, reportURL(third, baseRepo.ID, "basic/aa", "V5"))
	tags, err := remoteList(third, baseRepo.Name+"/basic/aa")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"06", "100", "V5"}, tags); diff != "" {
		t.Errorf("registry tags (-want +got):\n%s", diff)
	}
}

// sheetMap reads a two-column sheet as a map.
func sheetMap(t *testing.T, f *excelize.File, sheet string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, r := range rows(t, f, sheet) {
		if len(r) >= 2 {
			out[r[0]] = r[1]
		}
	}
	return out
}

// rows reads all rows of a sheet.
func rows(t *testing.T, f *excelize.File, sheet string) [][]string {
	t.Helper()
	rs, err := f.GetRows(sheet)
	if err != nil {
		t.Fatalf("reading sheet %s: %v", sheet, err)
	}
	return rs
}

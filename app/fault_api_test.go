package app

import (
	"testing"
	"time"

	fp "imagedesk/backend/faultproxy"
	"imagedesk/backend/reliability"
	"imagedesk/backend/reports"
)

// htmlFault makes the artifact API answer 200 with a sign-in page.
var htmlFault = fp.Fault{Path: "^/api/", Status: 200, Header: fp.HTMLHeader(), Body: fp.HTML}

func TestFaultAPIAnswersHTML(t *testing.T) {
	t.Parallel()
	e := newFaultEnv(t, nil, "")
	base := repoOf(t, e.target.Profile, "base")
	repoID := base.IDString()

	// Nothing cached yet: the listing fails with the reason.
	e.proxy.Set(htmlFault)
	_, err := e.app.Browse.Images("sb", repoID)
	if code := codeOf(err); code != CodeNotJSON {
		t.Fatalf("listing through an HTML page: code %q (%v), want %s", code, err, CodeNotJSON)
	}
	check, err := e.app.Profiles.Test("sb")
	if err != nil || check.API.Code != CodeNotJSON || !check.Registry.OK {
		t.Errorf("connection test = %+v, %v; want not_json for the API only", check, err)
	}

	// The API comes back; a version is pushed and its report arrives.
	e.proxy.Clear()
	req := e.request(t, faultArchive(t, "81"), "html", "v1")
	pushed(t, e.app, e.target, req)
	live, err := e.app.Browse.Images("sb", repoID)
	if err != nil || live.Offline || len(live.Images) == 0 {
		t.Fatalf("listing after the fault = %+v, %v", live, err)
	}
	ready := waitReport(t, e.app, repoID, req)

	// The HTML page again: the window keeps the cached tree and report.
	e.proxy.Set(htmlFault)
	cached, err := e.app.Browse.Images("sb", repoID)
	if err != nil || !cached.Offline || cached.ErrorCode != CodeNotJSON ||
		len(cached.Images) != len(live.Images) {
		t.Errorf("listing with the HTML page back = %+v, %v; want the cache, offline, "+
			"with not_json", cached, err)
	}
	v, err := e.app.Reports.Fetch("sb", repoID, "basic", req.Name, req.Version)
	if err != nil || v.ErrorCode != CodeNotJSON || v.State == string(reports.StateReady) &&
		v.Path != ready.Path {
		t.Errorf("report with the HTML page = %+v, %v; want not_json", v, err)
	}
	if _, err := reports.Summarize(ready.Path); err != nil {
		t.Errorf("the cached report was damaged: %v", err)
	}
	// The API answers, but later than the wait for an answer.
	e.proxy.Set(fp.Fault{Path: "^/api/", Delay: 3 * faultTimeouts.ResponseHeader})
	slow, err := e.app.Browse.Images("sb", repoID)
	if err != nil || !slow.Offline || slow.ErrorCode != CodeTimeout {
		t.Errorf("listing with the API late = %+v, %v; want the cache, offline, with timeout",
			slow, err)
	}
	e.proxy.Clear()
	reliability.Record(t, reliability.Row{Suite: "fault", Where: "window",
		Case:     "the artifact API answers later than the 30 s wait (1 s in the test)",
		Key:      reliability.ErrorKey(CodeTimeout),
		Lost:     "nothing: the cached tree is shown, marked offline with the reason",
		Recovery: "the next listing once the API answers in time is live again"})

	reliability.Record(t, reliability.Row{Suite: "fault", Where: "window",
		Case: "the artifact API answers an HTML sign-in page instead of JSON",
		Key:  reliability.ErrorKey(CodeNotJSON),
		Lost: "nothing: cached tree and report still shown, marked offline; " +
			"the cached report file is intact",
		Recovery: "once the API answers JSON again, listing and reports work"})
}

// waitReport fetches the report of req's version until it is ready (5 s at most).
func waitReport(t *testing.T, a *App, repoID string, req UploadRequest) ReportView {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		v, err := a.Reports.Fetch("sb", repoID, "basic", req.Name, req.Version)
		if err == nil && v.State == string(reports.StateReady) {
			return v
		}
		if time.Now().After(deadline) {
			t.Fatalf("no report after 5 s: %+v, %v", v, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

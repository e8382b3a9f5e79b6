package app

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	fp "imagedesk/backend/faultproxy"
	"imagedesk/backend/reliability"
)

// uploadPath matches the requests that carry blob bytes.
const uploadPath = "/blobs/uploads/"

// absorbed pushes with faults set and checks that the retries hid them.
func absorbed(t *testing.T, e *faultEnv, req UploadRequest, faults ...fp.Fault) {
	t.Helper()
	e.proxy.Set(faults...)
	defer e.proxy.Clear()
	res, err := e.app.PushImage(context.Background(), e.target, req, nil)
	if err != nil {
		t.Fatalf("push with %+v: %v; want the retries to absorb it", faults, err)
	}
	if e.proxy.Broken() == 0 {
		t.Fatal("the fault never fired")
	}
	got, want := diffIDs(t, readBack(t, e.target, res.Ref)), archiveDiffIDs(t, req)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("image read back has layers %v, want %v", got, want)
	}
}

func TestFaultPushServerErrors(t *testing.T) {
	t.Parallel()
	e := newFaultEnv(t, nil, "")
	absorbed(t, e, e.request(t, faultArchive(t, "11"), "burst", "v1"),
		fp.Fault{Method: http.MethodPatch, Path: uploadPath, Times: 2,
			Status: http.StatusServiceUnavailable})
	reliability.Record(t, reliability.Row{Suite: "fault", Where: "window, cli",
		Case:     "registry answers 503 to two blob uploads in a row, mid-push",
		Lost:     "nothing",
		Recovery: "none needed: retried with backoff, the push completed"})

	rec := failThenResume(t, e, e.request(t, faultArchive(t, "12"), "outage", "v1"),
		CodeServer, fp.Fault{Method: http.MethodPatch, Path: uploadPath, After: 1,
			Status: http.StatusInternalServerError})
	reliability.Record(t, reliability.Row{Suite: "fault", Where: "window, cli",
		Case: "registry answers 500 to every blob upload after the first layer",
		Key:  reliability.ErrorKey(CodeServer),
		Lost: "nothing: no tag; the first layer stays in the registry", Recovery: rec})

	rec = failThenResume(t, e, e.request(t, faultArchive(t, "13"), "manifest", "v1"),
		CodeServer, fp.Fault{Method: http.MethodPut, Path: "/manifests/",
			Status: http.StatusBadGateway})
	reliability.Record(t, reliability.Row{Suite: "fault", Where: "window, cli",
		Case: "registry answers 502 to the manifest after every layer is in",
		Key:  reliability.ErrorKey(CodeServer),
		Lost: "nothing: no tag; all layers stay in the registry", Recovery: rec})
}

func TestFaultPushUnauthorizedMidway(t *testing.T) {
	t.Parallel()
	e := newFaultEnv(t, nil, "")
	rec := failThenResume(t, e, e.request(t, faultArchive(t, "21"), "expired", "v1"),
		CodeUnauthorized, fp.Fault{Method: http.MethodPatch, Path: uploadPath, After: 1,
			Status: http.StatusUnauthorized,
			Header: http.Header{"Www-Authenticate": {`Basic realm="registry"`},
				"Content-Type": {"application/json"}},
			Body: `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`})
	reliability.Record(t, reliability.Row{Suite: "fault", Where: "window, cli",
		Case:     "401 after the first layer (password expired mid-push)",
		Key:      reliability.ErrorKey(CodeUnauthorized),
		Lost:     "nothing: no tag; the first layer stays in the registry",
		Recovery: "after the password is fixed, " + rec})
}

func TestFaultPushSlowAnswers(t *testing.T) {
	t.Parallel()
	e := newFaultEnv(t, nil, "")
	late := 3 * faultTimeouts.ResponseHeader
	absorbed(t, e, e.request(t, faultArchive(t, "31"), "slow", "v1"),
		fp.Fault{Method: http.MethodPatch, Path: uploadPath, Times: 1, Delay: late})
	reliability.Record(t, reliability.Row{Suite: "fault", Where: "window, cli",
		Case: fmt.Sprintf("one blob upload answered %v late (past the %v wait)", late,
			faultTimeouts.ResponseHeader),
		Lost: "nothing", Recovery: "none needed: retried, the push completed"})

	rec := failThenResume(t, e, e.request(t, faultArchive(t, "32"), "hung", "v1"),
		CodeTimeout, fp.Fault{Method: http.MethodPatch, Path: uploadPath, After: 1,
			Delay: late})
	reliability.Record(t, reliability.Row{Suite: "fault", Where: "window, cli",
		Case: "every blob upload after the first layer answered late",
		Key:  reliability.ErrorKey(CodeTimeout),
		Lost: "nothing: no tag; the first layer stays in the registry", Recovery: rec})
}

func TestFaultPushConnectionCut(t *testing.T) {
	t.Parallel()
	e := newFaultEnv(t, nil, "")
	absorbed(t, e, e.request(t, faultArchive(t, "41"), "cut", "v1"),
		fp.Fault{Method: http.MethodPatch, Path: uploadPath, After: 1, Times: 1,
			CutRequestAfter: 64 << 10})
	reliability.Record(t, reliability.Row{Suite: "fault", Where: "window, cli",
		Case:     "connection cut 64 KiB into a layer's upload",
		Lost:     "nothing",
		Recovery: "none needed: the layer was sent again, the push completed"})
}

func TestFaultTLSUnknownCA(t *testing.T) {
	t.Parallel()
	cert, caFile := testCA(t)
	e := newFaultEnv(t, &cert, "")
	ctx := context.Background()
	req := e.request(t, faultArchive(t, "51"), "tls", "v1")
	_, err := e.app.PushImage(ctx, e.target, req, nil)
	if code := codeOf(err); code != CodeTLS {
		t.Fatalf("push to a server with an unknown CA: code %q (%v), want %s", code, err, CodeTLS)
	}
	if e.proxy.Requests() != 0 {
		t.Errorf("%d requests got through an untrusted connection", e.proxy.Requests())
	}
	check, err := e.app.Profiles.Test(e.target.Profile.Name)
	if err != nil || check.API.Code != CodeTLS || check.Registry.Code != CodeTLS {
		t.Errorf("connection test = %+v, %v; want tls for the API and the registry", check, err)
	}

	// The user adds the company CA to the profile.
	pr := e.target.Profile
	pr.CAFile = caFile
	if _, err := e.app.Profiles.Save(ProfileInput{Profile: pr,
		Password: sandboxPassword, SessionOnly: true}); err != nil {
		t.Fatal(err)
	}
	if e.target, err = e.app.Target(ctx, pr.Name); err != nil {
		t.Fatal(err)
	}
	res, err := e.app.PushImage(ctx, e.target, req, nil)
	if err != nil {
		t.Fatalf("push after adding the CA: %v", err)
	}
	if !tagExists(t, e.target, res.Ref) {
		t.Error("no tag after the push")
	}
	reliability.Record(t, reliability.Row{Suite: "fault", Where: "window, cli",
		Case:     "server certificate from a CA the machine does not know",
		Key:      reliability.ErrorKey(CodeTLS),
		Lost:     "nothing: no request was sent over the untrusted connection",
		Recovery: "after the CA file is added to the server profile, the push completed"})
}

package app

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"imagedesk/backend/paths"
	"imagedesk/backend/profile"
	"imagedesk/backend/store"
)

// newTestApp opens an app on a fresh data directory with no session bus, so the
// OS keyring is really unavailable, as on a headless machine.
func newTestApp(t *testing.T) *App {
	t.Helper()
	return newTestAppEnv(t, nil)
}

// newTestAppEnv is newTestApp with more environment variables.
func newTestAppEnv(t *testing.T, extra map[string]string) *App {
	t.Helper()
	return newTestAppConfig(t, extra, nil)
}

// newTestAppConfig is newTestAppEnv with a change to the app's configuration.
func newTestAppConfig(t *testing.T, extra map[string]string, change func(*Config)) *App {
	t.Helper()
	d, err := paths.Resolve(paths.Env{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Create(); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent"}
	for k, v := range extra {
		env[k] = v
	}
	cfg := Config{
		Dirs:   d,
		Getenv: func(k string) string { return env[k] },
		Logger: discard(),
	}
	if change != nil {
		change(&cfg)
	}
	a, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

func TestSandboxProfileOnFirstStart(t *testing.T) {
	a := newTestApp(t)
	if err := a.StartSandbox(context.Background()); err != nil {
		t.Fatal(err)
	}
	list, err := a.Profiles.List()
	if err != nil || len(list) != 1 {
		t.Fatalf("profiles = %v, %v; want the sandbox profile", list, err)
	}
	v := list[0]
	if !v.Profile.Sandbox || v.Profile.Name != SandboxProfile || !v.HasPassword || !v.SessionOnly {
		t.Errorf("sandbox profile = %+v", v)
	}
	if len(v.Profile.Repos) != 2 || v.Profile.Repos[0].ID <= 1<<53 {
		t.Errorf("sandbox repos = %+v, want the demo set with an id above 2^53", v.Profile.Repos)
	}
	res, err := a.Profiles.Test(SandboxProfile)
	if err != nil || !res.API.OK || !res.Registry.OK {
		t.Fatalf("Test(Sandbox) = %+v, %v", res, err)
	}

	// A second start reuses the port and keeps one sandbox profile.
	before := v.Profile.Registry
	if err := a.stopSandbox(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := a.StartSandbox(context.Background()); err != nil {
		t.Fatal(err)
	}
	list, _ = a.Profiles.List()
	if len(list) != 1 || list[0].Profile.Registry != before {
		t.Errorf("after restart: %+v, want one profile at %s", list, before)
	}
}

func TestSandboxNotStartedWhenUserHasServers(t *testing.T) {
	a := newTestApp(t)
	_, err := a.Profiles.Save(ProfileInput{Profile: workProfile("work")})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.StartSandbox(context.Background()); err != nil {
		t.Fatal(err)
	}
	if a.sandbox != nil {
		t.Error("the sandbox started although the user has a server of their own")
	}
}

func workProfile(name string) profile.Profile {
	return profile.Profile{
		Name: name, APIURL: "https://artifacts.example.test", Registry: "registry.example.test",
		User: "me", Repos: []profile.Repo{{Name: "base", ID: 1495097876821574, Kind: "base"}},
	}
}

func TestSaveWithoutKeyringSaysWhy(t *testing.T) {
	a := newTestApp(t)
	const pw = "s3cret{]):<>"
	_, err := a.Profiles.Save(ProfileInput{Profile: workProfile("work"), Password: pw})
	var ce *CodedError
	if !errors.As(err, &ce) || ce.Code != CodeKeyringNoBus {
		t.Fatalf("Save with no keyring = %v, want %s", err, CodeKeyringNoBus)
	}
	if strings.Contains(err.Error(), pw) {
		t.Error("the error shows the password")
	}
	if list, _ := a.Profiles.List(); len(list) != 0 {
		t.Errorf("profile saved although its password could not be kept: %+v", list)
	}
	if k := a.Profiles.Keyring(); k.Available || k.Code != CodeKeyringNoBus {
		t.Errorf("Keyring() = %+v", k)
	}

	v, err := a.Profiles.Save(ProfileInput{Profile: workProfile("work"), Password: pw,
		SessionOnly: true})
	if err != nil || !v.HasPassword || !v.SessionOnly {
		t.Fatalf("session-only save = %+v, %v", v, err)
	}

	// Renaming keeps the password with the profile.
	p := v.Profile
	p.Name = "work2"
	v, err = a.Profiles.Save(ProfileInput{Profile: p})
	if err != nil || !v.HasPassword {
		t.Fatalf("rename = %+v, %v", v, err)
	}
	if got, _ := a.Profiles.password("work2"); got != pw {
		t.Error("renamed profile lost its password")
	}
	if err := a.Profiles.Delete("work2"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Profiles.password("work2"); err == nil {
		t.Error("password kept after the profile was deleted")
	}
	assertNoSecretOnDisk(t, a, pw)
}

func TestInvalidProfileNamesFields(t *testing.T) {
	a := newTestApp(t)
	p := workProfile("bad")
	p.APIURL, p.Registry = "ftp://x", "http://x/y"
	_, err := a.Profiles.Save(ProfileInput{Profile: p})
	var ce *CodedError
	if !errors.As(err, &ce) || ce.Code != CodeInvalidProfile {
		t.Fatalf("err = %v", err)
	}
	for _, want := range []string{"api_url=url", "registry=host_port"} {
		if !strings.Contains(ce.Detail, want) {
			t.Errorf("detail %q lacks %q", ce.Detail, want)
		}
	}
	page, err := a.History.Query(store.Filter{Kinds: []store.Kind{store.KindProfile}})
	if err != nil || len(page.Events) != 1 || page.Events[0].Status != store.StatusFailed ||
		page.Events[0].ErrCode != CodeInvalidProfile {
		t.Fatalf("history = %+v, %v", page, err)
	}
}

func TestHistoryExportCSV(t *testing.T) {
	a := newTestApp(t)
	if _, err := a.Profiles.Save(ProfileInput{Profile: workProfile("work")}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "h.csv")
	if err := a.History.ExportCSV(store.Filter{}, out); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(out)
	if lines := strings.Count(string(b), "\n"); lines != 2 || !strings.Contains(string(b), "work") {
		t.Errorf("csv = %q, want a header and one event", b)
	}
	if err := a.History.ExportCSV(store.Filter{}, "relative.csv"); err == nil {
		t.Error("relative export path accepted")
	}
}

// assertNoSecretOnDisk searches every file the app wrote for the secret.
func assertNoSecretOnDisk(t *testing.T, a *App, secret string) {
	t.Helper()
	root := filepath.Dir(a.dirs.Data)
	filepath.Walk(root, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		b, _ := os.ReadFile(path)
		if strings.Contains(string(b), secret) {
			t.Errorf("%s contains the password", path)
		}
		return nil
	})
}

package app

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestSettingsRoundTrip(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "settings.json")
	s, err := loadSettings(path)
	if err != nil || s != DefaultSettings() {
		t.Fatalf("missing file: %+v, %v; want defaults", s, err)
	}
	want := Settings{Language: "en", Theme: "dark"}
	if err := saveSettings(path, want); err != nil {
		t.Fatal(err)
	}
	got, err := loadSettings(path)
	if err != nil || got != want {
		t.Fatalf("loaded %+v, %v; want %+v", got, err, want)
	}
	fi, _ := os.Stat(path)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".settings.json.*"))
	if len(left) != 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

func TestDamagedSettingsFallBack(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "settings.json")
	for _, body := range []string{"{not json", `{"language":"klingon","theme":"auto"}`} {
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := loadSettings(path)
		if err == nil || s != DefaultSettings() {
			t.Errorf("%q: got %+v, %v; want defaults and an error", body, s, err)
		}
	}
}

func TestShellRejectsUnknownSettings(t *testing.T) {
	t.Parallel()
	sh := newShell(t.TempDir(), "en", nil, discard())
	_, err := sh.SaveSettings(Settings{Language: "fr", Theme: "auto"})
	var ce *CodedError
	if !errors.As(err, &ce) || ce.Code != CodeInvalidSetting {
		t.Fatalf("SaveSettings(fr) = %v, want %s", err, CodeInvalidSetting)
	}
	a, err := sh.SaveSettings(Settings{Language: "auto", Theme: "light"})
	if err != nil || a.Locale != "en" {
		t.Fatalf("auto with system en gave %+v, %v", a, err)
	}
	a, _ = sh.SaveSettings(Settings{Language: "zh-CN", Theme: "light"})
	if a.Locale != "zh-CN" {
		t.Errorf("explicit zh-CN resolved to %s", a.Locale)
	}
}

package cli

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"imagedesk/app"
)

var testCatalogs = os.DirFS(filepath.Join("..", "..", "frontend", "src", "i18n"))

func TestDescribeSpeaksTheUsersLanguage(t *testing.T) {
	t.Parallel()
	err := &app.CodedError{Code: app.CodeNoSpace, Err: errors.New("write x.tar: file too large")}
	zh := describe(err, testCatalogs, func(k string) string {
		return map[string]string{"LANG": "zh_CN.UTF-8"}[k]
	})
	want := "no_space: 磁盘空间不足，无法下载。\n" +
		"  write x.tar: file too large"
	if zh != want {
		t.Errorf("zh = %q, want %q", zh, want)
	}
	en := describe(&app.CodedError{Code: app.CodeInvalidUpload, Detail: "name=name;version=tag"},
		testCatalogs, func(string) string { return "" })
	if !strings.HasPrefix(en, "invalid_upload: Some fields need attention.\n  --name: Lower-case") ||
		!strings.Contains(en, "\n  --version: Letters, digits") {
		t.Errorf("en = %q", en)
	}
	plain := errors.New("no code here")
	if got := describe(plain, testCatalogs, os.Getenv); got != plain.Error() {
		t.Errorf("uncoded error = %q", got)
	}
}

func TestCommandLineErrorsAreTranslated(t *testing.T) {
	t.Parallel()
	var out, errb bytes.Buffer
	env := map[string]string{"LANG": "zh_CN.UTF-8",
		"DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent"}
	code := Run([]string{"--data-dir", t.TempDir(), "push",
		filepath.Join(t.TempDir(), "gone.tar"), "--api", "http://127.0.0.1:9",
		"--registry", "127.0.0.1:9", "--user", "u", "--password-stdin",
		"--repo", "base=1:base"}, Options{
		Catalogs: testCatalogs, Getenv: func(k string) string { return env[k] },
		Home: t.TempDir(), Stdin: strings.NewReader("pw"), Stdout: &out, Stderr: &errb,
	})
	if code == 0 || !strings.HasPrefix(errb.String(), "imagedesk: file_missing: 文件") {
		t.Errorf("exit %d, stderr %q; want the Chinese sentence after the code", code,
			errb.String())
	}
}

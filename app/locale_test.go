package app

import (
	"io"
	"log/slog"
	"testing"
)

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestSystemLocale(t *testing.T) {
	t.Parallel()
	tests := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"LANG": "zh_CN.UTF-8"}, "zh-CN"},
		{map[string]string{"LANG": "zh_TW.UTF-8"}, "zh-CN"},
		{map[string]string{"LANG": "en_US.UTF-8"}, "en"},
		{map[string]string{"LANG": "de_DE.UTF-8"}, "en"},
		{map[string]string{"LC_ALL": "en_GB.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"},
		{map[string]string{"LC_ALL": "C", "LANG": "zh_CN.UTF-8"}, "zh-CN"},
		{map[string]string{"LANG": "C.UTF-8"}, ""},
		{map[string]string{"LANGUAGE": "zh_CN:en"}, "zh-CN"},
		{nil, ""},
	}
	for _, tc := range tests {
		got := SystemLocale(func(k string) string { return tc.env[k] })
		if got != tc.want {
			t.Errorf("SystemLocale(%v) = %q, want %q", tc.env, got, tc.want)
		}
	}
	if got := ResolveLocale("auto", ""); got != "zh-CN" {
		t.Errorf("no setting, no system locale: %q, want zh-CN", got)
	}
}

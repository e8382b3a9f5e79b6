package app

import (
	"runtime"
	"runtime/debug"
)

// These are set at link time by the Makefile (-X imagedesk/app.Version=…).
var (
	Version = "0.1.0-dev"
	Commit  = ""
	Date    = ""
)

// BuildInfo describes the running binary, for the About box and `imagedesk version`.
type BuildInfo struct {
	Version      string `json:"version"`
	Commit       string `json:"commit"`
	Date         string `json:"date"`
	GoVersion    string `json:"goVersion"`
	Platform     string `json:"platform"`
	WailsVersion string `json:"wailsVersion"`
}

// Build returns the build information of this binary.
func Build() BuildInfo {
	info := BuildInfo{
		Version:   Version,
		Commit:    Commit,
		Date:      Date,
		GoVersion: runtime.Version(),
		Platform:  runtime.GOOS + "/" + runtime.GOARCH,
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, m := range bi.Deps {
			if m.Path == "github.com/wailsapp/wails/v2" {
				info.WailsVersion = m.Version
			}
		}
		if info.Commit == "" {
			for _, s := range bi.Settings {
				if s.Key == "vcs.revision" && len(s.Value) >= 12 {
					info.Commit = s.Value[:12]
				}
			}
		}
	}
	return info
}

//go:build tools

// Package tools pins the Wails CLI at the version the app's go.mod names. The CLI
// needs a newer golang.org/x/tools than it asks for to compile on current Go.
package tools

import _ "github.com/wailsapp/wails/v2/cmd/wails"

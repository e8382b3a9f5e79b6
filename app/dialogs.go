package app

import (
	"time"

	"github.com/wailsapp/wails/v2/pkg/runtime"

	"imagedesk/backend/store"
)

// SaveCSV asks where to save the events matching f and writes them there. It
// returns the chosen path, or "" when the user cancelled the dialog.
func (h *History) SaveCSV(f store.Filter) (string, error) {
	if h.wctx == nil {
		return "", &CodedError{Code: CodeInternal, Detail: "no window"}
	}
	path, err := runtime.SaveFileDialog(h.wctx(), runtime.SaveDialogOptions{
		DefaultFilename: "imagedesk-history-" + time.Now().Format("20060102") + ".csv",
		Filters:         []runtime.FileFilter{{DisplayName: "CSV (*.csv)", Pattern: "*.csv"}},
	})
	if err != nil || path == "" {
		return "", coded(err)
	}
	return path, h.ExportCSV(f, path)
}

package sandbox

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
)

// xlsxType is the Content-Type of a scan report.
const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// handleScanReport serves GET /api/v1/artifact/repo/file/scanreport.
//
// Like the real server, every failure to hand out a report answers a bare
// 500 Internal Server Error: not generated yet, generation failed, a version
// that never gets one, an unknown repository or version, and a malformed
// path. The X-Sandbox-Report header tells them apart for tests.
func (s *Server) handleScanReport(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeJSONError(w, errorf(http.StatusMethodNotAllowed, codeNotAllowed, "use GET"))
		return
	}
	q := r.URL.Query()
	id, err := strconv.ParseInt(q.Get("repo_id"), 10, 64)
	if err != nil {
		serverError(w, reportBadRequest)
		return
	}
	repo, ok := s.repoByID(id)
	if !ok {
		serverError(w, reportNoRepo)
		return
	}
	parts, err := parseArtifactPath(q.Get("path"))
	if err != nil || len(parts) != 4 || parts[3] != manifestFile {
		serverError(w, reportBadPath)
		return
	}
	image, tag := parts[0]+"/"+parts[1], parts[2]
	if _, ok := s.index.tag(repo.Name, image, tag, false); !ok {
		serverError(w, reportNoVersion)
		return
	}
	if st := s.reports.state(repo.Name, image, tag); st != reportReady {
		serverError(w, st)
		return
	}

	f, err := os.Open(s.reports.file(repo.Name, image, tag))
	if err != nil {
		serverError(w, reportPending)
		return
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		serverError(w, reportPending)
		return
	}
	name := strings.ReplaceAll(image, "/", "_") + "_" + tag + "_scanreport.xlsx"
	w.Header().Set("Content-Type", xlsxType)
	w.Header().Set("Content-Length", strconv.FormatInt(fi.Size(), 10))
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name))
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		_, _ = io.Copy(w, f)
	}
}

// serverError answers the real server's bare 500 with the sandbox's reason.
func serverError(w http.ResponseWriter, reason string) {
	w.Header().Set("X-Sandbox-Report", reason)
	http.Error(w, http.StatusText(http.StatusInternalServerError),
		http.StatusInternalServerError)
}

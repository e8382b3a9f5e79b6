package app

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/wailsapp/wails/v2/pkg/runtime"

	"imagedesk/backend/artifact"
	"imagedesk/backend/reports"
	"imagedesk/backend/store"
)

// Reports fetches, caches and opens scan reports. Bound to the window.
type Reports struct {
	app  *App
	hist *History
	open func(path string) error
}

// ReportView is a report's state for the placeholder and the summary.
type ReportView struct {
	State     string        `json:"state"`             // ready, pending or failed
	Failure   string        `json:"failure,omitempty"` // auth, network, server, not_found, …
	ErrorCode string        `json:"errorCode,omitempty"`
	Path      string        `json:"path,omitempty"`
	Size      int64         `json:"size"`
	FetchedAt time.Time     `json:"fetchedAt,omitzero"`
	Offline   bool          `json:"offline"`
	Summary   *ReportDigest `json:"summary,omitempty"`
}

// ReportDigest is what the window shows of a workbook without Excel.
type ReportDigest struct {
	Sheets   []SheetRows       `json:"sheets"`
	Findings map[string]int    `json:"findings,omitempty"`
	Fields   map[string]string `json:"fields,omitempty"`
}

// SheetRows names a sheet and counts its rows.
type SheetRows struct {
	Name string `json:"name"`
	Rows int    `json:"rows"`
}

// Fetch asks the server for a version's report and caches it. A report not
// generated yet is the pending state, not an error; an unreachable server falls
// back to the cached copy, marked offline.
func (r *Reports) Fetch(profileName, repoID, namespace, image, version string) (ReportView,
	error) {
	c, err := r.app.connect(r.app.ctx, profileName)
	if err != nil {
		return ReportView{}, err
	}
	return r.fetch(r.app.ctx, c, repoID, namespace, image, version)
}

func (r *Reports) fetch(ctx context.Context, c *conn, repoID, namespace, image,
	version string) (ReportView, error) {
	repo, err := c.repo(repoID)
	if err != nil {
		return ReportView{}, err
	}
	key := reports.Key{ProfileName: c.profile.Name, RepoID: repo.ID, RepoName: repo.Name,
		Namespace: namespace, Image: image, Version: version}
	st, ferr := c.reports.Fetch(ctx, key)
	if st.State == reports.StateFailed && (st.Failure == reports.FailureNetwork ||
		errors.Is(ferr, artifact.ErrNotJSON)) {
		if cached, cerr := c.reports.Cached(key); cerr == nil {
			v := r.view(cached)
			v.Offline, v.ErrorCode = true, codeOf(ferr)
			return v, nil
		}
	}
	v := r.view(st)
	if ferr != nil {
		v.ErrorCode = codeOf(ferr)
	}
	if st.State != reports.StatePending {
		r.record(ctx, key, st, ferr)
	}
	return v, nil
}

// record writes a history row for a fetch that ended (ready or failed) and
// remembers a ready report in the store's cache table.
func (r *Reports) record(ctx context.Context, key reports.Key, st reports.Status, err error) {
	id := r.hist.begin(ctx, store.Event{Kind: store.KindReport, Profile: key.ProfileName,
		Repo: key.RepoName, Image: key.Namespace + "/" + key.Image, Version: key.Version}, nil)
	r.hist.end(ctx, id, store.Outcome{Bytes: st.Size}, err)
	if st.State == reports.StateReady {
		perr := r.app.store.PutReport(ctx, store.Report{
			ReportKey: store.ReportKey{Profile: key.ProfileName, RepoID: key.RepoID,
				Image: key.Namespace + "/" + key.Image, Version: key.Version},
			FilePath: st.Path, Size: st.Size, FetchedAt: st.FetchedAt,
		})
		if perr != nil {
			r.app.log.Warn("report not cached", "op", "report", "err", perr)
		}
	}
}

func (r *Reports) view(st reports.Status) ReportView {
	v := ReportView{State: string(st.State), Failure: string(st.Failure), Path: st.Path,
		Size: st.Size, FetchedAt: st.FetchedAt}
	if st.State == reports.StateReady && st.Path != "" {
		if s, err := reports.Summarize(st.Path); err == nil {
			v.Summary = digestOf(s)
		}
	}
	return v
}

func digestOf(s reports.Summary) *ReportDigest {
	d := &ReportDigest{Findings: s.Findings, Fields: map[string]string{}}
	for _, sh := range s.Sheets {
		d.Sheets = append(d.Sheets, SheetRows{Name: sh.Name, Rows: sh.Rows})
	}
	for _, f := range s.Fields {
		d.Fields[f.Key] = f.Value
	}
	return d
}

// Open opens a cached report with the operating system's default application.
func (r *Reports) Open(path string) error {
	if err := r.checkCached(path); err != nil {
		return err
	}
	return coded(r.open(path))
}

// SaveAs asks where to save a cached report and copies it there atomically. It
// returns the chosen path, or "" when the user cancelled.
func (r *Reports) SaveAs(path string) (string, error) {
	if err := r.checkCached(path); err != nil {
		return "", err
	}
	if r.app.wctx == nil {
		return "", &CodedError{Code: CodeInternal, Detail: "no window"}
	}
	dest, err := runtime.SaveFileDialog(r.app.wctx, runtime.SaveDialogOptions{
		DefaultFilename: filepath.Base(path),
		Filters: []runtime.FileFilter{{DisplayName: "Excel (*.xlsx)",
			Pattern: "*.xlsx"}},
	})
	if err != nil || dest == "" {
		return "", coded(err)
	}
	return dest, coded(copyAtomic(path, dest))
}

// checkCached refuses paths outside the report cache, so the window cannot ask
// Go to open or copy arbitrary files.
func (r *Reports) checkCached(path string) error {
	root := filepath.Join(r.app.dirs.Cache, "reports") + string(filepath.Separator)
	clean := filepath.Clean(path)
	if len(clean) <= len(root) || clean[:len(root)] != root {
		return &CodedError{Code: CodeInvalidPath, Detail: path}
	}
	if _, err := os.Stat(clean); err != nil {
		return &CodedError{Code: CodeNotFound, Detail: path}
	}
	return nil
}

// copyAtomic copies src to a temporary file beside dst and renames it.
func copyAtomic(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(out.Name())
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return os.Rename(out.Name(), dst)
}

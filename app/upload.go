package app

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/wailsapp/wails/v2/pkg/runtime"

	"imagedesk/backend/archive"
	"imagedesk/backend/registry"
)

// Window events of the upload.
const (
	// EventUploadDropped carries a Drop: a file dropped on the window (or handed
	// to Upload.Dropped) and what inspecting it found.
	EventUploadDropped = "upload:dropped"
	// EventUploadProgress carries an UploadProgress, at most ten a second per
	// upload, and always the final one.
	EventUploadProgress = "upload:progress"
)

// uploadEvery is the least time between two progress events of one upload.
const uploadEvery = 100 * time.Millisecond

// Upload inspects archives and publishes them. Every push runs as a task of the
// task centre, so it goes on while the window shows another view. Bound to the
// window.
type Upload struct {
	app  *App
	jobs int // layers pushed at once; 0 is the registry package's default

	mu      sync.Mutex
	emit    func(string, any)
	runs    map[string]*uploadRun
	dropSeq int64
}

// uploadRun is the state of one upload the window may ask about again.
type uploadRun struct {
	last     UploadProgress
	seq      int64
	lastEmit time.Time
	meter    meter
}

// Inspection describes an archive: its format and the images in it.
type Inspection struct {
	Path    string              `json:"path"`
	Format  string              `json:"format"`
	Gzipped bool                `json:"gzipped"`
	Size    int64               `json:"size"`
	Images  []archive.ImageInfo `json:"images"`
}

// Drop is what the window learns about a dropped file: the inspection, or the
// code of the reason it was refused.
type Drop struct {
	// Seq grows with every drop event, which may reach the window out of order.
	Seq  int64  `json:"seq"`
	Path string `json:"path"`
	// Inspecting is set on the first event of a drop, before the archive is read.
	Inspecting bool        `json:"inspecting,omitempty"`
	Inspection *Inspection `json:"inspection,omitempty"`
	ErrorCode  string      `json:"errorCode,omitempty"`
	Detail     string      `json:"detail,omitempty"`
}

// Preflight is what the registry said before a push: whether the version
// exists already, and as what.
type Preflight struct {
	Ref    string `json:"ref"`
	Exists bool   `json:"exists"`
	Digest string `json:"digest,omitempty"`
}

// UploadLayer is one layer's progress as the window shows it.
type UploadLayer struct {
	DiffID string `json:"diffId"`
	Digest string `json:"digest,omitempty"`
	Done   int64  `json:"done"`
	Total  int64  `json:"total"`
	State  string `json:"state"`
}

// UploadProgress is a snapshot of one upload.
type UploadProgress struct {
	// Seq grows with every snapshot of one upload. Events may reach the window
	// out of order, so the window keeps the snapshot with the highest Seq.
	Seq       int64         `json:"seq"`
	TaskID    string        `json:"taskId"`
	HistoryID int64         `json:"historyId"`
	Ref       string        `json:"ref"`
	Phase     string        `json:"phase"`
	State     TaskState     `json:"state"`
	Layers    []UploadLayer `json:"layers"`
	Done      int64         `json:"done"`
	Total     int64         `json:"total"`
	Rate      float64       `json:"rate"` // bytes per second, smoothed
	ETA       float64       `json:"eta"`  // seconds left, -1 when unknown
	Result    *UploadResult `json:"result,omitempty"`
	ErrorCode string        `json:"errorCode,omitempty"`
	Detail    string        `json:"detail,omitempty"`
}

func newUpload(a *App) *Upload {
	return &Upload{app: a, emit: func(string, any) {}, runs: map[string]*uploadRun{}}
}

// setEmitter replaces the event sink once the window runtime is up.
func (u *Upload) setEmitter(emit func(string, any)) {
	u.mu.Lock()
	u.emit = emit
	u.mu.Unlock()
}

// Inspect opens the archive at path and describes it, without reading layers
// (a gzip-compressed archive is decompressed once to a cache file). A bad
// archive is refused with the code of its reason.
func (u *Upload) Inspect(path string) (Inspection, error) {
	if path == "" || !filepath.IsAbs(path) {
		return Inspection{}, &CodedError{Code: CodeInvalidPath, Detail: path}
	}
	fi, err := os.Stat(path)
	if err != nil {
		return Inspection{}, coded(err)
	}
	// TODO: a gzip-compressed archive is decompressed here and again by the
	// push; keeping the opened archive until the push would save one pass.
	arc, err := archive.Open(path, archive.WithTempDir(u.app.dirs.Cache),
		archive.WithLogger(u.app.log))
	if err != nil {
		u.app.log.Info("archive refused", "op", "inspect", "err", err)
		return Inspection{}, coded(err)
	}
	defer arc.Close()
	in := Inspection{
		Path: path, Format: arc.Format().String(), Gzipped: arc.Gzipped(),
		Size: fi.Size(), Images: arc.Images(),
	}
	for i := range in.Images {
		if in.Images[i].Tags == nil {
			in.Images[i].Tags = []string{}
		}
	}
	return in, nil
}

// Dropped is where files dropped on the window arrive, and the same entry the
// page may call with a path: it inspects the first path, tells the window with
// the EventUploadDropped event and returns the inspection.
func (u *Upload) Dropped(paths []string) (Inspection, error) {
	if len(paths) == 0 {
		return Inspection{}, &CodedError{Code: CodeInvalidPath, Detail: "no file"}
	}
	u.emitDrop(Drop{Path: paths[0], Inspecting: true})
	in, err := u.Inspect(paths[0])
	d := Drop{Path: paths[0]}
	if err != nil {
		d.ErrorCode, d.Detail = codeOf(err), err.Error()
	} else {
		d.Inspection = &in
	}
	u.emitDrop(d)
	return in, err
}

// emitDrop numbers a drop event and sends it.
func (u *Upload) emitDrop(d Drop) {
	u.mu.Lock()
	u.dropSeq++
	d.Seq = u.dropSeq
	emit := u.emit
	u.mu.Unlock()
	emit(EventUploadDropped, d)
}

// Pick asks for an archive with the native file dialog and inspects it like a
// drop. An empty Path means the user cancelled.
func (u *Upload) Pick() (Inspection, error) {
	if u.app.wctx == nil {
		return Inspection{}, &CodedError{Code: CodeNoWindow}
	}
	path, err := runtime.OpenFileDialog(u.app.wctx, runtime.OpenDialogOptions{
		Filters: []runtime.FileFilter{
			{DisplayName: "Image archives (*.tar, *.tar.gz, *.tgz)",
				Pattern: "*.tar;*.tar.gz;*.tgz"},
			{DisplayName: "*", Pattern: "*"},
		},
	})
	if err != nil || path == "" {
		return Inspection{}, coded(err)
	}
	return u.Dropped([]string{path})
}

// Destination checks req as the user types and returns the exact reference it
// publishes to, or the rule each wrong field breaks.
func (u *Upload) Destination(req UploadRequest) (Destination, error) {
	pr, err := u.app.Profiles.get(u.app.ctx, req.Profile)
	if err != nil {
		return Destination{}, err
	}
	return destination(pr, req), nil
}

// Preflight checks, before any layer is read, that the registry is reachable,
// trusted, accepts the login and allows the push, and whether the version
// exists already.
func (u *Upload) Preflight(req UploadRequest) (Preflight, error) {
	t, err := u.app.Target(u.app.ctx, req.Profile)
	if err != nil {
		return Preflight{}, err
	}
	_, ref, err := plan(t, req)
	if err != nil {
		return Preflight{}, err
	}
	p, err := preflight(u.app.ctx, t, ref)
	return p, coded(err)
}

// Start begins publishing req as a task and returns the task's id. Progress
// arrives as EventUploadProgress events and in the task centre; Tasks.Cancel
// stops it. Overwrite must be set to replace an existing version.
func (u *Upload) Start(req UploadRequest) (string, error) {
	t, err := u.app.Target(u.app.ctx, req.Profile)
	if err != nil {
		return "", err
	}
	d, _, err := plan(t, req)
	if err != nil {
		return "", err
	}
	h, ctx := u.app.Tasks.start(u.app.ctx, "upload", d.Ref)
	run := &uploadRun{last: UploadProgress{TaskID: h.ID(), Ref: d.Ref, State: TaskRunning,
		Phase: registry.PhaseConnect, ETA: -1}}
	u.mu.Lock()
	u.runs[h.ID()] = run
	u.mu.Unlock()
	u.publish(h.ID(), run.last, true)

	go func() {
		res, err := u.app.PushImage(ctx, t, req, func(p UploadProgress) {
			h.Progress(p.Done, p.Total)
			u.publish(h.ID(), p, false)
		})
		h.Finish(err)
		final := UploadProgress{Ref: d.Ref, HistoryID: res.HistoryID, Phase: registry.PhaseDone}
		switch {
		case err == nil:
			final.State, final.Result = TaskSucceeded, &res
		case errors.Is(err, context.Canceled):
			final.State, final.ErrorCode = TaskCancelled, CodeCancelled
		default:
			final.State, final.ErrorCode, final.Detail = TaskFailed, codeOf(err), err.Error()
		}
		u.publish(h.ID(), final, true)
	}()
	return h.ID(), nil
}

// Resume starts again the upload recorded as History event id, which failed,
// was cancelled or was interrupted. Layers the registry already has are not
// sent again.
func (u *Upload) Resume(id int64) (string, error) {
	req, err := u.app.ResumeRequest(u.app.ctx, id)
	if err != nil {
		return "", err
	}
	return u.Start(req)
}

// Current returns the state of every upload of this session, newest first, so
// a view opened later can show them.
func (u *Upload) Current() []UploadProgress {
	u.mu.Lock()
	defer u.mu.Unlock()
	out := make([]UploadProgress, 0, len(u.runs))
	for _, r := range u.runs {
		out = append(out, r.last)
	}
	sort.Slice(out, func(i, j int) bool { return taskSeq(out[i].TaskID) > taskSeq(out[j].TaskID) })
	return out
}

// publish merges p into the upload's state and emits it, at most once per
// uploadEvery unless force is set or the phase changed.
func (u *Upload) publish(id string, p UploadProgress, force bool) {
	u.mu.Lock()
	r, ok := u.runs[id]
	if !ok {
		u.mu.Unlock()
		return
	}
	now := time.Now()
	p.TaskID = id
	if p.State == "" {
		p.State = TaskRunning
	}
	if p.Layers == nil {
		p.Layers = r.last.Layers
	}
	if p.Total == 0 && p.State != TaskRunning {
		p.Done, p.Total = r.last.Done, r.last.Total
	}
	if p.State == TaskSucceeded {
		p.Done = p.Total
	}
	if p.HistoryID == 0 {
		p.HistoryID = r.last.HistoryID
	}
	p.Rate, p.ETA = r.meter.sample(now, p.Done, p.Total)
	if p.State != TaskRunning {
		p.Rate, p.ETA = 0, 0
	}
	changed := p.Phase != r.last.Phase || p.State != r.last.State
	r.seq++
	p.Seq = r.seq
	r.last = p
	if !force && !changed && now.Sub(r.lastEmit) < uploadEvery {
		u.mu.Unlock()
		return
	}
	r.lastEmit = now
	emit := u.emit
	u.mu.Unlock()
	emit(EventUploadProgress, p)
}

// layerViews converts the registry's layer progress for the window.
func layerViews(ls []registry.LayerProgress) []UploadLayer {
	out := make([]UploadLayer, len(ls))
	for i, l := range ls {
		out[i] = UploadLayer{DiffID: l.DiffID.String(), Done: l.Done, Total: l.Total,
			State: string(l.State)}
		if l.Digest.Hex != "" {
			out[i].Digest = l.Digest.String()
		}
	}
	return out
}

// meter smooths a transfer rate and estimates the time left.
type meter struct {
	at   time.Time
	done int64
	rate float64
}

// sample records done bytes at now and returns the smoothed rate and the
// seconds left (-1 while unknown).
func (m *meter) sample(now time.Time, done, total int64) (rate, eta float64) {
	switch {
	case m.at.IsZero() || done < m.done:
		m.at, m.done = now, done
	case now.Sub(m.at) >= 250*time.Millisecond:
		r := float64(done-m.done) / now.Sub(m.at).Seconds()
		if m.rate == 0 {
			m.rate = r
		} else {
			m.rate = 0.7*m.rate + 0.3*r
		}
		m.at, m.done = now, done
	}
	if m.rate <= 0 || total <= 0 {
		return m.rate, -1
	}
	return m.rate, float64(total-done) / m.rate
}

// taskSeq is the number in a task id "t12", for ordering.
func taskSeq(id string) int {
	n := 0
	for _, c := range id[min(1, len(id)):] {
		if c < '0' || c > '9' {
			return 0
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// compile-time check that the blob cache fits the registry's interface.
var _ registry.BlobCache = storeBlobCache{}

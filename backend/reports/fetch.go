package reports

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"imagedesk/backend/artifact"
)

// State is where a report stands.
type State string

// The states of a report.
const (
	// StateReady means the report is in the cache.
	StateReady State = "ready"
	// StatePending means the server has not generated the report yet; the
	// interface shows a placeholder and retries later.
	StatePending State = "pending"
	// StateFailed means the report could not be fetched; Status.Failure says
	// why.
	StateFailed State = "failed"
)

// Failure classifies why a fetch failed.
type Failure string

// The failure classes, stable strings the interface translates.
const (
	// FailureAuth means the server rejected the credentials.
	FailureAuth Failure = "auth"
	// FailureNetwork means the server could not be reached or the download was
	// cut off.
	FailureNetwork Failure = "network"
	// FailureServer means the server answered with an error other than "not
	// generated yet".
	FailureServer Failure = "server"
	// FailureNotFound means the image version does not exist.
	FailureNotFound Failure = "not_found"
	// FailureInvalid means the server answered something that is not an .xlsx.
	FailureInvalid Failure = "invalid"
	// FailureLocal means the cache could not be written.
	FailureLocal Failure = "local"
)

// Key addresses the scan report of one image version on one server profile.
type Key struct {
	// ProfileName is the server profile; reports of different profiles are
	// cached in different folders.
	ProfileName string
	// RepoID is the repository's numeric id.
	RepoID int64
	// RepoName is the repository's name, used in the file name.
	RepoName string
	// Namespace is "basic" for base images or the project name.
	Namespace string
	// Image is the image name.
	Image string
	// Version is the image version (tag).
	Version string
}

// String returns "namespace/image:version" for messages.
func (k Key) String() string { return k.Namespace + "/" + k.Image + ":" + k.Version }

// validate checks that the key can address a report.
func (k Key) validate() error {
	if k.RepoID <= 0 {
		return fmt.Errorf("%w: repository id %d", ErrInvalidKey, k.RepoID)
	}
	for _, p := range []string{k.Namespace, k.Image, k.Version} {
		if p == "" || p == "." || p == ".." || strings.ContainsAny(p, `/\`) {
			return fmt.Errorf("%w: path element %q", ErrInvalidKey, p)
		}
	}
	return nil
}

// Status describes a report after a fetch or cache lookup.
type Status struct {
	// State is ready, pending or failed.
	State State
	// Failure says why a failed fetch failed; empty otherwise.
	Failure Failure
	// Path is the cached file when State is ready.
	Path string
	// Size is the cached file's size in bytes when State is ready.
	Size int64
	// FetchedAt is when the cached file was written.
	FetchedAt time.Time
	// Err is the cause of a pending or failed state, for logs and details.
	Err error
}

// Fetcher downloads scan reports into a cache folder. It is safe for
// concurrent use; concurrent fetches of one key each write their own
// temporary file and the last rename wins.
type Fetcher struct {
	client   *artifact.Client
	cacheDir string
	log      *slog.Logger
	now      func() time.Time
}

// Option configures a Fetcher.
type Option func(*Fetcher)

// WithLogger makes the fetcher write debug records to l; nil is ignored. The
// default discards everything.
func WithLogger(l *slog.Logger) Option {
	return func(f *Fetcher) {
		if l != nil {
			f.log = l
		}
	}
}

// WithClock makes the fetcher read the time from now; nil is ignored. The
// default is time.Now.
func WithClock(now func() time.Time) Option {
	return func(f *Fetcher) {
		if now != nil {
			f.now = now
		}
	}
}

// NewFetcher returns a fetcher that downloads with c into cacheDir, which is
// created on first use.
func NewFetcher(c *artifact.Client, cacheDir string, opts ...Option) *Fetcher {
	f := &Fetcher{
		client:   c,
		cacheDir: cacheDir,
		log:      slog.New(slog.DiscardHandler),
		now:      time.Now,
	}
	for _, opt := range opts {
		opt(f)
	}
	return f
}

// Path returns where key's report is cached, whether or not it is there.
func (f *Fetcher) Path(key Key) string {
	return filepath.Join(f.dir(key), FileName(key))
}

// dir returns the cache folder of key's profile.
func (f *Fetcher) dir(key Key) string {
	if key.ProfileName == "" {
		return f.cacheDir
	}
	return filepath.Join(f.cacheDir, sanitize(key.ProfileName))
}

// Cached returns the ready status of key's cached report without any network
// call, or an error matching ErrNotCached.
func (f *Fetcher) Cached(key Key) (Status, error) {
	if err := key.validate(); err != nil {
		return Status{}, fmt.Errorf("looking up cached report of %s: %w", key, err)
	}
	p := f.Path(key)
	fi, err := os.Stat(p)
	if err != nil || !fi.Mode().IsRegular() {
		return Status{}, fmt.Errorf("looking up cached report of %s: %w", key, ErrNotCached)
	}
	return Status{State: StateReady, Path: p, Size: fi.Size(), FetchedAt: fi.ModTime()}, nil
}

// Fetch downloads key's report into the cache and returns its status.
//
// A ready or pending report returns a nil error. A failed fetch returns the
// same error as Status.Err, with Status.Failure telling auth, network,
// server, not_found, invalid or local apart. The server answers 500 both for
// a report not generated yet and for other faults, so after a 500 Fetch lists
// the image's folder: the version being there means pending, its absence
// means not_found, and a failing listing is classified by its own error.
// A cancelled context returns the context's error with an empty Status.
func (f *Fetcher) Fetch(ctx context.Context, key Key) (Status, error) {
	if err := key.validate(); err != nil {
		return Status{}, fmt.Errorf("fetching scan report of %s: %w", key, err)
	}
	start := f.now()
	st, err := f.fetch(ctx, key)
	switch {
	case err != nil && st.State == "":
		f.log.DebugContext(ctx, "scan report fetch stopped", "op", "report", "ref", key.String(),
			"repo", key.RepoID, "err", err)
	case st.State == StateReady:
		f.log.DebugContext(ctx, "scan report ready", "op", "report", "ref", key.String(),
			"repo", key.RepoID, "bytes", st.Size, "ms", f.now().Sub(start).Milliseconds())
	default:
		f.log.DebugContext(ctx, "scan report not ready", "op", "report", "ref", key.String(),
			"repo", key.RepoID, "err", st.Err)
	}
	return st, err
}

// fetch does the work of Fetch.
func (f *Fetcher) fetch(ctx context.Context, key Key) (Status, error) {
	dir := f.dir(key)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return f.failed(key, FailureLocal, fmt.Errorf("creating report cache: %w", err))
	}
	tmp, err := os.CreateTemp(dir, ".report-*.part")
	if err != nil {
		return f.failed(key, FailureLocal, fmt.Errorf("creating temporary file: %w", err))
	}
	tmpName := tmp.Name()
	defer os.Remove(tmpName) // fails harmlessly once renamed

	_, dlErr := f.client.ScanReport(ctx, key.RepoID, key.Namespace, key.Image, key.Version, tmp)
	syncErr := tmp.Sync()
	closeErr := tmp.Close()
	if dlErr != nil {
		return f.downloadFailed(ctx, key, dlErr)
	}
	if err := errors.Join(syncErr, closeErr); err != nil {
		return f.failed(key, FailureLocal, fmt.Errorf("writing temporary file: %w", err))
	}

	if err := checkXLSX(tmpName); err != nil {
		if looksLikeHTML(tmpName) {
			// A sign-in page or gateway error in place of the file: the same
			// fault as an HTML answer to a JSON call.
			err = fmt.Errorf("%w: %w", artifact.ErrNotJSON, err)
		}
		return f.failed(key, FailureInvalid, err)
	}
	final := f.Path(key)
	if err := os.Rename(tmpName, final); err != nil {
		return f.failed(key, FailureLocal, fmt.Errorf("saving report: %w", err))
	}
	fi, err := os.Stat(final)
	if err != nil {
		return f.failed(key, FailureLocal, fmt.Errorf("checking saved report: %w", err))
	}
	return Status{State: StateReady, Path: final, Size: fi.Size(), FetchedAt: f.now()}, nil
}

// downloadFailed turns a download error into a status, resolving a 500 into
// pending or not_found by listing the image's folder.
func (f *Fetcher) downloadFailed(ctx context.Context, key Key, err error) (Status, error) {
	if ctx.Err() != nil && !errors.Is(err, artifact.ErrNetwork) {
		return Status{}, fmt.Errorf("fetching scan report of %s: %w", key, err)
	}
	var ae *artifact.Error
	if !errors.As(err, &ae) || ae.Status != http.StatusInternalServerError {
		return f.failed(key, classify(err), err)
	}

	imageDir := key.Namespace + "/" + key.Image
	l, lerr := f.client.List(ctx, key.RepoID, imageDir, false)
	if lerr != nil {
		if ctx.Err() != nil && !errors.Is(lerr, artifact.ErrNetwork) {
			return Status{}, fmt.Errorf("fetching scan report of %s: %w", key, lerr)
		}
		cause := fmt.Errorf("report answered 500 and checking the version failed: %w", lerr)
		if errors.Is(lerr, artifact.ErrNotFound) {
			return f.failed(key, FailureNotFound, cause)
		}
		return f.failed(key, classify(lerr), cause)
	}
	for _, e := range l.Entries {
		if e.Dir && e.Name == key.Version {
			// TODO: a report the server failed to build for good also answers
			// 500 with the version present, so it stays pending forever; the
			// caller's backoff cap is the only bound until the API tells them apart.
			return Status{State: StatePending, Err: err}, nil
		}
	}
	return f.failed(key, FailureNotFound, fmt.Errorf("%w: %s in %s", ErrVersionNotFound,
		key.Version, imageDir))
}

// failed returns a failed status and its error, wrapped with the key.
func (f *Fetcher) failed(key Key, why Failure, err error) (Status, error) {
	err = fmt.Errorf("fetching scan report of %s: %w", key, err)
	return Status{State: StateFailed, Failure: why, Err: err}, err
}

// classify maps an artifact error to a failure class.
func classify(err error) Failure {
	switch {
	case errors.Is(err, artifact.ErrUnauthorized), errors.Is(err, artifact.ErrCredentials):
		return FailureAuth
	case errors.Is(err, artifact.ErrNetwork):
		return FailureNetwork
	case errors.Is(err, artifact.ErrNotFound):
		return FailureNotFound
	case errors.Is(err, artifact.ErrTooLarge):
		return FailureInvalid
	}
	return FailureServer
}

package sandbox

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Report states, also sent in the X-Sandbox-Report header of a 500.
const (
	reportReady      = "ready"
	reportPending    = "not-generated"
	reportFailed     = "failed"
	reportNever      = "never"
	reportBadPath    = "bad-path"
	reportNoRepo     = "unknown-repo"
	reportNoVersion  = "unknown-version"
	reportBadRequest = "bad-request"
)

// Bounds of the report scheduler.
const (
	reportWorkers    = 2
	maxPendingJobs   = 1024
	reportJobTimeout = 2 * time.Minute
)

// errReportsDisabled is the error of a job run while FailReports is set.
var errReportsDisabled = errors.New("report generation switched to fail")

// reporter schedules and runs scan report jobs. A job waits for the delay,
// then takes one of a few worker slots; a newer push of the same version
// supersedes a pending job.
type reporter struct {
	dir   string
	store *imageStore
	delay time.Duration
	fail  bool
	never matcher
	log   *slog.Logger

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	slots  chan struct{}

	mu      sync.Mutex
	gen     uint64
	pending map[string]uint64
	failed  map[string]bool
}

// newReporter makes a reporter writing under dir.
func newReporter(dir string, store *imageStore, cfg Config) (*reporter, error) {
	never, err := newMatcher(cfg.NoReportPattern)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating reports dir: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &reporter{
		dir: dir, store: store, delay: cfg.ReportDelay, fail: cfg.FailReports,
		never: never, log: cfg.Logger, ctx: ctx, cancel: cancel,
		slots:   make(chan struct{}, reportWorkers),
		pending: map[string]uint64{}, failed: map[string]bool{},
	}, nil
}

// key names a version across repositories.
func reportKey(repo, image, tag string) string {
	return repo + "/" + image + ":" + tag
}

// file is the path of a version's report.
func (rp *reporter) file(repo, image, tag string) string {
	return filepath.Join(rp.dir, repo, filepath.FromSlash(image), tag+".xlsx")
}

// skipped tells whether a version never gets a report.
func (rp *reporter) skipped(image, tag string) bool {
	return isCosignTag(tag) || rp.never(image+":"+tag)
}

// state tells where the report of a live version stands.
func (rp *reporter) state(repo, image, tag string) string {
	if rp.skipped(image, tag) {
		return reportNever
	}
	if _, err := os.Stat(rp.file(repo, image, tag)); err == nil {
		return reportReady
	}
	rp.mu.Lock()
	defer rp.mu.Unlock()
	if rp.failed[reportKey(repo, image, tag)] {
		return reportFailed
	}
	return reportPending
}

// schedule drops the old report of a version and plans a new one.
func (rp *reporter) schedule(repo Repo, image string, e tagEntry) {
	if rp.skipped(image, e.Name) {
		return
	}
	key := reportKey(repo.Name, image, e.Name)
	file := rp.file(repo.Name, image, e.Name)
	if err := os.Remove(file); err != nil && !errors.Is(err, fs.ErrNotExist) {
		rp.log.Warn("removing old report", "op", "report", "ref", key, "err", err)
	}

	rp.mu.Lock()
	defer rp.mu.Unlock()
	if rp.ctx.Err() != nil {
		return
	}
	if _, ok := rp.pending[key]; !ok && len(rp.pending) >= maxPendingJobs {
		// TODO: jobs past the bound are dropped until the next restart, which
		// schedules every version that still lacks a report.
		rp.log.Warn("report queue full, job dropped", "op", "report", "ref", key)
		return
	}
	rp.gen++
	gen := rp.gen
	rp.pending[key] = gen
	delete(rp.failed, key)
	rp.wg.Add(1)
	go rp.run(repo, image, e, key, file, gen)
}

// current tells whether gen is still the pending job of key; the caller
// holds mu.
func (rp *reporter) current(key string, gen uint64) bool {
	return rp.pending[key] == gen
}

// run waits, takes a worker slot and writes one report.
func (rp *reporter) run(repo Repo, image string, e tagEntry, key, file string, gen uint64) {
	defer rp.wg.Done()
	timer := time.NewTimer(rp.delay)
	defer timer.Stop()
	select {
	case <-rp.ctx.Done():
		return
	case <-timer.C:
	}
	select {
	case <-rp.ctx.Done():
		return
	case rp.slots <- struct{}{}:
	}
	defer func() { <-rp.slots }()

	rp.mu.Lock()
	live := rp.current(key, gen)
	rp.mu.Unlock()
	if !live {
		return
	}

	start := time.Now()
	err := rp.generate(repo, image, e, file, key, gen)

	rp.mu.Lock()
	defer rp.mu.Unlock()
	if !rp.current(key, gen) {
		return
	}
	delete(rp.pending, key)
	ms := time.Since(start).Milliseconds()
	if err != nil {
		rp.failed[key] = true
		rp.log.Warn("report failed", "op", "report", "ref", key, "digest", e.Digest,
			"err", err, "ms", ms)
		return
	}
	rp.log.Debug("report written", "op", "report", "ref", key, "digest", e.Digest, "ms", ms)
}

// generate reads the image and writes its report to a temporary file that is
// renamed into place while the job is still current.
func (rp *reporter) generate(repo Repo, image string, e tagEntry, file, key string,
	gen uint64) error {
	if rp.fail {
		return errReportsDisabled
	}
	ctx, cancel := context.WithTimeout(rp.ctx, reportJobTimeout)
	defer cancel()
	info, err := rp.store.inspect(ctx, repo.Name+"/"+image, e.Digest)
	if err != nil {
		return fmt.Errorf("reading image %s: %w", key, err)
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return fmt.Errorf("creating report dir of %s: %w", key, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(file), ".report-*")
	if err != nil {
		return fmt.Errorf("creating report of %s: %w", key, err)
	}
	defer os.Remove(tmp.Name())
	meta := reportMeta{Repo: repo, Image: image, Version: e.Name}
	if err := writeReport(tmp, meta, info); err != nil {
		tmp.Close()
		return fmt.Errorf("writing report of %s: %w", key, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing report of %s: %w", key, err)
	}

	rp.mu.Lock()
	defer rp.mu.Unlock()
	if !rp.current(key, gen) {
		return nil
	}
	if err := os.Rename(tmp.Name(), file); err != nil {
		return fmt.Errorf("placing report of %s: %w", key, err)
	}
	return nil
}

// resume schedules a report for every live version that lacks one.
func (rp *reporter) resume(repos []Repo, index *tagIndex) int {
	n := 0
	for _, repo := range repos {
		for _, image := range index.images(repo.Name, false) {
			for _, t := range index.tags(repo.Name, image, false) {
				if rp.state(repo.Name, image, t.Name) == reportPending {
					rp.schedule(repo, image, t)
					n++
				}
			}
		}
	}
	return n
}

// close cancels waiting and running jobs and waits for them to end.
func (rp *reporter) close(ctx context.Context) error {
	rp.cancel()
	done := make(chan struct{})
	go func() {
		rp.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("waiting for report jobs: %w", ctx.Err())
	}
}

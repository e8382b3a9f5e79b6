// Command seedhistory fills a data directory's history with made-up events,
// through backend/store as the app writes them (Start, then Finish), for the
// window benchmark of the History view.
//
//	go run ./build/scripts/seedhistory -db FILE [-n 100000] [-text svc-042]
//
// It prints one JSON line: the number of events written and, for -text, how
// many of them the History filter must find (counted here, not by the store).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"imagedesk/backend/store"
)

// maxEvents bounds -n.
const maxEvents = 1_000_000

// summary is what seedhistory prints.
type summary struct {
	Events  int    `json:"events"`
	Text    string `json:"text,omitempty"`
	Matches int    `json:"matches"`
	MS      int64  `json:"ms"`
}

func main() {
	db := flag.String("db", "", "the SQLite `FILE` (data/imagedesk.db of a data directory)")
	n := flag.Int("n", 100_000, "how many events to write")
	text := flag.String("text", "svc-042", "count the events this filter `TEXT` matches")
	flag.Parse()
	if err := run(os.Stdout, *db, *n, *text); err != nil {
		fmt.Fprintln(os.Stderr, "seedhistory:", err)
		os.Exit(1)
	}
}

func run(w io.Writer, db string, n int, text string) error {
	if db == "" {
		return errors.New("-db is required")
	}
	if n < 1 || n > maxEvents {
		return fmt.Errorf("-n must be from 1 to %d", maxEvents)
	}
	if err := os.MkdirAll(filepath.Dir(db), 0o700); err != nil {
		return err
	}

	// The store stamps ended_at with its clock: point it at each event's end.
	var now time.Time
	ctx := context.Background()
	st, err := store.Open(ctx, db, store.WithClock(func() time.Time { return now }))
	if err != nil {
		return err
	}
	defer st.Close()

	began := time.Now()
	base := began.Add(-time.Duration(n) * 7 * time.Minute).Truncate(time.Minute)
	out := summary{Events: n, Text: text}
	for i := range n {
		e, o := event(i, base)
		if text != "" && matches(e, text) {
			out.Matches++
		}
		now = e.StartedAt
		id, err := st.Start(ctx, e)
		if err != nil {
			return fmt.Errorf("event %d: %w", i, err)
		}
		now = e.StartedAt.Add(time.Duration(1+i%90) * time.Second)
		if err := st.Finish(ctx, id, o); err != nil {
			return fmt.Errorf("event %d: %w", i, err)
		}
	}
	out.MS = time.Since(began).Milliseconds()
	return json.NewEncoder(w).Encode(out)
}

// kinds and the share of failures give a history like a busy desk's.
var kinds = []store.Kind{store.KindUpload, store.KindUpload, store.KindDownload,
	store.KindSign, store.KindVerify, store.KindReport, store.KindUpload, store.KindLogin,
	store.KindProfile, store.KindDownload}

var errorCodes = []string{"network", "timeout", "unauthorized", "version_exists", "no_space"}

// event makes the i-th event, 7 minutes after the one before, and its outcome.
func event(i int, base time.Time) (store.Event, store.Outcome) {
	kind := kinds[i%len(kinds)]
	image := fmt.Sprintf("svc-%03d", i%500)
	version := fmt.Sprintf("1.%d.%d", i/1000, i%1000)
	e := store.Event{
		Kind:      kind,
		StartedAt: base.Add(time.Duration(i) * 7 * time.Minute),
		Profile:   []string{"Sandbox", "Production"}[i%2],
	}
	o := store.Outcome{Status: store.StatusSucceeded}
	switch kind {
	case store.KindLogin, store.KindProfile:
		// Server-wide events name no image.
	default:
		e.Repo = []string{"base-images", "business-images"}[i%2]
		ns := "basic"
		if i%2 == 1 {
			ns = fmt.Sprintf("team-%d", i%7)
		}
		e.Image = ns + "/" + image
		e.Version = version
		e.Ref = "registry.example.com:5000/" + e.Repo + "/" + e.Image + ":" + version
	}
	if kind == store.KindUpload || kind == store.KindDownload {
		e.Bytes = int64(1+i%400) << 20
	}
	switch {
	case i%23 == 0:
		o.Status = store.StatusFailed
		o.ErrCode = errorCodes[i%len(errorCodes)]
		o.ErrDetail = "made up by seedhistory: " + o.ErrCode
	case i%41 == 0:
		o.Status = store.StatusCancelled
		o.ErrCode = "cancelled"
	}
	if o.Status == store.StatusSucceeded && e.Ref != "" {
		o.Digest = fmt.Sprintf("sha256:%064x", i)
	}
	return e, o
}

// matches is the History text filter, written again: the image, version, ref
// or repository contains text, ignoring ASCII case.
func matches(e store.Event, text string) bool {
	t := strings.ToLower(text)
	for _, f := range []string{e.Image, e.Version, e.Ref, e.Repo} {
		if strings.Contains(strings.ToLower(f), t) {
			return true
		}
	}
	return false
}

package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestStartFinish(t *testing.T) {
	t.Parallel()
	s, clock, _ := openTest(t)
	ctx := context.Background()

	id, err := s.Start(ctx, Event{Kind: KindUpload, Profile: "prod", Repo: "images",
		Image: "ubuntu", Version: "V1", Params: json.RawMessage(`{ "archive": "/a.tar" }`)})
	if err != nil {
		t.Fatal(err)
	}
	started := clock.now()
	clock.advance(1500 * time.Millisecond)

	err = s.Finish(ctx, id, Outcome{Status: StatusFailed, Ref: "r/x:V1", Bytes: 10,
		ErrCode: "registry_denied", ErrDetail: strings.Repeat("é", 3000)})
	if err != nil {
		t.Fatal(err)
	}

	got, err := s.Event(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.ErrDetail) > maxDetail || !strings.HasPrefix(got.ErrDetail, "éé") ||
		strings.ContainsRune(got.ErrDetail, '\uFFFD') {
		t.Errorf("error detail not cut cleanly to %d bytes: %d bytes", maxDetail,
			len(got.ErrDetail))
	}
	got.ErrDetail = ""
	want := Event{ID: id, Kind: KindUpload, Status: StatusFailed, StartedAt: started,
		EndedAt: clock.now(), Profile: "prod", Repo: "images", Image: "ubuntu",
		Version: "V1", Ref: "r/x:V1", Bytes: 10, DurationMS: 1500,
		ErrCode: "registry_denied", Params: json.RawMessage(`{"archive":"/a.tar"}`)}
	if diff := cmp.Diff(want, got, cmp.Comparer(time.Time.Equal)); diff != "" {
		t.Errorf("Event mismatch (-want +got):\n%s", diff)
	}

	if err := s.Finish(ctx, id, Outcome{Status: StatusSucceeded}); !errors.Is(err, ErrNotRunning) {
		t.Errorf("second Finish error = %v, want ErrNotRunning", err)
	}
	if err := s.Finish(ctx, 999, Outcome{Status: StatusSucceeded}); !errors.Is(err, ErrNotFound) {
		t.Errorf("Finish(999) error = %v, want ErrNotFound", err)
	}
	if err := s.Finish(ctx, id, Outcome{Status: StatusRunning}); !errors.Is(err, ErrInvalid) {
		t.Errorf("Finish(running) error = %v, want ErrInvalid", err)
	}
}

func TestStartRejects(t *testing.T) {
	t.Parallel()
	s, _, _ := openTest(t)
	ctx := context.Background()

	tests := []struct {
		name string
		e    Event
		want error
	}{
		{"empty kind", Event{}, ErrInvalid},
		{"upper-case kind", Event{Kind: "Upload"}, ErrInvalid},
		{"params not JSON", Event{Kind: KindUpload, Params: json.RawMessage(`{`)}, ErrInvalid},
		{"params not an object", Event{Kind: KindUpload, Params: json.RawMessage(`[1]`)},
			ErrInvalid},
		{"password", Event{Kind: KindLogin, Params: json.RawMessage(`{"Password":"x"}`)},
			ErrSecretInParams},
		{"nested passphrase", Event{Kind: KindSign,
			Params: json.RawMessage(`{"form":[{"key-passphrase":"x"}]}`)}, ErrSecretInParams},
		{"token", Event{Kind: KindLogin, Params: json.RawMessage(`{"auth":{"token":1}}`)},
			ErrSecretInParams},
		{"too deep", Event{Kind: KindUpload,
			Params: json.RawMessage(`{"a":` + strings.Repeat("[", 40) +
				strings.Repeat("]", 40) + `}`)}, ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := s.Start(ctx, tt.e); !errors.Is(err, tt.want) {
				t.Errorf("Start error = %v, want %v", err, tt.want)
			}
		})
	}

	var n int
	if err := s.db.QueryRow(`SELECT COUNT(*) FROM history`).Scan(&n); err != nil || n != 0 {
		t.Errorf("history rows = %d, %v; want none", n, err)
	}
}

func TestMarkInterrupted(t *testing.T) {
	t.Parallel()
	s, clock, _ := openTest(t)
	ctx := context.Background()

	var running []int64
	for i := range 5 {
		id, err := s.Start(ctx, Event{Kind: KindDownload, Image: fmt.Sprint("img", i)})
		if err != nil {
			t.Fatal(err)
		}
		running = append(running, id)
	}
	if err := s.Finish(ctx, running[0], Outcome{Status: StatusSucceeded}); err != nil {
		t.Fatal(err)
	}
	clock.advance(2 * time.Second)

	n, err := s.MarkInterrupted(ctx)
	if err != nil || n != 4 {
		t.Fatalf("MarkInterrupted = %d, %v; want 4", n, err)
	}
	for _, id := range running[1:] {
		e, err := s.Event(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if e.Status != StatusInterrupted || e.DurationMS != 2000 || e.EndedAt.IsZero() {
			t.Errorf("event %d = %s, %d ms, ended %v", id, e.Status, e.DurationMS, e.EndedAt)
		}
	}
	if e, _ := s.Event(ctx, running[0]); e.Status != StatusSucceeded {
		t.Errorf("finished event became %s", e.Status)
	}
	if n, err := s.MarkInterrupted(ctx); err != nil || n != 0 {
		t.Errorf("second MarkInterrupted = %d, %v; want 0", n, err)
	}
}

// TestConcurrentWriters writes from many goroutines through two Stores on
// the same file, as two app instances would.
func TestConcurrentWriters(t *testing.T) {
	t.Parallel()
	s, _, path := openTest(t)
	ctx := context.Background()
	other, err := Open(ctx, path, WithBusyTimeout(20*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })

	const writers, each = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		st := s
		if w%2 == 1 {
			st = other
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				id, err := st.Start(ctx, Event{Kind: KindUpload, Image: fmt.Sprint("w", w),
					Version: fmt.Sprint(i)})
				if err == nil {
					err = st.Finish(ctx, id, Outcome{Status: StatusSucceeded})
				}
				if err == nil {
					err = st.PutBlob(ctx, Blob{Registry: "r", Repo: "x",
						Digest: fmt.Sprintf("sha256:%d-%d", w, i), Size: 1})
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	page, err := s.Query(ctx, Filter{Statuses: []Status{StatusSucceeded}})
	if err != nil || page.Total != writers*each {
		t.Errorf("succeeded events = %d, %v; want %d", page.Total, err, writers*each)
	}
	blobs, err := other.Blobs(ctx, "r", "x")
	if err != nil || len(blobs) != writers*each {
		t.Errorf("blobs = %d, %v; want %d", len(blobs), err, writers*each)
	}
}

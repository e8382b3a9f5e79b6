package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// seedHistory inserts n finished events in one transaction: kinds and
// statuses rotate, event i starts at base + i minutes.
func seedHistory(t testing.TB, s *Store, n int, base time.Time) {
	t.Helper()
	kinds := []Kind{KindUpload, KindDownload, KindSign, KindVerify}
	statuses := []Status{StatusSucceeded, StatusFailed, StatusCancelled}
	err := s.inTx(context.Background(), func(tx *sql.Tx) error {
		stmt, err := tx.Prepare(`INSERT INTO history (kind, status, started_at, ended_at,
			profile, repo, image, version, ref) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for i := range n {
			at := base.Add(time.Duration(i) * time.Minute).UnixMilli()
			image := fmt.Sprintf("img%d", i%100)
			_, err := stmt.Exec(kinds[i%len(kinds)], statuses[i%len(statuses)], at, at+10,
				fmt.Sprint("p", i%2), "images", image, fmt.Sprint("v", i),
				"r.example.com/images/basic/"+image+":v"+fmt.Sprint(i))
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// ids returns the ids of events.
func ids(events []Event) []int64 {
	out := make([]int64, 0, len(events))
	for _, e := range events {
		out = append(out, e.ID)
	}
	return out
}

func TestQueryFilters(t *testing.T) {
	t.Parallel()
	s, _, _ := openTest(t)
	ctx := context.Background()
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	seedHistory(t, s, 120, base)
	if _, err := s.Start(ctx, Event{Kind: KindUpload, Image: "50%_off"}); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name  string
		f     Filter
		total int
		check func(Event) bool
	}{
		{"everything", Filter{}, 121, func(Event) bool { return true }},
		{"one kind", Filter{Kinds: []Kind{KindSign}}, 30,
			func(e Event) bool { return e.Kind == KindSign }},
		{"kind and status", Filter{Kinds: []Kind{KindUpload, KindSign},
			Statuses: []Status{StatusFailed}}, 20,
			func(e Event) bool { return e.Status == StatusFailed && e.Kind != KindVerify }},
		{"running", Filter{Statuses: []Status{StatusRunning}}, 1,
			func(e Event) bool { return e.Status == StatusRunning }},
		{"profile", Filter{Profile: "p1"}, 60, func(e Event) bool { return e.Profile == "p1" }},
		{"text in image, any case", Filter{Text: "IMG7"}, 12,
			func(e Event) bool { return strings.HasPrefix(e.Image, "img7") }},
		{"text wildcards are literal", Filter{Text: "50%_"}, 1,
			func(e Event) bool { return e.Image == "50%_off" }},
		{"text in version", Filter{Text: "v119"}, 1,
			func(e Event) bool { return e.Version == "v119" }},
		{"time range", Filter{From: base.Add(10 * time.Minute),
			To: base.Add(20 * time.Minute)}, 10,
			func(e Event) bool {
				return !e.StartedAt.Before(base.Add(10*time.Minute)) &&
					e.StartedAt.Before(base.Add(20*time.Minute))
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.f
			f.Limit = MaxLimit
			page, err := s.Query(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			if page.Total != tt.total || len(page.Events) != tt.total {
				t.Fatalf("Total = %d, events = %d; want %d", page.Total, len(page.Events),
					tt.total)
			}
			for i, e := range page.Events {
				if !tt.check(e) {
					t.Errorf("event %+v does not match the filter", e)
				}
				if i > 0 && e.ID >= page.Events[i-1].ID {
					t.Errorf("events not newest first at %d", i)
				}
			}
		})
	}

	if _, err := s.Query(ctx, Filter{Statuses: []Status{"odd"}}); !errors.Is(err, ErrInvalid) {
		t.Errorf("unknown status error = %v, want ErrInvalid", err)
	}
}

func TestQueryKeysetPaging(t *testing.T) {
	t.Parallel()
	s, _, _ := openTest(t)
	ctx := context.Background()
	seedHistory(t, s, 95, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))

	f := Filter{Kinds: []Kind{KindUpload, KindDownload}, Limit: 10}
	all, err := s.Query(ctx, Filter{Kinds: f.Kinds, Limit: MaxLimit})
	if err != nil {
		t.Fatal(err)
	}

	var seen []int64
	for pages := 0; ; pages++ {
		if pages > 10 {
			t.Fatal("paging did not end")
		}
		page, err := s.Query(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		wantTotal := -1
		if pages == 0 {
			wantTotal = len(all.Events)
		}
		if page.Total != wantTotal {
			t.Errorf("page %d Total = %d, want %d", pages, page.Total, wantTotal)
		}
		seen = append(seen, ids(page.Events)...)

		// A row added while paging must not shift or repeat later pages.
		if pages == 1 {
			if _, err := s.Start(ctx, Event{Kind: KindUpload}); err != nil {
				t.Fatal(err)
			}
		}
		if page.NextBeforeID == 0 {
			break
		}
		f.BeforeID = page.NextBeforeID
	}
	if diff := cmp.Diff(ids(all.Events), seen); diff != "" {
		t.Errorf("paged ids mismatch (-want +got):\n%s", diff)
	}
}

func TestQueryUsesIndexes(t *testing.T) {
	t.Parallel()
	s, _, _ := openTest(t)
	for _, tt := range []struct{ query, index string }{
		{`SELECT id FROM history WHERE started_at >= 1 AND started_at < 2`, "history_started_at"},
		{`SELECT COUNT(*) FROM history WHERE kind IN ('sign') AND status IN ('failed')`,
			"history_kind_status"},
		{`SELECT digest FROM blob_cache WHERE registry='r' AND repo='x' AND diff_id='d'`,
			"blob_cache_diff_id"},
	} {
		rows, err := s.db.Query(`EXPLAIN QUERY PLAN ` + tt.query)
		if err != nil {
			t.Fatal(err)
		}
		var plan strings.Builder
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan.WriteString(detail + "\n")
		}
		rows.Close()
		if !strings.Contains(plan.String(), tt.index) {
			t.Errorf("plan of %s does not use %s:\n%s", tt.query, tt.index, plan.String())
		}
	}
}

func TestExportCSV(t *testing.T) {
	t.Parallel()
	s, clock, _ := openTest(t)
	ctx := context.Background()

	id, err := s.Start(ctx, Event{Kind: KindUpload, Profile: "prod", Image: "a,b",
		Version: `say "hi"`, Ref: "=HYPERLINK(\"http://x\")"})
	if err != nil {
		t.Fatal(err)
	}
	clock.advance(time.Second)
	err = s.Finish(ctx, id, Outcome{Status: StatusFailed, ErrCode: "-1",
		ErrDetail: "line one\nline two, 中文"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Start(ctx, Event{Kind: KindSign, Image: "other"}); err != nil {
		t.Fatal(err)
	}

	var buf bytes.Buffer
	if err := s.ExportCSV(ctx, &buf, Filter{Kinds: []Kind{KindUpload}, Limit: 1}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "\r\n") {
		t.Error("CSV lines do not end in CRLF")
	}
	if !strings.Contains(buf.String(), `"say ""hi"""`) {
		t.Errorf("quotes not doubled:\n%s", buf.String())
	}

	records, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	started := newClock().now().Format(time.RFC3339)
	ended := newClock().now().Add(time.Second).Format(time.RFC3339)
	want := [][]string{csvHeader, {fmt.Sprint(id), "upload", "failed", started, ended,
		"1000", "prod", "", "a,b", `say "hi"`, "'=HYPERLINK(\"http://x\")", "", "0", "'-1",
		"line one\nline two, 中文"}}
	if diff := cmp.Diff(want, records); diff != "" {
		t.Errorf("CSV mismatch (-want +got):\n%s", diff)
	}
}

// BenchmarkQuery100k measures a filtered first page and a keyset page deep
// into 100,000 events.
func BenchmarkQuery100k(b *testing.B) {
	s, _, _ := openTest(b)
	ctx := context.Background()
	seedHistory(b, s, 100_000, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))

	b.ResetTimer()
	for b.Loop() {
		first, err := s.Query(ctx, Filter{Kinds: []Kind{KindUpload, KindSign},
			Statuses: []Status{StatusSucceeded}, Text: "img4", Limit: 50})
		if err != nil || len(first.Events) == 0 {
			b.Fatalf("first page: %d events, %v", len(first.Events), err)
		}
		deep, err := s.Query(ctx, Filter{BeforeID: 20_000, Limit: 50})
		if err != nil || len(deep.Events) != 50 {
			b.Fatalf("deep page: %d events, %v", len(deep.Events), err)
		}
	}
}

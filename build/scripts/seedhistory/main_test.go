package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"imagedesk/backend/store"
)

// TestSeedAgreesWithStore seeds a small history and checks that the store finds
// what the seeder says it wrote: every event finished, and as many text matches
// as the seeder counted on its own.
func TestSeedAgreesWithStore(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "data", "imagedesk.db")
	var out bytes.Buffer
	if err := run(&out, db, 1200, "SVC-04"); err != nil {
		t.Fatal(err)
	}
	var got summary
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("output %q: %v", out.String(), err)
	}
	if got.Events != 1200 || got.Matches == 0 || got.Matches == 1200 {
		t.Fatalf("summary %+v: want 1200 events and some, not all, matching", got)
	}

	ctx := context.Background()
	st, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	all, err := st.Query(ctx, store.Filter{Limit: 5})
	if err != nil || all.Total != 1200 {
		t.Fatalf("store holds %d events (%v), want 1200", all.Total, err)
	}
	if running, err := st.Query(ctx, store.Filter{Statuses: []store.Status{
		store.StatusRunning}}); err != nil || running.Total != 0 {
		t.Errorf("%d events left running (%v)", running.Total, err)
	}
	found, err := st.Query(ctx, store.Filter{Text: "SVC-04"})
	if err != nil || found.Total != got.Matches {
		t.Errorf("the store matches %d (%v), the seeder counted %d", found.Total, err,
			got.Matches)
	}
	newest := all.Events[0]
	if !newest.EndedAt.After(newest.StartedAt) || newest.DurationMS <= 0 {
		t.Errorf("newest event %+v: want an end after its start", newest)
	}
}

func TestSeedRefusesBadFlags(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "x.db")
	for _, n := range []int{0, -1, maxEvents + 1} {
		if err := run(&bytes.Buffer{}, db, n, ""); err == nil {
			t.Errorf("-n %d accepted", n)
		}
	}
	if err := run(&bytes.Buffer{}, "", 10, ""); err == nil {
		t.Error("an empty -db accepted")
	}
}

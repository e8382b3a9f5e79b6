package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// seedV1 writes rows that every schema since version 1 must keep.
func seedV1(t *testing.T, db *sql.DB) {
	t.Helper()
	stmts := []string{
		`INSERT INTO profiles (id, name, json, created, updated) VALUES (7, 'prod',
			'{"id":7,"name":"prod","api_url":"https://a.example.com",` +
			`"registry":"r.example.com","repos":[{"name":"images",` +
			`"id":"9007199254740993","kind":"base"}]}', 1000, 2000)`,
		`INSERT INTO history (id, kind, status, started_at, ended_at, profile, repo, image,
			version, ref, digest, bytes, duration_ms, params)
			VALUES (41, 'upload', 'succeeded', 5000, 6500, 'prod', 'images', 'ubuntu',
			'V1', 'r.example.com/images/basic/ubuntu:V1', 'sha256:ab', 99, 1500,
			'{"archive":"/tmp/u.tar"}')`,
		`INSERT INTO history (id, kind, status, started_at, profile)
			VALUES (42, 'download', 'running', 7000, 'prod')`,
		`INSERT INTO listing_cache VALUES ('prod', 9007199254740993, 'basic/aa', 0,
			'{"code":"OK"}', 8000)`,
		`INSERT INTO report_cache VALUES ('prod', 9007199254740993, 'aa', 'V5',
			'/reports/aa-V5.xlsx', 123, 'ff', 9000)`,
	}
	for _, stmt := range stmts {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatalf("seeding: %v\n%s", err, stmt)
		}
	}
}

func TestMigrateFromEveryEarlierVersion(t *testing.T) {
	t.Parallel()
	for _, from := range migrations[:len(migrations)-1] {
		t.Run(fmt.Sprintf("from v%d", from.version), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			path := filepath.Join(t.TempDir(), "old.db")

			old := &Store{path: path, now: newClock().now, busy: DefaultBusyTimeout,
				sync: "NORMAL", log: discardLogger()}
			if err := old.open(ctx, from.version); err != nil {
				t.Fatal(err)
			}
			if v, _ := schemaVersion(ctx, old.db); v != from.version {
				t.Fatalf("old database at version %d, want %d", v, from.version)
			}
			seedV1(t, old.db)
			old.Close()

			s, err := Open(ctx, path)
			if err != nil {
				t.Fatalf("Open of a v%d database: %v", from.version, err)
			}
			defer s.Close()
			checkSeed(t, s)
		})
	}
}

// checkSeed asserts that the rows of seedV1 read back through the API.
func checkSeed(t *testing.T, s *Store) {
	t.Helper()
	ctx := context.Background()

	if v, err := schemaVersion(ctx, s.db); err != nil || v != SchemaVersion {
		t.Fatalf("schema version = %d, %v; want %d", v, err, SchemaVersion)
	}

	p, err := s.Profile(ctx, "prod")
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != 7 || p.Repos[0].ID != 9007199254740993 || p.Created.UnixMilli() != 1000 {
		t.Errorf("profile = %+v", p)
	}

	e, err := s.Event(ctx, 41)
	if err != nil {
		t.Fatal(err)
	}
	want := Event{ID: 41, Kind: KindUpload, Status: StatusSucceeded,
		StartedAt: fromMillis(5000), EndedAt: fromMillis(6500), Profile: "prod",
		Repo: "images", Image: "ubuntu", Version: "V1",
		Ref: "r.example.com/images/basic/ubuntu:V1", Digest: "sha256:ab", Bytes: 99,
		DurationMS: 1500, Params: json.RawMessage(`{"archive":"/tmp/u.tar"}`)}
	if diff := cmp.Diff(want, e); diff != "" {
		t.Errorf("event 41 mismatch (-want +got):\n%s", diff)
	}

	if n, err := s.MarkInterrupted(ctx); err != nil || n != 1 {
		t.Errorf("MarkInterrupted = %d, %v; want 1", n, err)
	}

	l, err := s.GetListing(ctx, ListingKey{"prod", 9007199254740993, "basic/aa", false})
	if err != nil || string(l.Body) != `{"code":"OK"}` {
		t.Errorf("listing = %s, %v", l.Body, err)
	}
	r, err := s.GetReport(ctx, ReportKey{"prod", 9007199254740993, "aa", "V5"})
	if err != nil || r.FilePath != "/reports/aa-V5.xlsx" || r.Size != 123 {
		t.Errorf("report = %+v, %v", r, err)
	}

	// The tables of later versions work on the migrated file.
	b := Blob{Registry: "r.example.com", Repo: "images/basic/aa", Digest: "sha256:cd",
		DiffID: "sha256:ef", Size: 5}
	if err := s.PutBlob(ctx, b); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetBlob(ctx, b.Registry, b.Repo, b.Digest); err != nil {
		t.Error(err)
	}
	if _, err := s.Event(ctx, 999); !errors.Is(err, ErrNotFound) {
		t.Errorf("Event(999) error = %v, want ErrNotFound", err)
	}
}

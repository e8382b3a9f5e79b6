package store

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// testClock is a settable clock for deterministic timestamps.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *testClock {
	return &testClock{t: time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)}
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// openTest opens a fresh database in a temp dir with a test clock.
func openTest(t testing.TB) (*Store, *testClock, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "imagedesk.db")
	clock := newClock()
	s, err := Open(context.Background(), path, WithClock(clock.now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, clock, path
}

func TestOpenSetsPragmas(t *testing.T) {
	t.Parallel()
	s, _, _ := openTest(t)
	ctx := context.Background()

	for pragma, want := range map[string]string{
		"journal_mode": "wal",
		"foreign_keys": "1",
		"busy_timeout": "10000",
		"synchronous":  "1", // NORMAL
	} {
		var got string
		if err := s.db.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("PRAGMA %s = %q, want %q", pragma, got, want)
		}
	}

	v, err := schemaVersion(ctx, s.db)
	if err != nil || v != SchemaVersion {
		t.Errorf("schema version = %d, %v; want %d", v, err, SchemaVersion)
	}
}

func TestOpenTwiceAndTooNew(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _, path := openTest(t)

	again, err := Open(ctx, path, WithFullSync())
	if err != nil {
		t.Fatalf("second Open: %v", err)
	}
	var sync string
	if err := again.db.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&sync); err != nil {
		t.Fatal(err)
	}
	if sync != "2" {
		t.Errorf("PRAGMA synchronous with WithFullSync = %s, want 2 (FULL)", sync)
	}
	again.Close()

	var rows int
	if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM schema_version").
		Scan(&rows); err != nil || rows != SchemaVersion {
		t.Errorf("schema_version rows = %d, %v; want %d", rows, err, SchemaVersion)
	}

	_, err = s.db.ExecContext(ctx,
		"INSERT INTO schema_version (version, applied_at) VALUES (?, 0)", SchemaVersion+1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(ctx, path); !errors.Is(err, ErrSchemaTooNew) {
		t.Fatalf("Open of a newer schema error = %v, want ErrSchemaTooNew", err)
	}
}

func TestOpenRejectsBadPaths(t *testing.T) {
	t.Parallel()
	for _, p := range []string{"", filepath.Join(t.TempDir(), "a?b.db")} {
		if _, err := Open(context.Background(), p); !errors.Is(err, ErrInvalid) {
			t.Errorf("Open(%q) error = %v, want ErrInvalid", p, err)
		}
	}
}

func TestNoSecretColumns(t *testing.T) {
	t.Parallel()
	s, _, _ := openTest(t)
	ctx := context.Background()

	rows, err := s.db.QueryContext(ctx,
		`SELECT m.name, p.name FROM sqlite_schema m, pragma_table_info(m.name) p
		 WHERE m.type = 'table'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	columns := 0
	for rows.Next() {
		var table, column string
		if err := rows.Scan(&table, &column); err != nil {
			t.Fatal(err)
		}
		columns++
		for _, w := range []string{"password", "passphrase", "secret", "token"} {
			if strings.Contains(strings.ToLower(column), w) {
				t.Errorf("table %s has column %s", table, column)
			}
		}
	}
	if err := rows.Err(); err != nil || columns < 20 {
		t.Fatalf("read %d columns, %v", columns, err)
	}
}

// discardLogger returns a logger that drops everything.
func discardLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

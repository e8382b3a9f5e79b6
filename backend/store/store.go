package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// DefaultBusyTimeout is how long a connection waits for another writer
// before giving up, when no WithBusyTimeout option is given.
const DefaultBusyTimeout = 10 * time.Second

// Store is an open ImageDesk database. It is safe for concurrent use.
type Store struct {
	db   *sql.DB
	path string
	now  func() time.Time
	log  *slog.Logger
	busy time.Duration
	sync string
}

// Option changes how Open opens a database.
type Option func(*Store)

// WithLogger sets the logger for migrations and slow work (default: discard).
func WithLogger(l *slog.Logger) Option {
	return func(s *Store) {
		if l != nil {
			s.log = l
		}
	}
}

// WithClock sets the clock used for timestamps (default time.Now).
func WithClock(now func() time.Time) Option {
	return func(s *Store) {
		if now != nil {
			s.now = now
		}
	}
}

// WithBusyTimeout sets how long a write waits for another writer (default
// DefaultBusyTimeout). Values below one millisecond are ignored.
func WithBusyTimeout(d time.Duration) Option {
	return func(s *Store) {
		if d >= time.Millisecond {
			s.busy = d
		}
	}
}

// WithFullSync makes every commit wait for the disk (synchronous=FULL)
// instead of the default synchronous=NORMAL, which in WAL mode can lose the
// last commits on power loss but never corrupts the file.
func WithFullSync() Option {
	return func(s *Store) { s.sync = "FULL" }
}

// Open opens or creates the database at path and migrates it to
// SchemaVersion. A database from a newer program fails with ErrSchemaTooNew.
func Open(ctx context.Context, path string, opts ...Option) (*Store, error) {
	s := &Store{
		path: path,
		now:  time.Now,
		log:  slog.New(slog.NewTextHandler(io.Discard, nil)),
		busy: DefaultBusyTimeout,
		sync: "NORMAL",
	}
	for _, opt := range opts {
		opt(s)
	}

	if err := s.open(ctx, SchemaVersion); err != nil {
		return nil, err
	}
	return s, nil
}

// open connects and migrates up to target.
func (s *Store) open(ctx context.Context, target int) error {
	if s.path == "" || strings.ContainsAny(s.path, "?#") {
		return fmt.Errorf("opening database %q: %w: path must be non-empty without '?' or '#'",
			s.path, ErrInvalid)
	}

	db, err := sql.Open("sqlite", s.dsn())
	if err != nil {
		return fmt.Errorf("opening database %s: %w", s.path, err)
	}

	start := s.now()
	if err := migrate(ctx, db, target, s.millis); err != nil {
		db.Close()
		return fmt.Errorf("opening database %s: %w", s.path, err)
	}
	s.log.Debug("database open", "op", "open", "ref", s.path,
		"ms", s.now().Sub(start).Milliseconds())
	s.db = db
	return nil
}

// dsn builds the modernc.org/sqlite data source name: pragmas run on every
// new connection, and transactions take the write lock when they begin, so
// that a reader never has to upgrade to a writer (which fails at once
// instead of waiting).
func (s *Store) dsn() string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout("+strconv.FormatInt(s.busy.Milliseconds(), 10)+")")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(ON)")
	q.Add("_pragma", "synchronous("+s.sync+")")
	q.Set("_txlock", "immediate")
	return s.path + "?" + q.Encode()
}

// Close closes the database.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("closing database %s: %w", s.path, err)
	}
	return nil
}

// millis returns the current time in Unix milliseconds.
func (s *Store) millis() int64 {
	return s.now().UnixMilli()
}

// fromMillis turns stored Unix milliseconds into a time, zero for 0.
func fromMillis(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms)
}

// toMillis turns a time into Unix milliseconds, 0 for the zero time.
func toMillis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// isUniqueViolation reports whether err is SQLite's unique constraint error.
func isUniqueViolation(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE ||
		se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

// Check runs SQLite's integrity check and returns an error naming the first
// problem it reports.
func (s *Store) Check(ctx context.Context) error {
	var res string
	if err := s.db.QueryRowContext(ctx, "PRAGMA integrity_check(1)").Scan(&res); err != nil {
		return fmt.Errorf("checking the database: %w", err)
	}
	if res != "ok" {
		return fmt.Errorf("checking the database: %s", res)
	}
	return nil
}

package store

import (
	"context"
	"database/sql"
	"fmt"
)

// migration is one step of the schema. Steps are applied in order, each in
// its own transaction together with its row in schema_version.
type migration struct {
	version int
	stmts   []string
}

// migrations lists every schema version. Append new versions; never change
// a published one.
var migrations = []migration{
	{version: 1, stmts: []string{
		`CREATE TABLE profiles (
			id      INTEGER PRIMARY KEY,
			name    TEXT    NOT NULL UNIQUE,
			json    TEXT    NOT NULL,
			created INTEGER NOT NULL,
			updated INTEGER NOT NULL
		)`,
		`CREATE TABLE history (
			id           INTEGER PRIMARY KEY AUTOINCREMENT,
			kind         TEXT    NOT NULL,
			status       TEXT    NOT NULL,
			started_at   INTEGER NOT NULL,
			ended_at     INTEGER,
			profile      TEXT    NOT NULL DEFAULT '',
			repo         TEXT    NOT NULL DEFAULT '',
			image        TEXT    NOT NULL DEFAULT '',
			version      TEXT    NOT NULL DEFAULT '',
			ref          TEXT    NOT NULL DEFAULT '',
			digest       TEXT    NOT NULL DEFAULT '',
			bytes        INTEGER NOT NULL DEFAULT 0,
			duration_ms  INTEGER NOT NULL DEFAULT 0,
			error_code   TEXT    NOT NULL DEFAULT '',
			error_detail TEXT    NOT NULL DEFAULT '',
			params       TEXT    NOT NULL DEFAULT '{}'
		)`,
		`CREATE INDEX history_started_at ON history (started_at)`,
		`CREATE TABLE listing_cache (
			profile    TEXT    NOT NULL,
			repo_id    INTEGER NOT NULL,
			path       TEXT    NOT NULL,
			deleted    INTEGER NOT NULL,
			body       TEXT    NOT NULL,
			fetched_at INTEGER NOT NULL,
			PRIMARY KEY (profile, repo_id, path, deleted)
		)`,
		`CREATE TABLE report_cache (
			profile    TEXT    NOT NULL,
			repo_id    INTEGER NOT NULL,
			image      TEXT    NOT NULL,
			version    TEXT    NOT NULL,
			file_path  TEXT    NOT NULL,
			size       INTEGER NOT NULL,
			sha256     TEXT    NOT NULL,
			fetched_at INTEGER NOT NULL,
			PRIMARY KEY (profile, repo_id, image, version)
		)`,
	}},
	{version: 2, stmts: []string{
		// History filters by kind and status, newest first.
		`CREATE INDEX history_kind_status ON history (kind, status, id)`,
		`CREATE INDEX history_status ON history (status)`,
		// The uploader skips blobs a registry repository already has and
		// finds a layer's compressed digest from its diff id.
		`CREATE TABLE blob_cache (
			registry   TEXT    NOT NULL,
			repo       TEXT    NOT NULL,
			diff_id    TEXT    NOT NULL DEFAULT '',
			digest     TEXT    NOT NULL,
			size       INTEGER NOT NULL,
			media_type TEXT    NOT NULL DEFAULT '',
			updated_at INTEGER NOT NULL,
			PRIMARY KEY (registry, repo, digest)
		)`,
		`CREATE INDEX blob_cache_diff_id ON blob_cache (registry, repo, diff_id)`,
	}},
}

// SchemaVersion is the schema version this package writes.
var SchemaVersion = migrations[len(migrations)-1].version

// migrate brings the database up to version target, one transaction per
// migration. The version is read again inside each transaction, so two
// processes opening the same new file do not apply a step twice.
func migrate(ctx context.Context, db *sql.DB, target int, now func() int64) error {
	_, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (
		version    INTEGER PRIMARY KEY,
		applied_at INTEGER NOT NULL
	)`)
	if err != nil {
		return fmt.Errorf("creating schema_version: %w", err)
	}

	current, err := schemaVersion(ctx, db)
	if err != nil {
		return err
	}
	if current > SchemaVersion {
		return fmt.Errorf("database at schema version %d, this program knows %d: %w",
			current, SchemaVersion, ErrSchemaTooNew)
	}

	for _, m := range migrations {
		if m.version > target {
			break
		}
		if m.version <= current {
			continue
		}
		if err := applyMigration(ctx, db, m, now()); err != nil {
			return err
		}
	}
	return nil
}

// applyMigration runs one migration in a transaction, unless another
// connection applied it meanwhile.
func applyMigration(ctx context.Context, db *sql.DB, m migration, at int64) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrating to schema version %d: %w", m.version, err)
	}
	defer tx.Rollback()

	var done int
	err = tx.QueryRowContext(ctx,
		`SELECT COUNT(*) FROM schema_version WHERE version = ?`, m.version).Scan(&done)
	if err != nil {
		return fmt.Errorf("migrating to schema version %d: %w", m.version, err)
	}
	if done > 0 {
		return nil
	}

	for _, stmt := range m.stmts {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("migrating to schema version %d: %w", m.version, err)
		}
	}
	_, err = tx.ExecContext(ctx,
		`INSERT INTO schema_version (version, applied_at) VALUES (?, ?)`, m.version, at)
	if err != nil {
		return fmt.Errorf("migrating to schema version %d: %w", m.version, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrating to schema version %d: %w", m.version, err)
	}
	return nil
}

// schemaVersion returns the highest applied schema version, 0 for a new file.
func schemaVersion(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) (int, error) {
	var v sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_version`).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("reading schema version: %w", err)
	}
	return int(v.Int64), nil
}

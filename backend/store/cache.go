package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// ListingKey addresses one cached folder listing of the artifact API.
type ListingKey struct {
	Profile string `json:"profile"`
	RepoID  int64  `json:"repo_id" ts_type:"string"`
	// Path is the listed folder, "" for the repository root.
	Path    string `json:"path"`
	Deleted bool   `json:"deleted"`
}

// Listing is a cached folder listing: the server's JSON body as received.
type Listing struct {
	Body      json.RawMessage `json:"body" ts_type:"any"`
	FetchedAt time.Time       `json:"fetched_at"`
}

// PutListing stores the body of a listing, fetched now, replacing an older
// one. The body must be JSON.
func (s *Store) PutListing(ctx context.Context, k ListingKey, body []byte) error {
	if !json.Valid(body) {
		return fmt.Errorf("caching listing %s: %w: body is not JSON", k.Path, ErrInvalid)
	}

	_, err := s.db.ExecContext(ctx, `INSERT INTO listing_cache
			(profile, repo_id, path, deleted, body, fetched_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (profile, repo_id, path, deleted) DO UPDATE SET
			body = excluded.body, fetched_at = excluded.fetched_at`,
		k.Profile, k.RepoID, k.Path, k.Deleted, string(body), s.millis())
	if err != nil {
		return fmt.Errorf("caching listing %s: %w", k.Path, err)
	}
	return nil
}

// GetListing returns a cached listing, or ErrNotFound.
func (s *Store) GetListing(ctx context.Context, k ListingKey) (Listing, error) {
	var body string
	var fetched int64
	err := s.db.QueryRowContext(ctx, `SELECT body, fetched_at FROM listing_cache
		WHERE profile = ? AND repo_id = ? AND path = ? AND deleted = ?`,
		k.Profile, k.RepoID, k.Path, k.Deleted).Scan(&body, &fetched)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return Listing{}, fmt.Errorf("reading cached listing %s: %w", k.Path, err)
	}
	return Listing{Body: json.RawMessage(body), FetchedAt: fromMillis(fetched)}, nil
}

// ReportKey addresses the scan report of one image version.
type ReportKey struct {
	Profile string `json:"profile"`
	RepoID  int64  `json:"repo_id" ts_type:"string"`
	Image   string `json:"image"`
	Version string `json:"version"`
}

// Report is a downloaded scan report: where the file is and what it holds.
type Report struct {
	ReportKey
	FilePath  string    `json:"file_path"`
	Size      int64     `json:"size"`
	SHA256    string    `json:"sha256"`
	FetchedAt time.Time `json:"fetched_at"`
}

// PutReport records a downloaded report, replacing an older record.
// FetchedAt defaults to now.
func (s *Store) PutReport(ctx context.Context, r Report) error {
	if r.FilePath == "" {
		return fmt.Errorf("caching report of %s:%s: %w: empty file path",
			r.Image, r.Version, ErrInvalid)
	}
	fetched := toMillis(r.FetchedAt)
	if fetched == 0 {
		fetched = s.millis()
	}

	_, err := s.db.ExecContext(ctx, `INSERT INTO report_cache
			(profile, repo_id, image, version, file_path, size, sha256, fetched_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (profile, repo_id, image, version) DO UPDATE SET
			file_path = excluded.file_path, size = excluded.size,
			sha256 = excluded.sha256, fetched_at = excluded.fetched_at`,
		r.Profile, r.RepoID, r.Image, r.Version, r.FilePath, r.Size, r.SHA256, fetched)
	if err != nil {
		return fmt.Errorf("caching report of %s:%s: %w", r.Image, r.Version, err)
	}
	return nil
}

// GetReport returns the record of a downloaded report, or ErrNotFound. The
// file itself may have been removed since; the caller checks it.
func (s *Store) GetReport(ctx context.Context, k ReportKey) (Report, error) {
	r := Report{ReportKey: k}
	var fetched int64
	err := s.db.QueryRowContext(ctx, `SELECT file_path, size, sha256, fetched_at
		FROM report_cache WHERE profile = ? AND repo_id = ? AND image = ? AND version = ?`,
		k.Profile, k.RepoID, k.Image, k.Version).Scan(&r.FilePath, &r.Size, &r.SHA256, &fetched)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return Report{}, fmt.Errorf("reading cached report of %s:%s: %w",
			k.Image, k.Version, err)
	}
	r.FetchedAt = fromMillis(fetched)
	return r, nil
}

// Blob is a blob known to be present in one registry repository.
type Blob struct {
	Registry string `json:"registry"`
	// Repo is the repository path inside the registry, without a tag.
	Repo string `json:"repo"`
	// DiffID is the digest of the uncompressed layer, "" when unknown or
	// not a layer.
	DiffID    string    `json:"diff_id"`
	Digest    string    `json:"digest"`
	Size      int64     `json:"size"`
	MediaType string    `json:"media_type"`
	UpdatedAt time.Time `json:"updated_at"`
}

// maxBlobs bounds the rows one blob listing returns.
const maxBlobs = 10000

// PutBlob records that a blob is present in a registry repository, setting
// UpdatedAt to now.
func (s *Store) PutBlob(ctx context.Context, b Blob) error {
	if b.Registry == "" || b.Repo == "" || b.Digest == "" {
		return fmt.Errorf("caching blob %s: %w: registry, repo and digest are required",
			b.Digest, ErrInvalid)
	}

	_, err := s.db.ExecContext(ctx, `INSERT INTO blob_cache
			(registry, repo, diff_id, digest, size, media_type, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (registry, repo, digest) DO UPDATE SET
			diff_id = COALESCE(NULLIF(excluded.diff_id, ''), diff_id),
			size = excluded.size,
			media_type = COALESCE(NULLIF(excluded.media_type, ''), media_type),
			updated_at = excluded.updated_at`,
		b.Registry, b.Repo, b.DiffID, b.Digest, b.Size, b.MediaType, s.millis())
	if err != nil {
		return fmt.Errorf("caching blob %s: %w", b.Digest, err)
	}
	return nil
}

// GetBlob returns the record of one blob in a registry repository, or
// ErrNotFound.
func (s *Store) GetBlob(ctx context.Context, registry, repo, digest string) (Blob, error) {
	row := s.db.QueryRowContext(ctx, `SELECT `+blobColumns+` FROM blob_cache
		WHERE registry = ? AND repo = ? AND digest = ?`, registry, repo, digest)
	b, err := scanBlob(row)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return Blob{}, fmt.Errorf("reading cached blob %s: %w", digest, err)
	}
	return b, nil
}

// BlobsByDiffID returns the blobs of a registry repository made from the
// uncompressed layer diffID, most recently confirmed first.
func (s *Store) BlobsByDiffID(ctx context.Context, registry, repo, diffID string) ([]Blob, error) {
	return s.blobs(ctx, `WHERE registry = ? AND repo = ? AND diff_id = ?`,
		registry, repo, diffID)
}

// Blobs returns up to 10,000 blobs recorded for a registry repository, most
// recently confirmed first.
func (s *Store) Blobs(ctx context.Context, registry, repo string) ([]Blob, error) {
	return s.blobs(ctx, `WHERE registry = ? AND repo = ?`, registry, repo)
}

// DeleteBlob forgets a blob, for when the registry no longer has it.
// Forgetting an unknown blob succeeds.
func (s *Store) DeleteBlob(ctx context.Context, registry, repo, digest string) error {
	_, err := s.db.ExecContext(ctx,
		`DELETE FROM blob_cache WHERE registry = ? AND repo = ? AND digest = ?`,
		registry, repo, digest)
	if err != nil {
		return fmt.Errorf("forgetting blob %s: %w", digest, err)
	}
	return nil
}

// blobColumns are the blob_cache columns scanBlob reads, in order.
const blobColumns = `registry, repo, diff_id, digest, size, media_type, updated_at`

// blobs runs one bounded blob listing.
func (s *Store) blobs(ctx context.Context, where string, args ...any) ([]Blob, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+blobColumns+` FROM blob_cache `+where+
		` ORDER BY updated_at DESC, digest LIMIT ?`, append(args, maxBlobs)...)
	if err != nil {
		return nil, fmt.Errorf("listing cached blobs: %w", err)
	}
	defer rows.Close()

	var out []Blob
	for rows.Next() {
		b, err := scanBlob(rows)
		if err != nil {
			return nil, fmt.Errorf("listing cached blobs: %w", err)
		}
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing cached blobs: %w", err)
	}
	return out, nil
}

// scanBlob reads one blob_cache row selected with blobColumns.
func scanBlob(r scanner) (Blob, error) {
	var b Blob
	var updated int64
	err := r.Scan(&b.Registry, &b.Repo, &b.DiffID, &b.Digest, &b.Size, &b.MediaType, &updated)
	b.UpdatedAt = fromMillis(updated)
	return b, err
}

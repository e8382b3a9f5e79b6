package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestListingCache(t *testing.T) {
	t.Parallel()
	s, clock, _ := openTest(t)
	ctx := context.Background()
	key := ListingKey{Profile: "prod", RepoID: 9007199254740993, Path: "basic/aa"}

	if _, err := s.GetListing(ctx, key); !errors.Is(err, ErrNotFound) {
		t.Fatalf("GetListing(empty) error = %v, want ErrNotFound", err)
	}
	if err := s.PutListing(ctx, key, []byte(`{"code":"OK","body":{"pre":"basic"}}`)); err != nil {
		t.Fatal(err)
	}
	clock.advance(time.Minute)
	if err := s.PutListing(ctx, key, []byte(`{"code":"OK"}`)); err != nil {
		t.Fatal(err)
	}
	deleted := key
	deleted.Deleted = true
	if err := s.PutListing(ctx, deleted, []byte(`{"code":"DEL"}`)); err != nil {
		t.Fatal(err)
	}

	got, err := s.GetListing(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if string(got.Body) != `{"code":"OK"}` || !got.FetchedAt.Equal(clock.now()) {
		t.Errorf("GetListing = %s at %v", got.Body, got.FetchedAt)
	}
	if got, _ := s.GetListing(ctx, deleted); string(got.Body) != `{"code":"DEL"}` {
		t.Errorf("deleted listing = %s", got.Body)
	}
	if err := s.PutListing(ctx, key, []byte(`not json`)); !errors.Is(err, ErrInvalid) {
		t.Errorf("PutListing(not JSON) error = %v, want ErrInvalid", err)
	}
}

func TestReportCache(t *testing.T) {
	t.Parallel()
	s, clock, _ := openTest(t)
	ctx := context.Background()
	key := ReportKey{Profile: "prod", RepoID: 1495097876821574, Image: "aa", Version: "V5"}

	if _, err := s.GetReport(ctx, key); !errors.Is(err, ErrNotFound) {
		t.Fatalf("GetReport(empty) error = %v, want ErrNotFound", err)
	}
	r := Report{ReportKey: key, FilePath: "/cache/aa-V5.xlsx", Size: 2048, SHA256: "ab"}
	if err := s.PutReport(ctx, r); err != nil {
		t.Fatal(err)
	}
	r.FetchedAt = clock.now()

	got, err := s.GetReport(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(r, got, cmp.Comparer(time.Time.Equal)); diff != "" {
		t.Errorf("GetReport mismatch (-want +got):\n%s", diff)
	}
	if err := s.PutReport(ctx, Report{ReportKey: key}); !errors.Is(err, ErrInvalid) {
		t.Errorf("PutReport(no file) error = %v, want ErrInvalid", err)
	}
}

func TestBlobCache(t *testing.T) {
	t.Parallel()
	s, clock, _ := openTest(t)
	ctx := context.Background()
	const reg, repo = "registry.example.com:5000", "images/basic/aa"

	layer := Blob{Registry: reg, Repo: repo, DiffID: "sha256:d1", Digest: "sha256:c1",
		Size: 100, MediaType: "application/vnd.oci.image.layer.v1.tar+gzip"}
	if err := s.PutBlob(ctx, layer); err != nil {
		t.Fatal(err)
	}
	clock.advance(time.Minute)
	zstd := Blob{Registry: reg, Repo: repo, DiffID: "sha256:d1", Digest: "sha256:c2",
		Size: 90}
	if err := s.PutBlob(ctx, zstd); err != nil {
		t.Fatal(err)
	}
	// Confirming a blob again without a diff id keeps the one known.
	clock.advance(time.Minute)
	if err := s.PutBlob(ctx, Blob{Registry: reg, Repo: repo, Digest: "sha256:c1",
		Size: 100}); err != nil {
		t.Fatal(err)
	}

	got, err := s.GetBlob(ctx, reg, repo, "sha256:c1")
	if err != nil {
		t.Fatal(err)
	}
	layer.UpdatedAt = clock.now()
	if diff := cmp.Diff(layer, got, cmp.Comparer(time.Time.Equal)); diff != "" {
		t.Errorf("GetBlob mismatch (-want +got):\n%s", diff)
	}

	byDiff, err := s.BlobsByDiffID(ctx, reg, repo, "sha256:d1")
	if err != nil {
		t.Fatal(err)
	}
	var digests []string
	for _, b := range byDiff {
		digests = append(digests, b.Digest)
	}
	if diff := cmp.Diff([]string{"sha256:c1", "sha256:c2"}, digests); diff != "" {
		t.Errorf("BlobsByDiffID mismatch (-want +got):\n%s", diff)
	}
	if other, err := s.Blobs(ctx, reg, "images/basic/bb"); err != nil || len(other) != 0 {
		t.Errorf("Blobs(other repo) = %v, %v; want none", other, err)
	}

	if err := s.DeleteBlob(ctx, reg, repo, "sha256:c1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetBlob(ctx, reg, repo, "sha256:c1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("GetBlob after DeleteBlob error = %v, want ErrNotFound", err)
	}
	if err := s.PutBlob(ctx, Blob{Registry: reg, Digest: "x"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("PutBlob(no repo) error = %v, want ErrInvalid", err)
	}
}

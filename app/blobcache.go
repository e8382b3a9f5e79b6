package app

import (
	"context"
	"log/slog"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"imagedesk/backend/store"
)

// storeBlobCache is the registry.BlobCache kept in the SQLite store, so that a
// push cancelled in the window can be resumed from the command line and the
// other way round, and across restarts.
type storeBlobCache struct {
	st  *store.Store
	log *slog.Logger
}

// splitRepo splits "host[:port]/path" as registry.BlobCache names a repository
// into the store's registry and repository columns.
func splitRepo(repo string) (registry, path string) {
	registry, path, _ = strings.Cut(repo, "/")
	return registry, path
}

// Get returns the most recently confirmed blob made from diffID in repo.
func (c storeBlobCache) Get(ctx context.Context, repo string, diffID v1.Hash) (
	v1.Hash, int64, types.MediaType, bool) {
	reg, path := splitRepo(repo)
	blobs, err := c.st.BlobsByDiffID(ctx, reg, path, diffID.String())
	if err != nil {
		c.log.Debug("blob cache lookup failed", "op", "upload", "repo", repo, "err", err)
		return v1.Hash{}, 0, "", false
	}
	for _, b := range blobs {
		h, err := v1.NewHash(b.Digest)
		if err == nil && b.Size > 0 {
			return h, b.Size, types.MediaType(b.MediaType), true
		}
	}
	return v1.Hash{}, 0, "", false
}

// Put records that diffID was stored in repo as the blob digest.
func (c storeBlobCache) Put(ctx context.Context, repo string, diffID, digest v1.Hash,
	size int64, mediaType types.MediaType) error {
	reg, path := splitRepo(repo)
	return c.st.PutBlob(context.WithoutCancel(ctx), store.Blob{
		Registry:  reg,
		Repo:      path,
		DiffID:    diffID.String(),
		Digest:    digest.String(),
		Size:      size,
		MediaType: string(mediaType),
	})
}

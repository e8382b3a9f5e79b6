package registry

import (
	"context"
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// BlobCache remembers, per registry repository, which compressed blob a layer
// (known by its uncompressed diff ID) was uploaded as. Push consults it to skip
// layers already in the registry without compressing them first, and records
// every blob as soon as it is committed, so that a cancelled or failed push
// sends only what is missing when it runs again.
//
// The repo argument is the full repository name including the registry host,
// as name.Repository.Name returns it, e.g. "127.0.0.1:5000/basic/aa".
// Implementations must be safe for concurrent use.
type BlobCache interface {
	// Get returns the blob recorded for diffID in repo, and ok false when
	// there is none. A failing lookup reports ok false.
	Get(ctx context.Context, repo string, diffID v1.Hash) (
		digest v1.Hash, size int64, mediaType types.MediaType, ok bool)

	// Put records that diffID was stored in repo as the blob digest.
	Put(ctx context.Context, repo string, diffID, digest v1.Hash, size int64,
		mediaType types.MediaType) error
}

// MapBlobCache is an in-memory BlobCache, for tests and short-lived tools.
// The zero value is ready to use.
type MapBlobCache struct {
	mu      sync.Mutex
	entries map[mapCacheKey]mapCacheEntry
}

type mapCacheKey struct {
	repo   string
	diffID v1.Hash
}

type mapCacheEntry struct {
	digest    v1.Hash
	size      int64
	mediaType types.MediaType
}

// Get returns the blob recorded for diffID in repo.
func (m *MapBlobCache) Get(_ context.Context, repo string, diffID v1.Hash) (
	v1.Hash, int64, types.MediaType, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()

	e, ok := m.entries[mapCacheKey{repo, diffID}]
	return e.digest, e.size, e.mediaType, ok
}

// Put records that diffID was stored in repo as the blob digest.
func (m *MapBlobCache) Put(_ context.Context, repo string, diffID, digest v1.Hash,
	size int64, mediaType types.MediaType) error {
	m.mu.Lock()
	defer m.mu.Unlock()

	if m.entries == nil {
		m.entries = make(map[mapCacheKey]mapCacheEntry)
	}
	m.entries[mapCacheKey{repo, diffID}] = mapCacheEntry{digest, size, mediaType}
	return nil
}

// Len returns the number of recorded blobs.
func (m *MapBlobCache) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.entries)
}

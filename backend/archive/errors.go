package archive

import "errors"

// Sentinel errors returned, wrapped in an *Error, by Open, Image and Verify and by
// the readers of the images they hand out. Match them with errors.Is; each one
// names a reason the app can show as a translated sentence.
var (
	// ErrNotArchive means the path is neither a tar, a gzip-compressed tar nor an
	// OCI layout directory.
	ErrNotArchive = errors.New("not an image archive")

	// ErrEmpty means the file holds no bytes at all.
	ErrEmpty = errors.New("archive is empty")

	// ErrTruncated means the tar or gzip stream ends before it should, as when a
	// download or copy was cut short.
	ErrTruncated = errors.New("archive is truncated")

	// ErrCorrupt means the archive or a layer in it cannot be decoded: a damaged
	// tar header, a gzip checksum failure, a layer that is not a tar, or more
	// entries than this package is willing to index.
	ErrCorrupt = errors.New("archive is corrupt")

	// ErrNoManifest means the archive has neither a docker manifest.json nor an
	// OCI index.json, or they list no image.
	ErrNoManifest = errors.New("archive has no manifest")

	// ErrBadManifest means manifest.json, index.json or an OCI manifest is not
	// valid JSON of the expected shape, or does not match its digest.
	ErrBadManifest = errors.New("archive manifest is not valid")

	// ErrMissingLayer means a manifest names a file the archive does not hold.
	ErrMissingLayer = errors.New("archive lacks a file its manifest names")

	// ErrBadConfig means an image config is missing, not valid JSON, or does not
	// match its digest.
	ErrBadConfig = errors.New("image config is missing or not valid")

	// ErrLayerCount means the config's diff_ids and the manifest's layers differ
	// in number.
	ErrLayerCount = errors.New("config and manifest disagree on the layer count")

	// ErrUnsafePath means an entry name or link target is absolute or climbs out
	// of the archive with "..".
	ErrUnsafePath = errors.New("archive entry has an unsafe path")

	// ErrLayerDigest means a layer's bytes do not match its digest, its diff ID
	// or the size its manifest gives.
	ErrLayerDigest = errors.New("layer content does not match its digest")

	// ErrNoImage means an image index is out of range.
	ErrNoImage = errors.New("no image at that index")

	// ErrClosed means the Archive was closed before the call.
	ErrClosed = errors.New("archive is closed")
)

// Error is the error type of this package: it says which archive and which entry
// in it the problem was found in, and wraps one of the sentinel errors above
// (possibly with a lower-level cause after it).
type Error struct {
	// Path is the archive's path as given to Open.
	Path string

	// Entry is the name of the entry inside the archive, or "" when the problem
	// concerns the archive as a whole.
	Entry string

	// Err is the reason; errors.Is(Err, ErrX) holds for one sentinel ErrX.
	Err error
}

// Error returns the path, the entry when there is one, and the reason.
func (e *Error) Error() string {
	msg := e.Path
	if e.Entry != "" {
		msg += ": " + e.Entry
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the reason so that errors.Is and errors.As see through Error.
func (e *Error) Unwrap() error {
	return e.Err
}

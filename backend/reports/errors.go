package reports

import "errors"

// Sentinel errors of this package. Errors from the artifact client are passed
// through wrapped, so callers can also match artifact's sentinels.
var (
	// ErrInvalidKey means a Key lacks a field needed to address a report, or
	// has a field holding a path separator.
	ErrInvalidKey = errors.New("invalid report key")

	// ErrNotXLSX means a downloaded or opened file is not an .xlsx workbook.
	ErrNotXLSX = errors.New("not an xlsx workbook")

	// ErrVersionNotFound means the image version a report was asked for does
	// not exist in the repository.
	ErrVersionNotFound = errors.New("image version not found")

	// ErrNotCached means no report for the key is in the cache.
	ErrNotCached = errors.New("report not cached")

	// ErrNotOpenable means Open was given a path that is not an absolute path
	// to an existing regular file, or the platform has no known opener.
	ErrNotOpenable = errors.New("cannot open file")
)

package app

import (
	"errors"
	"io/fs"

	"imagedesk/backend/archive"
	"imagedesk/backend/profile"
	"imagedesk/backend/registry"
)

// Codes of the upload: one per reason an archive is refused, and one per way a
// push can fail that the user can act on. The window has a sentence for each.
const (
	CodeArchiveNotArchive   = "archive_not_archive"
	CodeArchiveEmpty        = "archive_empty"
	CodeArchiveTruncated    = "archive_truncated"
	CodeArchiveCorrupt      = "archive_corrupt"
	CodeArchiveNoManifest   = "archive_no_manifest"
	CodeArchiveBadManifest  = "archive_bad_manifest"
	CodeArchiveMissingLayer = "archive_missing_layer"
	CodeArchiveBadConfig    = "archive_bad_config"
	CodeArchiveLayerCount   = "archive_layer_count"
	CodeArchiveUnsafePath   = "archive_unsafe_path"
	CodeArchiveLayerDigest  = "archive_layer_digest"
	CodeArchiveNoImage      = "archive_no_image"
	CodeFileMissing         = "file_missing"
	CodeRegistryUnreachable = "registry_unreachable"
	CodePushDenied          = "push_denied"
	CodeManifestDigest      = "manifest_digest"
	CodeImageNotPushable    = "image_not_pushable"
	CodeVersionExists       = "version_exists"
	CodeInvalidUpload       = "invalid_upload"
	CodeNotResumable        = "not_resumable"
	CodeNoWindow            = "no_window"
)

// archiveCodes pairs each archive sentinel with its code, in the order they
// are tried.
var archiveCodes = []struct {
	err  error
	code string
}{
	{archive.ErrEmpty, CodeArchiveEmpty},
	{archive.ErrNotArchive, CodeArchiveNotArchive},
	{archive.ErrTruncated, CodeArchiveTruncated},
	{archive.ErrCorrupt, CodeArchiveCorrupt},
	{archive.ErrNoManifest, CodeArchiveNoManifest},
	{archive.ErrBadManifest, CodeArchiveBadManifest},
	{archive.ErrMissingLayer, CodeArchiveMissingLayer},
	{archive.ErrBadConfig, CodeArchiveBadConfig},
	{archive.ErrLayerCount, CodeArchiveLayerCount},
	{archive.ErrUnsafePath, CodeArchiveUnsafePath},
	{archive.ErrLayerDigest, CodeArchiveLayerDigest},
	{archive.ErrNoImage, CodeArchiveNoImage},
	{archive.ErrClosed, CodeInternal},
}

// uploadCode names an archive, registry or reference failure, or returns "".
// codeOf asks it after the network causes, which are more precise.
func uploadCode(err error) string {
	if errors.Is(err, fs.ErrNotExist) {
		return CodeFileMissing
	}
	for _, c := range archiveCodes {
		if errors.Is(err, c.err) {
			return c.code
		}
	}
	switch {
	case errors.Is(err, registry.ErrDiffID):
		return CodeArchiveLayerDigest
	case errors.Is(err, registry.ErrUntrusted):
		return CodeTLS
	case errors.Is(err, registry.ErrUnauthorized):
		return CodeUnauthorized
	case errors.Is(err, registry.ErrDenied):
		return CodePushDenied
	case errors.Is(err, registry.ErrUnreachable):
		return CodeRegistryUnreachable
	case errors.Is(err, registry.ErrServer):
		return CodeServer
	case errors.Is(err, registry.ErrManifestDigest):
		return CodeManifestDigest
	case errors.Is(err, registry.ErrImage), errors.Is(err, registry.ErrFormat):
		return CodeImageNotPushable
	case errors.Is(err, profile.ErrNamespace):
		return CodeInvalidUpload
	}
	return ""
}

// IsArchiveCode reports whether code says that an archive was refused.
func IsArchiveCode(code string) bool {
	for _, c := range archiveCodes {
		if c.code == code && code != CodeInternal {
			return true
		}
	}
	return code == CodeFileMissing
}

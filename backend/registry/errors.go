package registry

import (
	"errors"
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Sentinel errors. Callers match them with errors.Is; most are joined with the
// underlying cause, so the cause stays reachable with errors.As as well.
var (
	// ErrInvalidOption reports an option given an unusable value.
	ErrInvalidOption = errors.New("invalid option")

	// ErrUnreachable reports a registry that could not be reached at all:
	// the name does not resolve, the connection is refused or times out.
	ErrUnreachable = errors.New("registry unreachable")

	// ErrUntrusted reports a TLS certificate the client does not trust.
	ErrUntrusted = errors.New("registry certificate not trusted")

	// ErrUnauthorized reports credentials the registry refused (HTTP 401).
	ErrUnauthorized = errors.New("registry login refused")

	// ErrDenied reports an operation the credentials may not perform (HTTP 403).
	ErrDenied = errors.New("registry denied access")

	// ErrServer reports a registry that failed on its side (HTTP 5xx) after
	// the retries.
	ErrServer = errors.New("registry failed")

	// ErrDiffID reports a layer whose uncompressed content does not hash to
	// the diff ID the image configuration declares.
	ErrDiffID = errors.New("layer content does not match its diff id")

	// ErrManifestDigest reports a manifest whose digest, as the registry
	// reports it after the push, differs from the one the client computed.
	ErrManifestDigest = errors.New("manifest digest mismatch")

	// ErrBlobDigest reports a downloaded blob whose bytes do not match its
	// digest or size.
	ErrBlobDigest = errors.New("blob digest mismatch")

	// ErrNoSpace reports too little free disk space for a pull.
	ErrNoSpace = errors.New("not enough free disk space")

	// ErrFormat reports an unknown archive format.
	ErrFormat = errors.New("unknown archive format")

	// ErrImage reports a source image that cannot be pushed as it is, for
	// example a configuration whose diff ids do not match the layer count.
	ErrImage = errors.New("image not pushable")
)

// DigestError describes a content mismatch: what was expected and what was
// found. It matches ErrDiffID, ErrManifestDigest or ErrBlobDigest with
// errors.Is, according to Kind.
type DigestError struct {
	// Kind is the sentinel this error stands for.
	Kind error
	// Want is the digest the client expected.
	Want v1.Hash
	// Got is the digest actually seen; zero when only the size differed.
	Got v1.Hash
	// WantSize and GotSize are set when the size differed.
	WantSize, GotSize int64
}

// Error describes the mismatch in one line.
func (e *DigestError) Error() string {
	if e.WantSize != e.GotSize {
		return fmt.Sprintf("%v: %s: want %d bytes, got %d", e.Kind, e.Want, e.WantSize, e.GotSize)
	}
	return fmt.Sprintf("%v: want %s, got %s", e.Kind, e.Want, e.Got)
}

// Is reports whether target is the sentinel of this mismatch.
func (e *DigestError) Is(target error) bool { return target == e.Kind }

// SpaceError reports how much disk space a pull needed and how much was free.
// It matches ErrNoSpace with errors.Is.
type SpaceError struct {
	// Dir is the directory that was checked.
	Dir string
	// Need and Free are byte counts.
	Need, Free uint64
}

// Error describes the shortfall in one line.
func (e *SpaceError) Error() string {
	return fmt.Sprintf("%v in %s: need %d bytes, %d free", ErrNoSpace, e.Dir, e.Need, e.Free)
}

// Is reports whether target is ErrNoSpace.
func (e *SpaceError) Is(target error) bool { return target == ErrNoSpace }

// sourceError marks a failure to read the local image, so that it is never
// mistaken for a transient network failure and retried.
type sourceError struct{ err error }

func (e *sourceError) Error() string { return "reading layer: " + e.err.Error() }
func (e *sourceError) Unwrap() error { return e.err }

package secrets

import "errors"

// ErrNotFound means no secret is stored under the key.
var ErrNotFound = errors.New("secret not found")

// ErrTooBig means the keyring refused the secret as too large.
var ErrTooBig = errors.New("secret too big for the keyring")

// ErrUnavailable means the keyring cannot be used at the moment. The more
// precise errors below all match it with errors.Is, so a caller that only
// needs to know whether to fall back can test for this one.
var ErrUnavailable error = &unavailableError{"keyring unavailable"}

// The reasons the keyring can be unavailable. Each one also matches
// ErrUnavailable.
var (
	// ErrNoSessionBus means there is no D-Bus session bus to reach the
	// keyring through (a headless or remote session).
	ErrNoSessionBus error = &unavailableError{"no d-bus session bus"}
	// ErrNoService means the session bus has no Secret Service provider.
	ErrNoService error = &unavailableError{"no secret service on the session bus"}
	// ErrLocked means the keyring is locked and was not unlocked, for
	// example because the user dismissed the unlock prompt.
	ErrLocked error = &unavailableError{"keyring locked"}
	// ErrTimeout means the keyring did not answer in time, which usually
	// means an unlock prompt nobody answered.
	ErrTimeout error = &unavailableError{"keyring did not answer in time"}
	// ErrUnsupported means this platform has no keyring go-keyring supports.
	ErrUnsupported error = &unavailableError{"no keyring on this platform"}
)

// unavailableError is a reason for the keyring being unavailable; it
// matches itself and ErrUnavailable.
type unavailableError struct{ msg string }

// Error returns the reason.
func (e *unavailableError) Error() string { return e.msg }

// Is makes every reason match ErrUnavailable.
func (e *unavailableError) Is(target error) bool {
	return target == ErrUnavailable
}

// Error is returned by Store methods when the keyring fails. Kind is one of
// the sentinel errors of this package and Err the keyring's own error; both
// match with errors.Is. Neither carries the secret.
type Error struct {
	Op   string // "set", "get", "delete" or "status"
	Key  string
	Kind error
	Err  error
}

// Error describes the operation, the key and the reason.
func (e *Error) Error() string {
	s := e.Op + " secret " + e.Key + ": " + e.Kind.Error()
	if e.Err != nil && e.Err != e.Kind {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the sentinel kind and the underlying keyring error.
func (e *Error) Unwrap() []error {
	if e.Err == nil || e.Err == e.Kind {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

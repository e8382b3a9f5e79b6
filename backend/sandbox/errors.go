package sandbox

import (
	"errors"
	"fmt"
)

// ErrInvalidConfig is returned by Start when a Config field has a value the
// sandbox cannot use; the wrapping error names the field.
var ErrInvalidConfig = errors.New("invalid sandbox config")

// ErrNotLoopback is returned by Start when Config.Listen names a host that is
// not a loopback address: the sandbox only ever listens on this machine.
var ErrNotLoopback = errors.New("sandbox listens on loopback only")

// ErrBadPath is returned when an artifact path is not of the form
// namespace[/image[/version[/file]]] with valid registry components.
var ErrBadPath = errors.New("bad artifact path")

// ErrSeed is returned by Start when the demo content could not be pushed.
var ErrSeed = errors.New("seeding demo content")

// apiError is an artifact API failure: the HTTP status and the non-"OK" code
// and message that go into the JSON answer.
type apiError struct {
	Status  int
	Code    string
	Message string
}

// Error returns the code and message of the API failure.
func (e *apiError) Error() string {
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// API error codes answered in the "code" field of the artifact API.
const (
	codeOK           = "OK"
	codeBadRequest   = "BAD_REQUEST"
	codeTooLarge     = "BODY_TOO_LARGE"
	codeRepoNotFound = "REPO_NOT_FOUND"
	codePathNotFound = "PATH_NOT_FOUND"
	codeNotAllowed   = "METHOD_NOT_ALLOWED"
	codeUnauthorized = "UNAUTHORIZED"
	codeNotFound     = "NOT_FOUND"
)

// errorf builds an apiError with a formatted message.
func errorf(status int, code, format string, args ...any) *apiError {
	return &apiError{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

// Package artifact is a client for the artifact repository's HTTP API: it lists
// the folders of a repository and downloads the scan report of an image version.
//
// Every call carries HTTP basic auth taken from a credentials callback, so the
// password is never stored in the client, put in a URL, written to a log line
// or returned in an error. Failures come back as *Error, which records the
// method, the URL, the HTTP status and the server's code and message, and wraps
// one of the sentinel errors (ErrUnauthorized, ErrNotFound, ErrServer,
// ErrNotJSON, ErrNetwork, ...) so callers can match it with errors.Is.
//
// The client never logs by itself: pass WithLogger to see one debug line per
// request.
package artifact

package artifact

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"syscall"
)

// Sentinel errors wrapped by *Error. Match them with errors.Is.
var (
	// ErrUnauthorized means the server rejected the credentials (HTTP 401 or 403).
	ErrUnauthorized = errors.New("unauthorized")

	// ErrNotFound means the server answered HTTP 404.
	ErrNotFound = errors.New("not found")

	// ErrServer means the server answered with a 5xx status.
	ErrServer = errors.New("server error")

	// ErrStatus means the server answered with an unexpected status that is
	// neither 2xx nor one of the statuses above (for example 400 or 409).
	ErrStatus = errors.New("unexpected status")

	// ErrNotJSON means a response that should be the API's JSON envelope was
	// something else, for example an HTML error page answered with 200.
	ErrNotJSON = errors.New("response is not the expected json")

	// ErrAPI means the server answered a well-formed envelope whose code is not
	// "OK"; the *Error carries the server's code and message.
	ErrAPI = errors.New("api error")

	// ErrTooLarge means a response body was larger than the client accepts.
	ErrTooLarge = errors.New("response too large")

	// ErrNetwork means the request never got an HTTP answer, or the answer was
	// cut off: DNS failure, refused connection, timeout, TLS failure, reset.
	// The underlying error stays in the chain; see IsTLS, IsDNS, IsRefused and
	// IsTimeout.
	ErrNetwork = errors.New("network error")

	// ErrInvalidArgument means a caller passed an unusable value, such as a
	// base URL with credentials or an empty image name.
	ErrInvalidArgument = errors.New("invalid argument")

	// ErrCredentials means the credentials callback failed.
	ErrCredentials = errors.New("credentials unavailable")
)

// Error describes a failed API call. It wraps one of the sentinel errors of this
// package in Err, possibly joined with the underlying transport error.
type Error struct {
	// Method is the HTTP method of the request.
	Method string
	// URL is the request URL without user info and with secret-looking query
	// values redacted.
	URL string
	// Status is the HTTP status code, or 0 when no response arrived.
	Status int
	// Code is the server's error code from the JSON envelope, if any.
	Code string
	// Message is the server's error message from the JSON envelope, if any.
	Message string
	// Err is the cause; it matches one of the sentinel errors with errors.Is.
	Err error
}

// Error returns a one-line lower-case description without any credentials.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Method)
	b.WriteByte(' ')
	b.WriteString(e.URL)
	if e.Status != 0 {
		fmt.Fprintf(&b, ": status %d", e.Status)
	}
	if e.Code != "" {
		fmt.Fprintf(&b, ": code %q", e.Code)
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %q", e.Message)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the cause so that errors.Is and errors.As see through *Error.
func (e *Error) Unwrap() error { return e.Err }

// IsTLS reports whether err comes from a failed TLS handshake or certificate
// check, such as an unknown authority, a host name mismatch or a plain-HTTP
// server answering a TLS client.
func IsTLS(err error) bool {
	var (
		unknownCA  x509.UnknownAuthorityError
		hostname   x509.HostnameError
		invalid    x509.CertificateInvalidError
		verify     *tls.CertificateVerificationError
		header     tls.RecordHeaderError
		alert      tls.AlertError
		insecureCA x509.SystemRootsError
	)
	if errors.As(err, &unknownCA) || errors.As(err, &hostname) ||
		errors.As(err, &invalid) || errors.As(err, &verify) ||
		errors.As(err, &header) || errors.As(err, &alert) ||
		errors.As(err, &insecureCA) {
		return true
	}
	// net/http turns a plain-HTTP answer to a TLS hello into an unexported
	// error value, so its text is the only way to recognise it.
	return err != nil && strings.Contains(err.Error(), "gave HTTP response to HTTPS client")
}

// IsDNS reports whether err comes from a failed host name lookup.
func IsDNS(err error) bool {
	var dns *net.DNSError
	return errors.As(err, &dns)
}

// IsRefused reports whether err comes from a connection the peer refused.
func IsRefused(err error) bool {
	return errors.Is(err, syscall.ECONNREFUSED) || isRefusedOS(err)
}

// IsTimeout reports whether err comes from a deadline: a dial, header or body
// timeout, or a context deadline.
func IsTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// secretParams are query parameter names whose values are redacted in errors.
var secretParams = []string{"pass", "secret", "token", "key", "sig", "auth", "credential"}

// redactURL returns u as text without user info and with secret-looking query
// values replaced by "REDACTED".
func redactURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	c := *u
	c.User = nil
	if c.RawQuery != "" {
		q := c.Query()
		changed := false
		for name := range q {
			lower := strings.ToLower(name)
			for _, s := range secretParams {
				if strings.Contains(lower, s) {
					q[name] = []string{"REDACTED"}
					changed = true
					break
				}
			}
		}
		if changed {
			c.RawQuery = q.Encode()
		}
	}
	return c.String()
}

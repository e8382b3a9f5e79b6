package registry

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"syscall"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// retry runs fn until it succeeds, fails for a reason that is not transient,
// or has been tried o.attempts times. Waits double from o.backoff and end at
// once when ctx is done. onRetry, if set, runs before each wait.
func (o *options) retry(ctx context.Context, op string, fn func() error,
	onRetry func(error)) error {
	wait := o.backoff
	for attempt := 1; ; attempt++ {
		err := fn()
		if err == nil {
			return nil
		}
		if attempt >= o.attempts || !transient(ctx, err) {
			return err
		}

		o.logger.Debug("retrying", "op", op, "err", err, "ms", wait.Milliseconds())
		if onRetry != nil {
			onRetry(err)
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return errors.Join(err, ctx.Err())
		case <-timer.C:
		}
		wait = min(wait*2, maxBackoff)
	}
}

// transient reports whether err is worth trying again: a timeout, a reset or
// refused connection, a truncated answer, or HTTP 408, 429 or 5xx. Nothing is
// transient once ctx is done, and a failure to read the source never is.
func transient(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	var se *sourceError
	if errors.As(err, &se) {
		return false
	}
	var te *transport.Error
	if errors.As(err, &te) {
		return te.StatusCode >= 500 || te.StatusCode == http.StatusRequestTimeout ||
			te.StatusCode == http.StatusTooManyRequests
	}
	if errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, io.EOF) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	var oe *net.OpError
	return errors.As(err, &oe)
}

// classify joins err with the sentinel that names its cause for a user:
// ErrUntrusted, ErrUnauthorized, ErrDenied, ErrServer or ErrUnreachable. Other errors
// are returned as they are.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var (
		unknownCA x509.UnknownAuthorityError
		hostname  x509.HostnameError
		invalid   x509.CertificateInvalidError
		verifyErr *tls.CertificateVerificationError
		recordErr tls.RecordHeaderError
		te        *transport.Error
		dnsErr    *net.DNSError
		opErr     *net.OpError
		sentinel  error
	)
	switch {
	case errors.As(err, &unknownCA), errors.As(err, &hostname), errors.As(err, &invalid),
		errors.As(err, &verifyErr), errors.As(err, &recordErr):
		sentinel = ErrUntrusted
	case errors.As(err, &te) && te.StatusCode == http.StatusUnauthorized:
		sentinel = ErrUnauthorized
	case errors.As(err, &te) && te.StatusCode == http.StatusForbidden:
		sentinel = ErrDenied
	case errors.As(err, &te) && te.StatusCode >= 500:
		sentinel = ErrServer
	case errors.As(err, &dnsErr), errors.As(err, &opErr) && opErr.Op == "dial":
		sentinel = ErrUnreachable
	default:
		return err
	}
	if errors.Is(err, sentinel) {
		return err
	}
	return fmt.Errorf("%w: %w", sentinel, err)
}

package registry

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/klauspost/compress/gzip"
)

// Defaults of the options.
const (
	// DefaultJobs is how many layers are pushed at the same time.
	DefaultJobs = 4
	// DefaultAttempts is how many times a transient failure is tried in all.
	DefaultAttempts = 3
	// DefaultBackoff is the wait before the first retry; it doubles each time.
	DefaultBackoff = 500 * time.Millisecond
	// CompressionAuto lets Push choose the gzip level as it goes: each layer
	// is written as a series of gzip members of 8 MiB of input, at
	// gzip.BestSpeed while the network is slower than the compression and
	// at gzip.HuffmanOnly (half the CPU, about 30% more bytes) while the
	// CPU is the limit. The compressed digest then depends on timing.
	CompressionAuto = -100
	// ReproducibleLevel is the fixed level for pushes that must give a layer
	// the same digest every time: gzip's fastest.
	ReproducibleLevel = gzip.BestSpeed
	// DefaultCompressionLevel is CompressionAuto.
	DefaultCompressionLevel = CompressionAuto

	// maxBackoff caps the doubling wait between attempts.
	maxBackoff = 30 * time.Second
	// responseTimeout bounds the wait for an answer after a request is sent.
	responseTimeout = 2 * time.Minute
	// ioBufferSize is the buffer for reading layers and writing requests.
	ioBufferSize = 256 << 10
)

// Option changes how Push, Pull, Exists and Check work.
type Option func(*options) error

type options struct {
	transport   http.RoundTripper
	auth        authn.Authenticator
	jobs        int
	progress    func(Progress)
	cache       BlobCache
	annotations map[string]string
	attempts    int
	backoff     time.Duration
	logger      *slog.Logger
	level       int
}

func makeOptions(opts []Option) (*options, error) {
	o := &options{
		auth:     authn.Anonymous,
		jobs:     DefaultJobs,
		attempts: DefaultAttempts,
		backoff:  DefaultBackoff,
		logger:   slog.New(slog.DiscardHandler),
		level:    DefaultCompressionLevel,
	}
	for _, opt := range opts {
		if err := opt(o); err != nil {
			return nil, err
		}
	}
	if o.transport == nil {
		o.transport = defaultTransport()
	}
	return o, nil
}

// defaultTransport clones go-containerregistry's default transport and gives
// it large write and read buffers, so that layer bodies go out in big writes,
// and a bound on the wait for an answer once a request is sent.
// TODO: a download that stalls mid-body is only ended by the context; an
// idle-read deadline per connection would end it by itself.
func defaultTransport() http.RoundTripper {
	base, ok := remote.DefaultTransport.(*http.Transport)
	if !ok {
		return remote.DefaultTransport
	}
	t := base.Clone()
	t.WriteBufferSize = ioBufferSize
	t.ReadBufferSize = ioBufferSize
	t.ResponseHeaderTimeout = responseTimeout
	return t
}

// WithTransport sets the HTTP transport, which decides TLS trust, proxies and
// timeouts. The default is a clone of remote.DefaultTransport. Whether plain
// HTTP is used is decided by the reference (name.Insecure), not here.
func WithTransport(t http.RoundTripper) Option {
	return func(o *options) error {
		if t == nil {
			return fmt.Errorf("%w: nil transport", ErrInvalidOption)
		}
		o.transport = t
		return nil
	}
}

// WithAuth sets the credentials. The default is anonymous access. Use
// BasicAuth to hand over a password as a function rather than a value.
func WithAuth(a authn.Authenticator) Option {
	return func(o *options) error {
		if a == nil {
			return fmt.Errorf("%w: nil authenticator", ErrInvalidOption)
		}
		o.auth = a
		return nil
	}
}

// WithJobs sets how many layers are pushed at the same time, 1 to 32. The
// default is DefaultJobs.
func WithJobs(n int) Option {
	return func(o *options) error {
		if n < 1 || n > 32 {
			return fmt.Errorf("%w: jobs %d not in 1..32", ErrInvalidOption, n)
		}
		o.jobs = n
		return nil
	}
}

// WithProgress sets a function that receives a snapshot of the progress
// whenever a layer changes state or moves by at least a mebibyte. Calls come
// from any goroutine but never overlap; fn must return quickly. The default
// reports nothing.
func WithProgress(fn func(Progress)) Option {
	return func(o *options) error {
		o.progress = fn
		return nil
	}
}

// WithBlobCache sets the cache that lets Push skip layers already uploaded
// and resume an interrupted push. The default is no cache: every layer is
// compressed and uploaded.
func WithBlobCache(c BlobCache) Option {
	return func(o *options) error {
		o.cache = c
		return nil
	}
}

// WithAnnotations sets annotations on the pushed manifest. Annotations make
// Push write an OCI manifest whatever the source. The default is none.
func WithAnnotations(a map[string]string) Option {
	return func(o *options) error {
		for k := range a {
			if k == "" {
				return fmt.Errorf("%w: empty annotation key", ErrInvalidOption)
			}
		}
		o.annotations = make(map[string]string, len(a))
		for k, v := range a {
			o.annotations[k] = v
		}
		return nil
	}
}

// WithRetry sets how many times, 1 to 10, a step that fails for a transient
// reason (a timeout, a reset or refused connection, HTTP 5xx, 408 or 429) is
// tried in all, and the wait before the first retry, which doubles each time
// up to 30 s. The defaults are DefaultAttempts and DefaultBackoff.
func WithRetry(attempts int, backoff time.Duration) Option {
	return func(o *options) error {
		if attempts < 1 || attempts > 10 {
			return fmt.Errorf("%w: attempts %d not in 1..10", ErrInvalidOption, attempts)
		}
		if backoff < 0 || backoff > maxBackoff {
			return fmt.Errorf("%w: backoff %v not in 0..%v", ErrInvalidOption, backoff, maxBackoff)
		}
		o.attempts = attempts
		o.backoff = backoff
		return nil
	}
}

// WithLogger sets the logger for debug and warning lines. The default
// discards everything.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) error {
		if l == nil {
			return fmt.Errorf("%w: nil logger", ErrInvalidOption)
		}
		o.logger = l
		return nil
	}
}

// WithCompressionLevel sets the gzip level of pushed layers: a fixed level
// from gzip.HuffmanOnly (-2) through gzip.BestCompression (9), which writes
// each layer as one gzip member and gives the same digest on every push, or
// CompressionAuto. The default is DefaultCompressionLevel.
func WithCompressionLevel(level int) Option {
	return func(o *options) error {
		if level == CompressionAuto {
			o.level = level
			return nil
		}
		if level < gzip.HuffmanOnly || level > gzip.BestCompression {
			return fmt.Errorf("%w: compression level %d", ErrInvalidOption, level)
		}
		o.level = level
		return nil
	}
}

// BasicAuth returns an authenticator for a user name whose password is asked
// from password each time credentials are needed, so that the secret is never
// kept in a struct.
func BasicAuth(user string, password func() (string, error)) authn.Authenticator {
	return basicAuth{user: user, password: password}
}

type basicAuth struct {
	user     string
	password func() (string, error)
}

// Authorization returns the credentials, reading the password just now.
func (b basicAuth) Authorization() (*authn.AuthConfig, error) {
	return b.AuthorizationContext(context.Background())
}

// AuthorizationContext returns the credentials, reading the password just now.
func (b basicAuth) AuthorizationContext(context.Context) (*authn.AuthConfig, error) {
	pw, err := b.password()
	if err != nil {
		return nil, fmt.Errorf("reading password of %s: %w", b.user, err)
	}
	return &authn.AuthConfig{Username: b.user, Password: pw}, nil
}

package artifact

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Default limits and identity of the client.
const (
	// DefaultUserAgent is sent when WithUserAgent is not used.
	DefaultUserAgent = "imagedesk"
	// DefaultMaxListBytes caps a folder listing response (32 MiB).
	DefaultMaxListBytes int64 = 32 << 20
	// DefaultMaxReportBytes caps a scan report download (256 MiB).
	DefaultMaxReportBytes int64 = 256 << 20
	// maxErrorBodyBytes caps what is read of an error response.
	maxErrorBodyBytes int64 = 64 << 10
)

// Client calls the artifact repository's API. It is safe for concurrent use.
type Client struct {
	base        *url.URL
	http        *http.Client
	credentials func() (user, password string, err error)
	log         *slog.Logger
	userAgent   string
	maxList     int64
	maxReport   int64
}

// Option configures a Client; New rejects an option given an unusable value.
type Option func(*Client) error

// WithHTTPClient makes the client send requests through hc. The default is a
// client with a clone of http.DefaultTransport and no overall timeout (use the
// context to bound a call).
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) error {
		if hc == nil {
			return errors.New("nil http client")
		}
		c.http = hc
		return nil
	}
}

// WithTransport makes the client send requests through rt, for example one
// trusting a custom CA. It replaces the transport of the client's own
// http.Client, or of the one given by WithHTTPClient if that came first.
func WithTransport(rt http.RoundTripper) Option {
	return func(c *Client) error {
		if rt == nil {
			return errors.New("nil transport")
		}
		hc := *c.http
		hc.Transport = rt
		c.http = &hc
		return nil
	}
}

// WithCredentials sets the callback asked for the basic-auth user and password
// before every request. Without it requests carry no Authorization header.
func WithCredentials(fn func() (user, password string, err error)) Option {
	return func(c *Client) error {
		if fn == nil {
			return errors.New("nil credentials callback")
		}
		c.credentials = fn
		return nil
	}
}

// WithLogger makes the client write one debug record per request to l. The
// default discards everything.
func WithLogger(l *slog.Logger) Option {
	return func(c *Client) error {
		if l == nil {
			return errors.New("nil logger")
		}
		c.log = l
		return nil
	}
}

// WithUserAgent sets the User-Agent header; the default is DefaultUserAgent.
func WithUserAgent(ua string) Option {
	return func(c *Client) error {
		if strings.TrimSpace(ua) == "" || strings.ContainsAny(ua, "\r\n") {
			return errors.New("empty or multi-line user agent")
		}
		c.userAgent = ua
		return nil
	}
}

// WithMaxBytes sets the largest accepted listing and report bodies; the
// defaults are DefaultMaxListBytes and DefaultMaxReportBytes.
func WithMaxBytes(list, report int64) Option {
	return func(c *Client) error {
		if list <= 0 || report <= 0 {
			return errors.New("non-positive size limit")
		}
		c.maxList, c.maxReport = list, report
		return nil
	}
}

// New returns a client for the server at baseURL, which must be an absolute
// http or https URL without user info, query or fragment; a path prefix is kept
// in front of every API path.
func New(baseURL string, opts ...Option) (*Client, error) {
	base, err := parseBase(baseURL)
	if err != nil {
		return nil, err
	}

	tr := http.DefaultTransport.(*http.Transport).Clone()
	c := &Client{
		base:      base,
		http:      &http.Client{Transport: tr},
		log:       slog.New(slog.DiscardHandler),
		userAgent: DefaultUserAgent,
		maxList:   DefaultMaxListBytes,
		maxReport: DefaultMaxReportBytes,
	}
	for _, opt := range opts {
		if err := opt(c); err != nil {
			return nil, fmt.Errorf("configuring artifact client: %w: %w", ErrInvalidArgument, err)
		}
	}
	return c, nil
}

// BaseURL returns the server address the client was built with.
func (c *Client) BaseURL() string { return c.base.String() }

// parseBase validates and normalises the server address.
func parseBase(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		// url.Error quotes the input, which could hold a password: drop it.
		return nil, fmt.Errorf("parsing base url: %w", ErrInvalidArgument)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("base url scheme %q: %w: want http or https",
			u.Scheme, ErrInvalidArgument)
	case u.User != nil:
		return nil, fmt.Errorf("base url: %w: credentials are not allowed in the url",
			ErrInvalidArgument)
	case u.Host == "" || u.Hostname() == "":
		return nil, fmt.Errorf("base url: %w: no host", ErrInvalidArgument)
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return nil, fmt.Errorf("base url: %w: query and fragment are not allowed",
			ErrInvalidArgument)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// endpoint returns the absolute URL of an API path with the given query.
func (c *Client) endpoint(apiPath string, query url.Values) *url.URL {
	u := *c.base
	u.Path = c.base.Path + apiPath
	if query != nil {
		u.RawQuery = query.Encode()
	}
	return &u
}

// do sends one request and returns the response when its status is 2xx. Any
// other outcome is returned as *Error, with the response body closed.
func (c *Client) do(ctx context.Context, method string, u *url.URL, body []byte,
	accept string) (*http.Response, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return nil, c.fail(method, u, 0, fmt.Errorf("%w: %w", ErrInvalidArgument, err))
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", accept)
	req.Header.Set("User-Agent", c.userAgent)
	if c.credentials != nil {
		user, pass, err := c.credentials()
		if err != nil {
			return nil, c.fail(method, u, 0, fmt.Errorf("%w: %w", ErrCredentials, err))
		}
		req.SetBasicAuth(user, pass)
	}

	resp, err := c.http.Do(req)
	if err != nil {
		return nil, c.fail(method, u, 0, transportError(ctx, err))
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return resp, nil
	}

	defer resp.Body.Close()
	e := &Error{Method: method, URL: redactURL(u), Status: resp.StatusCode}
	switch {
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		e.Err = ErrUnauthorized
	case resp.StatusCode == http.StatusNotFound:
		e.Err = ErrNotFound
	case resp.StatusCode >= 500:
		e.Err = ErrServer
	default:
		e.Err = ErrStatus
	}
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBodyBytes))
	if env, err := parseEnvelope(raw); err == nil {
		e.Code, e.Message = env.Code, env.message()
	}
	return nil, e
}

// fail builds an *Error for a request that got no usable response.
func (c *Client) fail(method string, u *url.URL, status int, err error) *Error {
	return &Error{Method: method, URL: redactURL(u), Status: status, Err: err}
}

// transportError classifies an error from http.Client.Do or from reading a
// body. A cancelled context is passed through as such; everything else is
// joined with ErrNetwork, keeping the cause for IsTLS and friends.
func transportError(ctx context.Context, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		// The url.Error repeats the URL, which *Error already carries.
		err = ue.Err
	}
	if ctx.Err() == context.Canceled || errors.Is(err, context.Canceled) {
		return err
	}
	return fmt.Errorf("%w: %w", ErrNetwork, err)
}

// logDone writes the debug record of a finished request.
func (c *Client) logDone(ctx context.Context, op string, repoID int64, start time.Time,
	n int64, err error) {
	if err != nil {
		c.log.DebugContext(ctx, "artifact request failed", "op", op, "repo", repoID,
			"ms", time.Since(start).Milliseconds(), "err", err)
		return
	}
	c.log.DebugContext(ctx, "artifact request done", "op", op, "repo", repoID,
		"ms", time.Since(start).Milliseconds(), "bytes", n)
}

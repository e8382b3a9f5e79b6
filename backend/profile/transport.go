package profile

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"time"
)

// The default timeouts of the transport Transport builds.
const (
	dialTimeout           = 10 * time.Second
	tlsHandshakeTimeout   = 10 * time.Second
	responseHeaderTimeout = 30 * time.Second
	stallTimeout          = 60 * time.Second
	idleConnTimeout       = 90 * time.Second
)

// Timeouts bound the waits of a transport; a zero field takes its default
// (dial and TLS handshake 10 s, response headers 30 s, stall 60 s).
type Timeouts struct {
	Dial           time.Duration
	TLSHandshake   time.Duration
	ResponseHeader time.Duration
	// Stall ends a request whose body, sent or received, has moved no byte
	// for this long, with an error that is a net.Error timeout.
	Stall time.Duration
}

// orDefault returns d, or def when d is zero.
func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

// Transport builds the HTTP transport for this profile's API and registry:
// the system roots plus the certificates of CAFile, certificate checks off
// when Insecure is set, the profile's proxy (and no proxy from the
// environment when none is set), and bounded dial, TLS handshake and
// response-header times; a body that stops moving for a minute ends the request.
// p.Timeouts changes the times.
func (p Profile) Transport() (http.RoundTripper, error) {
	to := p.Timeouts
	roots, err := p.rootCAs()
	if err != nil {
		return nil, err
	}

	var proxy func(*http.Request) (*url.URL, error)
	if p.Proxy != "" {
		u, err := url.Parse(p.Proxy)
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("reading proxy of profile %s: %w",
				p.Name, &FieldError{Field: "proxy", Rule: RuleURL})
		}
		proxy = http.ProxyURL(u)
	}

	dialer := &net.Dialer{Timeout: orDefault(to.Dial, dialTimeout), KeepAlive: 30 * time.Second}
	base := &http.Transport{
		Proxy:       proxy,
		DialContext: dialer.DialContext,
		TLSClientConfig: &tls.Config{
			RootCAs:    roots,
			MinVersion: tls.VersionTLS12,
			// The user turned verification off on purpose; the UI keeps
			// a warning on screen for as long as it stays off.
			InsecureSkipVerify: p.Insecure, //nolint:gosec
		},
		TLSHandshakeTimeout:   orDefault(to.TLSHandshake, tlsHandshakeTimeout),
		ResponseHeaderTimeout: orDefault(to.ResponseHeader, responseHeaderTimeout),
		IdleConnTimeout:       idleConnTimeout,
		ExpectContinueTimeout: time.Second,
		MaxIdleConns:          64,
		MaxIdleConnsPerHost:   16,
		ForceAttemptHTTP2:     true,
	}
	return stallGuard{base: base, idle: orDefault(to.Stall, stallTimeout)}, nil
}

// rootCAs returns the system roots with CAFile's certificates added, or nil
// (meaning the system roots) when no CA file is set.
func (p Profile) rootCAs() (*x509.CertPool, error) {
	if p.CAFile == "" {
		return nil, nil
	}

	pem, err := os.ReadFile(p.CAFile)
	if err != nil {
		return nil, fmt.Errorf("reading ca bundle of profile %s: %w", p.Name, err)
	}

	pool, err := x509.SystemCertPool()
	if err != nil {
		// Without a readable system store the bundle alone is trusted,
		// which is what a private CA needs anyway.
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("reading ca bundle %s of profile %s: %w",
			p.CAFile, p.Name, ErrCABundle)
	}
	return pool, nil
}

package artifact

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestNewValidatesBaseURL(t *testing.T) {
	t.Parallel()
	bad := []string{
		"ftp://example.test",
		"http://deployer:" + testPassword + "@example.test",
		"https://user@example.test",
		"https://",
		"http://example.test/?a=1",
		"http://example.test/#frag",
		"example.test:8080",
		"",
	}
	for _, raw := range bad {
		t.Run(raw, func(t *testing.T) {
			t.Parallel()
			_, err := New(raw)
			if !errors.Is(err, ErrInvalidArgument) {
				t.Fatalf("New(%q) error = %v, want ErrInvalidArgument", raw, err)
			}
			if strings.Contains(err.Error(), testPassword) ||
				strings.Contains(err.Error(), "p{a]") {
				t.Errorf("error leaks the password: %v", err)
			}
		})
	}

	c, err := New("https://127.0.0.1:8443/prefix/")
	if err != nil {
		t.Fatalf("New with a path prefix: %v", err)
	}
	got := c.endpoint(listPath, nil).String()
	want := "https://127.0.0.1:8443/prefix/api/v1/artifact/repo/file/list"
	if got != want {
		t.Errorf("endpoint = %q, want %q", got, want)
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	t.Parallel()
	opts := map[string]Option{
		"nil client":      WithHTTPClient(nil),
		"nil transport":   WithTransport(nil),
		"nil credentials": WithCredentials(nil),
		"nil logger":      WithLogger(nil),
		"empty agent":     WithUserAgent(" "),
		"header split":    WithUserAgent("a\r\nX-Evil: 1"),
		"zero limit":      WithMaxBytes(0, 1),
	}
	for name, opt := range opts {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if _, err := New("http://127.0.0.1", opt); !errors.Is(err, ErrInvalidArgument) {
				t.Fatalf("error = %v, want ErrInvalidArgument", err)
			}
		})
	}
}

func TestBasicAuth(t *testing.T) {
	t.Parallel()
	_, srv := newFakeServer(t)

	t.Run("special characters reach the server intact", func(t *testing.T) {
		t.Parallel()
		c := newTestClient(t, srv)
		if _, err := c.List(context.Background(), testRepoID, "", false); err != nil {
			t.Fatalf("List with the right password: %v", err)
		}
	})

	t.Run("wrong password is unauthorized and never echoed", func(t *testing.T) {
		t.Parallel()
		wrong := `x{]) <>:` + testPassword
		c, err := New(srv.URL, WithCredentials(func() (string, string, error) {
			return testUser, wrong, nil
		}))
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.List(context.Background(), testRepoID, "", false)
		if !errors.Is(err, ErrUnauthorized) {
			t.Fatalf("error = %v, want ErrUnauthorized", err)
		}
		var e *Error
		if !errors.As(err, &e) || e.Status != http.StatusUnauthorized {
			t.Fatalf("error = %#v, want *Error with status 401", err)
		}
		if strings.Contains(err.Error(), wrong) || strings.Contains(e.URL, "@") {
			t.Errorf("error leaks credentials: %v", err)
		}
	})

	t.Run("credentials callback failure", func(t *testing.T) {
		t.Parallel()
		boom := errors.New("keyring locked")
		c, err := New(srv.URL, WithCredentials(func() (string, string, error) {
			return "", "", boom
		}))
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.List(context.Background(), testRepoID, "", false)
		if !errors.Is(err, ErrCredentials) || !errors.Is(err, boom) {
			t.Fatalf("error = %v, want ErrCredentials wrapping the cause", err)
		}
	})
}

func TestLoggerNeverSeesPassword(t *testing.T) {
	t.Parallel()
	_, srv := newFakeServer(t)
	var buf bytes.Buffer
	var mu syncWriter
	mu.w = &buf
	log := slog.New(slog.NewTextHandler(&mu, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := newTestClient(t, srv, WithLogger(log))

	if _, err := c.List(context.Background(), testRepoID, "basic/aa", false); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ScanReport(context.Background(), testRepoID, "basic", "aa", "nope",
		&bytes.Buffer{}); err == nil {
		t.Fatal("report of an unknown version succeeded")
	}
	out := mu.String()
	for _, want := range []string{"op=list", "op=scanreport", "repo=1495097876821574", "ms="} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, testPassword) || strings.Contains(out, "Authorization") {
		t.Errorf("log leaks credentials:\n%s", out)
	}
}

func TestNetworkErrors(t *testing.T) {
	t.Parallel()

	t.Run("refused", func(t *testing.T) {
		t.Parallel()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		c, err := New("http://" + addr)
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.List(context.Background(), testRepoID, "", false)
		if !errors.Is(err, ErrNetwork) || !IsRefused(err) {
			t.Fatalf("error = %v, want ErrNetwork and IsRefused", err)
		}
		if IsTLS(err) || IsDNS(err) || IsTimeout(err) {
			t.Errorf("refused connection misclassified: %v", err)
		}
	})

	t.Run("untrusted certificate", func(t *testing.T) {
		t.Parallel()
		srv := httptest.NewTLSServer(http.NotFoundHandler())
		t.Cleanup(srv.Close)
		c, err := New(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.List(context.Background(), testRepoID, "", false)
		if !errors.Is(err, ErrNetwork) || !IsTLS(err) {
			t.Fatalf("error = %v, want ErrNetwork and IsTLS", err)
		}
	})

	t.Run("tls client against plain http", func(t *testing.T) {
		t.Parallel()
		srv := httptest.NewServer(http.NotFoundHandler())
		t.Cleanup(srv.Close)
		c, err := New(strings.Replace(srv.URL, "http://", "https://", 1))
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.List(context.Background(), testRepoID, "", false)
		if !errors.Is(err, ErrNetwork) || !IsTLS(err) {
			t.Fatalf("error = %v, want ErrNetwork and IsTLS", err)
		}
	})

	t.Run("dns", func(t *testing.T) {
		t.Parallel()
		tr := &http.Transport{DialContext: func(ctx context.Context, network,
			addr string) (net.Conn, error) {
			host, _, _ := net.SplitHostPort(addr)
			return nil, &net.OpError{Op: "dial", Net: network,
				Err: &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}}
		}}
		c, err := New("http://artifact.invalid", WithTransport(tr))
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.List(context.Background(), testRepoID, "", false)
		if !errors.Is(err, ErrNetwork) || !IsDNS(err) || IsRefused(err) {
			t.Fatalf("error = %v, want ErrNetwork and only IsDNS", err)
		}
	})

	t.Run("timeout", func(t *testing.T) {
		t.Parallel()
		release := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter,
			r *http.Request) {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}))
		t.Cleanup(func() { close(release); srv.Close() })
		c, err := New(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, err = c.List(ctx, testRepoID, "", false)
		if !errors.Is(err, ErrNetwork) || !IsTimeout(err) {
			t.Fatalf("error = %v, want ErrNetwork and IsTimeout", err)
		}
	})

	t.Run("cancelled is not a network error", func(t *testing.T) {
		t.Parallel()
		_, srv := newFakeServer(t)
		c := newTestClient(t, srv)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := c.List(ctx, testRepoID, "", false)
		if !errors.Is(err, context.Canceled) || errors.Is(err, ErrNetwork) {
			t.Fatalf("error = %v, want context.Canceled without ErrNetwork", err)
		}
	})
}

func TestRedactURL(t *testing.T) {
	t.Parallel()
	u, err := url.Parse("https://u:" + url.QueryEscape(testPassword) +
		"@h.test/x?repo_id=1&token=abc&path=a%2Fb")
	if err != nil {
		t.Fatal(err)
	}
	got := redactURL(u)
	want := "https://h.test/x?path=a%2Fb&repo_id=1&token=REDACTED"
	if got != want {
		t.Errorf("redactURL = %q, want %q", got, want)
	}
}

func TestErrorText(t *testing.T) {
	t.Parallel()
	e := &Error{Method: "POST", URL: "http://h/api", Status: 500, Code: "E1",
		Message: "boom", Err: ErrServer}
	want := `POST http://h/api: status 500: code "E1": "boom": server error`
	if e.Error() != want {
		t.Errorf("Error() = %q, want %q", e.Error(), want)
	}
	if !errors.Is(e, ErrServer) {
		t.Error("*Error does not unwrap to its cause")
	}
}

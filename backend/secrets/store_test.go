package secrets

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/zalando/go-keyring"
)

// fakeKeyring is an in-memory Backend whose calls can be made to fail or block.
type fakeKeyring struct {
	mu    sync.Mutex
	items map[string]string
	fail  error         // returned by every call when set
	block chan struct{} // every call waits on it when set
	calls int
}

func newFake() *fakeKeyring { return &fakeKeyring{items: make(map[string]string)} }

func (f *fakeKeyring) enter() error {
	f.mu.Lock()
	f.calls++
	block, fail := f.block, f.fail
	f.mu.Unlock()
	if block != nil {
		<-block
	}
	return fail
}

func (f *fakeKeyring) Set(service, user, secret string) error {
	if err := f.enter(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.items[service+"\x00"+user] = secret
	return nil
}

func (f *fakeKeyring) Get(service, user string) (string, error) {
	if err := f.enter(); err != nil {
		return "", err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.items[service+"\x00"+user]
	if !ok {
		return "", keyring.ErrNotFound
	}
	return v, nil
}

func (f *fakeKeyring) Delete(service, user string) error {
	if err := f.enter(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.items[service+"\x00"+user]; !ok {
		return keyring.ErrNotFound
	}
	delete(f.items, service+"\x00"+user)
	return nil
}

func (f *fakeKeyring) setFail(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail = err
}

const secret = `p{a]s)s<w>:o"r'd\密码`

func TestStoreWithKeyring(t *testing.T) {
	t.Parallel()
	fake := newFake()
	s := New("svc", WithBackend(fake))
	key := PasswordKey("prod")

	if _, err := s.Get(key); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get(missing) error = %v, want ErrNotFound", err)
	}
	if err := s.Set(key, secret, false); err != nil {
		t.Fatal(err)
	}
	if got := fake.items["svc\x00"+key]; got != secret {
		t.Errorf("keyring holds %q, want the secret", got)
	}
	if s.SessionOnly(key) {
		t.Error("SessionOnly = true after a keyring Set")
	}
	if got, err := s.Get(key); err != nil || got != secret {
		t.Fatalf("Get = %q, %v", got, err)
	}

	if err := s.Delete(key); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(key); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get after Delete error = %v, want ErrNotFound", err)
	}
	if err := s.Delete(key); err != nil {
		t.Errorf("Delete of a missing key = %v, want nil", err)
	}
}

func TestStoreSessionOnly(t *testing.T) {
	t.Parallel()
	fake := newFake()
	s := New("svc", WithBackend(fake))
	key := PassphraseKey("cosign-1")

	if err := s.Set(key, "old", false); err != nil {
		t.Fatal(err)
	}
	if err := s.Set(key, secret, true); err != nil {
		t.Fatal(err)
	}
	if !s.SessionOnly(key) {
		t.Error("SessionOnly = false after a session-only Set")
	}
	if _, ok := fake.items["svc\x00"+key]; ok {
		t.Error("the older keyring copy survived a session-only Set")
	}

	fake.setFail(errors.New("must not be called"))
	if got, err := s.Get(key); err != nil || got != secret {
		t.Fatalf("Get = %q, %v; want the session copy without a keyring call", got, err)
	}

	if err := s.Delete(key); err != nil {
		t.Fatalf("Delete of a session secret with a failing keyring = %v", err)
	}
	if s.SessionOnly(key) {
		t.Error("SessionOnly = true after Delete")
	}
}

func TestStoreRefusesSilentFallback(t *testing.T) {
	t.Parallel()
	fake := newFake()
	fake.fail = dbus.Error{Name: "org.freedesktop.DBus.Error.ServiceUnknown",
		Body: []any{"The name org.freedesktop.secrets was not provided by any .service files"}}
	s := New("svc", WithBackend(fake))
	key := PasswordKey("p")

	if st := s.Status(context.Background()); st.Available || st.Reason != ErrNoService {
		t.Errorf("Status = %+v, want unavailable with ErrNoService", st)
	}
	err := s.Set(key, secret, false)
	if !errors.Is(err, ErrNoService) || strings.Contains(err.Error(), secret) {
		t.Fatalf("Set with an unavailable keyring = %v, want ErrNoService without the secret", err)
	}
	if _, err := s.Get(key); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Get after a refused Set = %v, want ErrUnavailable", err)
	}
	if err := s.Set(key, secret, true); err != nil || !s.SessionOnly(key) {
		t.Fatalf("session-only Set = %v, SessionOnly %v", err, s.SessionOnly(key))
	}
	if got, err := s.Get(key); err != nil || got != secret {
		t.Fatalf("Get = %q, %v", got, err)
	}

	_, err = s.Get(PasswordKey("other"))
	if !errors.Is(err, ErrNoService) || !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Get(other) error = %v, want ErrNoService and ErrUnavailable", err)
	}
	var se *Error
	if !errors.As(err, &se) || se.Op != "get" || se.Key != PasswordKey("other") {
		t.Errorf("Get(other) error = %#v, want *Error for get", err)
	}
	if err := s.Delete(PasswordKey("other")); !errors.Is(err, ErrUnavailable) {
		t.Errorf("Delete of a key only the keyring might hold = %v, want ErrUnavailable", err)
	}
}

func TestStoreReturnsOtherErrors(t *testing.T) {
	t.Parallel()
	fake := newFake()
	fake.fail = keyring.ErrSetDataTooBig
	s := New("svc", WithBackend(fake))

	err := s.Set("k", secret, false)
	if !errors.Is(err, ErrTooBig) || errors.Is(err, ErrUnavailable) {
		t.Fatalf("Set error = %v, want ErrTooBig only", err)
	}
	if s.SessionOnly("k") {
		t.Error("a refused secret was kept for the session")
	}
	if strings.Contains(err.Error(), secret) {
		t.Errorf("error %q contains the secret", err)
	}
}

func TestStoreTimeout(t *testing.T) {
	t.Parallel()
	fake := newFake()
	fake.block = make(chan struct{})
	t.Cleanup(func() { close(fake.block) })
	s := New("svc", WithBackend(fake), WithTimeout(50*time.Millisecond))

	start := time.Now()
	if _, err := s.Get("k"); !errors.Is(err, ErrTimeout) {
		t.Fatalf("Get error = %v, want ErrTimeout", err)
	}
	if st := s.Status(context.Background()); st.Reason != ErrTimeout {
		t.Errorf("Status = %+v, want ErrTimeout", st)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if st := s.Status(ctx); st.Available {
		t.Error("Status with a cancelled context reported available")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("timed-out calls took %v", d)
	}
}

func TestClassify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  error
		want error
	}{
		{keyring.ErrNotFound, ErrNotFound},
		{keyring.ErrSetDataTooBig, ErrTooBig},
		{keyring.ErrUnsupportedPlatform, ErrUnsupported},
		{dbus.Error{Name: dbusServiceUnknown}, ErrNoService},
		{&dbus.Error{Name: secretIsLocked}, ErrLocked},
		{dbus.Error{Name: dbusNoReply}, ErrTimeout},
		{dbus.Error{Name: "org.example.Other"}, ErrUnavailable},
		{&net.OpError{Op: "dial", Net: "unix", Err: os.ErrNotExist}, ErrNoSessionBus},
		{fmt.Errorf("wrapped: %w", &os.PathError{Op: "exec", Err: os.ErrNotExist}),
			ErrNoSessionBus},
		{errors.New(`exec: "dbus-launch": executable file not found in $PATH`), ErrNoSessionBus},
		{errors.New("failed to unlock correct collection '/x'"), ErrLocked},
		{errors.New("something else"), ErrUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.err.Error(), func(t *testing.T) {
			t.Parallel()
			if got := classify(tt.err); got != tt.want {
				t.Errorf("classify(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

func TestSentinelsMatchErrUnavailable(t *testing.T) {
	t.Parallel()
	for _, err := range []error{ErrNoSessionBus, ErrNoService, ErrLocked, ErrTimeout,
		ErrUnsupported} {
		if !errors.Is(err, ErrUnavailable) {
			t.Errorf("errors.Is(%v, ErrUnavailable) = false", err)
		}
		if errors.Is(ErrUnavailable, err) {
			t.Errorf("errors.Is(ErrUnavailable, %v) = true", err)
		}
	}
	if errors.Is(ErrNotFound, ErrUnavailable) || errors.Is(ErrTooBig, ErrUnavailable) {
		t.Error("ErrNotFound or ErrTooBig matches ErrUnavailable")
	}
}

// listenUnix creates a unix socket at dir/name and returns its path.
func listenUnix(t *testing.T, dir, name string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return path
}

func TestSessionBusReachable(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	sock := listenUnix(t, dir, "bus")
	plain := filepath.Join(dir, "file")
	if err := os.WriteFile(plain, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing")

	tests := []struct {
		name    string
		address string
		runtime string
		userBus string
		want    bool
	}{
		{"unset, no user bus", "", "", missing, false},
		{"unset, user bus socket", "", "", sock, true},
		{"autolaunch", "autolaunch:", "", missing, false},
		{"missing socket", "unix:path=" + missing, "", sock, false},
		{"regular file", "unix:path=" + plain, "", sock, false},
		{"existing socket", "unix:path=" + sock + ",guid=abc", "", missing, true},
		{"escaped path", "unix:path=" + strings.ReplaceAll(sock, "/", "%2f"), "", missing, true},
		{"second entry works", "unix:path=" + missing + ";unix:path=" + sock, "", missing, true},
		{"abstract socket", "unix:abstract=/tmp/dbus-x", "", missing, true},
		{"tcp", "tcp:host=127.0.0.1,port=1", "", missing, true},
		{"runtime with socket", "unix:runtime=yes", dir, missing, true},
		{"runtime without socket", "unix:runtime=yes", missing, missing, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := map[string]string{
				"DBUS_SESSION_BUS_ADDRESS": tt.address,
				"XDG_RUNTIME_DIR":          tt.runtime,
			}
			getenv := func(k string) string { return env[k] }
			if got := sessionBusReachable(getenv, tt.userBus); got != tt.want {
				t.Errorf("sessionBusReachable(%q) = %v, want %v", tt.address, got, tt.want)
			}
		})
	}
}

// TestNoSessionBus uses the real OS keyring backend with a bus address that
// points at a missing socket: every call must answer ErrNoSessionBus at
// once, without go-keyring being asked.
func TestNoSessionBus(t *testing.T) {
	t.Parallel()
	missing := filepath.Join(t.TempDir(), "no-bus")
	var asked []string
	var mu sync.Mutex
	getenv := func(k string) string {
		mu.Lock()
		defer mu.Unlock()
		asked = append(asked, k)
		if k == "DBUS_SESSION_BUS_ADDRESS" {
			return "unix:path=" + missing
		}
		return ""
	}
	s := New("imagedesk-test", WithGetenv(getenv))
	s.userBus = missing
	key := PasswordKey("p")

	start := time.Now()
	st := s.Status(context.Background())
	if st.Available || st.Reason != ErrNoSessionBus {
		t.Fatalf("Status = %+v, want ErrNoSessionBus", st)
	}
	if _, err := s.Get(key); !errors.Is(err, ErrNoSessionBus) || errors.Is(err, ErrNotFound) {
		t.Fatalf("Get error = %v, want ErrNoSessionBus", err)
	}
	if err := s.Set(key, secret, false); !errors.Is(err, ErrNoSessionBus) {
		t.Fatalf("Set = %v, want ErrNoSessionBus", err)
	}
	if err := s.Set(key, secret, true); err != nil || !s.SessionOnly(key) {
		t.Fatalf("session-only Set = %v, SessionOnly %v", err, s.SessionOnly(key))
	}
	if got, err := s.Get(key); err != nil || got != secret {
		t.Fatalf("Get = %q, %v", got, err)
	}
	if err := s.Delete(key); err != nil {
		t.Fatalf("Delete = %v", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("calls without a bus took %v, want them immediate", d)
	}
	if len(asked) == 0 {
		t.Error("the injected getenv was never consulted")
	}
}

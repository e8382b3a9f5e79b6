package secrets

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"runtime"
	"sync"
	"time"
)

// DefaultTimeout bounds one keyring call when no WithTimeout option is
// given. It is long because a call may wait for the user to answer the
// desktop's unlock prompt.
const DefaultTimeout = 2 * time.Minute

// probeKey is the key Status reads to see whether the keyring answers.
const probeKey = "imagedesk-availability-probe"

// Status tells whether the OS keyring can be used.
type Status struct {
	// Available is true when the keyring answered.
	Available bool `json:"available"`
	// Reason is nil when Available, else one of ErrNoSessionBus, ErrNoService,
	// ErrLocked, ErrTimeout, ErrUnsupported or ErrUnavailable.
	Reason error `json:"-"`
}

// Store keeps secrets in the OS keyring under one service name and keeps
// session-only secrets in memory. It is safe for concurrent use.
type Store struct {
	service string
	backend Backend
	getenv  func(string) string
	userBus string
	dbus    bool
	timeout time.Duration
	log     *slog.Logger

	mu      sync.Mutex
	session map[string]string
}

// Option changes a Store built by New.
type Option func(*Store)

// WithBackend replaces the OS keyring, for tests and other platforms'
// keyrings. The D-Bus session check is skipped for a replaced backend.
func WithBackend(b Backend) Option {
	return func(s *Store) {
		if b != nil {
			s.backend, s.dbus = b, false
		}
	}
}

// WithGetenv sets how environment variables are read (default os.Getenv).
// Only DBUS_SESSION_BUS_ADDRESS and XDG_RUNTIME_DIR are read.
func WithGetenv(getenv func(string) string) Option {
	return func(s *Store) {
		if getenv != nil {
			s.getenv = getenv
		}
	}
}

// WithTimeout bounds each keyring call (default DefaultTimeout). A call
// that runs out of time returns ErrTimeout; values below one millisecond
// are ignored.
func WithTimeout(d time.Duration) Option {
	return func(s *Store) {
		if d >= time.Millisecond {
			s.timeout = d
		}
	}
}

// WithLogger sets the logger for keyring failures (default: discard). Keys
// are logged, secrets never.
func WithLogger(l *slog.Logger) Option {
	return func(s *Store) {
		if l != nil {
			s.log = l
		}
	}
}

// New returns a Store that files secrets under service, such as "imagedesk".
func New(service string, opts ...Option) *Store {
	s := &Store{
		service: service,
		backend: osKeyring{},
		getenv:  os.Getenv,
		userBus: defaultUserBus(),
		dbus:    runtime.GOOS != "darwin" && runtime.GOOS != "windows",
		timeout: DefaultTimeout,
		log:     slog.New(slog.NewTextHandler(io.Discard, nil)),
		session: make(map[string]string),
	}
	for _, opt := range opts {
		opt(s)
	}
	return s
}

// PasswordKey is the key of a profile's login password.
func PasswordKey(profileName string) string {
	return "password/" + profileName
}

// PassphraseKey is the key of a signing key's passphrase.
func PassphraseKey(keyID string) string {
	return "passphrase/" + keyID
}

// Status checks whether the keyring can be used now, by reading a probe
// item, within ctx and the Store's timeout.
func (s *Store) Status(ctx context.Context) Status {
	if s.dbus && !sessionBusReachable(s.getenv, s.userBus) {
		return Status{Reason: ErrNoSessionBus}
	}

	_, err := s.call(ctx, func() (string, error) {
		return s.backend.Get(s.service, probeKey)
	})
	if err == nil || errors.Is(err, ErrNotFound) {
		return Status{Available: true}
	}
	return Status{Reason: kindOf(err)}
}

// Set stores secret under key in the keyring. With sessionOnly the secret is
// kept in memory until the program ends and SessionOnly(key) reports true; a
// session-only Set also removes an older copy from the keyring, as far as it
// can. An unavailable keyring is an *Error matching ErrUnavailable, never a
// silent switch to memory: the caller asks the user whether to keep the
// secret for the session only.
func (s *Store) Set(key, secret string, sessionOnly bool) error {
	if sessionOnly {
		s.remember(key, secret)
		if err := s.deleteStored(key); err != nil && !errors.Is(err, ErrNotFound) {
			s.log.Debug("keeping keyring copy", "op", "set", "ref", key, "err", err)
		}
		return nil
	}

	_, err := s.keyring(func() (string, error) {
		return "", s.backend.Set(s.service, key, secret)
	})
	switch {
	case err == nil:
		s.forget(key)
		return nil
	}
	return &Error{Op: "set", Key: key, Kind: kindOf(err), Err: err}
}

// Get returns the secret stored under key, from session memory first and
// then from the keyring. A missing secret is ErrNotFound; an unreachable
// keyring is an *Error matching ErrUnavailable.
func (s *Store) Get(key string) (string, error) {
	s.mu.Lock()
	secret, ok := s.session[key]
	s.mu.Unlock()
	if ok {
		return secret, nil
	}

	secret, err := s.keyring(func() (string, error) {
		return s.backend.Get(s.service, key)
	})
	if err != nil {
		return "", &Error{Op: "get", Key: key, Kind: kindOf(err), Err: err}
	}
	return secret, nil
}

// Delete removes key from session memory and from the keyring. Deleting a
// key that is stored nowhere succeeds. When the keyring is unavailable,
// Delete succeeds only if the key was held in memory.
func (s *Store) Delete(key string) error {
	inMemory := s.forget(key)

	err := s.deleteStored(key)
	switch {
	case err == nil, errors.Is(err, ErrNotFound):
		return nil
	case inMemory && errors.Is(err, ErrUnavailable):
		return nil
	}
	return &Error{Op: "delete", Key: key, Kind: kindOf(err), Err: err}
}

// SessionOnly reports whether key is held in memory only, and so will be
// forgotten when the program ends.
func (s *Store) SessionOnly(key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.session[key]
	return ok
}

// deleteStored removes key from the keyring only.
func (s *Store) deleteStored(key string) error {
	_, err := s.keyring(func() (string, error) {
		return "", s.backend.Delete(s.service, key)
	})
	return err
}

// remember keeps a session-only secret.
func (s *Store) remember(key, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.session[key] = secret
}

// forget drops a session-only secret and reports whether there was one.
func (s *Store) forget(key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.session[key]
	delete(s.session, key)
	return ok
}

// keyring runs one keyring call after the session bus check. Its error is
// a classified keyring error (see call).
func (s *Store) keyring(f func() (string, error)) (string, error) {
	if s.dbus && !sessionBusReachable(s.getenv, s.userBus) {
		return "", ErrNoSessionBus
	}
	return s.call(context.Background(), f)
}

// call runs f within ctx and the Store's timeout and returns its result;
// a keyring error comes back as *classifiedError, running out of time as
// ErrTimeout.
func (s *Store) call(ctx context.Context, f func() (string, error)) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()

	type result struct {
		value string
		err   error
	}
	done := make(chan result, 1)
	go func() {
		// TODO: a keyring call cannot be cancelled; after a timeout this
		// goroutine waits until D-Bus answers or the program ends.
		v, err := f()
		done <- result{v, err}
	}()

	select {
	case r := <-done:
		if r.err != nil {
			return "", &classifiedError{kind: classify(r.err), err: r.err}
		}
		return r.value, nil
	case <-ctx.Done():
		return "", ErrTimeout
	}
}

// classifiedError is a keyring error with the sentinel it maps to.
type classifiedError struct {
	kind error
	err  error
}

// Error returns the keyring's own message.
func (e *classifiedError) Error() string { return e.err.Error() }

// Unwrap exposes the sentinel kind and the keyring error.
func (e *classifiedError) Unwrap() []error { return []error{e.kind, e.err} }

// kindOf returns the sentinel error that err stands for.
func kindOf(err error) error {
	var ce *classifiedError
	if errors.As(err, &ce) {
		return ce.kind
	}
	for _, k := range []error{ErrNotFound, ErrTooBig, ErrNoSessionBus, ErrNoService,
		ErrLocked, ErrTimeout, ErrUnsupported} {
		if errors.Is(err, k) {
			return k
		}
	}
	return ErrUnavailable
}

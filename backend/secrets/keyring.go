package secrets

import (
	"errors"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/godbus/dbus/v5"
	"github.com/zalando/go-keyring"
)

// Backend is the keyring a Store writes to. Its methods follow go-keyring:
// user is the Store's key, and a missing item is keyring.ErrNotFound.
type Backend interface {
	Set(service, user, secret string) error
	Get(service, user string) (string, error)
	Delete(service, user string) error
}

// osKeyring is the Backend of the operating system, through go-keyring.
type osKeyring struct{}

// Set stores the secret in the OS keyring.
func (osKeyring) Set(service, user, secret string) error {
	return keyring.Set(service, user, secret)
}

// Get reads a secret from the OS keyring.
func (osKeyring) Get(service, user string) (string, error) {
	return keyring.Get(service, user)
}

// Delete removes a secret from the OS keyring.
func (osKeyring) Delete(service, user string) error {
	return keyring.Delete(service, user)
}

// D-Bus error names the classification looks for.
const (
	dbusServiceUnknown = "org.freedesktop.DBus.Error.ServiceUnknown"
	dbusNoReply        = "org.freedesktop.DBus.Error.NoReply"
	dbusTimeout        = "org.freedesktop.DBus.Error.Timeout"
	dbusNoServer       = "org.freedesktop.DBus.Error.NoServer"
	secretIsLocked     = "org.freedesktop.Secret.Error.IsLocked"
	secretNoSession    = "org.freedesktop.Secret.Error.NoSession"
)

// classify maps a keyring error to one of the package's sentinel errors.
// Unknown failures count as ErrUnavailable.
func classify(err error) error {
	switch {
	case errors.Is(err, keyring.ErrNotFound):
		return ErrNotFound
	case errors.Is(err, keyring.ErrSetDataTooBig):
		return ErrTooBig
	case errors.Is(err, keyring.ErrUnsupportedPlatform):
		return ErrUnsupported
	}

	if name, ok := dbusErrorName(err); ok {
		switch name {
		case dbusServiceUnknown:
			return ErrNoService
		case secretIsLocked:
			return ErrLocked
		case dbusNoReply, dbusTimeout:
			return ErrTimeout
		case dbusNoServer:
			return ErrNoSessionBus
		case secretNoSession:
			return ErrUnavailable
		}
	}

	var execErr *exec.Error
	var netErr *net.OpError
	msg := err.Error()
	switch {
	case errors.As(err, &execErr), errors.As(err, &netErr),
		errors.Is(err, os.ErrNotExist),
		strings.Contains(msg, "dbus-launch"),
		strings.Contains(msg, "session bus"):
		return ErrNoSessionBus
	case strings.Contains(msg, "failed to unlock"):
		// go-keyring's words when an unlock prompt was dismissed.
		return ErrLocked
	}
	return ErrUnavailable
}

// dbusErrorName returns the D-Bus error name carried by err, if any.
func dbusErrorName(err error) (string, bool) {
	var value dbus.Error
	if errors.As(err, &value) {
		return value.Name, true
	}
	var ptr *dbus.Error
	if errors.As(err, &ptr) && ptr != nil {
		return ptr.Name, true
	}
	return "", false
}

// sessionBusReachable reports whether a D-Bus session bus may be reachable,
// without connecting to it. It reads DBUS_SESSION_BUS_ADDRESS through
// getenv; when that is empty the per-user socket userBus is checked instead,
// as D-Bus clients do. Only unix path sockets can be checked; any other
// transport counts as reachable. Autolaunch counts as unreachable: it would
// leave daemons behind.
func sessionBusReachable(getenv func(string) string, userBus string) bool {
	address := getenv("DBUS_SESSION_BUS_ADDRESS")
	if address == "" || address == "autolaunch:" {
		return socketExists(userBus)
	}

	for _, entry := range strings.Split(address, ";") {
		transport, params, ok := strings.Cut(entry, ":")
		if !ok {
			continue
		}
		switch transport {
		case "autolaunch", "":
			continue
		case "unix":
			if path, ok := busParam(params, "path"); ok {
				if socketExists(path) {
					return true
				}
				continue
			}
			if _, ok := busParam(params, "runtime"); ok {
				dir := getenv("XDG_RUNTIME_DIR")
				if dir != "" && socketExists(filepath.Join(dir, "bus")) {
					return true
				}
				continue
			}
			// Abstract sockets and directories cannot be checked here.
			return true
		default:
			return true
		}
	}
	return false
}

// busParam returns the unescaped value of one key of a D-Bus address entry.
func busParam(params, key string) (string, bool) {
	for _, kv := range strings.Split(params, ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k != key {
			continue
		}
		unescaped, err := url.PathUnescape(v)
		if err != nil {
			return v, true
		}
		return unescaped, true
	}
	return "", false
}

// socketExists reports whether path names a unix socket.
func socketExists(path string) bool {
	if path == "" {
		return false
	}
	fi, err := os.Stat(path)
	return err == nil && fi.Mode()&os.ModeSocket != 0
}

// defaultUserBus returns the per-user bus socket D-Bus clients try when no
// address is set.
func defaultUserBus() string {
	return "/run/user/" + strconv.Itoa(os.Getuid()) + "/bus"
}

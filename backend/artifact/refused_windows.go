//go:build windows

package artifact

import (
	"errors"
	"syscall"
)

// wsaeconnrefused is the Winsock code for a refused connection, which
// syscall.ECONNREFUSED does not match on Windows.
const wsaeconnrefused = syscall.Errno(10061)

// isRefusedOS reports the Winsock form of a refused connection.
func isRefusedOS(err error) bool { return errors.Is(err, wsaeconnrefused) }

//go:build !unix

package registry

import (
	"errors"
	"os"
)

// freeSpace is not implemented here, so Pull skips its free-space check.
// TODO: use GetDiskFreeSpaceExW on Windows so a pull is refused before it
// starts rather than failing when the disk fills.
func freeSpace(string) (uint64, error) {
	return 0, errors.ErrUnsupported
}

// diskFull reports whether err is a write refused for lack of space.
// TODO: recognise ERROR_DISK_FULL and ERROR_HANDLE_DISK_FULL on Windows; until
// then a full disk there shows as a plain write error.
func diskFull(err error) bool { return false }

// startWriteback does nothing here; the sync before the rename writes it all.
func startWriteback(*os.File, int64, int64) {}

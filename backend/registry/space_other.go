//go:build !unix

package registry

import "errors"

// freeSpace is not implemented here, so Pull skips its free-space check.
// TODO: use GetDiskFreeSpaceExW on Windows so a pull is refused before it
// starts rather than failing when the disk fills.
func freeSpace(string) (uint64, error) {
	return 0, errors.ErrUnsupported
}

//go:build unix

package registry

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// freeSpace returns the bytes an unprivileged user may still write in dir.
func freeSpace(dir string) (uint64, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return 0, err
	}
	return uint64(st.Bavail) * uint64(st.Bsize), nil
}

// diskFull reports whether err is a write refused for lack of space: a full
// disk, a quota, or a file size limit.
func diskFull(err error) bool {
	return errors.Is(err, unix.ENOSPC) || errors.Is(err, unix.EDQUOT) ||
		errors.Is(err, unix.EFBIG)
}

// startWriteback asks the kernel to start writing a range of f to disk without
// waiting for it; where that cannot be asked, it does nothing.
func startWriteback(f *os.File, off, n int64) {
	startRange(int(f.Fd()), off, n)
}

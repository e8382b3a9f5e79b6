package registry

import "golang.org/x/sys/unix"

// startRange starts the writeback of a file range (sync_file_range).
func startRange(fd int, off, n int64) {
	_ = unix.SyncFileRange(fd, off, n, unix.SYNC_FILE_RANGE_WRITE)
}

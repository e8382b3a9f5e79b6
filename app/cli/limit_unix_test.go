//go:build unix

package cli

import (
	"strconv"
	"syscall"
)

// limitFileSize caps the size of files this process writes, in bytes; a write
// past it fails with EFBIG (Go ignores the SIGXFSZ signal).
func limitFileSize(s string) {
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return
	}
	syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: n, Max: n})
}

//go:build !windows

package artifact

// isRefusedOS reports operating-system-specific forms of a refused
// connection; syscall.ECONNREFUSED already covers this platform.
func isRefusedOS(error) bool { return false }

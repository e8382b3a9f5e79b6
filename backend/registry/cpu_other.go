//go:build !linux

package registry

// cpuTimes reports that the machine's CPU times are not known here.
func cpuTimes() (idle, total uint64, ok bool) { return 0, 0, false }

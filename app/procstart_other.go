//go:build !linux

package app

import "time"

// loaded is when this package was initialised, the nearest point to the
// process start that can be read without /proc.
var loaded = time.Now()

// sinceProcessStart returns the milliseconds since this package was loaded;
// only Linux can tell the process start itself.
func sinceProcessStart() (int64, bool) {
	return time.Since(loaded).Milliseconds(), true
}

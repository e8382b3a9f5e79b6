// Package paths decides where ImageDesk keeps its configuration, data, cache and
// logs, following each operating system's conventions. One --data-dir flag puts all
// four under a single directory, which is what tests and portable installs use.
package paths

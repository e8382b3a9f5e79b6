//go:build !unix

package cli

// limitFileSize is not available here; the disk-full test does not run.
func limitFileSize(string) {}

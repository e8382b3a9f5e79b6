// Package testregistry runs Debian's docker-registry (CNCF distribution 2.8) for
// tests, on a loopback port with storage in a temporary directory, and can stop
// and start it again on the same port and storage.
//
// Only tests use this package.
package testregistry

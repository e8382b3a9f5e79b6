// Package badinput holds the malformed archives and form values that the bad-input
// tests of the window and of the command line feed to an upload, and a proxy
// that records every request reaching the registry, so that both suites try the
// same inputs and check the same thing: refused with a translated code before
// anything is sent.
//
// Only tests import it.
package badinput

// Package reliability collects what the fault and bad-input tests saw, so that
// docs/RELIABILITY.md is written from a real run rather than by hand.
//
// A test calls Record after it has checked its case. When the environment
// variable IMAGEDESK_RELIABILITY names a file, each row is appended to it as one
// JSON line; otherwise rows are only checked. Either way Record fails the test
// when the code the user sees has no sentence in every language of the window.
//
// Only tests use this package.
package reliability

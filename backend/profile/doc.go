// Package profile describes a server profile: where an artifact repository's
// API and registry live, how to reach them (CA bundle, proxy, plain HTTP) and
// which repositories of that server the user works with.
//
// A Profile never holds a secret. Passwords and passphrases live in package
// secrets and are looked up by the profile's name when they are needed.
//
// The package checks a profile with Validate, which returns typed field
// errors, builds image references from the profile's template with
// Reference, and builds the HTTP transport every client of that server uses
// with Transport.
package profile

// Package secrets keeps passwords and key passphrases in the operating
// system's keyring, with a session-only fallback in memory.
//
// On Linux and the BSDs the keyring is the Secret Service reached over the
// D-Bus session bus. When there is no session bus the package says so
// without calling the keyring at all: asking anyway would start a D-Bus and
// a keyring daemon that outlive the program. When the keyring cannot be
// used, Set keeps the secret in memory for the rest of the session and
// SessionOnly reports it, so the app can tell the user it will not be
// remembered.
//
// Secrets never appear in an error, a log line or a file written by this
// package.
package secrets

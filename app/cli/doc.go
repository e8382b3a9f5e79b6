// Package cli is ImageDesk's command line: every window action is also a
// subcommand of the same binary, for scripts. Without a subcommand the window opens.
// Errors go to stderr with a non-zero exit code; --json gives output for scripts.
package cli

package cli

import (
	"os"
	"testing"
)

// TestMain lets a test run the command line in a child process, for behaviour that
// needs a process of its own (signals): the child is this test binary with
// IMAGEDESK_CLI_CHILD=1 and the command line after "--". IMAGEDESK_CLI_FSIZE
// limits the size of any file the child writes, as a full disk would.
func TestMain(m *testing.M) {
	if os.Getenv("IMAGEDESK_CLI_CHILD") == "1" {
		args := os.Args
		for i, a := range args {
			if a == "--" {
				args = args[i+1:]
				break
			}
		}
		limitFileSize(os.Getenv("IMAGEDESK_CLI_FSIZE"))
		home, _ := os.UserHomeDir()
		os.Exit(Run(args, Options{
			Getenv: os.Getenv, Home: home,
			Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
		}))
	}
	os.Exit(m.Run())
}

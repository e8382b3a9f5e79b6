package reports

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
)

// Opener opens files with the operating system's default application. The
// zero value works for the running system.
type Opener struct {
	// GOOS selects the command; empty means runtime.GOOS.
	GOOS string
	// Start runs the command without waiting for it; nil means a detached
	// process whose exit is reaped in the background. Tests replace it.
	Start func(name string, args ...string) error
}

// Open opens path with the default application of the running system.
func Open(path string) error { return Opener{}.Open(path) }

// Open opens path, which must be an absolute path to an existing regular
// file, with the default application and returns once it has started.
func (o Opener) Open(path string) error {
	if !filepath.IsAbs(path) {
		return fmt.Errorf("opening %q: %w: not an absolute path", path, ErrNotOpenable)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("opening %q: %w: %w", path, ErrNotOpenable, err)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("opening %q: %w: not a regular file", path, ErrNotOpenable)
	}

	goos := o.GOOS
	if goos == "" {
		goos = runtime.GOOS
	}
	name, args, err := OpenCommand(goos, path)
	if err != nil {
		return fmt.Errorf("opening %q: %w", path, err)
	}
	start := o.Start
	if start == nil {
		start = startDetached
	}
	if err := start(name, args...); err != nil {
		return fmt.Errorf("opening %q with %s: %w", path, name, err)
	}
	return nil
}

// OpenCommand returns the program and arguments that open path with the
// default application on goos: xdg-open on Linux and the BSDs, open on macOS,
// and rundll32's FileProtocolHandler on Windows, which unlike `cmd /c start`
// does not pass the path through a shell.
func OpenCommand(goos, path string) (name string, args []string, err error) {
	switch goos {
	case "linux", "freebsd", "openbsd", "netbsd", "dragonfly":
		return "xdg-open", []string{path}, nil
	case "darwin":
		return "open", []string{path}, nil
	case "windows":
		return "rundll32", []string{"url.dll,FileProtocolHandler", path}, nil
	}
	return "", nil, fmt.Errorf("%w: no opener known for %s", ErrNotOpenable, goos)
}

// startDetached starts the command with no standard streams and reaps it in
// the background so it leaves no zombie.
func startDetached(name string, args ...string) error {
	cmd := exec.Command(name, args...)
	if err := cmd.Start(); err != nil {
		return err
	}
	go cmd.Wait() //nolint:errcheck // the opener's exit status carries no information
	return nil
}

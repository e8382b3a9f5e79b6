package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"imagedesk/app"
)

// session is one headless command's app, opened on the same store and keyring as
// the window.
type session struct {
	app   *app.App
	close func()
}

// open builds the app for a headless command.
func (g *globals) open(ctx context.Context) (*session, error) {
	d, err := g.dirs()
	if err != nil {
		return nil, err
	}
	log, closer := app.NewLogger(d.Log, g.verbose)
	a, err := app.New(ctx, app.Config{
		Dirs: d, Getenv: g.opts.Getenv, Logger: log, Keyring: g.opts.Keyring,
	})
	if err != nil {
		closer.Close()
		return nil, err
	}
	return &session{app: a, close: func() { a.Close(); closer.Close() }}, nil
}

// withSandbox starts the embedded sandbox when the profile named is the sandbox's,
// so that headless commands can use it while no window runs.
func (s *session) withSandbox(ctx context.Context, profile string) error {
	if profile != app.SandboxProfile {
		return nil
	}
	return s.app.StartSandbox(ctx)
}

// readPassword reads a password from the terminal without echo, or one line from
// a pipe. It never comes from an argument.
func readPassword(in io.Reader, prompt io.Writer, fromStdin bool) (string, error) {
	if f, ok := in.(*os.File); ok && !fromStdin && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(prompt, "password: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(prompt)
		if err != nil {
			return "", fmt.Errorf("reading password: %w", err)
		}
		return string(b), nil
	}
	line, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("reading password: %w", err)
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", usageError{errors.New("no password on standard input")}
	}
	return pw, nil
}

package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"runtime"

	"github.com/spf13/cobra"

	"imagedesk/app"
	"imagedesk/backend/paths"
	"imagedesk/backend/secrets"
)

// Exit codes shared by every subcommand. Later subcommands add their own above 10.
const (
	ExitOK    = 0
	ExitError = 1
	ExitUsage = 2
)

// Options is what main hands the command line: the built frontend and the process
// environment, read once.
type Options struct {
	Assets fs.FS
	// Catalogs holds the window's translations (en.json, zh-CN.json); errors
	// are described with them. Nil prints errors as they are.
	Catalogs fs.FS
	Getenv   func(string) string
	Home     string
	Stdin    io.Reader
	Stdout   io.Writer
	Stderr   io.Writer
	// Keyring replaces the OS keyring; nil uses the OS keyring.
	Keyring secrets.Backend
}

// globals are the flags every subcommand accepts.
type globals struct {
	opts    Options
	dataDir string
	verbose bool
}

// Run executes the command line in args (without the program name) and returns the
// process exit code.
func Run(args []string, opts Options) int {
	g := &globals{opts: opts}
	root := newRoot(g)
	root.SetArgs(args)
	root.SetIn(opts.Stdin)
	root.SetOut(opts.Stdout)
	root.SetErr(opts.Stderr)
	err := root.Execute()
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		msg := ee.msg
		if msg == "" && ee.err != nil {
			msg = describe(ee.err, opts.Catalogs, opts.Getenv)
		}
		if msg != "" {
			fmt.Fprintln(opts.Stderr, "imagedesk: "+msg)
		}
		return ee.code
	}
	fmt.Fprintln(opts.Stderr, "imagedesk: "+describe(err, opts.Catalogs, opts.Getenv))
	if isUsage(err) {
		return ExitUsage
	}
	return ExitError
}

func newRoot(g *globals) *cobra.Command {
	root := &cobra.Command{
		Use:   "imagedesk",
		Short: "Publish container images to an artifact repository",
		Long: "ImageDesk publishes container images to a company artifact repository.\n" +
			"Without a command it opens the window; every window action is also a command.",
		SilenceUsage:  true,
		SilenceErrors: true,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageError{fmt.Errorf("unknown command %q; see 'imagedesk help'", args[0])}
			}
			return nil
		},
		RunE: func(*cobra.Command, []string) error { return g.window() },
	}
	root.PersistentFlags().StringVar(&g.dataDir, "data-dir", "",
		"keep configuration, data, cache and logs under `DIR`")
	root.PersistentFlags().BoolVarP(&g.verbose, "verbose", "v", false, "log debug detail")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(newVersion(g), newSandbox(g), newProfile(g), newLogin(g), newHistory(g),
		newLs(g), newReport(g), newPush(g), newPull(g), newKey(g), newSign(g),
		newVerify(g))
	return root
}

// dirs resolves and creates the directories for this run.
func (g *globals) dirs() (paths.Dirs, error) {
	d, err := paths.Resolve(paths.Env{
		GOOS:    runtime.GOOS,
		Home:    g.opts.Home,
		Getenv:  g.opts.Getenv,
		DataDir: g.dataDir,
	})
	if err != nil {
		return d, err
	}
	return d, d.Create()
}

// window opens the desktop window and blocks until it is closed.
func (g *globals) window() error {
	d, err := g.dirs()
	if err != nil {
		return err
	}
	log, closer := app.NewLogger(d.Log, g.verbose)
	defer closer.Close()
	ctx := context.Background()
	a, err := app.New(ctx, app.Config{Dirs: d, Getenv: g.opts.Getenv, Logger: log})
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.StartSandbox(ctx); err != nil {
		log.Error("sandbox not started", "op", "sandbox", "err", err)
	}
	return a.Run(g.opts.Assets)
}

// logger returns the file logger for headless commands.
func (g *globals) logger() (*slog.Logger, io.Closer, error) {
	d, err := g.dirs()
	if err != nil {
		return nil, nil, err
	}
	log, closer := app.NewLogger(d.Log, g.verbose)
	return log, closer, nil
}

// usageError marks a mistake in the command line itself.
type usageError struct{ error }

func isUsage(err error) bool {
	var u usageError
	return errors.As(err, &u)
}

// exitError ends the process with a specific code and message; without a
// message, err is described.
type exitError struct {
	code int
	msg  string
	err  error
}

func (e *exitError) Error() string {
	if e.msg == "" && e.err != nil {
		return e.err.Error()
	}
	return e.msg
}

// args wraps a positional-argument rule so that a violation is a usage error.
func args(rule cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, a []string) error {
		if err := rule(cmd, a); err != nil {
			return usageError{err}
		}
		return nil
	}
}

package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"imagedesk/app"
	"imagedesk/backend/profile"
)

// InlineProfile is the name History records for a server given by flags
// rather than by a stored profile.
const InlineProfile = "inline"

// serverFlags choose the server of a command: a stored profile (--profile), or
// a server described inline for scripts, whose password comes from standard
// input and is kept nowhere.
type serverFlags struct {
	profile string
	inline  profile.Profile
	repos   []profile.Repo // inline repositories, from the command's --repo NAME=ID:KIND
	pwStdin bool
}

// add registers the flags on fs.
func (f *serverFlags) add(fs *pflag.FlagSet) {
	fs.StringVar(&f.profile, "profile", "", "use the stored server profile `NAME`")
	fs.StringVar(&f.inline.APIURL, "api", "", "inline server: artifact API base `URL`")
	fs.StringVar(&f.inline.Registry, "registry", "", "inline server: registry `HOST[:PORT]`")
	fs.StringVar(&f.inline.User, "user", "", "inline server: user `NAME`")
	fs.BoolVar(&f.pwStdin, "password-stdin", false,
		"inline server: read the password from standard input")
	fs.BoolVar(&f.inline.Insecure, "insecure", false,
		"inline server: skip TLS certificate verification (unsafe)")
	fs.StringVar(&f.inline.CAFile, "ca", "",
		"inline server: trust the CA certificates in PEM `FILE`")
	fs.BoolVar(&f.inline.PlainHTTP, "plain-http", false,
		"inline server: talk to the registry over plain HTTP")
	fs.StringVar(&f.inline.RefTemplate, "template", "", "inline server: reference template")
}

// repoFlag reads a --repo value: a repository name of the server, or for an
// inline server NAME=ID:KIND, which also declares the repository. It returns
// the name.
func (f *serverFlags) repoFlag(v string) (string, error) {
	if !strings.Contains(v, "=") {
		return v, nil
	}
	repo, err := profile.ParseRepoFlag(v)
	if err != nil {
		return "", usageError{fmt.Errorf("--repo %s: %w", v, err)}
	}
	f.repos = append(f.repos, repo)
	return repo.Name, nil
}

// isInline reports whether any inline server flag was given.
func (f *serverFlags) isInline() bool {
	p := f.inline
	return p.APIURL != "" || p.Registry != "" || p.User != "" || f.pwStdin
}

// target returns the server to use. A stored profile is looked up, starting
// the embedded sandbox when it is the sandbox's; an inline server is checked
// like a stored one and its password read from in.
func (f *serverFlags) target(ctx context.Context, s *session, in io.Reader, prompt io.Writer) (
	app.UploadTarget, error) {
	switch {
	case f.profile != "" && f.isInline():
		return app.UploadTarget{}, usageError{fmt.Errorf(
			"--profile and the inline server flags (--api, --registry, …) exclude each other")}
	case f.profile != "":
		if err := s.withSandbox(ctx, f.profile); err != nil {
			return app.UploadTarget{}, err
		}
		return s.app.Target(ctx, f.profile)
	case !f.isInline():
		return app.UploadTarget{}, usageError{fmt.Errorf(
			"name a server: --profile NAME, or --api, --registry, --user, " +
				"--repo NAME=ID:KIND and --password-stdin")}
	}
	p := f.inline
	p.Name = InlineProfile
	p.Repos = f.repos
	if err := p.Validate(); err != nil {
		return app.UploadTarget{}, usageError{fmt.Errorf("inline server: %w", err)}
	}
	pw, err := readPassword(in, prompt, f.pwStdin)
	if err != nil {
		return app.UploadTarget{}, err
	}
	return app.UploadTarget{Profile: p, Password: func() (string, error) { return pw, nil }}, nil
}

// openServer opens the app and resolves the server of a command that reads from
// it: a stored profile or an inline one, whose repository repoFlag may declare.
func (g *globals) openServer(cmd *cobra.Command, f *serverFlags, repoFlag string) (*session,
	app.UploadTarget, error) {
	if repoFlag != "" {
		if _, err := f.repoFlag(repoFlag); err != nil {
			return nil, app.UploadTarget{}, err
		}
	}
	s, err := g.open(cmd.Context())
	if err != nil {
		return nil, app.UploadTarget{}, err
	}
	t, err := f.target(cmd.Context(), s, cmd.InOrStdin(), cmd.ErrOrStderr())
	if err != nil {
		s.close()
		return nil, app.UploadTarget{}, err
	}
	return s, t, nil
}

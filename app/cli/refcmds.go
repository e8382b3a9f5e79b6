package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"imagedesk/app"
	"imagedesk/backend/profile"
	"imagedesk/backend/signing"
)

// Exit codes of `imagedesk verify`, one per badge that is not "verified".
const (
	ExitUnsigned         = 20
	ExitSignedUnverified = 21
	ExitInvalid          = 22
)

// refServer finds the stored profile for a full reference: the one named, or the
// one whose registry the reference points at.
func refServer(ctx context.Context, s *session, profileName, ref string) (profile.Profile,
	error) {
	if profileName != "" {
		if err := s.withSandbox(ctx, profileName); err != nil {
			return profile.Profile{}, err
		}
		return s.app.Profiles.Find(profileName)
	}
	host := strings.SplitN(ref, "/", 2)[0]
	list, err := s.app.Profiles.List()
	if err != nil {
		return profile.Profile{}, err
	}
	for _, v := range list {
		if v.Profile.Registry == host {
			if err := s.withSandbox(ctx, v.Profile.Name); err != nil {
				return profile.Profile{}, err
			}
			return s.app.Profiles.Find(v.Profile.Name)
		}
	}
	return profile.Profile{}, usageError{fmt.Errorf(
		"no profile has registry %s: add one, or name it with --profile", host)}
}

// refFlags choose the registry login of pull, sign and verify: a stored profile,
// or for scripts the reference's own registry with --user and --password-stdin.
type refFlags struct {
	profile string
	inline  profile.Profile
	pwStdin bool
}

func (f *refFlags) add(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.profile, "profile", "", "server profile `NAME` (default: by registry)")
	fl.StringVar(&f.inline.User, "user", "",
		"inline login: user `NAME` on the reference's registry")
	fl.BoolVar(&f.pwStdin, "password-stdin", false,
		"inline login: read the password from standard input")
	fl.BoolVar(&f.inline.PlainHTTP, "plain-http", false, "inline login: plain HTTP registry")
	fl.BoolVar(&f.inline.Insecure, "insecure", false,
		"inline login: skip TLS verification (unsafe)")
	fl.StringVar(&f.inline.CAFile, "ca", "",
		"inline login: trust the CA certificates in PEM `FILE`")
}

// refConn opens the app and resolves REF against its server.
func (g *globals) refConn(cmd *cobra.Command, f refFlags, ref string) (*session,
	*app.RefTarget, error) {
	s, err := g.open(cmd.Context())
	if err != nil {
		return nil, nil, err
	}
	if f.inline.User != "" || f.pwStdin {
		if f.profile != "" {
			s.close()
			return nil, nil, usageError{fmt.Errorf("--profile and --user exclude each other")}
		}
		pw, err := readPassword(cmd.InOrStdin(), cmd.ErrOrStderr(), f.pwStdin)
		if err != nil {
			s.close()
			return nil, nil, err
		}
		pr := f.inline
		pr.Name, pr.Registry = InlineProfile, strings.SplitN(ref, "/", 2)[0]
		rt, err := s.app.ResolveRef(pr, func() (string, error) { return pw, nil }, ref)
		if err != nil {
			s.close()
			return nil, nil, err
		}
		return s, rt, nil
	}
	pr, err := refServer(cmd.Context(), s, f.profile, ref)
	if err != nil {
		s.close()
		return nil, nil, err
	}
	rt, err := s.app.ResolveProfileRef(cmd.Context(), pr.Name, ref)
	if err != nil {
		s.close()
		return nil, nil, err
	}
	return s, rt, nil
}

func newPull(g *globals) *cobra.Command {
	var rf refFlags
	var out, format string
	cmd := &cobra.Command{
		Use:   "pull REF -o FILE",
		Short: "Download a version to an archive that docker load and skopeo accept",
		Example: "  imagedesk pull 127.0.0.1:5000/base-images/basic/aa:V5 -o aa.tar\n" +
			"  imagedesk pull REF -o aa-oci.tar --format oci",
		Args: args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			if out == "" {
				return usageError{fmt.Errorf("-o FILE is required")}
			}
			s, t, err := g.refConn(cmd, rf, a[0])
			if err != nil {
				return err
			}
			defer s.close()
			res, err := s.app.Refs().PullRef(cmd.Context(), t, format, out,
				byteProgress(cmd.ErrOrStderr(), "pull"))
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s\t%s\t%d bytes\n", out, res.Digest, res.Size)
			return nil
		},
	}
	rf.add(cmd)
	cmd.Flags().StringVarP(&out, "output", "o", "", "archive `FILE` to write")
	cmd.Flags().StringVar(&format, "format", "docker",
		"docker (docker-archive) or oci (oci-archive)")
	return cmd
}

func newKey(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "key", Short: "Manage cosign signing keys"}
	var dir string
	var pwStdin bool
	gen := &cobra.Command{
		Use:   "generate --out DIR",
		Short: "Generate an encrypted cosign key pair (cosign.key, cosign.pub)",
		Args:  args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if dir == "" {
				return usageError{fmt.Errorf("--out DIR is required")}
			}
			pass, err := readSecret(cmd, pwStdin)
			if err != nil {
				return err
			}
			kp, err := signing.GenerateKeys(func() ([]byte, error) { return []byte(pass), nil })
			if err != nil {
				return err
			}
			priv, pub, err := signing.WriteKeys(dir, kp)
			if err != nil {
				return err
			}
			fp, _ := signing.Fingerprint(kp.PublicPEM)
			fmt.Fprintf(cmd.OutOrStdout(), "%s\n%s\n%s\n", priv, pub, fp)
			return nil
		},
	}
	gen.Flags().StringVar(&dir, "out", "", "`DIR` to write cosign.key and cosign.pub to")
	gen.Flags().BoolVar(&pwStdin, "passphrase-stdin", false,
		"read the passphrase from standard input")
	cmd.AddCommand(gen)
	return cmd
}

func newSign(g *globals) *cobra.Command {
	var rf refFlags
	var key string
	var pwStdin bool
	cmd := &cobra.Command{
		Use:   "sign REF --key FILE",
		Short: "Sign a version by its digest with a cosign key (no transparency log)",
		Args:  args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			if key == "" {
				return usageError{fmt.Errorf("--key FILE is required")}
			}
			if pwStdin && rf.pwStdin {
				return usageError{fmt.Errorf(
					"--passphrase-stdin and --password-stdin cannot both read standard input")}
			}
			pass, err := readSecret(cmd, pwStdin)
			if err != nil {
				return err
			}
			s, t, err := g.refConn(cmd, rf, a[0])
			if err != nil {
				return err
			}
			defer s.close()
			d, err := s.app.Refs().SignRef(cmd.Context(), t, key,
				func() ([]byte, error) { return []byte(pass), nil })
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "signed %s@%s\n", t.Ref.Context(), d)
			return nil
		},
	}
	rf.add(cmd)
	cmd.Flags().StringVar(&key, "key", "", "cosign private key `FILE`")
	cmd.Flags().BoolVar(&pwStdin, "passphrase-stdin", false,
		"read the passphrase from standard input")
	return cmd
}

func newVerify(g *globals) *cobra.Command {
	var rf refFlags
	var pubs []string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "verify REF --pub FILE [--pub FILE...]",
		Short: "Verify a version's cosign signatures offline",
		Long: "Exit codes: 0 verified, 20 unsigned, 21 signed but no trusted key matches,\n" +
			"22 invalid (a signature that does not match), 1 other errors.",
		Args: args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			if len(pubs) == 0 {
				return usageError{fmt.Errorf("at least one --pub FILE is required")}
			}
			var keys [][]byte
			for _, p := range pubs {
				b, err := os.ReadFile(p)
				if err != nil {
					return err
				}
				keys = append(keys, b)
			}
			s, t, err := g.refConn(cmd, rf, a[0])
			if err != nil {
				return err
			}
			defer s.close()
			v, err := s.app.Refs().VerifyRef(cmd.Context(), t, keys)
			if err != nil {
				return err
			}
			if asJSON {
				_ = writeJSON(cmd.OutOrStdout(), v)
			} else {
				fmt.Fprintf(cmd.OutOrStdout(), "%s\t%s\t%s\n", v.Badge, v.Digest, v.Fingerprint)
			}
			switch signing.Badge(v.Badge) {
			case signing.BadgeVerified:
				return nil
			case signing.BadgeUnsigned:
				return &exitError{code: ExitUnsigned}
			case signing.BadgeSignedUnverified:
				return &exitError{code: ExitSignedUnverified}
			}
			return &exitError{code: ExitInvalid}
		},
	}
	rf.add(cmd)
	cmd.Flags().StringArrayVar(&pubs, "pub", nil, "trusted public key `FILE` (repeatable)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	return cmd
}

// readSecret reads a passphrase from a prompt or standard input.
func readSecret(cmd *cobra.Command, fromStdin bool) (string, error) {
	return readPassword(cmd.InOrStdin(), cmd.ErrOrStderr(), fromStdin)
}

// byteProgress prints a one-line progress on a terminal, and nothing otherwise.
func byteProgress(w io.Writer, what string) func(done, total int64) {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	last := time.Time{}
	return func(done, total int64) {
		if time.Since(last) < 100*time.Millisecond && done < total {
			return
		}
		last = time.Now()
		pct := 0
		if total > 0 {
			pct = int(done * 100 / total)
		}
		fmt.Fprintf(w, "\r%s %3d%% %d/%d bytes", what, pct, done, total)
		if done >= total {
			fmt.Fprintln(w)
		}
	}
}

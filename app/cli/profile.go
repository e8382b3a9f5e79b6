package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"imagedesk/app"
	"imagedesk/backend/profile"
)

// ExitTestFailed is the exit code of a connection test that did not pass.
const ExitTestFailed = 3

func newProfile(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "profile",
		Short: "Manage server profiles (add, list, test, rm)",
	}
	cmd.AddCommand(newProfileAdd(g), newProfileList(g), newProfileTest(g), newProfileRm(g))
	return cmd
}

func newProfileAdd(g *globals) *cobra.Command {
	var p profile.Profile
	var repos []string
	var pwStdin bool
	cmd := &cobra.Command{
		Use:   "add NAME",
		Short: "Add or replace a server profile",
		Example: "  imagedesk profile add work --api https://artifacts.example.test \\\n" +
			"    --registry registry.example.test --user me \\\n" +
			"    --repo base=1495097876821574:base --password-stdin < password.txt",
		Args: args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			p.Name = a[0]
			for _, r := range repos {
				repo, err := profile.ParseRepoFlag(r)
				if err != nil {
					return usageError{fmt.Errorf("--repo %s: %w", r, err)}
				}
				p.Repos = append(p.Repos, repo)
			}
			in := app.ProfileInput{Profile: p}
			if pwStdin {
				pw, err := readPassword(cmd.InOrStdin(), cmd.ErrOrStderr(), true)
				if err != nil {
					return err
				}
				in.Password = pw
			}
			s, err := g.open(cmd.Context())
			if err != nil {
				return err
			}
			defer s.close()
			if old, err := s.app.Profiles.Find(p.Name); err == nil {
				in.Profile.ID = old.ID
			}
			v, err := s.app.Profiles.Save(in)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "profile %s saved (password kept: %v)\n",
				v.Profile.Name, v.HasPassword)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&p.APIURL, "api", "", "artifact API base `URL`")
	f.StringVar(&p.Registry, "registry", "", "registry `HOST[:PORT]`")
	f.BoolVar(&p.PlainHTTP, "plain-http", false, "talk to the registry over plain HTTP")
	f.StringVar(&p.CAFile, "ca", "", "trust the CA certificates in PEM `FILE`")
	f.BoolVar(&p.Insecure, "insecure", false, "skip TLS certificate verification (unsafe)")
	f.StringVar(&p.Proxy, "proxy", "", "proxy `URL`")
	f.StringVar(&p.RefTemplate, "template", "", "reference template (default "+
		profile.DefaultRefTemplate+")")
	f.StringVar(&p.User, "user", "", "user `NAME`")
	f.StringArrayVar(&repos, "repo", nil, "repository as `NAME=ID:KIND` (KIND base or business)")
	f.BoolVar(&pwStdin, "password-stdin", false, "read the password from standard input")
	f.StringArrayVar(&p.TrustedKeys, "trusted-key", nil,
		"trust the cosign public key `FILE` (repeatable)")
	f.BoolVar(&p.VerifyBeforePull, "verify-before-pull", false,
		"download only versions with a verified signature")
	f.BoolVar(&p.FixedCompression, "fixed-compression", false,
		"compress layers at one gzip level: the same layer always gets the same digest")
	return cmd
}

func newProfileList(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List server profiles",
		Args:  args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := g.open(cmd.Context())
			if err != nil {
				return err
			}
			defer s.close()
			list, err := s.app.Profiles.List()
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), list)
			}
			printProfiles(cmd.OutOrStdout(), list)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	return cmd
}

func printProfiles(out io.Writer, list []app.ProfileView) {
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "NAME\tAPI\tREGISTRY\tUSER\tREPOS\tPASSWORD")
	for _, v := range list {
		pw := "none"
		if v.HasPassword {
			pw = "keyring"
			if v.SessionOnly {
				pw = "session"
			}
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%d\t%s\n", v.Profile.Name, v.Profile.APIURL,
			v.Profile.Registry, v.Profile.User, len(v.Profile.Repos), pw)
	}
	w.Flush()
}

func newProfileTest(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "test NAME",
		Short: "Log in to a profile's artifact API and registry, separately",
		Args:  args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			s, err := g.open(cmd.Context())
			if err != nil {
				return err
			}
			defer s.close()
			if err := s.withSandbox(cmd.Context(), a[0]); err != nil {
				return err
			}
			res, err := s.app.Profiles.Test(a[0])
			if err != nil {
				return err
			}
			if asJSON {
				if err := writeJSON(cmd.OutOrStdout(), res); err != nil {
					return err
				}
			} else {
				printCheck(cmd.OutOrStdout(), "api", res.API)
				printCheck(cmd.OutOrStdout(), "registry", res.Registry)
			}
			if !res.API.OK || !res.Registry.OK {
				return &exitError{code: ExitTestFailed}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	return cmd
}

func printCheck(out io.Writer, what string, c app.Check) {
	if c.OK {
		fmt.Fprintf(out, "%-9s ok (%d ms)\n", what, c.MS)
		return
	}
	fmt.Fprintf(out, "%-9s failed: %s: %s\n", what, c.Code, c.Detail)
}

func newProfileRm(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "rm NAME",
		Short: "Remove a server profile and its password",
		Args:  args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			s, err := g.open(cmd.Context())
			if err != nil {
				return err
			}
			defer s.close()
			if err := s.app.Profiles.Delete(a[0]); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "profile %s removed\n", a[0])
			return nil
		},
	}
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

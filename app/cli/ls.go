package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"imagedesk/app"
)

func newLs(g *globals) *cobra.Command {
	var profileName string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "ls [REPO[/NAMESPACE/IMAGE]]",
		Short: "List repositories, images, or an image's versions (naturally sorted)",
		Example: "  imagedesk ls --profile Sandbox\n" +
			"  imagedesk ls base-images --profile Sandbox\n" +
			"  imagedesk ls base-images/basic/aa --profile Sandbox --json",
		Args: args(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			s, err := g.openProfile(cmd, profileName)
			if err != nil {
				return err
			}
			defer s.close()
			out := cmd.OutOrStdout()
			pr, err := s.app.Profiles.Find(profileName)
			if err != nil {
				return err
			}
			if len(a) == 0 {
				if asJSON {
					return writeJSON(out, pr.Repos)
				}
				for _, r := range pr.Repos {
					fmt.Fprintf(out, "%s\t%s\t%s\n", r.Name, r.IDString(), r.Kind)
				}
				return nil
			}
			repoName, image, _ := strings.Cut(a[0], "/")
			repo, ok := pr.FindRepo(repoName)
			if !ok {
				return usageError{fmt.Errorf("profile %s has no repository %q", profileName,
					repoName)}
			}
			if image == "" {
				l, err := s.app.Browse.Images(profileName, repo.IDString())
				if err != nil {
					return err
				}
				offline(cmd.ErrOrStderr(), l.Listed)
				if asJSON {
					return writeJSON(out, l)
				}
				for _, im := range l.Images {
					fmt.Fprintln(out, im.Path)
				}
				return nil
			}
			l, err := s.app.Browse.Versions(profileName, repo.IDString(), image)
			if err != nil {
				return err
			}
			offline(cmd.ErrOrStderr(), l.Listed)
			if asJSON {
				return writeJSON(out, l)
			}
			for _, v := range l.Versions {
				marks := ""
				if v.Newest {
					marks += "\tnewest"
				}
				if v.Signed {
					marks += "\tsigned"
				}
				fmt.Fprintln(out, v.Name+marks)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&profileName, "profile", app.SandboxProfile, "profile `NAME`")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	return cmd
}

// offline warns on stderr that a listing came from the cache.
func offline(w io.Writer, l app.Listed) {
	if l.Offline {
		fmt.Fprintf(w, "imagedesk: offline (%s), showing the listing cached at %s\n",
			l.ErrorCode, l.FetchedAt.Local().Format("2006-01-02 15:04:05"))
	}
}

// openProfile opens the app for a command that talks to a profile's server,
// starting the embedded sandbox when that profile is the sandbox's.
func (g *globals) openProfile(cmd *cobra.Command, profileName string) (*session, error) {
	if profileName == "" {
		return nil, usageError{fmt.Errorf("--profile is required")}
	}
	s, err := g.open(cmd.Context())
	if err != nil {
		return nil, err
	}
	if err := s.withSandbox(cmd.Context(), profileName); err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

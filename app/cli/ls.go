package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"imagedesk/app"
)

func newLs(g *globals) *cobra.Command {
	var server serverFlags
	var repoFlag string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "ls [REPO[/NAMESPACE/IMAGE]]",
		Short: "List repositories, images, or an image's versions (naturally sorted)",
		Example: "  imagedesk ls --profile Sandbox\n" +
			"  imagedesk ls base-images --profile Sandbox\n" +
			"  imagedesk ls base-images/basic/aa --profile Sandbox --json\n" +
			"  imagedesk ls base/basic/aa --api URL --registry HOST --user U \\\n" +
			"    --repo base=1495097876821574:base --password-stdin < pw",
		Args: args(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			s, t, err := g.openServer(cmd, &server, repoFlag)
			if err != nil {
				return err
			}
			defer s.close()
			return list(cmd, s, t, a, asJSON)
		},
	}
	server.add(cmd.Flags())
	cmd.Flags().StringVar(&repoFlag, "repo", "",
		"inline server: declare its repository as `NAME=ID:KIND`")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	return cmd
}

func list(cmd *cobra.Command, s *session, t app.UploadTarget, a []string, asJSON bool) error {
	out, ctx, pr := cmd.OutOrStdout(), cmd.Context(), t.Profile
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
		return usageError{fmt.Errorf("server %s has no repository %q", pr.Name, repoName)}
	}
	if image == "" {
		l, err := s.app.Refs().Images(ctx, pr, t.Password, repo.IDString())
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
	l, err := s.app.Refs().Versions(ctx, pr, t.Password, repo.IDString(), image)
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
}

// offline warns on stderr that a listing came from the cache.
func offline(w io.Writer, l app.Listed) {
	if l.Offline {
		fmt.Fprintf(w, "imagedesk: offline (%s), showing the listing cached at %s\n",
			l.ErrorCode, l.FetchedAt.Local().Format("2006-01-02 15:04:05"))
	}
}

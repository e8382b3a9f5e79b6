package cli

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"imagedesk/app"
)

func newVersion(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the version and build details",
		Args:  args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			info := app.Build()
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(info)
			}
			commit := info.Commit
			if commit == "" {
				commit = "unknown"
			}
			_, err := fmt.Fprintf(out, "imagedesk %s\ncommit %s\nbuilt %s\n%s %s, wails %s\n",
				info.Version, commit, orUnknown(info.Date), info.GoVersion, info.Platform,
				orUnknown(info.WailsVersion))
			return err
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	return cmd
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

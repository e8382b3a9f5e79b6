package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"imagedesk/app"
)

func newLogin(g *globals) *cobra.Command {
	var name string
	var pwStdin bool
	cmd := &cobra.Command{
		Use:   "login --profile NAME",
		Short: "Keep a profile's password in the OS keyring",
		Long: "Reads the password from a prompt, or from standard input with --password-stdin,\n" +
			"and keeps it in the OS keyring. It is never taken from an argument.",
		Args: args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if name == "" {
				return usageError{fmt.Errorf("--profile is required")}
			}
			s, err := g.open(cmd.Context())
			if err != nil {
				return err
			}
			defer s.close()
			v, err := s.app.Profiles.Find(name)
			if err != nil {
				return err
			}
			pw, err := readPassword(cmd.InOrStdin(), cmd.ErrOrStderr(), pwStdin)
			if err != nil {
				return err
			}
			in := app.ProfileInput{Profile: v, Password: pw}
			if _, err := s.app.Profiles.Save(in); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "password for %s kept in the keyring\n", name)
			return nil
		},
	}
	cmd.Flags().StringVar(&name, "profile", "", "profile `NAME`")
	cmd.Flags().BoolVar(&pwStdin, "password-stdin", false, "read the password from standard input")
	return cmd
}

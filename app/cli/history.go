package cli

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"imagedesk/backend/store"
)

func newHistory(g *globals) *cobra.Command {
	var f store.Filter
	var kinds, statuses []string
	var asJSON bool
	var csvOut string
	cmd := &cobra.Command{
		Use:   "history",
		Short: "Show the history of uploads, downloads, signatures and reports",
		Args:  args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			for _, k := range kinds {
				f.Kinds = append(f.Kinds, store.Kind(k))
			}
			for _, s := range statuses {
				f.Statuses = append(f.Statuses, store.Status(s))
			}
			s, err := g.open(cmd.Context())
			if err != nil {
				return err
			}
			defer s.close()
			if csvOut != "" {
				return s.app.History.ExportCSV(f, csvOut)
			}
			page, err := s.app.History.Query(f)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), page)
			}
			printHistory(cmd.OutOrStdout(), page)
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringSliceVar(&kinds, "kind", nil, "only these kinds (upload, download, sign, …)")
	fl.StringSliceVar(&statuses, "status", nil, "only these statuses (succeeded, failed, …)")
	fl.StringVar(&f.Text, "text", "",
		"only events whose image, version, ref or repo contain `TEXT`")
	fl.StringVar(&f.Profile, "profile", "", "only events of profile `NAME`")
	fl.IntVar(&f.Limit, "limit", 50, "at most `N` events")
	fl.BoolVar(&asJSON, "json", false, "print as JSON")
	fl.StringVar(&csvOut, "csv", "", "write every matching event to CSV `FILE` (absolute path)")
	return cmd
}

func printHistory(out io.Writer, p store.Page) {
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tSTARTED\tKIND\tSTATUS\tPROFILE\tSUBJECT\tERROR")
	for _, e := range p.Events {
		subject := e.Ref
		if subject == "" && e.Image != "" {
			subject = e.Image + ":" + e.Version
		}
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", e.ID,
			e.StartedAt.Local().Format(time.DateTime), e.Kind, e.Status, e.Profile, subject,
			e.ErrCode)
	}
	w.Flush()
	fmt.Fprintf(out, "%d of %d events\n", len(p.Events), p.Total)
}

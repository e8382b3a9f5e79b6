package cli

import (
	"fmt"
	"os"
	"path"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"imagedesk/app"
	"imagedesk/backend/reports"
)

// Exit codes of `imagedesk report`.
const (
	ExitReportPending  = 10 // the server has not generated the report yet
	ExitReportNotFound = 11 // the version does not exist
)

func newReport(g *globals) *cobra.Command {
	var server serverFlags
	var out, repoFlag string
	var open bool
	var wait time.Duration
	cmd := &cobra.Command{
		Use:   "report REPO NAMESPACE/IMAGE VERSION",
		Short: "Download a version's scan report (.xlsx)",
		Long: "Downloads the scan report the server generates after each upload. Exit code\n" +
			"10 means the report is not generated yet (try again, or use --wait), 11 that\n" +
			"the version does not exist; other failures exit 1.",
		Example: "  imagedesk report base-images basic/aa V5 --profile Sandbox \\\n" +
			"    -o aa-V5.xlsx --wait 1m",
		Args: args(cobra.ExactArgs(3)),
		RunE: func(cmd *cobra.Command, a []string) error {
			s, t, err := g.openServer(cmd, &server, repoFlag)
			if err != nil {
				return err
			}
			defer s.close()
			repo, ok := t.Profile.FindRepo(a[0])
			if !ok {
				return usageError{fmt.Errorf("server %s has no repository %q", t.Profile.Name,
					a[0])}
			}
			ns, image := path.Split(strings.Trim(a[1], "/"))
			ns = strings.TrimSuffix(ns, "/")
			if ns == "" || image == "" {
				return usageError{fmt.Errorf("image %q must be NAMESPACE/IMAGE", a[1])}
			}
			v, err := waitReport(cmd, wait, func() (app.ReportView, error) {
				return s.app.Refs().Report(cmd.Context(), t.Profile, t.Password,
					repo.IDString(), ns, image, a[2])
			})
			if err != nil {
				return err
			}
			return finishReport(cmd, v, out, open)
		},
	}
	f := cmd.Flags()
	server.add(f)
	f.StringVar(&repoFlag, "repo", "", "inline server: declare its repository as `NAME=ID:KIND`")
	f.StringVarP(&out, "output", "o", "", "also save the report to `FILE`")
	f.BoolVar(&open, "open", false, "open it with the default application")
	f.DurationVar(&wait, "wait", 0, "wait up to `D` for a report not generated yet")
	return cmd
}

// waitReport fetches until the report is no longer pending or wait has passed,
// backing off between tries.
func waitReport(cmd *cobra.Command, wait time.Duration,
	fetch func() (app.ReportView, error)) (app.ReportView, error) {
	deadline := time.Now().Add(wait)
	backoff := reports.NewBackoff(time.Second, 15*time.Second)
	for {
		v, err := fetch()
		if err != nil || v.State != string(reports.StatePending) || time.Now().After(deadline) {
			return v, err
		}
		d := min(backoff.Next(), time.Until(deadline))
		select {
		case <-cmd.Context().Done():
			return v, cmd.Context().Err()
		case <-time.After(max(d, 0)):
		}
	}
}

func finishReport(cmd *cobra.Command, v app.ReportView, out string, open bool) error {
	w := cmd.OutOrStdout()
	switch v.State {
	case string(reports.StatePending):
		return &exitError{code: ExitReportPending,
			msg: "the scan report is not generated yet; the server makes it after each upload"}
	case string(reports.StateFailed):
		if v.Failure == string(reports.FailureNotFound) {
			return &exitError{code: ExitReportNotFound, msg: "no such version"}
		}
		return &exitError{code: ExitError, msg: "report failed: " + v.Failure + ": " + v.ErrorCode}
	}
	if v.Offline {
		fmt.Fprintf(cmd.ErrOrStderr(), "imagedesk: offline, using the report cached at %s\n",
			v.FetchedAt.Local().Format("2006-01-02 15:04:05"))
	}
	if out != "" {
		b, err := os.ReadFile(v.Path)
		if err != nil {
			return err
		}
		if err := os.WriteFile(out+".partial", b, 0o644); err != nil {
			return err
		}
		if err := os.Rename(out+".partial", out); err != nil {
			return err
		}
		fmt.Fprintln(w, out)
	} else {
		fmt.Fprintln(w, v.Path)
	}
	if v.Summary != nil {
		for _, sh := range v.Summary.Sheets {
			fmt.Fprintf(w, "  %-12s %d rows\n", sh.Name, sh.Rows)
		}
		for _, sev := range []string{"CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN"} {
			if n := v.Summary.Findings[sev]; n > 0 {
				fmt.Fprintf(w, "  %-12s %d\n", sev, n)
			}
		}
	}
	if open {
		return reports.Open(v.Path)
	}
	return nil
}

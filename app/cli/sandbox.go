package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"imagedesk/backend/sandbox"
)

type sandboxFlags struct {
	listen, data, user, passwordFile, noReport string
	delay                                      time.Duration
	failReports, noDemo, asJSON                bool
}

func newSandbox(g *globals) *cobra.Command {
	var f sandboxFlags
	cmd := &cobra.Command{
		Use:   "sandbox",
		Short: "Run the sandbox artifact server (registry and artifact API) headless",
		Long: "Runs a local artifact server that behaves like the company's: a real registry\n" +
			"and the artifact API on one loopback listener, with scan reports generated a\n" +
			"few seconds after each push. Stops cleanly on Ctrl-C or SIGTERM.",
		Args: args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error { return g.sandbox(cmd, f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.listen, "listen", "127.0.0.1:0", "loopback `HOST:PORT` to listen on")
	fl.StringVar(&f.data, "data", "", "data `DIR` (default: sandbox/ in the data directory)")
	fl.StringVar(&f.user, "user", sandbox.DefaultUser, "account `NAME`")
	fl.StringVar(&f.passwordFile, "password-file", "",
		"read the password from `FILE` (default: a random one kept in the data dir)")
	fl.DurationVar(&f.delay, "report-delay", sandbox.DefaultReportDelay,
		"time from a push to its scan report")
	fl.StringVar(&f.noReport, "no-report", "",
		"`PATTERN` of ns/image:version that never gets a report")
	fl.BoolVar(&f.failReports, "fail-reports", false, "make every report generation fail")
	fl.BoolVar(&f.noDemo, "no-demo", false, "start empty, without demo images")
	fl.BoolVar(&f.asJSON, "json", false, "print the server's addresses as one JSON line")
	return cmd
}

func (g *globals) sandbox(cmd *cobra.Command, f sandboxFlags) error {
	log, closer, err := g.logger()
	if err != nil {
		return err
	}
	defer closer.Close()
	if f.data == "" {
		d, _ := g.dirs()
		f.data = filepath.Join(d.Data, "sandbox")
	}
	cfg := sandbox.Config{
		Listen:          f.listen,
		DataDir:         f.data,
		User:            f.user,
		ReportDelay:     f.delay,
		NoReportPattern: f.noReport,
		FailReports:     f.failReports,
		Demo:            !f.noDemo,
		Logger:          log,
	}
	pwPath := f.passwordFile
	where := "read from " + pwPath
	if f.passwordFile != "" {
		b, err := os.ReadFile(f.passwordFile)
		if err != nil {
			return fmt.Errorf("reading password file: %w", err)
		}
		cfg.Password = strings.TrimRight(string(b), "\r\n")
		if cfg.Password == "" {
			return usageError{fmt.Errorf("password file %s is empty", f.passwordFile)}
		}
	} else {
		pw, path, _, err := sandbox.EnsurePassword(f.data)
		if err != nil {
			return err
		}
		cfg.Password, pwPath, where = pw, path, "kept in "+path
	}

	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv, err := sandbox.Start(ctx, cfg)
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	if f.asJSON {
		_ = json.NewEncoder(out).Encode(map[string]any{
			"api": srv.URL(), "registry": srv.Addr(), "user": cfg.User,
			"passwordFile": pwPath, "repos": srv.Repos(),
		})
	} else {
		fmt.Fprintf(out, "sandbox listening\n  api       %s\n  registry  %s (plain HTTP)\n"+
			"  user      %s\n  password  %s\n", srv.URL(), srv.Addr(), cfg.User, where)
		for _, r := range srv.Repos() {
			fmt.Fprintf(out, "  repo      %s=%d:%s\n", r.Name, r.ID, r.Kind)
		}
		fmt.Fprintln(out, "press Ctrl-C to stop")
	}
	<-ctx.Done()
	shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Close(shut); err != nil {
		return fmt.Errorf("stopping sandbox: %w", err)
	}
	fmt.Fprintln(cmd.ErrOrStderr(), "sandbox stopped")
	return nil
}

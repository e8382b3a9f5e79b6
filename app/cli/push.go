package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"imagedesk/app"
)

// Exit codes of push.
const (
	ExitExists     = 4 // the version exists and --yes was not given
	ExitBadArchive = 5 // the archive was refused
	ExitRegistry   = 6 // the registry could not be reached, trusted or logged in to
	ExitCancelled  = 7 // interrupted; resume with --resume and the History id
)

type pushFlags struct {
	server  serverFlags
	req     app.UploadRequest
	repo    string
	resume  int64
	yes     bool
	asJSON  bool
	imageOK bool
	fixed   bool
}

func newPush(g *globals) *cobra.Command {
	var f pushFlags
	cmd := &cobra.Command{
		Use:   "push FILE",
		Short: "Publish an image archive to the artifact repository",
		Long: "Publishes image archive FILE (docker save, OCI archive or layout, gzip or not)\n" +
			"as a base image (under the namespace basic) or, with --project, as a business\n" +
			"image. Name and version default to the archive's tag. The registry is checked\n" +
			"before any layer is read; an existing version is replaced only with --yes.\n" +
			"A push that failed or was interrupted resumes with --resume ID (see\n" +
			"'imagedesk history'), sending only the layers the registry lacks.\n\n" +
			"Exit codes: 0 pushed, 1 other error, 2 usage or a field refused (name,\n" +
			"version, …), 4 version exists (no --yes), 5 archive refused, 6 registry\n" +
			"unreachable, untrusted or login refused, 7 interrupted.",
		Example: "  imagedesk push app.tar --profile work --repo base-images --version V5\n" +
			"  imagedesk push app.tar --api https://artifacts.example.test \\\n" +
			"    --registry registry.example.test --user me --password-stdin \\\n" +
			"    --repo biz=1495097876821574:business --project shop --json < pw.txt",
		Args: args(cobra.RangeArgs(0, 1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			f.imageOK = cmd.Flags().Changed("image")
			return g.push(cmd, a, &f)
		},
	}
	fl := cmd.Flags()
	f.server.add(fl)
	fl.StringVar(&f.repo, "repo", "", "repository `NAME` (inline server: NAME=ID:KIND)")
	fl.StringVar(&f.req.Project, "project", "", "project `NAME`: publish a business image")
	fl.StringVar(&f.req.Name, "name", "", "image `NAME` (default: from the archive's tag)")
	fl.StringVar(&f.req.Version, "version", "",
		"image `VERSION` (default: from the archive's tag)")
	fl.StringVar(&f.req.Category, "category", "", "category `TEXT`")
	fl.StringVar(&f.req.Description, "description", "", "description `TEXT`")
	fl.IntVar(&f.req.Image, "image", 0, "push image `N` of a multi-image archive (from 0)")
	fl.Int64Var(&f.resume, "resume", 0, "resume the upload with History `ID`")
	fl.BoolVarP(&f.yes, "yes", "y", false, "replace the version if it exists")
	fl.BoolVar(&f.asJSON, "json", false, "print the result as JSON")
	fl.BoolVar(&f.fixed, "fixed-compression", false, "compress layers at one gzip level, "+
		"so the same layer always gets the same digest (default: as hard as the link needs)")
	return cmd
}

// pushOutput is the --json result, on success and on failure.
type pushOutput struct {
	OK bool `json:"ok"`
	*app.UploadResult
	Code   string `json:"code,omitempty"`
	Detail string `json:"detail,omitempty"`
}

func (g *globals) push(cmd *cobra.Command, a []string, f *pushFlags) error {
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	s, err := g.open(ctx)
	if err != nil {
		return err
	}
	defer s.close()
	req, err := f.request(ctx, s, a)
	if err != nil {
		return err
	}
	if f.server.profile == "" && !f.server.isInline() && req.Profile != InlineProfile {
		f.server.profile = req.Profile
	}
	t, err := f.server.target(ctx, s, cmd.InOrStdin(), cmd.ErrOrStderr())
	if err != nil {
		return err
	}
	req.Profile = t.Profile.Name
	t.Profile.FixedCompression = t.Profile.FixedCompression || f.fixed
	if !f.imageOK && f.resume == 0 {
		if err := f.fillFromArchive(s, &req); err != nil {
			return f.fail(cmd.OutOrStdout(), app.UploadResult{}, err)
		}
	}
	req.Overwrite = req.Overwrite || f.yes

	bar := newProgressBar(cmd.ErrOrStderr(), f.asJSON)
	res, err := s.app.PushImage(ctx, t, req, bar.update)
	bar.finish()
	if err != nil {
		return f.fail(cmd.OutOrStdout(), res, err)
	}
	if f.asJSON {
		return writeJSON(cmd.OutOrStdout(), pushOutput{OK: true, UploadResult: &res})
	}
	fmt.Fprintf(cmd.OutOrStdout(), "pushed %s\ndigest %s (%s sent, %s already there, %.1f s)\n",
		res.Ref, res.Digest, size(res.Uploaded), size(res.Skipped), float64(res.MS)/1000)
	return nil
}

// request builds the upload from the flags, or from History for --resume.
func (f *pushFlags) request(ctx context.Context, s *session, a []string) (app.UploadRequest,
	error) {
	repo, err := f.server.repoFlag(f.repo)
	if err != nil {
		return app.UploadRequest{}, err
	}
	if f.resume != 0 {
		if len(a) > 0 {
			return app.UploadRequest{}, usageError{errors.New("--resume takes no FILE")}
		}
		return s.app.ResumeRequest(ctx, f.resume)
	}
	if len(a) != 1 {
		return app.UploadRequest{}, usageError{errors.New("push needs FILE (or --resume ID)")}
	}
	req := f.req
	path, err := filepath.Abs(a[0])
	if err != nil {
		return req, err
	}
	req.Archive, req.Repo = path, repo
	if req.Repo == "" {
		return req, usageError{errors.New("--repo is required")}
	}
	return req, nil
}

// fillFromArchive inspects the archive, refusing a bad one before anything is
// sent, and takes the name and version from its tag when not given.
func (f *pushFlags) fillFromArchive(s *session, req *app.UploadRequest) error {
	in, err := s.app.Upload.Inspect(req.Archive)
	if err != nil {
		return err
	}
	if req.Image < 0 || req.Image >= len(in.Images) {
		return usageError{fmt.Errorf("--image %d: the archive holds %d images", req.Image,
			len(in.Images))}
	}
	if len(in.Images) > 1 && !f.imageOK {
		var tags []string
		for _, im := range in.Images {
			tags = append(tags, fmt.Sprintf("%d: %s", im.Index, strings.Join(im.Tags, ", ")))
		}
		return usageError{fmt.Errorf("the archive holds %d images; choose one with --image:\n%s",
			len(in.Images), strings.Join(tags, "\n"))}
	}
	im := in.Images[req.Image]
	if req.Name == "" {
		req.Name = im.Name
	}
	if req.Version == "" {
		req.Version = im.Version
	}
	return nil
}

// fail reports err with its exit code, as JSON too when asked.
func (f *pushFlags) fail(stdout io.Writer, res app.UploadResult, err error) error {
	if isUsage(err) {
		return err
	}
	code := app.CodeInternal
	var ce *app.CodedError
	if errors.As(err, &ce) {
		code = ce.Code
	}
	exit := ExitError
	msg := "" // the error, described in the user's language
	switch {
	case errors.Is(err, context.Canceled):
		code, exit = app.CodeCancelled, ExitCancelled
		msg = "interrupted"
		if res.HistoryID != 0 {
			msg += fmt.Sprintf("; resume with: imagedesk push --resume %d", res.HistoryID)
		}
	case code == app.CodeInvalidUpload:
		exit = ExitUsage // a flag's value breaks a rule: a mistake in the command line
	case code == app.CodeVersionExists:
		exit = ExitExists
		msg = fmt.Sprintf("%s exists already as %s; add --yes to replace it", res.Ref, ce.Detail)
	case app.IsArchiveCode(code):
		exit = ExitBadArchive
	case registryCodes[code]:
		exit = ExitRegistry
	}
	if f.asJSON {
		out := pushOutput{Code: code, Detail: err.Error(), UploadResult: &res}
		if werr := writeJSON(stdout, out); werr != nil {
			return werr
		}
	}
	return &exitError{code: exit, msg: msg, err: err}
}

// registryCodes are the codes that end push with ExitRegistry.
var registryCodes = map[string]bool{
	app.CodeDNS: true, app.CodeRefused: true, app.CodeTimeout: true, app.CodeTLS: true,
	app.CodeNetwork: true, app.CodeUnauthorized: true, app.CodeRegistryUnreachable: true,
	app.CodePushDenied: true, app.CodeNoPassword: true,
}

// size renders a byte count in binary units.
func size(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	v, i := float64(n), 0
	for v >= unit && i < 4 {
		v /= unit
		i++
	}
	return fmt.Sprintf("%.1f %ciB", v, "KMGT"[i-1])
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// progressBar draws push progress: a bar redrawn in place on a terminal, plain
// lines otherwise (one per phase and per finished layer), nothing for --json.
type progressBar struct {
	w      io.Writer
	tty    bool
	quiet  bool
	start  time.Time
	drawn  time.Time
	phase  string
	layers map[string]string
}

func newProgressBar(w io.Writer, quiet bool) *progressBar {
	return &progressBar{w: w, tty: isTerminal(w), quiet: quiet, start: time.Now(),
		layers: map[string]string{}}
}

func (b *progressBar) update(p app.UploadProgress) {
	if b.quiet {
		return
	}
	if b.tty {
		if time.Since(b.drawn) < 100*time.Millisecond && p.Phase == b.phase {
			return
		}
		b.drawn, b.phase = time.Now(), p.Phase
		pct := 0
		if p.Total > 0 {
			pct = int(p.Done * 100 / p.Total)
		}
		rate := float64(p.Done) / max(time.Since(b.start).Seconds(), 0.001)
		fmt.Fprintf(b.w, "\r\033[K[%-30s] %3d%% %s / %s  %s/s  %s",
			strings.Repeat("#", pct*30/100), pct, size(p.Done), size(p.Total),
			size(int64(rate)), p.Phase)
		return
	}
	if p.Phase != b.phase {
		b.phase = p.Phase
		fmt.Fprintf(b.w, "%s %s\n", p.Phase, p.Ref)
	}
	for _, l := range p.Layers {
		if (l.State == "done" || l.State == "skipped" || l.State == "failed") &&
			b.layers[l.DiffID] != l.State {
			b.layers[l.DiffID] = l.State
			fmt.Fprintf(b.w, "layer %s %s (%s)\n", short(l.DiffID), l.State, size(l.Total))
		}
	}
}

func (b *progressBar) finish() {
	if b.tty && !b.quiet && !b.drawn.IsZero() {
		fmt.Fprintln(b.w)
	}
}

// short shortens a digest for a progress line.
func short(d string) string {
	if len(d) > 19 {
		return d[:19]
	}
	return d
}

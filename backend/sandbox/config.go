package sandbox

import (
	"fmt"
	"io"
	"log/slog"
	"net"
	"path"
	"regexp"
	"strings"
	"time"
)

// Repository kinds.
const (
	// KindBase marks a repository of base images, published under "basic".
	KindBase = "base"
	// KindBusiness marks a repository of business images, one namespace per
	// project.
	KindBusiness = "business"
)

// BaseNamespace is the fixed namespace of base images.
const BaseNamespace = "basic"

// DefaultReportDelay is how long after a push the scan report appears.
const DefaultReportDelay = 3 * time.Second

// DefaultNoReportPattern is used when Config.NoReportPattern is empty: any
// version ending in "-noscan" never gets a report.
const DefaultNoReportPattern = "*/*:*-noscan"

// DefaultUser is the account name used when Config.User is empty.
const DefaultUser = "admin"

// Repo is one configured repository of the sandbox.
type Repo struct {
	// ID is the numeric repo_id, a 16-digit number that may exceed 2^53.
	ID int64 `json:"id"`
	// Name is the repo_name, the first component of registry references.
	Name string `json:"name"`
	// Kind is KindBase or KindBusiness.
	Kind string `json:"kind"`
}

// Config describes a sandbox server. The zero value of every field has a
// documented default.
type Config struct {
	// Listen is the loopback host:port to listen on; "127.0.0.1:0" by default.
	// Hosts other than loopback addresses and "localhost" are refused.
	Listen string
	// DataDir holds registry storage, index, reports and accounts; required.
	DataDir string
	// User is the basic-auth user; DefaultUser when empty.
	User string
	// Password is the basic-auth password; when empty EnsurePassword provides
	// one that is kept in DataDir.
	Password string
	// ReportDelay is the time between a push and its scan report;
	// DefaultReportDelay when zero or negative.
	ReportDelay time.Duration
	// NoReportPattern selects versions that never get a report. It matches
	// "ns/image:version" as a path.Match glob, or as a regular expression when
	// written "re:<expr>". DefaultNoReportPattern when empty.
	NoReportPattern string
	// FailReports makes every report job fail, so reports stay at 500.
	FailReports bool
	// Repos are the repositories; DemoRepos() when empty.
	Repos []Repo
	// Demo seeds demo images when DataDir has no registry storage yet.
	Demo bool
	// Logger receives the sandbox's and the registry's lines; discarded when
	// nil.
	Logger *slog.Logger
}

// DemoRepos returns the demo repositories: a base repository whose id is above
// 2^53 and a business repository with a 16-digit id.
func DemoRepos() []Repo {
	return []Repo{
		{ID: 9007199254740993, Name: "base-images", Kind: KindBase},
		{ID: 1495097876821574, Name: "business-images", Kind: KindBusiness},
	}
}

// componentRE is a registry path component, as distribution accepts it.
var componentRE = regexp.MustCompile(`^[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*$`)

// tagRE is a registry tag.
var tagRE = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)

// withDefaults checks cfg and fills in its defaults.
func withDefaults(cfg Config) (Config, error) {
	if cfg.DataDir == "" {
		return cfg, fmt.Errorf("%w: DataDir is empty", ErrInvalidConfig)
	}
	if cfg.Listen == "" {
		cfg.Listen = "127.0.0.1:0"
	}
	host, _, err := net.SplitHostPort(cfg.Listen)
	if err != nil {
		return cfg, fmt.Errorf("%w: Listen %q: %w", ErrInvalidConfig, cfg.Listen, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return cfg, fmt.Errorf("%w: %q", ErrNotLoopback, cfg.Listen)
	}
	if cfg.User == "" {
		cfg.User = DefaultUser
	}
	if strings.ContainsAny(cfg.User, ":\n\r") {
		return cfg, fmt.Errorf("%w: User contains ':' or a line break", ErrInvalidConfig)
	}
	if cfg.ReportDelay <= 0 {
		cfg.ReportDelay = DefaultReportDelay
	}
	if cfg.NoReportPattern == "" {
		cfg.NoReportPattern = DefaultNoReportPattern
	}
	if _, err := newMatcher(cfg.NoReportPattern); err != nil {
		return cfg, err
	}
	if len(cfg.Repos) == 0 {
		cfg.Repos = DemoRepos()
	}
	if err := checkRepos(cfg.Repos); err != nil {
		return cfg, err
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return cfg, nil
}

// checkRepos refuses duplicate or malformed repositories.
func checkRepos(repos []Repo) error {
	ids := map[int64]bool{}
	names := map[string]bool{}
	for _, r := range repos {
		if r.ID <= 0 || ids[r.ID] {
			return fmt.Errorf("%w: repository id %d is not positive or not unique",
				ErrInvalidConfig, r.ID)
		}
		if !componentRE.MatchString(r.Name) || names[r.Name] {
			return fmt.Errorf("%w: repository name %q is invalid or not unique",
				ErrInvalidConfig, r.Name)
		}
		if r.Kind != KindBase && r.Kind != KindBusiness {
			return fmt.Errorf("%w: repository %q has kind %q", ErrInvalidConfig, r.Name, r.Kind)
		}
		ids[r.ID] = true
		names[r.Name] = true
	}
	return nil
}

// matcher tells whether "ns/image:version" matches the never-report pattern.
type matcher func(ref string) bool

// newMatcher compiles a glob or a "re:" regular expression.
func newMatcher(pattern string) (matcher, error) {
	if expr, ok := strings.CutPrefix(pattern, "re:"); ok {
		re, err := regexp.Compile(expr)
		if err != nil {
			return nil, fmt.Errorf("%w: NoReportPattern: %w", ErrInvalidConfig, err)
		}
		return re.MatchString, nil
	}
	if _, err := path.Match(pattern, ""); err != nil {
		return nil, fmt.Errorf("%w: NoReportPattern %q: %w", ErrInvalidConfig, pattern, err)
	}
	return func(ref string) bool {
		ok, _ := path.Match(pattern, ref)
		return ok
	}, nil
}

// isCosignTag tells whether a tag was written by cosign for a signature,
// attestation or SBOM.
func isCosignTag(tag string) bool {
	if !strings.HasPrefix(tag, "sha256-") {
		return false
	}
	return strings.HasSuffix(tag, ".sig") || strings.HasSuffix(tag, ".att") ||
		strings.HasSuffix(tag, ".sbom")
}

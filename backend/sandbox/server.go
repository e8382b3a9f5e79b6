package sandbox

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/distribution/distribution/v3/registry/handlers"
)

// Directory and file names inside the data directory.
const (
	registryDir = "registry"
	indexDir    = "index"
	reportsDir  = "reports"
	pubKeyFile  = "sandbox-cosign.pub"
)

// Server is a running sandbox: registry, artifact API and report jobs on one
// loopback listener.
type Server struct {
	cfg     Config
	byID    map[int64]Repo
	index   *tagIndex
	reports *reporter
	app     *handlers.App
	srv     *http.Server
	ln      net.Listener
	served  chan struct{}

	closeOnce sync.Once
	closeErr  error
}

// Start opens (or creates) the data directory, starts listening and serving,
// resumes report jobs and, with cfg.Demo on a new data directory, pushes the
// demo images before it returns; ctx bounds only that seeding. The server
// runs until Close.
func Start(ctx context.Context, cfg Config) (*Server, error) {
	cfg, err := withDefaults(cfg)
	if err != nil {
		return nil, err
	}
	regRoot := filepath.Join(cfg.DataDir, registryDir)
	_, statErr := os.Stat(regRoot)
	fresh := errors.Is(statErr, fs.ErrNotExist)
	if err := os.MkdirAll(regRoot, 0o700); err != nil {
		return nil, fmt.Errorf("creating sandbox data dir: %w", err)
	}

	password := cfg.Password
	if password == "" {
		if password, _, _, err = EnsurePassword(cfg.DataDir); err != nil {
			return nil, err
		}
	}
	accounts, err := ensureAccount(filepath.Join(cfg.DataDir, accountsFile), cfg.User, password)
	if err != nil {
		return nil, err
	}
	auth, err := newAuthenticator(accounts)
	if err != nil {
		return nil, err
	}

	s := &Server{cfg: cfg, byID: map[int64]Repo{}, served: make(chan struct{})}
	byName := map[string]Repo{}
	for _, r := range cfg.Repos {
		s.byID[r.ID] = r
		byName[r.Name] = r
	}
	if s.index, err = loadIndex(filepath.Join(cfg.DataDir, indexDir), cfg.Repos); err != nil {
		return nil, err
	}
	store, err := newImageStore(context.Background(), regRoot)
	if err != nil {
		return nil, err
	}
	s.reports, err = newReporter(filepath.Join(cfg.DataDir, reportsDir), store, cfg)
	if err != nil {
		return nil, err
	}

	bridgeLogrus(cfg.Logger)
	if s.app, err = newRegistryApp(context.Background(), regRoot); err != nil {
		s.reports.cancel()
		unbridgeLogrus(cfg.Logger)
		return nil, err
	}
	front := &registryFront{
		app: s.app, repos: byName, index: s.index, onPush: s.reports.schedule, log: cfg.Logger,
	}

	mux := http.NewServeMux()
	mux.Handle("/v2/", front)
	mux.HandleFunc("/api/v1/artifact/repo/file/list", s.handleList)
	mux.HandleFunc("/api/v1/artifact/repo/file/scanreport", s.handleScanReport)
	mux.HandleFunc("/api/sandbox/repos", s.handleRepos)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSONError(w, errorf(http.StatusNotFound, codeNotFound, "no such endpoint"))
	})

	s.ln, err = net.Listen("tcp", cfg.Listen)
	if err != nil {
		_ = s.app.Shutdown()
		s.reports.cancel()
		unbridgeLogrus(cfg.Logger)
		return nil, fmt.Errorf("listening on %s: %w", cfg.Listen, err)
	}
	s.srv = &http.Server{
		Handler:           auth.wrap(mux),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelDebug),
	}
	go func() {
		defer close(s.served)
		if err := s.srv.Serve(s.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			cfg.Logger.Error("sandbox server stopped", "op", "serve", "err", err)
		}
	}()
	cfg.Logger.Info("sandbox listening", "op", "start", "repo", s.URL())

	if n := s.reports.resume(cfg.Repos, s.index); n > 0 {
		cfg.Logger.Debug(fmt.Sprintf("resumed %d report jobs", n), "op", "start")
	}
	if cfg.Demo && fresh {
		if err := seedDemo(ctx, s, password); err != nil {
			_ = s.Close(context.Background())
			return nil, fmt.Errorf("%w: %w", ErrSeed, err)
		}
	}
	return s, nil
}

// URL returns the base URL of the artifact API, http://127.0.0.1:PORT.
func (s *Server) URL() string {
	return "http://" + s.Addr()
}

// Addr returns the host:port of the registry, 127.0.0.1:PORT.
func (s *Server) Addr() string {
	return s.ln.Addr().String()
}

// Repos returns a copy of the configured repositories.
func (s *Server) Repos() []Repo {
	return slices.Clone(s.cfg.Repos)
}

// SignerPublicKeyPath returns where the demo signature's public key (PEM) is
// kept; the file exists once demo content has been seeded.
func (s *Server) SignerPublicKeyPath() string {
	return filepath.Join(s.cfg.DataDir, pubKeyFile)
}

// SignerPublicKey returns the PEM public key that verifies the demo
// signature, or an error wrapping fs.ErrNotExist when no demo was seeded.
func (s *Server) SignerPublicKey() ([]byte, error) {
	b, err := os.ReadFile(s.SignerPublicKeyPath())
	if err != nil {
		return nil, fmt.Errorf("reading sandbox signer key: %w", err)
	}
	return b, nil
}

// repoByID finds a configured repository.
func (s *Server) repoByID(id int64) (Repo, bool) {
	r, ok := s.byID[id]
	return r, ok
}

// Close stops accepting requests, waits for running ones and for report jobs
// (which are cancelled), and releases the registry. It is safe to call more
// than once; later calls return the first result.
func (s *Server) Close(ctx context.Context) error {
	s.closeOnce.Do(func() {
		var errs []error
		if err := s.srv.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("shutting down sandbox http server: %w", err))
			_ = s.srv.Close()
		}
		<-s.served
		if err := s.reports.close(ctx); err != nil {
			errs = append(errs, err)
		}
		if err := s.app.Shutdown(); err != nil {
			errs = append(errs, fmt.Errorf("shutting down registry: %w", err))
		}
		unbridgeLogrus(s.cfg.Logger)
		s.closeErr = errors.Join(errs...)
	})
	return s.closeErr
}

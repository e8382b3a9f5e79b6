package app

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"path/filepath"
	"time"

	"imagedesk/backend/paths"
	"imagedesk/backend/profile"
	"imagedesk/backend/reports"
	"imagedesk/backend/sandbox"
	"imagedesk/backend/secrets"
	"imagedesk/backend/store"
)

// Config is what the app needs from main: where to keep things, how to log, and
// the environment, read once by main.
type Config struct {
	Dirs   paths.Dirs
	Getenv func(string) string
	Logger *slog.Logger
	// Keyring replaces the OS keyring; tests use it. Nil means the OS keyring.
	Keyring secrets.Backend
	// Timeouts of every network call; zero fields take the defaults.
	Timeouts profile.Timeouts
}

// App holds the services bound to the window and the backend pieces they share.
// Its lifecycle hooks are unexported so that Wails does not offer them.
type App struct {
	Shell    *Shell
	Tasks    *Tasks
	Profiles *Profiles
	History  *History
	Upload   *Upload
	Browse   *Browse
	Reports  *Reports
	Signing  *Signing
	Download *Download

	dirs     paths.Dirs
	timeouts profile.Timeouts
	getenv   func(string) string
	log      *slog.Logger
	store    *store.Store
	secrets  *secrets.Store
	sandbox  *sandbox.Server
	ctx      context.Context // for backend calls; lives as long as the app
	wctx     context.Context // the window runtime's, for events and dialogs
}

// DatabaseFile is the SQLite store's name in the data directory.
const DatabaseFile = "imagedesk.db"

// New opens the store and builds every service. It does not open a window or
// start the sandbox. Operations left running by a crash become interrupted.
func New(ctx context.Context, cfg Config) (*App, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	getenv := cfg.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	st, err := store.Open(ctx, filepath.Join(cfg.Dirs.Data, DatabaseFile), store.WithLogger(log))
	if err != nil {
		return nil, fmt.Errorf("opening the history database: %w", err)
	}
	if n, err := st.MarkInterrupted(ctx); err != nil {
		st.Close()
		return nil, err
	} else if n > 0 {
		log.Warn("operations interrupted by an earlier exit", "op", "startup", "n", n)
	}
	opts := []secrets.Option{secrets.WithGetenv(getenv), secrets.WithLogger(log)}
	if cfg.Keyring != nil {
		opts = append(opts, secrets.WithBackend(cfg.Keyring))
	}
	sec := secrets.New("imagedesk", opts...)
	dirs := map[string]string{
		"config": cfg.Dirs.Config,
		"data":   cfg.Dirs.Data,
		"cache":  cfg.Dirs.Cache,
		"log":    cfg.Dirs.Log,
	}
	a := &App{
		Shell:    newShell(cfg.Dirs.Config, SystemLocale(getenv), dirs, log),
		Tasks:    NewTasks(nil, 100*time.Millisecond),
		dirs:     cfg.Dirs,
		timeouts: cfg.Timeouts,
		getenv:   getenv,
		log:      log,
		store:    st,
		secrets:  sec,
		ctx:      ctx,
	}
	hist := &History{store: st, log: log, ctx: ctx}
	hist.wctx = func() context.Context { return a.wctx }
	a.History = hist
	a.Profiles = &Profiles{app: a, hist: hist}
	a.Upload = newUpload(a)
	a.Browse = &Browse{app: a, hist: hist}
	a.Reports = &Reports{app: a, hist: hist, open: reports.Open}
	a.Signing = &Signing{app: a, hist: hist}
	a.Download = &Download{app: a, hist: hist, signing: a.Signing}
	return a, nil
}

// Close stops the sandbox and closes the store.
func (a *App) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := a.stopSandbox(ctx)
	if cerr := a.store.Close(); err == nil {
		err = cerr
	}
	return err
}

// services lists what the window may call, one value per concern.
func (a *App) services() []any {
	return []any{a.Shell, a.Tasks, a.Profiles, a.History, a.Browse, a.Reports, a.Upload,
		a.Signing, a.Download}
}

// Run opens the window with the built frontend in assets and blocks until it closes.
func (a *App) Run(assets fs.FS) error {
	return runWindow(a, assets)
}

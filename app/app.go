package app

import (
	"context"
	"io/fs"
	"log/slog"
	"time"

	"imagedesk/backend/paths"
)

// Config is what the app needs from main: where to keep things, how to log, and
// the environment, read once by main.
type Config struct {
	Dirs   paths.Dirs
	Getenv func(string) string
	Logger *slog.Logger
}

// App holds the services bound to the window. Its lifecycle hooks are unexported
// so that Wails does not offer them to the frontend.
type App struct {
	Shell *Shell
	Tasks *Tasks

	log *slog.Logger
	ctx context.Context
}

// New builds every service. It does not open a window.
func New(cfg Config) *App {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	getenv := cfg.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	dirs := map[string]string{
		"config": cfg.Dirs.Config,
		"data":   cfg.Dirs.Data,
		"cache":  cfg.Dirs.Cache,
		"log":    cfg.Dirs.Log,
	}
	return &App{
		Shell: newShell(cfg.Dirs.Config, SystemLocale(getenv), dirs, log),
		Tasks: NewTasks(nil, 100*time.Millisecond),
		log:   log,
	}
}

// services lists what the window may call, one value per concern.
func (a *App) services() []any { return []any{a.Shell, a.Tasks} }

// Run opens the window with the built frontend in assets and blocks until it closes.
func (a *App) Run(assets fs.FS) error {
	return runWindow(a, assets)
}

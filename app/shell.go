package app

import (
	"log/slog"
	"path/filepath"
	"sync"
)

// Shell serves what every view needs: build information, the window settings and
// the directories in use. Bound to the window.
type Shell struct {
	mu       sync.Mutex
	path     string
	settings Settings
	system   string
	dirs     map[string]string
	log      *slog.Logger
	painted  sync.Once // FirstPaint logs once
}

// Appearance is what the window needs to draw itself: the concrete locale and
// theme to use now, and the saved settings they came from.
type Appearance struct {
	Settings Settings `json:"settings"`
	Locale   string   `json:"locale"`       // zh-CN or en
	System   string   `json:"systemLocale"` // the operating system's, "" when unknown
}

func newShell(configDir, system string, dirs map[string]string, log *slog.Logger) *Shell {
	path := filepath.Join(configDir, "settings.json")
	s, err := loadSettings(path)
	if err != nil {
		log.Warn("settings not loaded", "err", err)
	}
	return &Shell{path: path, settings: s, system: system, dirs: dirs, log: log}
}

// Info returns the version and build details shown in the About box.
func (s *Shell) Info() BuildInfo { return Build() }

// Directories returns the configuration, data, cache and log directories in use.
func (s *Shell) Directories() map[string]string { return s.dirs }

// Appearance returns the saved settings and the locale they resolve to.
func (s *Shell) Appearance() Appearance {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.appearance()
}

func (s *Shell) appearance() Appearance {
	return Appearance{
		Settings: s.settings,
		Locale:   ResolveLocale(s.settings.Language, s.system),
		System:   s.system,
	}
}

// SaveSettings validates and stores new window settings and returns the appearance
// they give.
func (s *Shell) SaveSettings(next Settings) (Appearance, error) {
	if err := next.Validate(); err != nil {
		return Appearance{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := saveSettings(s.path, next); err != nil {
		s.log.Error("saving settings", "err", err)
		return Appearance{}, &CodedError{Code: CodeInternal, Err: err}
	}
	s.settings = next
	s.log.Info("settings saved", "op", "settings", "language", next.Language, "theme", next.Theme)
	return s.appearance(), nil
}

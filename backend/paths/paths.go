package paths

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// App is the directory name used under each per-user base directory.
const App = "imagedesk"

// Dirs holds the four directories ImageDesk writes to.
type Dirs struct {
	Config string // settings, profiles' public parts, signing keys
	Data   string // the SQLite store and the sandbox server's content
	Cache  string // cached scan reports and temporary files
	Log    string // the rotating log file
}

// Env describes the environment the directories are derived from. The app fills
// it once at start-up, so that environment variables are read in one place.
type Env struct {
	GOOS    string
	Home    string
	Getenv  func(string) string
	DataDir string // the --data-dir flag; overrides everything when set
}

// Resolve returns the directories for env. It does not create them.
func Resolve(env Env) (Dirs, error) {
	if env.DataDir != "" {
		root, err := filepath.Abs(env.DataDir)
		if err != nil {
			return Dirs{}, fmt.Errorf("resolving data directory %q: %w", env.DataDir, err)
		}
		return under(root), nil
	}
	get := env.Getenv
	if get == nil {
		get = func(string) string { return "" }
	}
	if env.Home == "" {
		return Dirs{}, errors.New("no home directory: set HOME or use --data-dir")
	}
	switch env.GOOS {
	case "windows":
		return windows(env.Home, get), nil
	case "darwin":
		lib := filepath.Join(env.Home, "Library")
		return Dirs{
			Config: filepath.Join(lib, "Application Support", App),
			Data:   filepath.Join(lib, "Application Support", App, "data"),
			Cache:  filepath.Join(lib, "Caches", App),
			Log:    filepath.Join(lib, "Logs", App),
		}, nil
	default:
		return xdg(env.Home, get), nil
	}
}

// under puts every directory below one root.
func under(root string) Dirs {
	return Dirs{
		Config: filepath.Join(root, "config"),
		Data:   filepath.Join(root, "data"),
		Cache:  filepath.Join(root, "cache"),
		Log:    filepath.Join(root, "logs"),
	}
}

// xdg follows the XDG base directory specification; relative values are ignored,
// as the specification asks.
func xdg(home string, get func(string) string) Dirs {
	base := func(name, fallback string) string {
		if v := get(name); filepath.IsAbs(v) {
			return v
		}
		return filepath.Join(home, fallback)
	}
	state := base("XDG_STATE_HOME", filepath.Join(".local", "state"))
	return Dirs{
		Config: filepath.Join(base("XDG_CONFIG_HOME", ".config"), App),
		Data:   filepath.Join(base("XDG_DATA_HOME", filepath.Join(".local", "share")), App),
		Cache:  filepath.Join(base("XDG_CACHE_HOME", ".cache"), App),
		Log:    filepath.Join(state, App, "logs"),
	}
}

// windows uses the roaming profile for configuration and the local one for the rest.
func windows(home string, get func(string) string) Dirs {
	roaming := get("APPDATA")
	if roaming == "" {
		roaming = filepath.Join(home, "AppData", "Roaming")
	}
	local := get("LOCALAPPDATA")
	if local == "" {
		local = filepath.Join(home, "AppData", "Local")
	}
	return Dirs{
		Config: filepath.Join(roaming, "ImageDesk"),
		Data:   filepath.Join(local, "ImageDesk", "data"),
		Cache:  filepath.Join(local, "ImageDesk", "cache"),
		Log:    filepath.Join(local, "ImageDesk", "logs"),
	}
}

// Create makes every directory, readable by the owner only.
func (d Dirs) Create() error {
	for _, dir := range []string{d.Config, d.Data, d.Cache, d.Log} {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("creating %s: %w", dir, err)
		}
	}
	return nil
}

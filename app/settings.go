package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Settings are the window preferences kept in settings.json in the config directory.
type Settings struct {
	Language string `json:"language"` // "auto", "zh-CN" or "en"
	Theme    string `json:"theme"`    // "auto", "light" or "dark"
}

// DefaultSettings follows the operating system for both language and theme.
func DefaultSettings() Settings { return Settings{Language: "auto", Theme: "auto"} }

// Validate reports the first setting that has a value the window does not know.
func (s Settings) Validate() error {
	switch s.Language {
	case "auto", "zh-CN", "en":
	default:
		return &CodedError{Code: CodeInvalidSetting, Detail: "language"}
	}
	switch s.Theme {
	case "auto", "light", "dark":
	default:
		return &CodedError{Code: CodeInvalidSetting, Detail: "theme"}
	}
	return nil
}

// loadSettings reads path; a missing file gives the defaults, a damaged one too,
// so a bad edit by hand never stops the window from opening.
func loadSettings(path string) (Settings, error) {
	s := DefaultSettings()
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return s, fmt.Errorf("reading settings: %w", err)
	}
	if err := json.Unmarshal(b, &s); err != nil || s.Validate() != nil {
		return DefaultSettings(), fmt.Errorf("settings file %s is damaged, using defaults", path)
	}
	return s, nil
}

// saveSettings writes path atomically: a crash leaves the old file or the new one.
func saveSettings(path string, s Settings) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(path, append(b, '\n'), 0o600)
}

// writeFileAtomic writes data to a temporary file beside path, syncs it and renames
// it over path.
func writeFileAtomic(path string, data []byte, perm fs.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Chmod(perm); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

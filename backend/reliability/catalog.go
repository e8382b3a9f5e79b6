package reliability

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
)

var (
	loadOnce sync.Once
	catalogs map[string]map[string]string
	loadErr  error
)

// Sentences returns the English and Chinese sentences of a catalogue key, or an
// error when either language lacks it or leaves it untranslated.
func Sentences(key string) (en, zh string, err error) {
	loadOnce.Do(load)
	if loadErr != nil {
		return "", "", loadErr
	}
	en, zh = catalogs["en"][key], catalogs["zh-CN"][key]
	switch {
	case en == "" || zh == "":
		return "", "", fmt.Errorf("key %q has no sentence in both languages", key)
	case en == zh:
		return "", "", fmt.Errorf("key %q is not translated into Chinese", key)
	}
	return en, zh, nil
}

// ErrorKey is the catalogue key of an error code.
func ErrorKey(code string) string { return "error." + code }

// RuleKey is the catalogue key of a form field rule.
func RuleKey(rule string) string { return "upload.rule." + rule }

// load reads the window's catalogues from the source tree.
func load() {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		loadErr = fmt.Errorf("cannot locate the source tree")
		return
	}
	dir := filepath.Join(filepath.Dir(file), "..", "..", "frontend", "src", "i18n")
	catalogs = map[string]map[string]string{}
	for _, lang := range []string{"en", "zh-CN"} {
		raw, err := os.ReadFile(filepath.Join(dir, lang+".json"))
		if err != nil {
			loadErr = err
			return
		}
		m := map[string]string{}
		if err := json.Unmarshal(raw, &m); err != nil {
			loadErr = fmt.Errorf("%s.json: %w", lang, err)
			return
		}
		catalogs[lang] = m
	}
}

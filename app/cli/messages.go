package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"imagedesk/app"
)

// describe renders err for a person at a terminal: the code (for scripts), the
// sentence the window would show in the user's language, then the detail. An
// error without a code, or without catalogues, is its own text.
func describe(err error, catalogs fs.FS, getenv func(string) string) string {
	var ce *app.CodedError
	if catalogs == nil || !errors.As(err, &ce) {
		return err.Error()
	}
	locale := app.SystemLocale(getenv)
	if locale == "" {
		locale = "en"
	}
	msgs, lerr := loadCatalog(catalogs, locale)
	sentence := msgs["error."+ce.Code]
	if lerr != nil || sentence == "" {
		return err.Error()
	}

	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s", ce.Code, sentence)
	if ce.Code == app.CodeInvalidUpload || ce.Code == app.CodeInvalidProfile {
		// The detail is "field=rule;…": one line per field, in words.
		for _, part := range strings.Split(ce.Detail, ";") {
			field, rule, ok := strings.Cut(part, "=")
			if !ok {
				continue
			}
			text := msgs["upload.rule."+rule]
			if text == "" {
				text = rule
			}
			fmt.Fprintf(&b, "\n  --%s: %s", field, text)
		}
		return b.String()
	}
	if detail := strings.TrimPrefix(err.Error(), ce.Code+": "); detail != ce.Code {
		fmt.Fprintf(&b, "\n  %s", detail)
	}
	return b.String()
}

// loadCatalog reads one language's catalogue.
func loadCatalog(catalogs fs.FS, locale string) (map[string]string, error) {
	raw, err := fs.ReadFile(catalogs, locale+".json")
	if err != nil {
		return nil, err
	}
	m := map[string]string{}
	return m, json.Unmarshal(raw, &m)
}

package app

import "strings"

// Locales lists the languages the window is translated into, default first.
var Locales = []string{"zh-CN", "en"}

// SystemLocale picks the window language from POSIX locale variables, in the
// order the C library reads them. Anything Chinese maps to zh-CN, anything else
// known maps to en, and an unset or "C" locale gives "".
func SystemLocale(getenv func(string) string) string {
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"} {
		v := getenv(name)
		if v == "" || v == "C" || v == "POSIX" || strings.HasPrefix(v, "C.") {
			continue
		}
		if name == "LANGUAGE" {
			v, _, _ = strings.Cut(v, ":")
		}
		if strings.HasPrefix(strings.ToLower(v), "zh") {
			return "zh-CN"
		}
		return "en"
	}
	return ""
}

// ResolveLocale turns a saved language setting into a concrete locale: an
// explicit choice wins, then the system's, then Chinese.
func ResolveLocale(setting, system string) string {
	for _, l := range Locales {
		if setting == l {
			return l
		}
	}
	if system != "" {
		return system
	}
	return Locales[0]
}

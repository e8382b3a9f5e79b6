package sandbox

import (
	_ "embed"
	"encoding/json"
	"slices"
	"sync"
)

// advisoriesJSON is sandbox data, not a real advisory feed: a handful of
// invented advisories so that demo reports have findings of every severity.
//
//go:embed advisories.json
var advisoriesJSON []byte

// advisory is one entry of the sandbox advisory list.
type advisory struct {
	ID       string   `json:"id"`
	Package  string   `json:"package"`
	Versions []string `json:"versions"`
	Severity string   `json:"severity"`
	Title    string   `json:"title"`
	Fixed    string   `json:"fixed"`
}

// finding is an advisory that matches an installed package.
type finding struct {
	Advisory advisory
	Package  pkgInfo
}

// loadAdvisories decodes the embedded list once.
var loadAdvisories = sync.OnceValue(func() []advisory {
	var doc struct {
		Advisories []advisory `json:"advisories"`
	}
	if err := json.Unmarshal(advisoriesJSON, &doc); err != nil {
		panic("sandbox: embedded advisories.json is invalid: " + err.Error())
	}
	return doc.Advisories
})

// match returns the advisories whose package name and version match.
func match(pkgs []pkgInfo) []finding {
	var out []finding
	for _, p := range pkgs {
		for _, a := range loadAdvisories() {
			if a.Package == p.Name && slices.Contains(a.Versions, p.Version) {
				out = append(out, finding{Advisory: a, Package: p})
			}
		}
	}
	return out
}

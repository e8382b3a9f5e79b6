package profile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Kind tells what a repository holds.
type Kind string

// The repository kinds the artifact server knows.
const (
	// KindBase is a repository of base images, published under BasicNamespace.
	KindBase Kind = "base"
	// KindBusiness is a repository of business images, published under a
	// project namespace.
	KindBusiness Kind = "business"
)

// BasicNamespace is the fixed namespace of base images.
const BasicNamespace = "basic"

// Valid reports whether k is one of the known kinds.
func (k Kind) Valid() bool {
	return k == KindBase || k == KindBusiness
}

// Repo is one repository of the artifact server as a profile lists it.
//
// In JSON the id is a string, because ids are generated 16-digit numbers
// that can pass JavaScript's exact-integer limit. Unmarshalling accepts a
// string or a bare number and never goes through a float.
type Repo struct {
	Name string `json:"name"`
	ID   int64  `json:"id" ts_type:"string"`
	Kind Kind   `json:"kind"`
}

// repoJSON is the wire shape of Repo, with the id kept raw.
type repoJSON struct {
	Name string          `json:"name"`
	ID   json.RawMessage `json:"id"`
	Kind Kind            `json:"kind"`
}

// MarshalJSON writes the repository with its id as a decimal string.
func (r Repo) MarshalJSON() ([]byte, error) {
	id := json.RawMessage(strconv.Quote(strconv.FormatInt(r.ID, 10)))
	return json.Marshal(repoJSON{Name: r.Name, ID: id, Kind: r.Kind})
}

// UnmarshalJSON reads a repository whose id is a decimal string or a JSON
// integer. A missing or null id leaves ID at zero.
func (r *Repo) UnmarshalJSON(data []byte) error {
	var w repoJSON
	if err := json.Unmarshal(data, &w); err != nil {
		return fmt.Errorf("decoding repository: %w", err)
	}

	id, err := parseRawID(w.ID)
	if err != nil {
		return fmt.Errorf("decoding repository %q: %w", w.Name, err)
	}

	*r = Repo{Name: w.Name, ID: id, Kind: w.Kind}
	return nil
}

// parseRawID reads an id from a JSON string or number without float rounding.
func parseRawID(raw json.RawMessage) (int64, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return 0, nil
	}

	text := string(raw)
	if raw[0] == '"' {
		if err := json.Unmarshal(raw, &text); err != nil {
			return 0, fmt.Errorf("reading id: %w", err)
		}
	}

	id, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("reading id %q: not a 64-bit integer", text)
	}
	return id, nil
}

// ParseRepoFlag parses the command-line form of a repository,
// "NAME=ID:KIND", for example "images=1495097876821574:base". The result is
// checked like a profile's repository; errors are *FieldError values whose
// Field is "repo".
func ParseRepoFlag(s string) (Repo, error) {
	name, rest, ok := strings.Cut(s, "=")
	if !ok {
		return Repo{}, &FieldError{Field: "repo", Rule: RuleFormat}
	}

	idText, kind, ok := strings.Cut(rest, ":")
	if !ok {
		return Repo{}, &FieldError{Field: "repo", Rule: RuleFormat}
	}

	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil || strings.HasPrefix(idText, "+") {
		return Repo{}, &FieldError{Field: "repo", Rule: RuleID}
	}

	r := Repo{Name: name, ID: id, Kind: Kind(kind)}
	if rule, ok := checkRepo(r); !ok {
		return Repo{}, &FieldError{Field: "repo", Rule: rule}
	}
	return r, nil
}

// checkRepo applies the per-repository rules and returns the first broken one.
func checkRepo(r Repo) (Rule, bool) {
	switch {
	case r.Name == "":
		return RuleRequired, false
	case !validPathComponent(r.Name):
		return RuleChars, false
	case r.ID <= 0:
		return RuleID, false
	case !r.Kind.Valid():
		return RuleKind, false
	}
	return "", true
}

// pathComponent matches one component of an OCI repository path:
// lower-case letters and digits separated by '.', '_', "__" or runs of '-'.
var pathComponent = regexp.MustCompile(`^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$`)

// validPathComponent reports whether s is one component of an OCI repository
// path of at most 128 bytes.
func validPathComponent(s string) bool {
	return len(s) <= 128 && pathComponent.MatchString(s)
}

// IDString returns the id as the decimal string the window uses.
func (r Repo) IDString() string { return strconv.FormatInt(r.ID, 10) }

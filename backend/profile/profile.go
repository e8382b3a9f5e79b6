package profile

import (
	"errors"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// DefaultRefTemplate is the reference template used when a profile leaves
// RefTemplate empty.
const DefaultRefTemplate = "<registry>/<repo_name>/<namespace>/<image>:<version>"

// maxNameLen is the longest profile name, in characters.
const maxNameLen = 64

// Profile is everything ImageDesk knows about one artifact server, except
// secrets: the password of User is kept by package secrets under the
// profile's name.
type Profile struct {
	// ID is the store's row id; zero for a profile never saved.
	ID int64 `json:"id"`
	// Name is the unique, user-chosen name of the profile.
	Name string `json:"name"`
	// APIURL is the artifact API base, http(s)://host[:port][/prefix].
	APIURL string `json:"api_url"`
	// Registry is the registry endpoint as host[:port].
	Registry string `json:"registry"`
	// PlainHTTP makes registry calls use HTTP instead of HTTPS.
	PlainHTTP bool `json:"plain_http"`
	// CAFile is an optional absolute path to a PEM bundle trusted in
	// addition to the system roots.
	CAFile string `json:"ca_file,omitempty"`
	// Insecure turns off TLS certificate verification; the UI keeps a
	// warning visible while it is set.
	Insecure bool `json:"insecure"`
	// Proxy is an optional http, https or socks5 proxy URL. When empty no
	// proxy is used; the environment is not consulted here.
	Proxy string `json:"proxy,omitempty"`
	// RefTemplate builds image references; see Reference. Empty means
	// DefaultRefTemplate.
	RefTemplate string `json:"ref_template,omitempty"`
	// User is the account name for basic auth on the API and the registry.
	User string `json:"user"`
	// Repos lists the server's repositories the user works with.
	Repos []Repo `json:"repos"`
	// Sandbox marks the profile of the embedded sandbox server.
	Sandbox bool `json:"sandbox"`
	// RekorURL is an optional transparency log for signing and verifying.
	RekorURL string `json:"rekor_url,omitempty"`
	// VerifyBeforePull makes downloads verify a signature first.
	VerifyBeforePull bool `json:"verify_before_pull"`
	// FixedCompression compresses every layer at one gzip level, so that the
	// same layer always gets the same digest; otherwise the level follows the
	// link, which is faster when the CPU is the limit.
	FixedCompression bool `json:"fixed_compression,omitempty"`
	// TrustedKeys are public keys for verification, each a file path or
	// an inline PEM block.
	TrustedKeys []string `json:"trusted_keys,omitempty"`
	// Timeouts of the network calls; zero means the defaults. Not stored:
	// the app sets them, and tests shorten them.
	Timeouts Timeouts `json:"-"`
}

// Template returns the profile's reference template, or DefaultRefTemplate
// when none is set.
func (p Profile) Template() string {
	if p.RefTemplate == "" {
		return DefaultRefTemplate
	}
	return p.RefTemplate
}

// FindRepo returns the profile's repository with the given name.
func (p Profile) FindRepo(name string) (Repo, bool) {
	for _, r := range p.Repos {
		if r.Name == name {
			return r, true
		}
	}
	return Repo{}, false
}

// Validate checks every field and returns nil or the errors.Join of one
// *FieldError per broken field; use FieldErrors or errors.As to read them.
// It does not touch the file system or the network.
func (p Profile) Validate() error {
	var errs []error
	add := func(field string, rule Rule) {
		errs = append(errs, &FieldError{Field: field, Rule: rule})
	}

	switch {
	case strings.TrimSpace(p.Name) == "":
		add("name", RuleRequired)
	case utf8.RuneCountInString(p.Name) > maxNameLen:
		add("name", RuleTooLong)
	case !printable(p.Name) || strings.ContainsAny(p.Name, `/\`):
		add("name", RuleChars)
	}

	if rule, ok := checkURL(p.APIURL, true, "http", "https"); !ok {
		add("api_url", rule)
	}
	if rule, ok := checkHostPort(p.Registry); !ok {
		add("registry", rule)
	}
	if p.CAFile != "" && !filepath.IsAbs(p.CAFile) {
		add("ca_file", RuleAbsolutePath)
	}
	if p.Proxy != "" {
		if rule, ok := checkURL(p.Proxy, true, "http", "https", "socks5"); !ok {
			add("proxy", rule)
		}
	}
	if p.RekorURL != "" {
		if rule, ok := checkURL(p.RekorURL, true, "http", "https"); !ok {
			add("rekor_url", rule)
		}
	}
	if p.User != "" && (!printable(p.User) || strings.Contains(p.User, ":")) {
		add("user", RuleChars)
	}

	errs = append(errs, p.validateRepos()...)

	for i, k := range p.TrustedKeys {
		if strings.TrimSpace(k) == "" {
			add(indexed("trusted_keys", i, ""), RuleRequired)
		}
	}

	// The template is checked last and only against a well-formed registry,
	// so that one mistake is not reported twice.
	if _, ok := checkHostPort(p.Registry); ok {
		if err := p.checkTemplate(); err != nil {
			add("ref_template", RuleTemplate)
		}
	}
	return errors.Join(errs...)
}

// validateRepos checks each repository and that names and ids are unique.
func (p Profile) validateRepos() []error {
	var errs []error
	names := make(map[string]bool, len(p.Repos))
	ids := make(map[int64]bool, len(p.Repos))
	for i, r := range p.Repos {
		if rule, ok := checkRepo(r); !ok {
			field := "name"
			switch rule {
			case RuleID:
				field = "id"
			case RuleKind:
				field = "kind"
			}
			errs = append(errs, &FieldError{Field: indexed("repos", i, field), Rule: rule})
			continue
		}
		if names[r.Name] {
			errs = append(errs,
				&FieldError{Field: indexed("repos", i, "name"), Rule: RuleDuplicate})
		}
		if ids[r.ID] {
			errs = append(errs,
				&FieldError{Field: indexed("repos", i, "id"), Rule: RuleDuplicate})
		}
		names[r.Name], ids[r.ID] = true, true
	}
	return errs
}

// indexed names a list element's field, such as "repos[2].id".
func indexed(list string, i int, field string) string {
	s := list + "[" + strconv.Itoa(i) + "]"
	if field != "" {
		s += "." + field
	}
	return s
}

// printable reports whether s is valid UTF-8 without control characters.
func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// checkURL checks that s is an absolute URL with one of the schemes, a host,
// no credentials, and (when bare is set) no query or fragment.
func checkURL(s string, bare bool, schemes ...string) (Rule, bool) {
	if s == "" {
		return RuleRequired, false
	}

	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return RuleURL, false
	}
	if u.User != nil {
		return RuleNoCredentials, false
	}
	if bare && (u.RawQuery != "" || u.Fragment != "" || strings.Contains(s, "#")) {
		return RuleURL, false
	}
	for _, scheme := range schemes {
		if u.Scheme == scheme {
			return "", true
		}
	}
	return RuleURL, false
}

// checkHostPort checks that s is a bare host[:port] authority.
func checkHostPort(s string) (Rule, bool) {
	if s == "" {
		return RuleRequired, false
	}
	if strings.Contains(s, "@") {
		return RuleNoCredentials, false
	}

	u, err := url.Parse("//" + s)
	if err != nil || u.Host != s || u.Hostname() == "" {
		return RuleHostPort, false
	}
	if port := u.Port(); port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return RuleHostPort, false
		}
	}
	return "", true
}

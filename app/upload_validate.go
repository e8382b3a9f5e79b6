package app

import (
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"imagedesk/backend/profile"
)

// UploadRequest is one upload as the form or the command line describes it.
type UploadRequest struct {
	// Profile names the stored server profile to publish to.
	Profile string `json:"profile"`
	// Archive is the absolute path of the archive file or layout directory.
	Archive string `json:"archive"`
	// Image is the index of the image in the archive.
	Image int `json:"image"`
	// Repo names one of the profile's repositories.
	Repo string `json:"repo"`
	// Project is the namespace of a business image; base images leave it empty
	// and are published under profile.BasicNamespace.
	Project     string `json:"project"`
	Name        string `json:"name"`
	Version     string `json:"version"`
	Category    string `json:"category"`
	Description string `json:"description"`
	// Overwrite allows replacing a version that already exists.
	Overwrite bool `json:"overwrite"`
}

// Destination is where a request would publish: the exact reference, or the
// rule each field breaks (field name → rule), for the form to show in words.
type Destination struct {
	Ref       string            `json:"ref"`
	Namespace string            `json:"namespace"`
	Kind      string            `json:"kind"`
	Fields    map[string]string `json:"fields"`
}

// Rules an upload field can break; the window has a sentence for each
// ("upload.rule.<rule>").
const (
	RuleRequired = "required"
	RuleName     = "name"      // OCI path component grammar
	RuleTag      = "tag"       // OCI tag grammar
	RuleTooLong  = "too_long"  // over the field's limit
	RuleNoRepo   = "no_repo"   // not a repository of the profile
	RuleBasic    = "basic"     // "basic" is reserved for base images
	RuleTemplate = "template"  // the profile's template makes no valid reference
	RuleOneLine  = "one_line"  // line breaks or control characters
	RuleEncoding = "encoding"  // bytes that are not UTF-8 text
	RuleNoFile   = "no_file"   // no archive chosen
	RuleBadImage = "bad_image" // the image index is not in the archive
)

// Limits of the free-text fields and names.
const (
	maxNameLen        = 128
	maxCategoryLen    = 64
	maxDescriptionLen = 2000
)

var (
	// componentPattern is the OCI distribution grammar of one path component.
	componentPattern = regexp.MustCompile(`^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$`)
	// versionPattern is the OCI distribution grammar of a tag.
	versionPattern = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$`)
)

// destination checks req against pr field by field and, when every field is
// right, builds the reference with the profile's template.
func destination(pr profile.Profile, req UploadRequest) Destination {
	d := Destination{Fields: map[string]string{}}
	repo, ok := pr.FindRepo(req.Repo)
	switch {
	case req.Repo == "":
		d.Fields["repo"] = RuleRequired
	case !ok:
		d.Fields["repo"] = RuleNoRepo
	}
	d.Kind = string(repo.Kind)
	d.Namespace = profile.BasicNamespace
	if ok && repo.Kind == profile.KindBusiness {
		d.Namespace = req.Project
		if rule := componentRule(req.Project); rule != "" {
			d.Fields["project"] = rule
		} else if req.Project == profile.BasicNamespace {
			d.Fields["project"] = RuleBasic
		}
	}
	if rule := componentRule(req.Name); rule != "" {
		d.Fields["name"] = rule
	}
	switch {
	case req.Version == "":
		d.Fields["version"] = RuleRequired
	case len(req.Version) > maxNameLen:
		d.Fields["version"] = RuleTooLong
	case !versionPattern.MatchString(req.Version):
		d.Fields["version"] = RuleTag
	}
	if rule := textRule(req.Category, maxCategoryLen, false); rule != "" {
		d.Fields["category"] = rule
	}
	if rule := textRule(req.Description, maxDescriptionLen, true); rule != "" {
		d.Fields["description"] = rule
	}
	if len(d.Fields) > 0 {
		return d
	}
	ref, err := pr.Reference(repo, d.Namespace, req.Name, req.Version)
	if err != nil {
		d.Fields["ref"] = RuleTemplate
		return d
	}
	d.Ref = ref
	return d
}

func componentRule(s string) string {
	switch {
	case s == "":
		return RuleRequired
	case len(s) > maxNameLen:
		return RuleTooLong
	case !componentPattern.MatchString(s):
		return RuleName
	}
	return ""
}

// textRule checks a free-text field: UTF-8, a length limit in characters, and
// no control characters except, when multiline, line breaks and tabs.
func textRule(s string, max int, multiline bool) string {
	if !utf8.ValidString(s) {
		return RuleEncoding
	}
	if utf8.RuneCountInString(s) > max {
		return RuleTooLong
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			if multiline && (r == '\n' || r == '\r' || r == '\t') {
				continue
			}
			return RuleOneLine
		}
	}
	return ""
}

// describeFields renders field rules as "field=rule;…", sorted, the detail the
// window splits to mark each field.
func describeFields(f map[string]string) string {
	parts := make([]string, 0, len(f))
	for k, v := range f {
		parts = append(parts, k+"="+v)
	}
	sort.Strings(parts)
	return strings.Join(parts, ";")
}

package badinput

import "strings"

// Form is one malformed form value and the rule it breaks.
type Form struct {
	Name  string // the case, as the report shows it
	Field string // the field marked wrong
	Rule  string // the rule it breaks; the window says upload.rule.<Rule>
	// Values is a valid form with this case's value in it.
	Values Values
	// WindowOnly is set for a value the command line cannot give: an empty
	// --name or --version means "take it from the archive's tag".
	WindowOnly bool
}

// Values are the fields of the upload form. Business chooses the profile's
// business repository rather than its base one; Repo, when set, names a
// repository instead of either.
type Values struct {
	Business    bool
	Repo        string
	Project     string
	Name        string
	Version     string
	Category    string
	Description string
}

// Valid is a form every rule accepts, for a base image.
func Valid() Values {
	return Values{Name: "bad-input", Version: "v1", Category: "tools",
		Description: "first line\nsecond line"}
}

// Forms lists the malformed form values.
func Forms() []Form {
	with := func(f func(*Values)) Values {
		v := Valid()
		f(&v)
		return v
	}
	name := func(s string) Values { return with(func(v *Values) { v.Name = s }) }
	version := func(s string) Values { return with(func(v *Values) { v.Version = s }) }
	business := func(project string) Values {
		return with(func(v *Values) { v.Business, v.Project = true, project })
	}
	return []Form{
		{Name: "empty name", Field: "name", Rule: "required", Values: name(""),
			WindowOnly: true},
		{Name: "empty version", Field: "version", Rule: "required", Values: version(""),
			WindowOnly: true},
		{Name: "name of 129 characters", Field: "name", Rule: "too_long",
			Values: name(strings.Repeat("a", 129))},
		{Name: "version of 129 characters", Field: "version", Rule: "too_long",
			Values: version(strings.Repeat("1", 129))},
		{Name: "upper-case name", Field: "name", Rule: "name", Values: name("Nginx")},
		{Name: "name with a space", Field: "name", Rule: "name", Values: name("my app")},
		{Name: "name with a path separator", Field: "name", Rule: "name", Values: name("a/b")},
		{Name: "name ..", Field: "name", Rule: "name", Values: name("..")},
		{Name: "name climbing with ../", Field: "name", Rule: "name", Values: name("../etc")},
		{Name: "name with a backslash", Field: "name", Rule: "name", Values: name(`a\b`)},
		{Name: "version starting with -", Field: "version", Rule: "tag",
			Values: version("-v1")},
		{Name: "version starting with .", Field: "version", Rule: "tag",
			Values: version(".v1")},
		{Name: "version with +", Field: "version", Rule: "tag", Values: version("1.0+build")},
		{Name: "version with :", Field: "version", Rule: "tag", Values: version("v1:2")},
		{Name: "Cyrillic look-alike name (U+0445)", Field: "name", Rule: "name",
			Values: name("ngin\u0445")},
		{Name: "fullwidth name", Field: "name", Rule: "name", Values: name("ｎｇｉｎｘ")},
		{Name: "zero-width space in a name", Field: "name", Rule: "name",
			Values: name("ngi\u200bnx")},
		{Name: "project basic for a business repository", Field: "project", Rule: "basic",
			Values: business("basic")},
		{Name: "empty project for a business repository", Field: "project",
			Rule: "required", Values: business("")},
		{Name: "project with a path separator", Field: "project", Rule: "name",
			Values: business("shop/web")},
		{Name: "repository not in the profile", Field: "repo", Rule: "no_repo",
			Values: with(func(v *Values) { v.Repo = "no-such-repo" })},
		{Name: "category with a line break", Field: "category", Rule: "one_line",
			Values: with(func(v *Values) { v.Category = "os\ntools" })},
		{Name: "category with a terminal escape", Field: "category", Rule: "one_line",
			Values: with(func(v *Values) { v.Category = "os\x1b[31m" })},
		{Name: "description over 2000 characters", Field: "description", Rule: "too_long",
			Values: with(func(v *Values) { v.Description = strings.Repeat("é", 2001) })},
		{Name: "description with invalid UTF-8", Field: "description", Rule: "encoding",
			Values: with(func(v *Values) { v.Description = "caf\xe9 au lait" })},
	}
}

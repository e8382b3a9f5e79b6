package profile

import (
	"errors"
	"fmt"
	"time"
)

// Rule names the check a profile field failed. The app maps each rule to a
// translated sentence, so the values are stable identifiers.
type Rule string

// The rules Validate and ParseRepoFlag report.
const (
	// RuleRequired means the field must not be empty.
	RuleRequired Rule = "required"
	// RuleURL means the value must be an absolute http or https URL with a host.
	RuleURL Rule = "url"
	// RuleNoCredentials means a URL must not carry a user name or password.
	RuleNoCredentials Rule = "no_credentials"
	// RuleHostPort means the value must be a bare host[:port] without scheme or path.
	RuleHostPort Rule = "host_port"
	// RuleAbsolutePath means the value must be an absolute file path.
	RuleAbsolutePath Rule = "absolute_path"
	// RuleTemplate means the reference template is malformed or does not
	// produce a valid image reference on the profile's registry.
	RuleTemplate Rule = "template"
	// RuleChars means the value contains characters the field does not allow.
	RuleChars Rule = "chars"
	// RuleTooLong means the value exceeds the field's maximum length.
	RuleTooLong Rule = "too_long"
	// RuleKind means a repository kind is neither "base" nor "business".
	RuleKind Rule = "kind"
	// RuleID means a repository id is not a positive 64-bit integer.
	RuleID Rule = "id"
	// RuleDuplicate means the value repeats one used earlier in the list.
	RuleDuplicate Rule = "duplicate"
	// RuleFormat means a flag value does not have the documented shape.
	RuleFormat Rule = "format"
)

// FieldError reports that one field of a profile broke one rule. Field is
// the JSON name of the field, with an index for list elements, such as
// "api_url" or "repos[2].id".
type FieldError struct {
	Field string
	Rule  Rule
}

// Error describes the field and the rule in lower-case English.
func (e *FieldError) Error() string {
	return fmt.Sprintf("profile field %s: %s", e.Field, e.Rule)
}

// FieldErrors returns every *FieldError found in err, including the ones
// joined by Validate, in the order they were reported.
func FieldErrors(err error) []*FieldError {
	var out []*FieldError
	var walk func(error)
	walk = func(e error) {
		if e == nil {
			return
		}
		if fe, ok := e.(*FieldError); ok {
			out = append(out, fe)
			return
		}
		switch u := e.(type) {
		case interface{ Unwrap() []error }:
			for _, inner := range u.Unwrap() {
				walk(inner)
			}
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		}
	}
	walk(err)
	return out
}

// ErrNamespace is returned by Reference when the namespace does not suit the
// repository's kind: base repositories publish only under BasicNamespace and
// business repositories only under a project namespace.
var ErrNamespace = errors.New("namespace does not match repository kind")

// ErrCABundle is returned by Transport when the CA file holds no usable
// PEM certificate.
var ErrCABundle = errors.New("no certificate found in ca bundle")

// StallError ends a request whose body moved no byte for Idle. It is a
// net.Error whose Timeout is true, so callers retry it like any timeout.
type StallError struct {
	Idle    time.Duration
	Sending bool // true while sending the request body
}

func (e *StallError) Error() string {
	if e.Sending {
		return fmt.Sprintf("the server took no data for %s", e.Idle)
	}
	return fmt.Sprintf("the server sent no data for %s", e.Idle)
}

// Timeout reports true: a stall is a timeout.
func (e *StallError) Timeout() bool { return true }

// Temporary reports true, as net.Error asks.
func (e *StallError) Temporary() bool { return true }

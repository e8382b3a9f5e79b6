package faultproxy

import (
	"net/http"
	"regexp"
	"time"
)

// Fault says which requests to break and how. A request matches when its
// method equals Method (any when empty) and its path matches Path (any when
// empty). The first After matches pass untouched, the next Times are broken
// (all of them when Times is 0).
type Fault struct {
	Method string
	Path   string
	After  int
	Times  int

	// Delay waits this long before answering or forwarding.
	Delay time.Duration
	// Status, when set, answers the request itself with this status, Header
	// and Body instead of forwarding it.
	Status int
	Header http.Header
	Body   string
	// StallAfter forwards the request, passes this many bytes of the answer's
	// body, and then sends nothing more until the client gives up.
	StallAfter int64
	// CutAfter forwards the request, passes this many bytes of the answer's
	// body, and then closes the connection.
	CutAfter int64
	// CutRequestAfter reads this many bytes of the request body and then
	// closes the connection without answering.
	CutRequestAfter int64
}

// rule is a Fault with its compiled path and match count.
type rule struct {
	Fault
	path *regexp.Regexp
	seen int
}

// take counts a matching request and reports whether to break it.
func (r *rule) take(req *http.Request) bool {
	if r.Method != "" && r.Method != req.Method {
		return false
	}
	if r.path != nil && !r.path.MatchString(req.URL.Path) {
		return false
	}
	r.seen++
	n := r.seen - r.After
	return n > 0 && (r.Times == 0 || n <= r.Times)
}

// HTML is a page a misconfigured gateway might send instead of JSON.
const HTML = "<!DOCTYPE html><html><head><title>Sign in</title></head>" +
	"<body><h1>Single sign-on</h1></body></html>"

// HTMLHeader is the header that goes with HTML.
func HTMLHeader() http.Header {
	return http.Header{"Content-Type": {"text/html; charset=utf-8"}}
}

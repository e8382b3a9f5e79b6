package artifact

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// listPath is the API path of the folder listing.
const listPath = "/api/v1/artifact/repo/file/list"

// codeOK is the envelope code of a successful call.
const codeOK = "OK"

// Entry is one item of a folder listing.
type Entry struct {
	// Dir is true for a folder and false for a file.
	Dir bool `json:"dir"`
	// Name is the last element of Path, for example "V5".
	Name string `json:"name"`
	// Path is the entry's path from the repository root, e.g. "basic/aa/V5".
	Path string `json:"path"`
}

// Listing is the content of one folder, in the server's order.
type Listing struct {
	// Pre is the parent of the listed path as the server reports it ("." at
	// the root).
	Pre string `json:"pre"`
	// Entries are the folder's items, unsorted.
	Entries []Entry `json:"entries"`
}

// listRequest is the JSON body of a listing call.
type listRequest struct {
	Deleted bool   `json:"deleted"`
	RepoID  int64  `json:"repo_id"`
	Path    string `json:"path,omitempty"`
}

// envelope is the API's response wrapper.
type envelope struct {
	Code    string          `json:"code"`
	Msg     string          `json:"msg"`
	Message string          `json:"message"`
	Body    json.RawMessage `json:"body"`
}

// message returns whichever message field the server filled.
func (e envelope) message() string {
	if e.Message != "" {
		return e.Message
	}
	return e.Msg
}

// listBody is the body of a successful listing.
type listBody struct {
	Pre  *string     `json:"pre"`
	List []listEntry `json:"list"`
}

// listEntry is one raw entry; dir is decoded by hand to accept 0/1 and bools.
type listEntry struct {
	Dir  json.RawMessage `json:"dir"`
	Name string          `json:"name"`
	Path string          `json:"path"`
}

// List returns the entries of path in repository repoID; an empty path lists
// the root, whose entries are "<namespace>/<image>" folders. With deleted set
// it lists deleted entries instead.
func (c *Client) List(ctx context.Context, repoID int64, path string,
	deleted bool) (Listing, error) {
	start := time.Now()
	l, n, err := c.list(ctx, repoID, path, deleted)
	c.logDone(ctx, "list", repoID, start, n, err)
	if err != nil {
		return Listing{}, fmt.Errorf("listing %q in repository %d: %w", path, repoID, err)
	}
	return l, nil
}

// list performs the listing call and returns the listing and body size.
func (c *Client) list(ctx context.Context, repoID int64, path string,
	deleted bool) (Listing, int64, error) {
	path = strings.Trim(path, "/")
	body, err := json.Marshal(listRequest{Deleted: deleted, RepoID: repoID, Path: path})
	if err != nil {
		return Listing{}, 0, err
	}

	u := c.endpoint(listPath, nil)
	resp, err := c.do(ctx, http.MethodPost, u, body, "application/json")
	if err != nil {
		return Listing{}, 0, err
	}
	defer resp.Body.Close()

	raw, err := io.ReadAll(io.LimitReader(resp.Body, c.maxList+1))
	if err != nil {
		return Listing{}, int64(len(raw)), c.fail(http.MethodPost, u, resp.StatusCode,
			transportError(ctx, err))
	}
	if int64(len(raw)) > c.maxList {
		return Listing{}, int64(len(raw)), c.fail(http.MethodPost, u, resp.StatusCode,
			fmt.Errorf("%w: over %d bytes", ErrTooLarge, c.maxList))
	}

	l, err := ParseListing(raw)
	if err != nil {
		e := c.fail(http.MethodPost, u, resp.StatusCode, err)
		var api *apiCodeError
		if errors.As(err, &api) {
			e.Code, e.Message, e.Err = api.code, api.message, ErrAPI
		}
		return Listing{}, int64(len(raw)), e
	}
	return l, int64(len(raw)), nil
}

// apiCodeError carries a non-OK envelope code out of ParseListing.
type apiCodeError struct {
	code, message string
}

// Error describes the server's code and message.
func (e *apiCodeError) Error() string {
	return fmt.Sprintf("server code %q: %q", e.code, e.message)
}

// Unwrap makes the error match ErrAPI.
func (e *apiCodeError) Unwrap() error { return ErrAPI }

// parseEnvelope decodes exactly one JSON object, rejecting anything else.
func parseEnvelope(raw []byte) (envelope, error) {
	var env envelope
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return env, fmt.Errorf("%w: does not start with an object", ErrNotJSON)
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	if err := dec.Decode(&env); err != nil {
		return env, fmt.Errorf("%w: %w", ErrNotJSON, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return env, fmt.Errorf("%w: data after the object", ErrNotJSON)
	}
	if env.Code == "" {
		return env, fmt.Errorf("%w: no code", ErrNotJSON)
	}
	return env, nil
}

// ParseListing decodes a listing response body. It fails with ErrNotJSON for
// anything that is not the API's envelope with a well-formed body, and with
// an error matching ErrAPI when the envelope's code is not "OK".
func ParseListing(raw []byte) (Listing, error) {
	env, err := parseEnvelope(raw)
	if err != nil {
		return Listing{}, err
	}
	if env.Code != codeOK {
		return Listing{}, &apiCodeError{code: env.Code, message: env.message()}
	}

	var b listBody
	bb := bytes.TrimSpace(env.Body)
	if len(bb) == 0 || bb[0] != '{' {
		return Listing{}, fmt.Errorf("%w: body is not an object", ErrNotJSON)
	}
	if err := json.Unmarshal(bb, &b); err != nil {
		return Listing{}, fmt.Errorf("%w: body: %w", ErrNotJSON, err)
	}
	if b.Pre == nil {
		return Listing{}, fmt.Errorf("%w: body has no pre", ErrNotJSON)
	}

	l := Listing{Pre: *b.Pre, Entries: make([]Entry, 0, len(b.List))}
	for i, e := range b.List {
		dir, err := parseDir(e.Dir)
		if err != nil {
			return Listing{}, fmt.Errorf("%w: entry %d: %w", ErrNotJSON, i, err)
		}
		if e.Name == "" || e.Path == "" {
			return Listing{}, fmt.Errorf("%w: entry %d: empty name or path", ErrNotJSON, i)
		}
		l.Entries = append(l.Entries, Entry{Dir: dir, Name: e.Name, Path: e.Path})
	}
	return l, nil
}

// parseDir decodes the dir flag, which the server sends as 0 or 1.
func parseDir(raw json.RawMessage) (bool, error) {
	switch string(bytes.TrimSpace(raw)) {
	case "1", "true":
		return true, nil
	case "0", "false":
		return false, nil
	default:
		return false, fmt.Errorf("dir flag %.20q is not 0 or 1", raw)
	}
}

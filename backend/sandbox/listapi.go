package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxAPIBody caps the size of an artifact API request body.
const maxAPIBody = 64 << 10

// maxPathLen caps the length of an artifact path.
const maxPathLen = 512

// manifestFile is the file name of a version's manifest in listings.
const manifestFile = "manifest.json"

// listRequest is a decoded POST /api/v1/artifact/repo/file/list body.
type listRequest struct {
	Deleted bool
	RepoID  int64
	Path    string
}

// okResponse is a successful artifact API answer, "code" first as on the
// real server.
type okResponse struct {
	Code string `json:"code"`
	Body any    `json:"body"`
}

// errResponse is a failed artifact API answer.
type errResponse struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// listEntry is one row of a listing, in the contract's field order.
type listEntry struct {
	Dir  int    `json:"dir"`
	Name string `json:"name"`
	Path string `json:"path"`
}

// listBody is the "body" of a successful listing.
type listBody struct {
	Pre  string      `json:"pre"`
	List []listEntry `json:"list"`
}

// decodeListRequest decodes and checks a list request body. repo_id must be a
// JSON integer that fits int64, deleted a boolean and path a string; unknown
// fields are ignored.
func decodeListRequest(body []byte) (listRequest, error) {
	var raw struct {
		Deleted json.RawMessage `json:"deleted"`
		RepoID  json.RawMessage `json:"repo_id"`
		Path    json.RawMessage `json:"path"`
	}
	var req listRequest
	if err := json.Unmarshal(body, &raw); err != nil {
		return req, fmt.Errorf("decoding list request: %w", err)
	}
	if len(raw.Deleted) > 0 && string(raw.Deleted) != "null" {
		if err := json.Unmarshal(raw.Deleted, &req.Deleted); err != nil {
			return req, fmt.Errorf("deleted must be a boolean: %w", err)
		}
	}
	if len(raw.RepoID) == 0 || string(raw.RepoID) == "null" {
		return req, errors.New("repo_id is required")
	}
	id, err := strconv.ParseInt(string(raw.RepoID), 10, 64)
	if err != nil {
		return req, fmt.Errorf("repo_id must be an integer within int64: %w", err)
	}
	req.RepoID = id
	if len(raw.Path) > 0 && string(raw.Path) != "null" {
		if err := json.Unmarshal(raw.Path, &req.Path); err != nil {
			return req, fmt.Errorf("path must be a string: %w", err)
		}
	}
	return req, nil
}

// parseArtifactPath splits "ns[/image[/version[/file]]]" into checked parts.
// "", "." and "/" are the root. Nothing is URL-decoded: "%" and "\" are
// refused, as are "." and ".." components and control characters.
func parseArtifactPath(p string) ([]string, error) {
	if len(p) > maxPathLen {
		return nil, fmt.Errorf("%w: longer than %d bytes", ErrBadPath, maxPathLen)
	}
	if !utf8.ValidString(p) {
		return nil, fmt.Errorf("%w: not valid UTF-8", ErrBadPath)
	}
	if strings.ContainsFunc(p, func(r rune) bool {
		return r == '%' || r == '\\' || unicode.IsControl(r) || unicode.IsSpace(r)
	}) {
		return nil, fmt.Errorf("%w: %q has a forbidden character", ErrBadPath, p)
	}
	trimmed := strings.Trim(p, "/")
	if trimmed == "" || trimmed == "." {
		return nil, nil
	}
	parts := strings.Split(trimmed, "/")
	if len(parts) > 4 {
		return nil, fmt.Errorf("%w: %q is too deep", ErrBadPath, p)
	}
	for i, part := range parts {
		var ok bool
		switch i {
		case 0, 1:
			ok = componentRE.MatchString(part)
		case 2:
			ok = tagRE.MatchString(part)
		case 3:
			ok = part == manifestFile || isLayerFileName(part)
		}
		if !ok {
			return nil, fmt.Errorf("%w: %q is not a valid component of %q", ErrBadPath, part, p)
		}
	}
	return parts, nil
}

// layerFileName names a layer blob inside a version folder.
func layerFileName(digest string) string {
	return strings.Replace(digest, ":", "__", 1)
}

// isLayerFileName tells whether name is a layerFileName of a sha256 digest.
func isLayerFileName(name string) bool {
	hexPart, ok := strings.CutPrefix(name, "sha256__")
	if !ok || len(hexPart) != 64 {
		return false
	}
	return strings.IndexFunc(hexPart, func(r rune) bool {
		return !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f')
	}) < 0
}

// handleList serves POST /api/v1/artifact/repo/file/list.
func (s *Server) handleList(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeJSONError(w, errorf(http.StatusMethodNotAllowed, codeNotAllowed,
			"use POST"))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxAPIBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeJSONError(w, errorf(http.StatusRequestEntityTooLarge, codeTooLarge,
				"request body is larger than %d bytes", maxAPIBody))
			return
		}
		writeJSONError(w, errorf(http.StatusBadRequest, codeBadRequest,
			"reading request body failed"))
		return
	}
	req, err := decodeListRequest(body)
	if err != nil {
		writeJSONError(w, errorf(http.StatusBadRequest, codeBadRequest, "%v", err))
		return
	}
	out, apiErr := s.list(req)
	if apiErr != nil {
		writeJSONError(w, apiErr)
		return
	}
	writeJSON(w, http.StatusOK, okResponse{Code: codeOK, Body: out})
}

// list builds the listing of one path.
func (s *Server) list(req listRequest) (listBody, *apiError) {
	out := listBody{List: []listEntry{}}
	repo, ok := s.repoByID(req.RepoID)
	if !ok {
		return out, errorf(http.StatusNotFound, codeRepoNotFound,
			"no repository with id %d", req.RepoID)
	}
	parts, err := parseArtifactPath(req.Path)
	if err != nil {
		return out, errorf(http.StatusBadRequest, codeBadRequest, "%v", err)
	}
	notFound := errorf(http.StatusNotFound, codePathNotFound, "no folder %q in repository %d",
		req.Path, req.RepoID)

	switch len(parts) {
	case 0, 1:
		out.Pre = "."
		for _, key := range s.index.images(repo.Name, req.Deleted) {
			ns, name, _ := strings.Cut(key, "/")
			if len(parts) == 1 && ns != parts[0] {
				continue
			}
			out.List = append(out.List, listEntry{Dir: 1, Name: name, Path: key})
		}
		if len(parts) == 1 && len(out.List) == 0 {
			return out, notFound
		}
	case 2:
		image := parts[0] + "/" + parts[1]
		out.Pre = parts[0]
		for _, t := range s.index.tags(repo.Name, image, req.Deleted) {
			out.List = append(out.List,
				listEntry{Dir: 1, Name: t.Name, Path: image + "/" + t.Name})
		}
		if len(out.List) == 0 {
			return out, notFound
		}
	case 3:
		image := parts[0] + "/" + parts[1]
		t, ok := s.index.tag(repo.Name, image, parts[2], req.Deleted)
		if !ok {
			return out, notFound
		}
		out.Pre = image
		out.List = versionFiles(image+"/"+t.Name, t)
	default:
		return out, errorf(http.StatusBadRequest, codeBadRequest, "%q is a file, not a folder",
			req.Path)
	}
	return out, nil
}

// versionFiles lists manifest.json and the distinct layers of a version.
func versionFiles(dir string, t tagEntry) []listEntry {
	out := []listEntry{{Dir: 0, Name: manifestFile, Path: dir + "/" + manifestFile}}
	seen := map[string]bool{}
	for _, l := range t.Layers {
		if seen[l.Digest] || !strings.HasPrefix(l.Digest, "sha256:") {
			continue
		}
		seen[l.Digest] = true
		name := layerFileName(l.Digest)
		out = append(out, listEntry{Dir: 0, Name: name, Path: dir + "/" + name})
	}
	return out
}

// handleRepos serves GET /api/sandbox/repos.
func (s *Server) handleRepos(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeJSONError(w, errorf(http.StatusMethodNotAllowed, codeNotAllowed, "use GET"))
		return
	}
	writeJSON(w, http.StatusOK, okResponse{Code: codeOK, Body: s.Repos()})
}

// writeJSON answers v as JSON with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeJSONError answers an artifact API error.
func writeJSONError(w http.ResponseWriter, e *apiError) {
	writeJSON(w, e.Status, errResponse{Code: e.Code, Message: e.Message})
}

package sandbox

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/distribution/distribution/v3/configuration"
	v2 "github.com/distribution/distribution/v3/registry/api/v2"
	"github.com/distribution/distribution/v3/registry/handlers"
	_ "github.com/distribution/distribution/v3/registry/storage/driver/filesystem"
	"github.com/gorilla/mux"
	"github.com/sirupsen/logrus"
)

// maxManifestBody is the largest manifest body the front keeps a copy of; it
// matches distribution's own limit.
const maxManifestBody = 4 << 20

// newRegistryApp builds distribution's registry app on filesystem storage
// under root, with delete enabled and upload purging off.
func newRegistryApp(ctx context.Context, root string) (app *handlers.App, err error) {
	var secret [32]byte
	if _, err := rand.Read(secret[:]); err != nil {
		return nil, fmt.Errorf("generating registry http secret: %w", err)
	}
	cfg := &configuration.Configuration{}
	cfg.Storage = configuration.Storage{
		"filesystem":  configuration.Parameters{"rootdirectory": root},
		"delete":      configuration.Parameters{"enabled": true},
		"maintenance": configuration.Parameters{"uploadpurging": map[any]any{"enabled": false}},
	}
	cfg.HTTP.Secret = hex.EncodeToString(secret[:])
	cfg.Log.Level = "info"

	// NewApp reports configuration problems by panicking.
	defer func() {
		if p := recover(); p != nil {
			app, err = nil, fmt.Errorf("starting registry on %s: %v", root, p)
		}
	}()
	return handlers.NewApp(ctx, cfg), nil
}

// logBridge routes distribution's logrus lines to the slog logger of the most
// recently started sandbox, at debug level. logrus is process-wide, so with
// several sandboxes in one process the lines go to the newest one.
var logBridge struct {
	once sync.Once
	cur  atomic.Pointer[slog.Logger]
}

// bridgeLogrus installs the bridge once and makes log the receiver.
func bridgeLogrus(log *slog.Logger) {
	logBridge.once.Do(func() {
		logrus.SetOutput(io.Discard)
		logrus.SetFormatter(nopFormatter{})
		logrus.SetLevel(logrus.InfoLevel)
		logrus.AddHook(bridgeHook{})
	})
	logBridge.cur.Store(log)
}

// unbridgeLogrus stops sending lines to log if it is still the receiver.
func unbridgeLogrus(log *slog.Logger) {
	logBridge.cur.CompareAndSwap(log, nil)
}

// nopFormatter skips formatting: the output is discarded anyway.
type nopFormatter struct{}

// Format returns no bytes.
func (nopFormatter) Format(*logrus.Entry) ([]byte, error) { return nil, nil }

// bridgeHook forwards logrus entries to the current slog logger.
type bridgeHook struct{}

// Levels returns every level.
func (bridgeHook) Levels() []logrus.Level { return logrus.AllLevels }

// Fire forwards one entry.
func (bridgeHook) Fire(e *logrus.Entry) error {
	log := logBridge.cur.Load()
	if log == nil {
		return nil
	}
	attrs := []any{"op", "registry"}
	if v, ok := e.Data[logrus.ErrorKey]; ok {
		attrs = append(attrs, "err", fmt.Sprint(v))
	}
	log.Debug("registry: "+strings.ToLower(e.Message), attrs...)
	return nil
}

// registryFront sits in front of distribution's app: it refuses names outside
// the <repo_name>/<namespace>/<image> layout and records successful manifest
// PUTs and DELETEs in the tag index.
type registryFront struct {
	app    http.Handler
	repos  map[string]Repo
	index  *tagIndex
	onPush func(repo Repo, image string, e tagEntry)
	log    *slog.Logger
}

// ServeHTTP checks the repository name and passes the request on.
func (f *registryFront) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var match mux.RouteMatch
	if !v2.Router().Match(r, &match) || match.Route == nil {
		f.app.ServeHTTP(w, r)
		return
	}
	name := match.Vars["name"]
	if name == "" {
		f.app.ServeHTTP(w, r)
		return
	}
	repo, image, apiErr := f.splitName(name)
	if apiErr != nil {
		writeRegistryError(w, apiErr)
		return
	}
	if match.Route.GetName() != v2.RouteNameManifest {
		f.app.ServeHTTP(w, r)
		return
	}
	ref := match.Vars["reference"]
	switch r.Method {
	case http.MethodPut:
		f.putManifest(w, r, repo, image, ref)
	case http.MethodDelete:
		f.deleteManifest(w, r, repo, image, ref)
	default:
		f.app.ServeHTTP(w, r)
	}
}

// splitName splits "<repo_name>/<namespace>/<image>" and checks that the
// repository exists and takes that namespace.
func (f *registryFront) splitName(name string) (Repo, string, *apiError) {
	parts := strings.Split(name, "/")
	if len(parts) != 3 {
		return Repo{}, "", errorf(http.StatusBadRequest, "NAME_INVALID",
			"repository name must be <repo_name>/<namespace>/<image>, got %q", name)
	}
	repo, ok := f.repos[parts[0]]
	if !ok {
		return Repo{}, "", errorf(http.StatusNotFound, "NAME_UNKNOWN",
			"no repository named %q", parts[0])
	}
	if (repo.Kind == KindBase) != (parts[1] == BaseNamespace) {
		return Repo{}, "", errorf(http.StatusForbidden, "DENIED",
			"namespace %q is not allowed in %s repository %q", parts[1], repo.Kind, repo.Name)
	}
	return repo, parts[1] + "/" + parts[2], nil
}

// putManifest passes a manifest PUT on and records a successful tag push.
func (f *registryFront) putManifest(w http.ResponseWriter, r *http.Request,
	repo Repo, image, ref string) {
	body := &capBuffer{max: maxManifestBody}
	r.Body = readCloser{io.TeeReader(r.Body, body), r.Body}
	rec := &statusRecorder{ResponseWriter: w, before: func(code int) {
		if code == http.StatusCreated && tagRE.MatchString(ref) && !body.overflow {
			f.recordPush(r, w.Header(), body.Bytes(), repo, image, ref)
		}
	}}
	f.app.ServeHTTP(rec, r)
}

// recordPush records a pushed tag before the client sees the answer, so that
// a listing right after the push already shows it.
func (f *registryFront) recordPush(r *http.Request, h http.Header, body []byte,
	repo Repo, image, ref string) {
	e := tagEntry{
		Name:   ref,
		Digest: h.Get("Docker-Content-Digest"),
		Pushed: time.Now().UTC(),
	}
	var doc manifestDoc
	if err := json.Unmarshal(body, &doc); err == nil {
		e.MediaType = doc.MediaType
		e.Layers = doc.Layers
	}
	if e.MediaType == "" {
		e.MediaType = r.Header.Get("Content-Type")
	}
	if err := f.index.push(repo.Name, image, e); err != nil {
		f.log.Error("recording push", "op", "push", "ref", repo.Name+"/"+image+":"+ref,
			"err", err)
		return
	}
	f.log.Debug("manifest pushed", "op", "push", "ref", repo.Name+"/"+image+":"+ref,
		"digest", e.Digest)
	if f.onPush != nil {
		f.onPush(repo, image, e)
	}
}

// deleteManifest passes a manifest DELETE on and moves the deleted tags (one
// tag, or all tags of a digest) to the deleted list.
func (f *registryFront) deleteManifest(w http.ResponseWriter, r *http.Request,
	repo Repo, image, ref string) {
	rec := &statusRecorder{ResponseWriter: w, before: func(code int) {
		if code == http.StatusAccepted {
			f.recordDelete(repo, image, ref)
		}
	}}
	f.app.ServeHTTP(rec, r)
}

// recordDelete moves deleted tags to the deleted list before the client sees
// the answer.
func (f *registryFront) recordDelete(repo Repo, image, ref string) {
	var (
		names []string
		err   error
	)
	if tagRE.MatchString(ref) {
		names, err = f.index.deleteTag(repo.Name, image, ref)
	} else {
		names, err = f.index.deleteDigest(repo.Name, image, ref)
	}
	if err != nil {
		f.log.Error("recording delete", "op", "delete", "ref", repo.Name+"/"+image, "err", err)
		return
	}
	f.log.Debug("manifest deleted", "op", "delete",
		"ref", repo.Name+"/"+image+":"+strings.Join(names, ","))
}

// manifestDoc is the part of an image manifest or index the sandbox reads.
type manifestDoc struct {
	MediaType string    `json:"mediaType"`
	Config    blobRef   `json:"config"`
	Layers    []blobRef `json:"layers"`
	Manifests []blobRef `json:"manifests"`
}

// writeRegistryError answers in the registry's error format.
func writeRegistryError(w http.ResponseWriter, e *apiError) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(e.Status)
	_ = json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]any{{
		"code": e.Code, "message": e.Message, "detail": nil,
	}}})
}

// capBuffer keeps the first max bytes written to it and notes an overflow.
type capBuffer struct {
	bytes.Buffer
	max      int
	overflow bool
}

// Write keeps what fits and never fails, so the tee it sits in goes on.
func (b *capBuffer) Write(p []byte) (int, error) {
	room := b.max - b.Len()
	if len(p) > room {
		b.overflow = true
		if room > 0 {
			b.Buffer.Write(p[:room])
		}
		return len(p), nil
	}
	return b.Buffer.Write(p)
}

// readCloser joins a reader with the closer of the original body.
type readCloser struct {
	io.Reader
	io.Closer
}

// statusRecorder remembers the status code written through it and calls
// before with it just before the status goes out.
type statusRecorder struct {
	http.ResponseWriter
	status int
	before func(code int)
}

// WriteHeader records the status, calls before and passes the status on.
func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
		if s.before != nil {
			s.before(code)
		}
	}
	s.ResponseWriter.WriteHeader(code)
}

// Write records an implicit 200 and passes the bytes on.
func (s *statusRecorder) Write(p []byte) (int, error) {
	if s.status == 0 {
		s.WriteHeader(http.StatusOK)
	}
	return s.ResponseWriter.Write(p)
}

// Unwrap gives http.ResponseController the underlying writer.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

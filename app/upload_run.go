package app

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/google/go-containerregistry/pkg/name"

	"imagedesk/backend/archive"
	"imagedesk/backend/profile"
	"imagedesk/backend/registry"
	"imagedesk/backend/store"
)

// UploadTarget is the server a push goes to: a profile and a way to get its
// password when needed. The command line builds one from flags for servers that
// are not stored.
type UploadTarget struct {
	Profile  profile.Profile
	Password func() (string, error)
}

// UploadResult describes a finished push.
type UploadResult struct {
	HistoryID int64  `json:"historyId"`
	Ref       string `json:"ref"`
	Digest    string `json:"digest"`
	Pinned    string `json:"pinned"` // the reference pinned by digest
	Size      int64  `json:"size"`
	Uploaded  int64  `json:"uploaded"`
	Skipped   int64  `json:"skipped"`
	Layers    int    `json:"layers"`
	MS        int64  `json:"ms"`
}

// preflightTimeout bounds the registry check and the existence lookup.
const preflightTimeout = 30 * time.Second

// Target returns the stored profile called name with its kept password.
func (a *App) Target(ctx context.Context, name string) (UploadTarget, error) {
	pr, err := a.Profiles.get(ctx, name)
	if err != nil {
		return UploadTarget{}, err
	}
	return UploadTarget{
		Profile:  pr,
		Password: func() (string, error) { return a.Profiles.password(name) },
	}, nil
}

// registryOptions are the options every registry call of a target uses.
func (t UploadTarget) registryOptions() ([]registry.Option, error) {
	rt, err := t.Profile.Transport()
	if err != nil {
		return nil, err
	}
	return []registry.Option{
		registry.WithTransport(rt),
		registry.WithAuth(registry.BasicAuth(t.Profile.User, t.Password)),
	}, nil
}

// parseRef parses a reference built by Profile.Reference, over plain HTTP when
// the profile says so.
func (t UploadTarget) parseRef(ref string) (name.Reference, error) {
	var opts []name.Option
	if t.Profile.PlainHTTP {
		opts = append(opts, name.Insecure)
	}
	return name.ParseReference(ref, opts...)
}

// plan validates req for t and returns the destination, or a coded error that
// lists the rule each wrong field breaks.
func plan(t UploadTarget, req UploadRequest) (Destination, name.Reference, error) {
	d := destination(t.Profile, req)
	if req.Archive == "" {
		d.Fields["archive"] = RuleNoFile
	}
	if len(d.Fields) > 0 {
		return d, nil, &CodedError{Code: CodeInvalidUpload, Detail: describeFields(d.Fields)}
	}
	ref, err := t.parseRef(d.Ref)
	if err != nil {
		return d, nil, &CodedError{Code: CodeInvalidUpload, Detail: "ref=" + RuleTemplate,
			Err: err}
	}
	return d, ref, nil
}

// preflight checks that t's registry can be reached, is trusted, accepts the
// login and allows a push to ref's repository, then looks the version up.
func preflight(ctx context.Context, t UploadTarget, ref name.Reference) (Preflight, error) {
	ctx, cancel := context.WithTimeout(ctx, preflightTimeout)
	defer cancel()
	opts, err := t.registryOptions()
	if err != nil {
		return Preflight{}, err
	}
	if err := registry.Check(ctx, ref.Context(), opts...); err != nil {
		return Preflight{}, err
	}
	desc, found, err := registry.Exists(ctx, ref, opts...)
	if err != nil {
		return Preflight{}, err
	}
	p := Preflight{Ref: ref.Name(), Exists: found}
	if found {
		p.Digest = desc.Digest.String()
	}
	return p, nil
}

// PushImage publishes image req.Image of req.Archive to t as req describes, and
// records the attempt in History. It checks the registry first and refuses to
// replace an existing version unless req.Overwrite is set (CodeVersionExists,
// with the existing digest as detail). progress, when not nil, receives every
// change; the caller throttles. Cancelling ctx stops the push at once; what was
// sent stays in the blob cache for a resume.
func (a *App) PushImage(ctx context.Context, t UploadTarget, req UploadRequest,
	progress func(UploadProgress)) (res UploadResult, err error) {
	start := time.Now()
	d, ref, err := plan(t, req)
	if err != nil {
		return UploadResult{}, err
	}
	if progress == nil {
		progress = func(UploadProgress) {}
	}
	hid := a.History.begin(context.WithoutCancel(ctx), store.Event{
		Kind: store.KindUpload, Profile: t.Profile.Name, Repo: req.Repo,
		Image: d.Namespace + "/" + req.Name, Version: req.Version, Ref: d.Ref,
	}, uploadParams(req, d.Namespace))
	res.HistoryID, res.Ref = hid, d.Ref
	defer func() {
		res.MS = time.Since(start).Milliseconds()
		a.History.end(ctx, hid, store.Outcome{Digest: res.Digest, Bytes: res.Size}, err)
		if err != nil {
			err = coded(err)
		}
	}()

	progress(UploadProgress{Ref: d.Ref, HistoryID: hid, Phase: registry.PhaseConnect})
	if !filepath.IsAbs(req.Archive) {
		// A relative path would be read against the working directory.
		return res, &CodedError{Code: CodeInvalidPath, Detail: req.Archive}
	}
	if _, err := os.Stat(req.Archive); err != nil {
		return res, err
	}
	arc, err := archive.Open(req.Archive, archive.WithTempDir(a.dirs.Cache),
		archive.WithLogger(a.log))
	if err != nil {
		return res, err
	}
	defer arc.Close()
	img, err := arc.Image(req.Image)
	if err != nil {
		return res, err
	}
	pf, err := preflight(ctx, t, ref)
	if err != nil {
		return res, err
	}
	if pf.Exists && !req.Overwrite {
		return res, &CodedError{Code: CodeVersionExists, Detail: pf.Digest}
	}

	opts, err := t.registryOptions()
	if err != nil {
		return res, err
	}
	opts = append(opts,
		registry.WithAnnotations(annotations(t.Profile.User, req, start)),
		registry.WithBlobCache(storeBlobCache{st: a.store, log: a.log}),
		registry.WithLogger(a.log),
		registry.WithProgress(func(p registry.Progress) {
			progress(UploadProgress{Ref: d.Ref, HistoryID: hid, Phase: p.Phase,
				Done: p.Done, Total: p.Total, Layers: layerViews(p.Layers)})
		}))
	if t.Profile.FixedCompression {
		opts = append(opts, registry.WithCompressionLevel(registry.ReproducibleLevel))
	}
	if a.Upload.jobs > 0 {
		opts = append(opts, registry.WithJobs(a.Upload.jobs))
	}
	r, err := registry.Push(ctx, img, ref, opts...)
	res.Uploaded, res.Skipped = r.Uploaded, r.Skipped
	if err != nil {
		return res, err
	}
	res.Digest, res.Pinned, res.Size, res.Layers = r.Digest.String(), r.Ref, r.Size, r.Layers
	a.log.Info("image pushed", "op", "upload", "ref", d.Ref, "digest", res.Digest,
		"bytes", r.Uploaded, "ms", time.Since(start).Milliseconds())
	return res, nil
}

// annotations are the manifest annotations of an upload.
func annotations(user string, req UploadRequest, now time.Time) map[string]string {
	a := map[string]string{
		profile.AnnotationVersion:  req.Version,
		profile.AnnotationUploader: user,
		profile.AnnotationCreated:  now.UTC().Format(time.RFC3339),
	}
	if req.Description != "" {
		a[profile.AnnotationDescription] = req.Description
	}
	if req.Category != "" {
		a[profile.AnnotationCategory] = req.Category
	}
	return a
}

// uploadParams are the History parameters a resume needs: never a secret.
func uploadParams(req UploadRequest, namespace string) map[string]any {
	return map[string]any{
		"archive": req.Archive, "image": req.Image, "repo": req.Repo,
		"namespace": namespace, "project": req.Project, "name": req.Name,
		"version": req.Version, "category": req.Category,
		"description": req.Description, "overwrite": req.Overwrite,
	}
}

// resumeRequest rebuilds the request of an upload recorded in History.
func resumeRequest(e store.Event) (UploadRequest, error) {
	if e.Kind != store.KindUpload {
		return UploadRequest{}, &CodedError{Code: CodeNotResumable, Detail: string(e.Kind)}
	}
	switch e.Status {
	case store.StatusFailed, store.StatusCancelled, store.StatusInterrupted:
	default:
		return UploadRequest{}, &CodedError{Code: CodeNotResumable, Detail: string(e.Status)}
	}
	var p struct {
		Archive, Repo, Namespace, Project, Name, Version, Category, Description string
		Image                                                                   int
		Overwrite                                                               bool
	}
	if err := json.Unmarshal(e.Params, &p); err != nil || p.Archive == "" {
		return UploadRequest{}, &CodedError{Code: CodeNotResumable,
			Detail: "event " + strconv.FormatInt(e.ID, 10) + " has no upload parameters"}
	}
	if p.Project == "" && p.Namespace != profile.BasicNamespace {
		p.Project = p.Namespace
	}
	return UploadRequest{
		Profile: e.Profile, Archive: p.Archive, Image: p.Image, Repo: p.Repo,
		Project: p.Project, Name: p.Name, Version: p.Version, Category: p.Category,
		Description: p.Description, Overwrite: p.Overwrite,
	}, nil
}

// ResumeRequest returns the request of History event id for a resume, or
// CodeNotResumable when it is not an upload that failed, was cancelled or was
// interrupted.
func (a *App) ResumeRequest(ctx context.Context, id int64) (UploadRequest, error) {
	e, err := a.store.Event(ctx, id)
	if err != nil {
		return UploadRequest{}, coded(fmt.Errorf("reading event %d: %w", id, err))
	}
	return resumeRequest(e)
}

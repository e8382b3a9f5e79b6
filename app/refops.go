package app

import (
	"context"
	"os"

	"github.com/google/go-containerregistry/pkg/name"

	"imagedesk/backend/profile"
	"imagedesk/backend/registry"
	"imagedesk/backend/signing"
	"imagedesk/backend/store"
)

// RefOps are the command line's forms of download, sign and verify: they take a
// full reference and a server (a stored profile, or one given inline with its
// password), and run in the foreground. Not bound to the window.
type RefOps struct {
	app  *App
	hist *History
}

// Refs returns the command line's reference operations.
func (a *App) Refs() *RefOps { return &RefOps{app: a, hist: a.History} }

// RefTarget is a full reference and the server it is read from or written to.
type RefTarget struct {
	Ref  name.Reference
	conn *conn
}

// ResolveRef parses ref for a server given by its settings and password.
func (a *App) ResolveRef(pr profile.Profile, password func() (string, error), ref string) (
	*RefTarget, error) {
	var opts []name.Option
	if pr.PlainHTTP {
		opts = append(opts, name.Insecure)
	}
	r, err := name.ParseReference(ref, opts...)
	if err != nil {
		return nil, &CodedError{Code: CodeInvalidReference, Detail: ref, Err: err}
	}
	rt, err := pr.Transport()
	if err != nil {
		return nil, coded(err)
	}
	c := &conn{profile: pr, rt: rt, auth: lazyAuth{user: pr.User, password: password}}
	return &RefTarget{Ref: r, conn: c}, nil
}

// ResolveProfileRef parses ref for a stored profile, whose password is in the
// keyring.
func (a *App) ResolveProfileRef(ctx context.Context, profileName, ref string) (*RefTarget,
	error) {
	pr, err := a.Profiles.get(ctx, profileName)
	if err != nil {
		return nil, err
	}
	return a.ResolveRef(pr, func() (string, error) { return a.Profiles.password(profileName) },
		ref)
}

// PullRef downloads ref to path in the foreground, reporting progress.
func (o *RefOps) PullRef(ctx context.Context, t *RefTarget, format, path string,
	progress func(done, total int64)) (res registry.PullResult, err error) {
	c, ref := t.conn, t.Ref
	f, err := pullFormat(format)
	if err != nil {
		return res, err
	}
	id := o.hist.begin(ctx, store.Event{Kind: store.KindDownload, Profile: c.profile.Name,
		Ref: ref.String()}, map[string]any{"path": path, "format": string(f)})
	defer func() {
		o.hist.end(ctx, id, store.Outcome{Digest: res.Digest.String(), Bytes: res.Size}, err)
	}()
	res, err = registry.Pull(ctx, ref, path, f, registry.WithTransport(c.rt),
		registry.WithAuth(c.auth), registry.WithLogger(o.app.log),
		registry.WithProgress(func(p registry.Progress) {
			if progress != nil {
				progress(p.Done, p.Total)
			}
		}))
	return res, coded(registryError(err))
}

// SignRef signs ref by digest with the private key in keyFile.
func (o *RefOps) SignRef(ctx context.Context, t *RefTarget, keyFile string,
	passphrase func() ([]byte, error)) (digest string, err error) {
	c, ref := t.conn, t.Ref
	id := o.hist.begin(ctx, store.Event{Kind: store.KindSign, Profile: c.profile.Name,
		Ref: ref.String()}, nil)
	defer func() { o.hist.end(ctx, id, store.Outcome{Digest: digest}, err) }()
	priv, err := os.ReadFile(keyFile)
	if err != nil {
		return "", &CodedError{Code: CodeBadKey, Detail: keyFile, Err: err}
	}
	h, err := signing.Sign(ctx, ref, priv, passphrase, signing.SignOptions{
		Transport: c.rt, Auth: c.auth, Logger: o.app.log,
		Annotations: map[string]string{"com.imagedesk.signer": c.profile.User},
	})
	if err != nil {
		return "", coded(registryError(err))
	}
	return h.String(), nil
}

// VerifyRef checks ref's signatures offline against the given public keys.
func (o *RefOps) VerifyRef(ctx context.Context, t *RefTarget, pubs [][]byte) (
	v VerifyView, err error) {
	c, ref := t.conn, t.Ref
	id := o.hist.begin(ctx, store.Event{Kind: store.KindVerify, Profile: c.profile.Name,
		Ref: ref.String()}, nil)
	defer func() { o.hist.end(ctx, id, store.Outcome{Digest: v.Digest}, err) }()
	res, err := signing.Verify(ctx, ref, pubs, signing.VerifyOptions{
		Transport: c.rt, Auth: c.auth, Logger: o.app.log})
	if err != nil {
		return VerifyView{}, coded(registryError(err))
	}
	return VerifyView{Badge: string(res.Badge), Digest: res.Digest,
		Fingerprint: res.Fingerprint, Signatures: res.Signatures, Detail: res.Detail}, nil
}

// Images lists a repository's images on a server given by its settings.
func (o *RefOps) Images(ctx context.Context, pr profile.Profile, pw func() (string, error),
	repoID string) (ImageList, error) {
	c, err := o.app.connectWith(pr, pw)
	if err != nil {
		return ImageList{}, err
	}
	return o.app.Browse.images(ctx, c, repoID)
}

// Versions lists an image's versions on a server given by its settings.
func (o *RefOps) Versions(ctx context.Context, pr profile.Profile, pw func() (string, error),
	repoID, imagePath string) (VersionList, error) {
	c, err := o.app.connectWith(pr, pw)
	if err != nil {
		return VersionList{}, err
	}
	return o.app.Browse.versions(ctx, c, repoID, imagePath)
}

// Report fetches a version's scan report from a server given by its settings.
func (o *RefOps) Report(ctx context.Context, pr profile.Profile, pw func() (string, error),
	repoID, namespace, image, version string) (ReportView, error) {
	c, err := o.app.connectWith(pr, pw)
	if err != nil {
		return ReportView{}, err
	}
	return o.app.Reports.fetch(ctx, c, repoID, namespace, image, version)
}

package app

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/wailsapp/wails/v2/pkg/runtime"

	"imagedesk/backend/registry"
	"imagedesk/backend/signing"
	"imagedesk/backend/store"
)

// Download pulls versions to archives that docker load and skopeo accept. Bound
// to the window.
type Download struct {
	app     *App
	hist    *History
	signing *Signing
}

// Choose asks where to save a version and starts the download there. It returns
// the task id, or "" when the user cancelled the dialog.
func (d *Download) Choose(profileName, repoID, namespace, image, version, format string) (
	string, error) {
	if d.app.wctx == nil {
		return "", &CodedError{Code: CodeInternal, Detail: "no window"}
	}
	ext := ".tar"
	path, err := runtime.SaveFileDialog(d.app.wctx, runtime.SaveDialogOptions{
		DefaultFilename: fmt.Sprintf("%s-%s%s", image, version, ext),
		Filters: []runtime.FileFilter{
			{DisplayName: "Image archive (*.tar)", Pattern: "*.tar"}},
	})
	if err != nil || path == "" {
		return "", coded(err)
	}
	return d.To(profileName, repoID, namespace, image, version, format, path)
}

// To starts downloading a version to path as a task; format is "docker" or "oci".
func (d *Download) To(profileName, repoID, namespace, image, version, format, path string) (
	string, error) {
	f, err := pullFormat(format)
	if err != nil {
		return "", err
	}
	if !filepath.IsAbs(path) {
		return "", &CodedError{Code: CodeInvalidPath, Detail: path}
	}
	c, err := d.app.connect(d.app.ctx, profileName)
	if err != nil {
		return "", err
	}
	r, err := c.repo(repoID)
	if err != nil {
		return "", err
	}
	if _, err := c.ref(r, namespace, image, version); err != nil {
		return "", err
	}
	h, ctx := d.app.Tasks.start(d.app.ctx, "download", namespace+"/"+image+":"+version)
	go func() {
		h.Finish(d.run(ctx, c, h, repoID, namespace, image, version, f, path))
	}()
	return h.ID(), nil
}

// run pulls one version, after checking its signature when the profile asks for
// that, and records the attempt in History.
func (d *Download) run(ctx context.Context, c *conn, h *TaskHandle, repoID, namespace, image,
	version string, f registry.Format, path string) (err error) {
	r, _ := c.repo(repoID)
	ref, err := c.ref(r, namespace, image, version)
	if err != nil {
		return err
	}
	id := d.hist.begin(ctx, store.Event{Kind: store.KindDownload, Profile: c.profile.Name,
		Repo: r.Name, Image: namespace + "/" + image, Version: version, Ref: ref.String()},
		map[string]any{"path": path, "format": string(f)})
	var res registry.PullResult
	defer func() {
		d.hist.end(ctx, id, store.Outcome{Digest: res.Digest.String(), Bytes: res.Size}, err)
	}()
	if c.profile.VerifyBeforePull {
		v, err := d.signing.verify(ctx, c, repoID, namespace, image, version)
		if err != nil {
			return err
		}
		if v.Badge != string(signing.BadgeVerified) {
			return &CodedError{Code: CodeNotVerified, Detail: v.Badge}
		}
	}
	res, err = registry.Pull(ctx, ref, path, f,
		registry.WithTransport(c.rt), registry.WithAuth(c.auth), registry.WithLogger(d.app.log),
		registry.WithProgress(func(p registry.Progress) { h.Progress(p.Done, p.Total) }))
	if err != nil {
		return coded(registryError(err))
	}
	return nil
}

func pullFormat(s string) (registry.Format, error) {
	switch s {
	case "", "docker":
		return registry.FormatDocker, nil
	case "oci":
		return registry.FormatOCI, nil
	}
	return "", &CodedError{Code: CodeInvalidFormat, Detail: s}
}

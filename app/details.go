package app

import (
	"context"
	"sync"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"imagedesk/backend/profile"
	"imagedesk/backend/versions"
)

// LayerView is one layer as the details pane lists it.
type LayerView struct {
	Digest    string `json:"digest"`
	Size      int64  `json:"size"`
	MediaType string `json:"mediaType"`
}

// VersionDetails is what the details pane shows of one version, read from the
// registry: the manifest, its config and the annotations the upload wrote.
type VersionDetails struct {
	Reference   string      `json:"reference"`
	Digest      string      `json:"digest"`
	MediaType   string      `json:"mediaType"`
	Size        int64       `json:"size"`
	Created     time.Time   `json:"created,omitzero"`
	Platform    string      `json:"platform"`
	Layers      []LayerView `json:"layers"`
	Category    string      `json:"category"`
	Description string      `json:"description"`
	// SignatureTag is the cosign signature tag naming this digest, if the
	// listing has one. Its presence alone proves nothing: verification decides.
	SignatureTag string `json:"signatureTag"`
}

// Details reads one version's manifest and config from the registry.
func (b *Browse) Details(profileName, repoID, namespace, image, version string,
	sigTags []string) (VersionDetails, error) {
	ctx := b.app.ctx
	c, err := b.app.connect(ctx, profileName)
	if err != nil {
		return VersionDetails{}, err
	}
	r, err := c.repo(repoID)
	if err != nil {
		return VersionDetails{}, err
	}
	ref, err := c.ref(r, namespace, image, version)
	if err != nil {
		return VersionDetails{}, err
	}
	desc, err := remote.Get(ref, c.remote(ctx)...)
	if err != nil {
		return VersionDetails{}, coded(registryError(err))
	}
	img, err := desc.Image()
	if err != nil {
		return VersionDetails{}, coded(err)
	}
	out := VersionDetails{
		Reference: ref.String(), Digest: desc.Digest.String(),
		MediaType: string(desc.MediaType), Layers: []LayerView{},
	}
	if m, err := img.Manifest(); err == nil {
		out.Size = m.Config.Size
		for _, l := range m.Layers {
			out.Layers = append(out.Layers, LayerView{Digest: l.Digest.String(), Size: l.Size,
				MediaType: string(l.MediaType)})
			out.Size += l.Size
		}
		out.Category = m.Annotations[profile.AnnotationCategory]
		out.Description = m.Annotations[profile.AnnotationDescription]
	}
	if cf, err := img.ConfigFile(); err == nil {
		out.Created = cf.Created.Time
		out.Platform = platform(cf)
	}
	want := "sha256-" + desc.Digest.Hex + ".sig"
	for _, t := range sigTags {
		if t == want {
			out.SignatureTag = t
		}
	}
	return out, nil
}

func platform(cf *v1.ConfigFile) string {
	p := cf.OS + "/" + cf.Architecture
	if cf.Variant != "" {
		p += "/" + cf.Variant
	}
	return p
}

// remote returns the options that make go-containerregistry use this profile.
func (c *conn) remote(ctx context.Context) []remote.Option {
	return []remote.Option{remote.WithContext(ctx), remote.WithTransport(c.rt),
		remote.WithAuth(c.auth)}
}

// maxDigestLookups bounds how many versions Versions resolves to digests to match
// signature tags; larger images show signatures only in the details pane.
const maxDigestLookups = 200

// signedMarks resolves the digests of up to maxDigestLookups versions, eight at
// a time, and folds the signature tags into them.
func (c *conn) signedMarks(ctx context.Context, r profile.Repo, ns, image string,
	list *VersionList) {
	if len(list.SigTags) == 0 || len(list.Versions) > maxDigestLookups {
		return
	}
	digests := map[string]string{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for _, v := range list.Versions {
		wg.Add(1)
		go func(tag string) {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			ref, err := c.ref(r, ns, image, tag)
			if err != nil {
				return
			}
			d, err := remote.Head(ref, c.remote(ctx)...)
			if err != nil {
				return
			}
			mu.Lock()
			digests[tag] = d.Digest.String()
			mu.Unlock()
		}(v.Name)
	}
	wg.Wait()
	tags := append([]string{}, list.SigTags...)
	for _, v := range list.Versions {
		tags = append(tags, v.Name)
	}
	vs, _ := versions.Fold(tags, func(t string) (string, bool) {
		d, ok := digests[t]
		return d, ok
	})
	marks := map[string]versions.Version{}
	for _, v := range vs {
		marks[v.Name] = v
	}
	for i := range list.Versions {
		m := marks[list.Versions[i].Name]
		list.Versions[i].Signed, list.Versions[i].Attested = m.Signed, m.Attested
	}
}

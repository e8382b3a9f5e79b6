package app

import (
	"context"
	"encoding/json"
	"errors"
	"path"
	"sort"
	"strings"
	"time"

	"imagedesk/backend/artifact"
	"imagedesk/backend/store"
	"imagedesk/backend/versions"
)

// Browse serves the version tree: repositories → images → versions, read with
// the artifact API's list call and cached, so the tree stays readable offline.
// Bound to the window.
type Browse struct {
	app  *App
	hist *History
}

// Listed says where a listing came from: live, or the cache when offline.
type Listed struct {
	Offline   bool      `json:"offline"`
	FetchedAt time.Time `json:"fetchedAt"`
	ErrorCode string    `json:"errorCode,omitempty"` // why the live listing failed
}

// ImageEntry is one image of a repository.
type ImageEntry struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	Path      string `json:"path"`
}

// ImageList is a repository's images, grouped by namespace and sorted.
type ImageList struct {
	Listed
	Images []ImageEntry `json:"images"`
}

// VersionEntry is one version; cosign's signature tags are folded into it.
type VersionEntry struct {
	Name     string `json:"name"`
	Newest   bool   `json:"newest"`
	Signed   bool   `json:"signed"`
	Attested bool   `json:"attested"`
}

// VersionList is an image's versions in natural order.
type VersionList struct {
	Listed
	Versions []VersionEntry `json:"versions"`
	// SigTags are the signature, attestation and SBOM tags, kept for the details
	// view, which knows the version's digest.
	SigTags []string `json:"sigTags"`
}

// Images lists the images of one repository.
func (b *Browse) Images(profileName, repoID string) (ImageList, error) {
	c, err := b.app.connect(b.app.ctx, profileName)
	if err != nil {
		return ImageList{}, err
	}
	return b.images(b.app.ctx, c, repoID)
}

func (b *Browse) images(ctx context.Context, c *conn, repoID string) (ImageList, error) {
	r, err := c.repo(repoID)
	if err != nil {
		return ImageList{}, err
	}
	l, listed, err := b.list(ctx, c, r.ID, "")
	if err != nil {
		return ImageList{}, err
	}
	out := ImageList{Listed: listed, Images: []ImageEntry{}}
	for _, e := range l.Entries {
		if !e.Dir {
			continue
		}
		ns, name := path.Split(strings.Trim(e.Path, "/"))
		out.Images = append(out.Images, ImageEntry{
			Namespace: strings.TrimSuffix(ns, "/"), Name: name, Path: e.Path,
		})
	}
	sort.Slice(out.Images, func(i, j int) bool {
		a, b := out.Images[i], out.Images[j]
		if a.Namespace != b.Namespace {
			return versions.Less(a.Namespace, b.Namespace)
		}
		return versions.Less(a.Name, b.Name)
	})
	return out, nil
}

// Versions lists an image's versions, naturally sorted, newest marked, with
// signature tags folded away.
func (b *Browse) Versions(profileName, repoID, imagePath string) (VersionList, error) {
	c, err := b.app.connect(b.app.ctx, profileName)
	if err != nil {
		return VersionList{}, err
	}
	return b.versions(b.app.ctx, c, repoID, imagePath)
}

func (b *Browse) versions(ctx context.Context, c *conn, repoID, imagePath string) (VersionList,
	error) {
	r, err := c.repo(repoID)
	if err != nil {
		return VersionList{}, err
	}
	l, listed, err := b.list(ctx, c, r.ID, imagePath)
	if err != nil {
		return VersionList{}, err
	}
	out := foldVersions(l, listed)
	if !listed.Offline {
		ns, image := path.Split(strings.Trim(imagePath, "/"))
		c.signedMarks(ctx, r, strings.TrimSuffix(ns, "/"), image, &out)
	}
	return out, nil
}

// foldVersions turns a listing into sorted versions. Without digests (the list
// call has none) signature tags cannot be matched to versions here; they are
// kept aside, and the details view matches them once it knows the digest.
func foldVersions(l artifact.Listing, listed Listed) VersionList {
	tags := make([]string, 0, len(l.Entries))
	for _, e := range l.Entries {
		if e.Dir {
			tags = append(tags, e.Name)
		}
	}
	vs, orphans := versions.Fold(tags, nil)
	out := VersionList{Listed: listed, Versions: make([]VersionEntry, len(vs)),
		SigTags: orphans}
	names := make([]string, len(vs))
	for i, v := range vs {
		names[i] = v.Name
	}
	newest := versions.Newest(names)
	for i, v := range vs {
		out.Versions[i] = VersionEntry{Name: v.Name, Newest: v.Name == newest,
			Signed: v.Signed, Attested: v.Attested}
	}
	if out.SigTags == nil {
		out.SigTags = []string{}
	}
	return out
}

// list calls the artifact API and caches the answer; when the server cannot be
// reached it serves the cached answer, marked offline with its time.
func (b *Browse) list(ctx context.Context, c *conn, repoID int64, p string) (
	artifact.Listing, Listed, error) {
	key := store.ListingKey{Profile: c.profile.Name, RepoID: repoID, Path: p}
	l, err := c.api.List(ctx, repoID, p, false)
	if err == nil {
		if body, jerr := json.Marshal(l); jerr == nil {
			if perr := b.app.store.PutListing(ctx, key, body); perr != nil {
				b.app.log.Warn("listing not cached", "op", "browse", "err", perr)
			}
		}
		return l, Listed{FetchedAt: time.Now()}, nil
	}
	if !unreachable(err) {
		return artifact.Listing{}, Listed{}, coded(err)
	}
	cached, cerr := b.app.store.GetListing(ctx, key)
	if cerr != nil {
		return artifact.Listing{}, Listed{}, coded(err)
	}
	var out artifact.Listing
	if jerr := json.Unmarshal(cached.Body, &out); jerr != nil {
		return artifact.Listing{}, Listed{}, coded(err)
	}
	return out, Listed{Offline: true, FetchedAt: cached.FetchedAt, ErrorCode: codeOf(err)}, nil
}

// unreachable tells failures that mean "no server right now" (serve the cache)
// from answers the server gave (show the error). An HTML page in place of JSON
// (a sign-in portal, a gateway) counts as no server.
func unreachable(err error) bool {
	return errors.Is(err, artifact.ErrNetwork) || errors.Is(err, artifact.ErrServer) ||
		errors.Is(err, artifact.ErrNotJSON) || errors.Is(err, context.DeadlineExceeded)
}

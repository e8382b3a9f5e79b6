package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"
)

// blobRef is one blob a manifest refers to.
type blobRef struct {
	Digest string `json:"digest"`
	Size   int64  `json:"size"`
}

// tagEntry is one version of an image as the index remembers it.
type tagEntry struct {
	Name      string    `json:"name"`
	Digest    string    `json:"digest"`
	MediaType string    `json:"mediaType,omitempty"`
	Layers    []blobRef `json:"layers,omitempty"`
	Pushed    time.Time `json:"pushed"`
	Deleted   time.Time `json:"deleted,omitzero"`
}

// imageEntry holds the live versions of an image in push order and its
// deleted versions in deletion order.
type imageEntry struct {
	Tags    []tagEntry `json:"tags"`
	Deleted []tagEntry `json:"deleted"`
}

// repoIndex is the persisted index of one repository, by "ns/image".
type repoIndex struct {
	Images map[string]*imageEntry `json:"images"`
}

// tagIndex keeps, per repository, the tags in push order. The registry's own
// storage lists tags sorted, so the push order is recorded here by watching
// successful manifest PUT and DELETE answers. One JSON file per repository.
type tagIndex struct {
	dir string

	mu    sync.Mutex
	repos map[string]*repoIndex
}

// loadIndex reads the index files of the given repositories from dir.
func loadIndex(dir string, repos []Repo) (*tagIndex, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating index dir: %w", err)
	}
	x := &tagIndex{dir: dir, repos: map[string]*repoIndex{}}
	for _, r := range repos {
		ri := &repoIndex{Images: map[string]*imageEntry{}}
		b, err := os.ReadFile(x.file(r.Name))
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return nil, fmt.Errorf("reading index of %s: %w", r.Name, err)
		default:
			if err := json.Unmarshal(b, ri); err != nil {
				return nil, fmt.Errorf("decoding index of %s: %w", r.Name, err)
			}
			if ri.Images == nil {
				ri.Images = map[string]*imageEntry{}
			}
		}
		x.repos[r.Name] = ri
	}
	return x, nil
}

// file is the index file of a repository.
func (x *tagIndex) file(repo string) string {
	return filepath.Join(x.dir, repo+".json")
}

// save writes one repository's index; the caller holds mu.
func (x *tagIndex) save(repo string) error {
	b, err := json.MarshalIndent(x.repos[repo], "", "  ")
	if err != nil {
		return fmt.Errorf("encoding index of %s: %w", repo, err)
	}
	if err := writeFileAtomic(x.file(repo), b, 0o600); err != nil {
		return fmt.Errorf("writing index of %s: %w", repo, err)
	}
	return nil
}

// image returns the entry of an image, creating it; the caller holds mu.
func (x *tagIndex) image(repo, image string) *imageEntry {
	ri := x.repos[repo]
	img := ri.Images[image]
	if img == nil {
		img = &imageEntry{}
		ri.Images[image] = img
	}
	return img
}

// push records a pushed tag. A new tag goes last; a re-pushed tag keeps its
// place and takes the new digest. A deleted tag of that name is revived.
func (x *tagIndex) push(repo, image string, e tagEntry) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.repos[repo] == nil {
		return fmt.Errorf("recording %s/%s:%s: unknown repository", repo, image, e.Name)
	}
	img := x.image(repo, image)
	img.Deleted = slices.DeleteFunc(img.Deleted, func(d tagEntry) bool { return d.Name == e.Name })
	i := slices.IndexFunc(img.Tags, func(t tagEntry) bool { return t.Name == e.Name })
	if i >= 0 {
		img.Tags[i] = e
	} else {
		img.Tags = append(img.Tags, e)
	}
	return x.save(repo)
}

// remove moves the tags selected by drop to the deleted list and returns
// their names.
func (x *tagIndex) remove(repo, image string, drop func(tagEntry) bool) ([]string, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	ri := x.repos[repo]
	if ri == nil || ri.Images[image] == nil {
		return nil, nil
	}
	img := ri.Images[image]
	var names []string
	now := time.Now().UTC()
	kept := img.Tags[:0]
	for _, t := range img.Tags {
		if !drop(t) {
			kept = append(kept, t)
			continue
		}
		names = append(names, t.Name)
		img.Deleted = slices.DeleteFunc(img.Deleted, func(d tagEntry) bool {
			return d.Name == t.Name
		})
		t.Deleted = now
		img.Deleted = append(img.Deleted, t)
	}
	img.Tags = kept
	if len(names) == 0 {
		return nil, nil
	}
	return names, x.save(repo)
}

// deleteTag moves one tag to the deleted list.
func (x *tagIndex) deleteTag(repo, image, tag string) ([]string, error) {
	return x.remove(repo, image, func(t tagEntry) bool { return t.Name == tag })
}

// deleteDigest moves every tag of a manifest digest to the deleted list.
func (x *tagIndex) deleteDigest(repo, image, digest string) ([]string, error) {
	return x.remove(repo, image, func(t tagEntry) bool { return t.Digest == digest })
}

// images returns the sorted "ns/image" keys of a repository that have live
// tags (or deleted ones when deleted is true).
func (x *tagIndex) images(repo string, deleted bool) []string {
	x.mu.Lock()
	defer x.mu.Unlock()
	var out []string
	ri := x.repos[repo]
	if ri == nil {
		return nil
	}
	for key, img := range ri.Images {
		if (deleted && len(img.Deleted) > 0) || (!deleted && len(img.Tags) > 0) {
			out = append(out, key)
		}
	}
	slices.Sort(out)
	return out
}

// tags returns a copy of an image's live (or deleted) tags in order.
func (x *tagIndex) tags(repo, image string, deleted bool) []tagEntry {
	x.mu.Lock()
	defer x.mu.Unlock()
	ri := x.repos[repo]
	if ri == nil || ri.Images[image] == nil {
		return nil
	}
	img := ri.Images[image]
	if deleted {
		return slices.Clone(img.Deleted)
	}
	return slices.Clone(img.Tags)
}

// tag returns one live (or deleted) tag.
func (x *tagIndex) tag(repo, image, tag string, deleted bool) (tagEntry, bool) {
	for _, t := range x.tags(repo, image, deleted) {
		if t.Name == tag {
			return t, true
		}
	}
	return tagEntry{}, false
}

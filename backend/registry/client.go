package registry

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// maxManifestSize bounds how much of a manifest is read.
const maxManifestSize = 4 << 20

// client speaks the distribution API to one repository through a transport
// that go-containerregistry has authenticated (ping, then basic or bearer).
type client struct {
	repo name.Repository
	tr   http.RoundTripper
	http *http.Client
	o    *options
}

// newClient pings the registry and logs in with the scopes for a push or a
// pull of repo, retrying transient failures.
func newClient(ctx context.Context, repo name.Repository, o *options, push bool) (*client, error) {
	scope := repo.Scope(transport.PullScope)
	if push {
		scope = repo.Scope(transport.PushScope)
	}

	var tr http.RoundTripper
	err := o.retry(ctx, "connect", func() error {
		var err error
		tr, err = transport.NewWithContext(ctx, repo.Registry, o.auth, o.transport,
			[]string{scope})
		return err
	}, nil)
	if err != nil {
		return nil, fmt.Errorf("connecting to %s: %w", repo.RegistryStr(), err)
	}
	return &client{repo: repo, tr: tr, http: &http.Client{Transport: tr}, o: o}, nil
}

// url returns the address of a path under the repository, e.g. "blobs/sha256:…".
func (c *client) url(path string) string {
	u := url.URL{
		Scheme: c.repo.Scheme(),
		Host:   c.repo.RegistryStr(),
		Path:   "/v2/" + c.repo.RepositoryStr() + "/" + path,
	}
	return u.String()
}

// do sends req and checks that the answer has one of the codes; on success
// the caller owns the body.
func (c *client) do(req *http.Request, codes ...int) (*http.Response, error) {
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	if err := transport.CheckError(resp, codes...); err != nil {
		resp.Body.Close()
		return nil, err
	}
	return resp, nil
}

// headBlob reports whether the repository holds the blob, and its size.
func (c *client) headBlob(ctx context.Context, h v1.Hash) (int64, bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, c.url("blobs/"+h.String()), nil)
	if err != nil {
		return 0, false, err
	}
	resp, err := c.do(req, http.StatusOK, http.StatusNotFound)
	if err != nil {
		return 0, false, err
	}
	resp.Body.Close()
	return resp.ContentLength, resp.StatusCode == http.StatusOK, nil
}

// startUpload opens an upload session and returns its location.
func (c *client) startUpload(ctx context.Context) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url("blobs/uploads/"), nil)
	if err != nil {
		return "", err
	}
	resp, err := c.do(req, http.StatusAccepted)
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	return location(resp)
}

// patch streams body of unknown length into the upload at loc in one
// request and returns the location to commit it at.
func (c *client) patch(ctx context.Context, loc string, body io.Reader) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPatch, loc, body)
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/octet-stream")
	resp, err := c.do(req, http.StatusAccepted, http.StatusNoContent, http.StatusCreated)
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	return location(resp)
}

// commit finishes the upload at loc as the blob h, sending body (of size
// bytes) with it when body is not nil.
func (c *client) commit(ctx context.Context, loc string, h v1.Hash, body []byte) error {
	u, err := url.Parse(loc)
	if err != nil {
		return fmt.Errorf("parsing upload location: %w", err)
	}
	q := u.Query()
	q.Set("digest", h.String())
	u.RawQuery = q.Encode()

	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, u.String(), rd)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/octet-stream")
	resp, err := c.do(req, http.StatusCreated)
	if err != nil {
		return err
	}
	resp.Body.Close()
	return nil
}

// cancelUpload abandons an upload session, best effort: the registry purges
// stale sessions by itself anyway.
func (c *client) cancelUpload(loc string) {
	ctx, cancel := context.WithTimeout(context.Background(), cancelTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, loc, nil)
	if err != nil {
		return
	}
	if resp, err := c.http.Do(req); err == nil {
		resp.Body.Close()
	}
}

// putManifest stores raw under reference (a tag or digest) and returns the
// digest the registry reports, zero when it reports none.
func (c *client) putManifest(ctx context.Context, reference, mediaType string,
	raw []byte) (v1.Hash, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut,
		c.url("manifests/"+reference), bytes.NewReader(raw))
	if err != nil {
		return v1.Hash{}, err
	}
	req.Header.Set("Content-Type", mediaType)
	resp, err := c.do(req, http.StatusCreated, http.StatusOK, http.StatusAccepted)
	if err != nil {
		return v1.Hash{}, err
	}
	resp.Body.Close()
	return headerDigest(resp)
}

// headManifest returns the digest the registry serves for reference. When the
// answer carries no digest header, the manifest is fetched and hashed.
func (c *client) headManifest(ctx context.Context, reference, mediaType string) (v1.Hash, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodHead,
		c.url("manifests/"+reference), nil)
	if err != nil {
		return v1.Hash{}, err
	}
	req.Header.Set("Accept", mediaType)
	resp, err := c.do(req, http.StatusOK)
	if err != nil {
		return v1.Hash{}, err
	}
	resp.Body.Close()
	if h, err := headerDigest(resp); err != nil || h != (v1.Hash{}) {
		return h, err
	}

	req.Method = http.MethodGet
	resp, err = c.do(req, http.StatusOK)
	if err != nil {
		return v1.Hash{}, err
	}
	defer resp.Body.Close()
	h, _, err := v1.SHA256(io.LimitReader(resp.Body, maxManifestSize))
	return h, err
}

// getBlob opens the blob h, of size bytes, from byte offset on. The second
// result is the offset the body actually starts at: 0 when the registry
// ignored the range.
func (c *client) getBlob(ctx context.Context, h v1.Hash, offset, size int64) (io.ReadCloser,
	int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.url("blobs/"+h.String()), nil)
	if err != nil {
		return nil, 0, err
	}
	want := "bytes " + strconv.FormatInt(offset, 10) + "-"
	if offset > 0 {
		// A closed range: some registries refuse the open form.
		req.Header.Set("Range", "bytes="+strconv.FormatInt(offset, 10)+"-"+
			strconv.FormatInt(size-1, 10))
	}
	resp, err := c.do(req, http.StatusOK, http.StatusPartialContent)
	if err != nil {
		return nil, 0, err
	}
	if resp.StatusCode == http.StatusOK {
		return resp.Body, 0, nil
	}
	if !strings.HasPrefix(resp.Header.Get("Content-Range"), want) {
		resp.Body.Close()
		return nil, 0, fmt.Errorf("GET %s: answer range %q does not start at %d",
			req.URL.Redacted(), resp.Header.Get("Content-Range"), offset)
	}
	return resp.Body, offset, nil
}

// location resolves the Location header of an upload answer.
func location(resp *http.Response) (string, error) {
	loc := resp.Header.Get("Location")
	if loc == "" {
		return "", fmt.Errorf("%s %s: answer has no Location header",
			resp.Request.Method, resp.Request.URL.Redacted())
	}
	u, err := url.Parse(loc)
	if err != nil {
		return "", fmt.Errorf("parsing upload location: %w", err)
	}
	return resp.Request.URL.ResolveReference(u).String(), nil
}

// headerDigest reads Docker-Content-Digest, zero when absent.
func headerDigest(resp *http.Response) (v1.Hash, error) {
	d := resp.Header.Get("Docker-Content-Digest")
	if d == "" {
		return v1.Hash{}, nil
	}
	h, err := v1.NewHash(d)
	if err != nil {
		return v1.Hash{}, fmt.Errorf("reading Docker-Content-Digest: %w", err)
	}
	return h, nil
}

package artifact

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// reportPath is the API path of the scan report download.
const reportPath = "/api/v1/artifact/repo/file/scanreport"

// ReportPath returns the repository path that addresses the scan report of an
// image version: "<namespace>/<image>/<version>/manifest.json".
func ReportPath(namespace, image, version string) string {
	return namespace + "/" + image + "/" + version + "/manifest.json"
}

// ScanReport downloads the .xlsx scan report of namespace/image:version in
// repository repoID and writes it to w, returning the number of bytes written.
// A report the server has not generated yet usually fails with an *Error of
// status 500 matching ErrServer; callers tell it apart from a real fault by
// listing the image's folder. A body cut off mid-stream fails with ErrNetwork
// after the received part was written to w.
func (c *Client) ScanReport(ctx context.Context, repoID int64, namespace, image,
	version string, w io.Writer) (int64, error) {
	start := time.Now()
	n, err := c.scanReport(ctx, repoID, namespace, image, version, w)
	c.logDone(ctx, "scanreport", repoID, start, n, err)
	if err != nil {
		return n, fmt.Errorf("downloading scan report of %s/%s:%s: %w",
			namespace, image, version, err)
	}
	return n, nil
}

// scanReport performs the download.
func (c *Client) scanReport(ctx context.Context, repoID int64, namespace, image,
	version string, w io.Writer) (int64, error) {
	for _, part := range []string{namespace, image, version} {
		if part == "" || strings.ContainsAny(part, "/\\") || part == "." || part == ".." {
			return 0, fmt.Errorf("%w: path element %q", ErrInvalidArgument, part)
		}
	}

	q := url.Values{}
	q.Set("repo_id", strconv.FormatInt(repoID, 10))
	q.Set("path", ReportPath(namespace, image, version))
	u := c.endpoint(reportPath, q)

	resp, err := c.do(ctx, http.MethodGet, u, nil,
		"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet, */*")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()

	if resp.ContentLength > c.maxReport {
		return 0, c.fail(http.MethodGet, u, resp.StatusCode,
			fmt.Errorf("%w: announced %d bytes, limit %d", ErrTooLarge,
				resp.ContentLength, c.maxReport))
	}
	src := &readRecorder{r: io.LimitReader(resp.Body, c.maxReport+1)}
	n, err := io.Copy(w, src)
	switch {
	case n > c.maxReport:
		return n, c.fail(http.MethodGet, u, resp.StatusCode,
			fmt.Errorf("%w: over %d bytes", ErrTooLarge, c.maxReport))
	case src.err != nil:
		return n, c.fail(http.MethodGet, u, resp.StatusCode, transportError(ctx, src.err))
	case err != nil:
		return n, fmt.Errorf("writing report: %w", err)
	}
	return n, nil
}

// readRecorder remembers the first read error other than io.EOF, so that a
// cut-off body is told apart from a failing destination.
type readRecorder struct {
	r   io.Reader
	err error
}

// Read reads from the wrapped reader and records its error.
func (rr *readRecorder) Read(p []byte) (int, error) {
	n, err := rr.r.Read(p)
	if err != nil && err != io.EOF && rr.err == nil {
		rr.err = err
	}
	return n, err
}

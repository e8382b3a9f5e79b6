// Command seedtags prepares a sandbox data directory whose image
// base-images/basic/bench has many version tags and cosign-style signature
// tags, for the window benchmark of the version list. It starts the sandbox in
// process on a loopback port (demo images included), pushes one small image,
// then PUTs the same manifest under every other tag through the registry API.
//
//	go run ./build/scripts/seedtags -data DIR [-n 10000] [-sigs 100] [-out FILE]
//
// Versions are "MAJOR.MINOR.PATCH" (1-10, 0-9, 0-99), pushed in shuffled
// order. -out gets them in the order the window must show (numeric order,
// which plain string order is not), one JSON object; it is written here,
// without the versions package, so that it can check the window's sort.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"imagedesk/backend/sandbox"
)

// Bounds of the flags and of the PUT workers.
const (
	maxVersions = 10_000
	maxSigs     = 1_000
	workers     = 4
)

// Where the tags go.
const (
	repoName  = "base-images"
	imagePath = "basic/bench"
)

// expected is what -out holds.
type expected struct {
	Repo     string   `json:"repo"`
	Image    string   `json:"image"`
	Versions []string `json:"versions"`
	SigTags  int      `json:"sigTags"`
	MS       int64    `json:"ms"`
}

func main() {
	data := flag.String("data", "", "the sandbox data `DIR` (data/sandbox of a data directory)")
	n := flag.Int("n", maxVersions, "how many version tags")
	sigs := flag.Int("sigs", 100, "how many sha256-<hex>.sig tags")
	out := flag.String("out", "", "write the expected version order to `FILE`")
	flag.Parse()
	if err := run(*data, *n, *sigs, *out); err != nil {
		fmt.Fprintln(os.Stderr, "seedtags:", err)
		os.Exit(1)
	}
}

func run(data string, n, sigs int, out string) error {
	if data == "" {
		return errors.New("-data is required")
	}
	if n < 1 || n > maxVersions || sigs < 0 || sigs > maxSigs {
		return fmt.Errorf("-n must be from 1 to %d and -sigs from 0 to %d", maxVersions, maxSigs)
	}
	began := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()

	pw, _, _, err := sandbox.EnsurePassword(data)
	if err != nil {
		return err
	}
	srv, err := sandbox.Start(ctx, sandbox.Config{
		DataDir: data, Password: pw, Demo: true, NoReportPattern: "re:.*",
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		return err
	}
	defer srv.Close(context.Background())

	vs := versionNames(n)
	tags := append([]string(nil), vs...)
	for i := range sigs {
		tags = append(tags, fmt.Sprintf("sha256-%064x.sig", 0xbe7c0000+i))
	}
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(tags), func(i, j int) {
		tags[i], tags[j] = tags[j], tags[i]
	})

	image := repoName + "/" + imagePath
	manifest, mediaType, err := pushFirst(ctx, srv.Addr()+"/"+image+":"+tags[0], pw)
	if err != nil {
		return err
	}
	url := "http://" + srv.Addr() + "/v2/" + image
	if err := putAll(ctx, url, tags[1:], manifest, mediaType, pw); err != nil {
		return err
	}

	if out == "" {
		return nil
	}
	b, err := json.Marshal(expected{Repo: repoName, Image: imagePath, Versions: vs,
		SigTags: sigs, MS: time.Since(began).Milliseconds()})
	if err != nil {
		return err
	}
	return os.WriteFile(out, b, 0o600)
}

// versionNames returns n versions in numeric order.
func versionNames(n int) []string {
	out := make([]string, 0, n)
	for major := 1; major <= 10; major++ {
		for minor := range 10 {
			for patch := range 100 {
				if len(out) == n {
					return out
				}
				out = append(out, fmt.Sprintf("%d.%d.%d", major, minor, patch))
			}
		}
	}
	return out
}

// pushFirst pushes one small image and returns its manifest.
func pushFirst(ctx context.Context, ref, pw string) ([]byte, string, error) {
	tag, err := name.NewTag(ref, name.Insecure)
	if err != nil {
		return nil, "", err
	}
	img, err := random.Image(512, 1)
	if err != nil {
		return nil, "", err
	}
	auth := &authn.Basic{Username: sandbox.DefaultUser, Password: pw}
	if err := remote.Write(tag, img, remote.WithAuth(auth), remote.WithContext(ctx)); err != nil {
		return nil, "", fmt.Errorf("pushing %s: %w", ref, err)
	}
	raw, err := img.RawManifest()
	if err != nil {
		return nil, "", err
	}
	mt, err := img.MediaType()
	return raw, string(mt), err
}

// putAll PUTs the manifest under every tag, a few at a time.
func putAll(ctx context.Context, base string, tags []string, manifest []byte, mediaType,
	pw string) error {
	jobs := make(chan string)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	client := &http.Client{Timeout: time.Minute}
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for tag := range jobs {
				err := put(ctx, client, base+"/manifests/"+tag, manifest, mediaType, pw)
				mu.Lock()
				if first == nil {
					first = err
				}
				mu.Unlock()
			}
		}()
	}
	for _, tag := range tags {
		mu.Lock()
		stop := first != nil
		mu.Unlock()
		if stop {
			break
		}
		jobs <- tag
	}
	close(jobs)
	wg.Wait()
	return first
}

// put sends one manifest PUT and wants 201 Created.
func put(ctx context.Context, c *http.Client, url string, manifest []byte, mediaType,
	pw string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, url, bytes.NewReader(manifest))
	if err != nil {
		return err
	}
	req.SetBasicAuth(sandbox.DefaultUser, pw)
	req.Header.Set("Content-Type", mediaType)
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		return fmt.Errorf("PUT %s: %s", url, resp.Status)
	}
	return nil
}

package app

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"imagedesk/backend/artifact"
	"imagedesk/backend/profile"
	"imagedesk/backend/store"
)

// Check is the outcome of one half of a connection test.
type Check struct {
	OK     bool   `json:"ok"`
	Code   string `json:"code,omitempty"`
	Detail string `json:"detail,omitempty"`
	MS     int64  `json:"ms"`
}

// TestResult tells the artifact API login and the registry login apart, so the
// user sees which one failed and why.
type TestResult struct {
	API      Check `json:"api"`
	Registry Check `json:"registry"`
}

// checkTimeout bounds each half of a connection test.
const checkTimeout = 15 * time.Second

// Test logs in to the profile's artifact API and registry, separately.
func (p *Profiles) Test(name string) (TestResult, error) {
	ctx := p.app.ctx
	pr, err := p.get(ctx, name)
	if err != nil {
		return TestResult{}, err
	}
	id := p.hist.begin(ctx, store.Event{Kind: store.KindLogin, Profile: name}, nil)
	res := testProfile(ctx, pr, func() (string, error) { return p.password(name) })
	var failed error
	switch {
	case !res.API.OK:
		failed = &CodedError{Code: res.API.Code, Detail: "api: " + res.API.Detail}
	case !res.Registry.OK:
		failed = &CodedError{Code: res.Registry.Code, Detail: "registry: " + res.Registry.Detail}
	}
	p.hist.end(ctx, id, store.Outcome{}, failed)
	return res, nil
}

// testProfile runs both checks of a connection test.
func testProfile(ctx context.Context, pr profile.Profile, pw func() (string, error)) TestResult {
	return TestResult{
		API:      timed(ctx, func(ctx context.Context) error { return checkAPI(ctx, pr, pw) }),
		Registry: timed(ctx, func(ctx context.Context) error { return checkRegistry(ctx, pr, pw) }),
	}
}

func timed(ctx context.Context, f func(context.Context) error) Check {
	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	start := time.Now()
	err := f(ctx)
	c := Check{OK: err == nil, MS: time.Since(start).Milliseconds()}
	if err != nil {
		c.Code, c.Detail = codeOf(err), err.Error()
	}
	return c
}

// checkAPI lists the root of the profile's first repository. A well-formed
// answer with an error code still proves that the login was accepted.
func checkAPI(ctx context.Context, pr profile.Profile, pw func() (string, error)) error {
	c, err := apiClient(pr, pw)
	if err != nil {
		return err
	}
	var repoID int64
	if len(pr.Repos) > 0 {
		repoID = pr.Repos[0].ID
	}
	_, err = c.List(ctx, repoID, "", false)
	if errors.Is(err, artifact.ErrAPI) && len(pr.Repos) == 0 {
		return nil
	}
	return err
}

// apiClient builds the artifact API client of a profile.
func apiClient(pr profile.Profile, pw func() (string, error)) (*artifact.Client, error) {
	rt, err := pr.Transport()
	if err != nil {
		return nil, err
	}
	return artifact.New(pr.APIURL,
		artifact.WithTransport(rt),
		artifact.WithUserAgent("imagedesk/"+Version),
		artifact.WithCredentials(func() (string, string, error) {
			p, err := pw()
			return pr.User, p, err
		}))
}

// checkRegistry logs in to the registry the way a push would (basic or token
// auth) and asks for its API root.
func checkRegistry(ctx context.Context, pr profile.Profile, pw func() (string, error)) error {
	rt, err := pr.Transport()
	if err != nil {
		return err
	}
	var opts []name.Option
	if pr.PlainHTTP {
		opts = append(opts, name.Insecure)
	}
	reg, err := name.NewRegistry(pr.Registry, opts...)
	if err != nil {
		return &CodedError{Code: CodeInvalidProfile, Detail: "registry", Err: err}
	}
	password, err := pw()
	if err != nil {
		return err
	}
	auth := authn.FromConfig(authn.AuthConfig{Username: pr.User, Password: password})
	tr, err := transport.NewWithContext(ctx, reg, auth, rt, nil)
	if err != nil {
		return registryError(err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet,
		fmt.Sprintf("%s://%s/v2/", reg.Scheme(), reg.RegistryStr()), nil)
	if err != nil {
		return err
	}
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		return registryError(err)
	}
	resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusOK:
		return nil
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return &CodedError{Code: CodeUnauthorized, Detail: resp.Status}
	case resp.StatusCode >= 500:
		return &CodedError{Code: CodeServer, Detail: resp.Status}
	}
	return &CodedError{Code: CodeAPI, Detail: resp.Status}
}

// registryError gives go-containerregistry's transport errors our codes.
func registryError(err error) error {
	var te *transport.Error
	if errors.As(err, &te) {
		switch {
		case te.StatusCode == http.StatusUnauthorized || te.StatusCode == http.StatusForbidden:
			return &CodedError{Code: CodeUnauthorized, Err: err}
		case te.StatusCode >= 500:
			return &CodedError{Code: CodeServer, Err: err}
		}
	}
	return err
}

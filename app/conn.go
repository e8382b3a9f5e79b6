package app

import (
	"context"
	"net/http"
	"path/filepath"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"

	"imagedesk/backend/artifact"
	"imagedesk/backend/profile"
	"imagedesk/backend/reports"
)

// conn is everything needed to talk to one profile's server: its settings, the
// API client, the registry transport and login, and the report fetcher.
type conn struct {
	profile profile.Profile
	api     *artifact.Client
	rt      http.RoundTripper
	auth    authn.Authenticator
	reports *reports.Fetcher
}

// connect builds the clients of the named profile. The password is read from the
// keyring only when a request needs it.
func (a *App) connect(ctx context.Context, profileName string) (*conn, error) {
	pr, err := a.Profiles.get(ctx, profileName)
	if err != nil {
		return nil, err
	}
	return a.connectWith(pr, func() (string, error) { return a.Profiles.password(profileName) })
}

// connectWith builds the clients of a server given by its settings and password.
func (a *App) connectWith(pr profile.Profile, pw func() (string, error)) (*conn, error) {
	api, err := apiClient(pr, pw)
	if err != nil {
		return nil, coded(err)
	}
	rt, err := pr.Transport()
	if err != nil {
		return nil, coded(err)
	}
	return &conn{
		profile: pr,
		api:     api,
		rt:      rt,
		auth:    lazyAuth{user: pr.User, password: pw},
		reports: reports.NewFetcher(api, filepath.Join(a.dirs.Cache, "reports"),
			reports.WithLogger(a.log)),
	}, nil
}

// repo finds a repository of the profile by its id, given as a string.
func (c *conn) repo(id string) (profile.Repo, error) {
	for _, r := range c.profile.Repos {
		if r.IDString() == id {
			return r, nil
		}
	}
	return profile.Repo{}, &CodedError{Code: CodeNotFound, Detail: "repository " + id}
}

// ref builds the registry reference of one version.
func (c *conn) ref(r profile.Repo, namespace, image, version string) (name.Reference, error) {
	s, err := c.profile.Reference(r, namespace, image, version)
	if err != nil {
		return nil, coded(err)
	}
	var opts []name.Option
	if c.profile.PlainHTTP {
		opts = append(opts, name.Insecure)
	}
	ref, err := name.ParseReference(s, opts...)
	if err != nil {
		return nil, coded(err)
	}
	return ref, nil
}

// lazyAuth logs in with basic auth, asking for the password at the last moment.
type lazyAuth struct {
	user     string
	password func() (string, error)
}

// Authorization returns the basic-auth configuration.
func (l lazyAuth) Authorization() (*authn.AuthConfig, error) {
	pw, err := l.password()
	if err != nil {
		return nil, err
	}
	return &authn.AuthConfig{Username: l.user, Password: pw}, nil
}

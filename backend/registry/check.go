package registry

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// Exists reports whether ref names a manifest in the registry, and its
// descriptor when it does, so that a caller can ask before overwriting a tag.
// A missing repository or tag is found false with a nil error.
func Exists(ctx context.Context, ref name.Reference, opts ...Option) (*v1.Descriptor, bool,
	error) {
	o, err := makeOptions(opts)
	if err != nil {
		return nil, false, fmt.Errorf("looking up %s: %w", ref, err)
	}
	c, err := newClient(ctx, ref.Context(), o, false)
	if err != nil {
		return nil, false, fmt.Errorf("looking up %s: %w", ref, classify(err))
	}

	var desc *v1.Descriptor
	err = o.retry(ctx, "head manifest", func() error {
		var err error
		desc, err = remote.Head(ref, remote.WithContext(ctx), remote.WithTransport(c.tr))
		return err
	}, nil)
	var te *transport.Error
	if errors.As(err, &te) && te.StatusCode == http.StatusNotFound {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("looking up %s: %w", ref, classify(err))
	}
	return desc, true, nil
}

// Check is the pre-flight of a push: it reaches the registry (ErrUnreachable),
// trusts its certificate (ErrUntrusted), logs in (ErrUnauthorized) and opens
// and abandons an upload to prove that pushing to repo is allowed (ErrDenied).
func Check(ctx context.Context, repo name.Repository, opts ...Option) error {
	o, err := makeOptions(opts)
	if err != nil {
		return fmt.Errorf("checking %s: %w", repo, err)
	}
	c, err := newClient(ctx, repo, o, true)
	if err != nil {
		return fmt.Errorf("checking %s: %w", repo, classify(err))
	}

	var loc string
	err = o.retry(ctx, "start upload", func() error {
		var err error
		loc, err = c.startUpload(ctx)
		return err
	}, nil)
	if err != nil {
		return fmt.Errorf("checking push to %s: %w", repo, classify(err))
	}
	c.cancelUpload(loc)
	return nil
}

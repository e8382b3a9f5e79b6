package signing

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	cremote "github.com/sigstore/cosign/v2/pkg/cosign/remote"
	"github.com/sigstore/cosign/v2/pkg/oci/mutate"
	ociremote "github.com/sigstore/cosign/v2/pkg/oci/remote"
	"github.com/sigstore/cosign/v2/pkg/oci/static"
	"github.com/sigstore/sigstore/pkg/signature/options"
	"github.com/sigstore/sigstore/pkg/signature/payload"
)

// KeyAnnotation is the payload annotation in which Sign records the
// fingerprint of the signing key. Verify reads it, unverified, only to tell a
// damaged signature by a trusted key (BadgeInvalid) from a signature by an
// unknown key (BadgeSignedUnverified); it never makes a signature count.
const KeyAnnotation = "dev.imagedesk.signing/key-fingerprint"

// SignOptions configures Sign. The zero value signs over
// remote.DefaultTransport, anonymously, without annotations or logging.
type SignOptions struct {
	// Transport carries every registry request; nil means
	// remote.DefaultTransport.
	Transport http.RoundTripper
	// Auth authenticates to the registry; nil means anonymous. The docker
	// credential helpers are never consulted.
	Auth authn.Authenticator
	// Annotations are added to the signed payload's optional section, as
	// `cosign sign -a key=value` does (for example "signer"). KeyAnnotation
	// is always set by Sign and overrides a caller's value.
	Annotations map[string]string
	// RekorURL names a transparency log to upload to. It must be empty:
	// uploading is not implemented and Sign fails with ErrTlogUnsupported
	// rather than quietly skip it.
	RekorURL string
	// Logger receives one debug line per signature; nil discards.
	Logger *slog.Logger
}

// Sign resolves ref to the digest of its manifest (a HEAD request, with a GET
// when the registry answers HEAD badly), signs `repository@digest` with the
// encrypted private key privPEM, and adds the signature to the classic
// `sha256-<hex>.sig` tag in the same repository, keeping the signatures
// already there. The tag itself is never what gets signed. It returns the
// signed digest. A reference the registry does not know fails with
// ErrNotFound; a passphrase that does not decrypt the key with ErrPassphrase.
// The passphrase slice is cleared after use.
func Sign(ctx context.Context, ref name.Reference, privPEM []byte,
	passphrase func() ([]byte, error), opts SignOptions) (v1.Hash, error) {
	log := loggerOrDiscard(opts.Logger)
	if opts.RekorURL != "" {
		// TODO: upload to a private Rekor instance when one is configured;
		// that needs its public key to be pinned too, as TUF is not used.
		return v1.Hash{}, fmt.Errorf("signing %s: %w", ref, ErrTlogUnsupported)
	}
	start := time.Now()

	ro := remoteOptions(ctx, opts.Transport, opts.Auth)
	h, err := resolveDigest(ctx, ref, ro)
	if err != nil {
		return v1.Hash{}, fmt.Errorf("signing %s: %w", ref, err)
	}
	digest := ref.Context().Digest(h.String())

	pass, err := readPassphrase(passphrase)
	if err != nil {
		return v1.Hash{}, fmt.Errorf("signing %s: %w", ref, err)
	}
	sv, err := loadSigner(privPEM, pass)
	clear(pass)
	if err != nil {
		return v1.Hash{}, fmt.Errorf("signing %s: %w", ref, err)
	}
	pk, err := sv.PublicKey()
	if err != nil {
		return v1.Hash{}, fmt.Errorf("signing %s: %w", ref, err)
	}
	fp, err := fingerprintKey(pk)
	if err != nil {
		return v1.Hash{}, fmt.Errorf("signing %s: %w", ref, err)
	}

	ann := make(map[string]any, len(opts.Annotations)+1)
	for k, v := range opts.Annotations {
		ann[k] = v
	}
	ann[KeyAnnotation] = fp
	body, err := payload.Cosign{Image: digest, Annotations: ann}.MarshalJSON()
	if err != nil {
		return v1.Hash{}, fmt.Errorf("signing %s: payload: %w", digest, err)
	}
	raw, err := sv.SignMessage(bytes.NewReader(body), options.WithContext(ctx))
	if err != nil {
		return v1.Hash{}, fmt.Errorf("signing %s: %w", digest, err)
	}
	sig, err := static.NewSignature(body, base64.StdEncoding.EncodeToString(raw))
	if err != nil {
		return v1.Hash{}, fmt.Errorf("signing %s: %w", digest, err)
	}

	oo := []ociremote.Option{ociremote.WithRemoteOptions(ro...)}
	se, err := ociremote.SignedEntity(digest, oo...)
	var nf *ociremote.EntityNotFoundError
	if errors.As(err, &nf) {
		return v1.Hash{}, fmt.Errorf("signing %s: %w", digest, ErrNotFound)
	} else if err != nil {
		return v1.Hash{}, fmt.Errorf("signing %s: %w", digest, err)
	}
	// TODO: two clients signing the same digest at once both read the old
	// signature list and the later write drops the earlier signature; the
	// registry offers no compare-and-swap on tags.
	se, err = mutate.AttachSignatureToEntity(se, sig,
		mutate.WithDupeDetector(cremote.NewDupeDetector(sv)))
	if err != nil {
		return v1.Hash{}, fmt.Errorf("signing %s: %w", digest, err)
	}
	if err := ociremote.WriteSignatures(digest.Repository, se, oo...); err != nil {
		return v1.Hash{}, fmt.Errorf("signing %s: writing signature: %w", digest, err)
	}

	log.DebugContext(ctx, "signed image", "op", "sign", "ref", ref.String(),
		"digest", h.String(), "ms", time.Since(start).Milliseconds())
	return h, nil
}

// remoteOptions builds the go-containerregistry options shared by Sign and
// Verify. They replace cosign's defaults, which would read the docker
// keychain and its credential helpers.
func remoteOptions(ctx context.Context, rt http.RoundTripper,
	auth authn.Authenticator) []remote.Option {
	if rt == nil {
		rt = remote.DefaultTransport
	}
	if auth == nil {
		auth = authn.Anonymous
	}
	return []remote.Option{
		remote.WithContext(ctx),
		remote.WithTransport(rt),
		remote.WithAuth(auth),
	}
}

// resolveDigest returns the manifest digest ref stands for. It asks with HEAD
// and falls back to GET when HEAD fails for a reason other than a missing
// image or refused credentials, since some registries answer HEAD without
// the digest header.
func resolveDigest(ctx context.Context, ref name.Reference, ro []remote.Option) (v1.Hash, error) {
	desc, err := remote.Head(ref, ro...)
	if err == nil {
		return desc.Digest, nil
	}
	if ctx.Err() != nil {
		return v1.Hash{}, fmt.Errorf("resolving digest: %w", err)
	}
	var te *transport.Error
	if errors.As(err, &te) {
		switch te.StatusCode {
		case http.StatusNotFound:
			return v1.Hash{}, fmt.Errorf("resolving digest: %w", ErrNotFound)
		case http.StatusUnauthorized, http.StatusForbidden:
			return v1.Hash{}, fmt.Errorf("resolving digest: %w", err)
		}
	}

	got, err := remote.Get(ref, ro...)
	if errors.As(err, &te) && te.StatusCode == http.StatusNotFound {
		return v1.Hash{}, fmt.Errorf("resolving digest: %w", ErrNotFound)
	} else if err != nil {
		return v1.Hash{}, fmt.Errorf("resolving digest: %w", err)
	}
	return got.Digest, nil
}

// loggerOrDiscard returns l, or a logger that drops everything when l is nil.
func loggerOrDiscard(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l
}

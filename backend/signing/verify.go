package signing

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/sigstore/cosign/v2/pkg/cosign"
	"github.com/sigstore/cosign/v2/pkg/oci"
	ociremote "github.com/sigstore/cosign/v2/pkg/oci/remote"
	"github.com/sigstore/sigstore/pkg/signature"
	"github.com/sigstore/sigstore/pkg/signature/payload"
)

const (
	// maxChecked bounds how many signatures of one image Verify examines;
	// the rest are counted but not fetched.
	maxChecked = 100

	// maxPayload bounds the size of a signature payload Verify downloads; a
	// simple-signing document is well under a kilobyte.
	maxPayload = 64 << 10
)

// Badge is the signature state of one image digest, as the UI shows it.
type Badge string

// The four badges. Only BadgeVerified means a trusted key signed this digest.
const (
	// BadgeUnsigned means no signature is stored for the digest.
	BadgeUnsigned Badge = "unsigned"
	// BadgeSignedUnverified means signatures exist but none verifies with a
	// trusted key, and none claims to come from one.
	BadgeSignedUnverified Badge = "signed_unverified"
	// BadgeVerified means a trusted key verifies a signature whose payload
	// names exactly this digest.
	BadgeVerified Badge = "verified"
	// BadgeInvalid means a signature made by, or claiming to be made by, a
	// trusted key does not hold for this digest: its bytes were altered, or
	// its payload names another image (a signature copied over from a
	// different digest).
	BadgeInvalid Badge = "invalid"
)

// Result is what Verify found for one image.
type Result struct {
	// Badge is the overall state.
	Badge Badge `json:"badge"`
	// Digest is the manifest digest that was checked, "sha256:<hex>".
	Digest string `json:"digest"`
	// Fingerprint is the trusted key behind a verified or invalid signature,
	// as Fingerprint formats it; empty otherwise.
	Fingerprint string `json:"fingerprint"`
	// Signatures is how many signatures are stored for the digest.
	Signatures int `json:"signatures"`
	// Detail is one plain English sentence on how the badge was reached.
	Detail string `json:"detail"`
}

// VerifyOptions configures Verify. The zero value verifies over
// remote.DefaultTransport, anonymously, without logging.
type VerifyOptions struct {
	// Transport carries every registry request; nil means
	// remote.DefaultTransport.
	Transport http.RoundTripper
	// Auth authenticates to the registry; nil means anonymous.
	Auth authn.Authenticator
	// Logger receives one debug line per verification; nil discards.
	Logger *slog.Logger
}

// trustedKey is a parsed trusted public key.
type trustedKey struct {
	fp string
	v  signature.Verifier
}

// outcome is the verdict on one stored signature.
type outcome struct {
	badge  Badge // BadgeVerified, BadgeInvalid or BadgeSignedUnverified
	fp     string
	reason string
}

// Verify resolves ref to its manifest digest and checks the signatures
// stored under that digest's `.sig` tag against the trusted public keys
// (PEM). It talks to the registry only: no transparency log, no
// certificates, no TUF. A signature counts when a trusted key verifies its
// bytes over the payload and the payload is a cosign container image
// signature naming this very digest. One such signature makes the image
// verified; otherwise a signature attributable to a trusted key that fails
// makes it invalid, and any other signature makes it signed_unverified.
// An error means the state could not be determined; a trusted key that is
// not a usable public key fails with ErrBadKey before any request.
func Verify(ctx context.Context, ref name.Reference, trusted [][]byte,
	opts VerifyOptions) (Result, error) {
	log := loggerOrDiscard(opts.Logger)
	start := time.Now()

	keys, err := loadTrusted(trusted)
	if err != nil {
		return Result{}, fmt.Errorf("verifying %s: %w", ref, err)
	}
	ro := remoteOptions(ctx, opts.Transport, opts.Auth)
	h, err := resolveDigest(ctx, ref, ro)
	if err != nil {
		return Result{}, fmt.Errorf("verifying %s: %w", ref, err)
	}
	digest := ref.Context().Digest(h.String())

	oo := []ociremote.Option{ociremote.WithRemoteOptions(ro...)}
	tag, err := ociremote.SignatureTag(digest, oo...)
	if err != nil {
		return Result{}, fmt.Errorf("verifying %s: %w", digest, err)
	}
	sigs, err := ociremote.Signatures(tag, oo...)
	if err != nil {
		return Result{}, fmt.Errorf("verifying %s: reading %s: %w", digest, tag, err)
	}
	list, err := sigs.Get()
	if err != nil {
		return Result{}, fmt.Errorf("verifying %s: reading %s: %w", digest, tag, err)
	}

	res := Result{Digest: h.String(), Signatures: len(list)}
	if len(list) == 0 {
		res.Badge = BadgeUnsigned
		res.Detail = "no signature is stored for this digest"
	} else {
		var outs []outcome
		for i, s := range list {
			if i == maxChecked {
				break
			}
			o, err := checkSignature(ctx, s, h, keys)
			if err != nil {
				return Result{}, fmt.Errorf("verifying %s: signature %d: %w", digest, i, err)
			}
			outs = append(outs, o)
		}
		summarize(&res, outs)
	}

	log.DebugContext(ctx, "checked signatures", "op", "verify", "ref", ref.String(),
		"digest", res.Digest, "ms", time.Since(start).Milliseconds())
	return res, nil
}

// loadTrusted parses the trusted public keys into verifiers with the same
// default algorithm choices cosign signs with.
func loadTrusted(trusted [][]byte) ([]trustedKey, error) {
	keys := make([]trustedKey, 0, len(trusted))
	for i, p := range trusted {
		pk, err := publicKeyFromPEM(p)
		if err != nil {
			return nil, fmt.Errorf("trusted key %d: %w", i, err)
		}
		fp, err := fingerprintKey(pk)
		if err != nil {
			return nil, fmt.Errorf("trusted key %d: %w", i, err)
		}
		lo := *cosign.GetDefaultLoadOptions(nil)
		ad, err := signature.GetDefaultAlgorithmDetails(pk, lo...)
		if err != nil {
			return nil, fmt.Errorf("trusted key %d: %w: %w", i, ErrBadKey, err)
		}
		v, err := signature.LoadVerifierFromAlgorithmDetails(pk, ad, lo...)
		if err != nil {
			return nil, fmt.Errorf("trusted key %d: %w: %w", i, ErrBadKey, err)
		}
		keys = append(keys, trustedKey{fp: fp, v: v})
	}
	return keys, nil
}

// checkSignature judges one stored signature. It returns an error only when
// the registry could not be asked; a signature that cannot be read is a
// verdict, not an error.
func checkSignature(ctx context.Context, s oci.Signature, want v1.Hash,
	keys []trustedKey) (outcome, error) {
	if size, err := s.Size(); err != nil || size > maxPayload {
		return outcome{badge: BadgeSignedUnverified, reason: "its payload is too large"}, nil
	}
	body, err := s.Payload()
	if err != nil {
		if isTransient(ctx, err) {
			return outcome{}, fmt.Errorf("reading payload: %w", err)
		}
		return outcome{badge: BadgeSignedUnverified, reason: "its payload cannot be read"}, nil
	}
	claimed := claimedKey(body)

	raw, err := decodeSignature(s)
	if err == nil {
		for _, k := range keys {
			verr := k.v.VerifySignature(bytes.NewReader(raw), bytes.NewReader(body))
			if verr != nil {
				continue
			}
			if perr := CheckPayload(body, want); perr != nil {
				return outcome{badge: BadgeInvalid, fp: k.fp, reason: perr.Error()}, nil
			}
			return outcome{badge: BadgeVerified, fp: k.fp}, nil
		}
	}

	for _, k := range keys {
		if claimed != "" && claimed == k.fp {
			return outcome{badge: BadgeInvalid, fp: k.fp,
				reason: "the signature bytes do not verify with the key that made them"}, nil
		}
	}
	return outcome{badge: BadgeSignedUnverified, reason: "no trusted key verifies it"}, nil
}

// summarize sets the badge, fingerprint and detail from the verdicts: one
// verified signature wins, then an invalid one, then signed_unverified.
func summarize(res *Result, outs []outcome) {
	var verified, invalid *outcome
	failed := 0
	for i := range outs {
		switch outs[i].badge {
		case BadgeVerified:
			if verified == nil {
				verified = &outs[i]
			}
		case BadgeInvalid:
			failed++
			if invalid == nil {
				invalid = &outs[i]
			}
		default:
			failed++
		}
	}
	skipped := res.Signatures - len(outs)

	switch {
	case verified != nil:
		res.Badge = BadgeVerified
		res.Fingerprint = verified.fp
		res.Detail = "a trusted key signed this digest"
		if failed > 0 {
			res.Detail += fmt.Sprintf("; %d other signature(s) did not verify", failed)
		}
	case invalid != nil:
		res.Badge = BadgeInvalid
		res.Fingerprint = invalid.fp
		res.Detail = "a signature by a trusted key does not hold: " + invalid.reason
	default:
		res.Badge = BadgeSignedUnverified
		res.Detail = fmt.Sprintf("%d signature(s), none verifies with a trusted key", len(outs))
		if len(outs) > 0 {
			res.Detail += " (first: " + outs[0].reason + ")"
		}
	}
	if skipped > 0 {
		res.Detail += fmt.Sprintf("; %d signatures past the first %d were not checked",
			skipped, maxChecked)
	}
}

// CheckPayload reports whether body, a simple-signing payload, is a cosign
// container image signature for the manifest digest want. It fails with an
// error matching ErrPayload that says what differs. body is untrusted input.
func CheckPayload(body []byte, want v1.Hash) error {
	var p payload.SimpleContainerImage
	if err := json.Unmarshal(body, &p); err != nil {
		return fmt.Errorf("%w: not a simple-signing document", ErrPayload)
	}
	if p.Critical.Type != payload.CosignSignatureType {
		return fmt.Errorf("%w: type %q is not a cosign container image signature",
			ErrPayload, p.Critical.Type)
	}
	got, err := v1.NewHash(p.Critical.Image.DockerManifestDigest)
	if err != nil {
		return fmt.Errorf("%w: the payload names no valid digest", ErrPayload)
	}
	if got != want {
		return fmt.Errorf("%w: the payload names %s", ErrPayload, got)
	}
	return nil
}

// claimedKey returns the signer fingerprint a payload claims in
// KeyAnnotation, or "" when it claims none. The claim is not authenticated.
func claimedKey(body []byte) string {
	var p payload.SimpleContainerImage
	if err := json.Unmarshal(body, &p); err != nil {
		return ""
	}
	s, _ := p.Optional[KeyAnnotation].(string)
	return s
}

// decodeSignature returns the raw signature bytes of a stored signature.
func decodeSignature(s oci.Signature) ([]byte, error) {
	b64, err := s.Base64Signature()
	if err != nil {
		return nil, err
	}
	return base64.StdEncoding.DecodeString(b64)
}

// isTransient reports whether err means the registry could not be asked,
// as opposed to a stored signature that is broken: a cancelled context, a
// network failure, or an HTTP status other than 404.
func isTransient(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return true
	}
	var te *transport.Error
	if errors.As(err, &te) {
		return te.StatusCode != http.StatusNotFound
	}
	var ue *url.Error
	return errors.As(err, &ue)
}

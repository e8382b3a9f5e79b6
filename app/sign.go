package app

import (
	"context"
	"os"

	"imagedesk/backend/secrets"
	"imagedesk/backend/signing"
	"imagedesk/backend/store"
)

// VerifyView is a version's signature badge: unsigned, signed_unverified,
// verified (with the key's fingerprint) or invalid.
type VerifyView struct {
	Badge       string `json:"badge"`
	Digest      string `json:"digest"`
	Fingerprint string `json:"fingerprint,omitempty"`
	Signatures  int    `json:"signatures"`
	Detail      string `json:"detail,omitempty"`
}

// Sign signs a version by its digest with a local key; the passphrase comes from
// the keyring. The signature goes next to the image as cosign's .sig tag.
func (s *Signing) Sign(profileName, repoID, namespace, image, version, keyID string) (
	v VerifyView, err error) {
	ctx := s.app.ctx
	c, err := s.app.connect(ctx, profileName)
	if err != nil {
		return VerifyView{}, err
	}
	return s.sign(ctx, c, repoID, namespace, image, version, keyID)
}

func (s *Signing) sign(ctx context.Context, c *conn, repoID, namespace, image, version,
	keyID string) (v VerifyView, err error) {
	r, err := c.repo(repoID)
	if err != nil {
		return VerifyView{}, err
	}
	ref, err := c.ref(r, namespace, image, version)
	if err != nil {
		return VerifyView{}, err
	}
	id := s.hist.begin(ctx, store.Event{Kind: store.KindSign, Profile: c.profile.Name,
		Repo: r.Name, Image: namespace + "/" + image, Version: version, Ref: ref.String()},
		map[string]any{"key": keyID})
	digest := ""
	defer func() { s.hist.end(ctx, id, store.Outcome{Digest: digest}, err) }()

	k, err := s.key(keyID)
	if err != nil {
		return VerifyView{}, err
	}
	priv, err := os.ReadFile(k.PrivatePath)
	if err != nil {
		return VerifyView{}, coded(err)
	}
	pass := func() ([]byte, error) {
		p, err := s.app.secrets.Get(secrets.PassphraseKey(keyID))
		if err != nil {
			return nil, &CodedError{Code: CodeNoPassphrase, Detail: keyID}
		}
		return []byte(p), nil
	}
	h, err := signing.Sign(ctx, ref, priv, pass, signing.SignOptions{
		Transport: c.rt, Auth: c.auth, Logger: s.app.log,
		Annotations: map[string]string{"com.imagedesk.signer": c.profile.User},
	})
	if err != nil {
		return VerifyView{}, coded(err)
	}
	digest = h.String()
	return s.verify(ctx, c, repoID, namespace, image, version)
}

// Verify checks a version's signatures offline against the keys the profile
// trusts and every local key.
func (s *Signing) Verify(profileName, repoID, namespace, image, version string) (VerifyView,
	error) {
	ctx := s.app.ctx
	c, err := s.app.connect(ctx, profileName)
	if err != nil {
		return VerifyView{}, err
	}
	r, _ := c.repo(repoID)
	id := s.hist.begin(ctx, store.Event{Kind: store.KindVerify, Profile: c.profile.Name,
		Repo: r.Name, Image: namespace + "/" + image, Version: version}, nil)
	v, err := s.verify(ctx, c, repoID, namespace, image, version)
	s.hist.end(ctx, id, store.Outcome{Digest: v.Digest}, err)
	return v, err
}

func (s *Signing) verify(ctx context.Context, c *conn, repoID, namespace, image,
	version string) (VerifyView, error) {
	r, err := c.repo(repoID)
	if err != nil {
		return VerifyView{}, err
	}
	ref, err := c.ref(r, namespace, image, version)
	if err != nil {
		return VerifyView{}, err
	}
	trusted, err := s.trusted(c.profile.TrustedKeys)
	if err != nil {
		return VerifyView{}, err
	}
	res, err := signing.Verify(ctx, ref, trusted, signing.VerifyOptions{
		Transport: c.rt, Auth: c.auth, Logger: s.app.log})
	if err != nil {
		return VerifyView{}, coded(registryError(err))
	}
	return VerifyView{Badge: string(res.Badge), Digest: res.Digest,
		Fingerprint: res.Fingerprint, Signatures: res.Signatures, Detail: res.Detail}, nil
}

package app

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"imagedesk/backend/secrets"
	"imagedesk/backend/signing"
)

// Signing manages cosign keys and signs and verifies versions. Bound to the window.
type Signing struct {
	app  *App
	hist *History
}

// KeyView is one local signing key as Settings lists it.
type KeyView struct {
	ID            string `json:"id"`
	Fingerprint   string `json:"fingerprint"`
	PublicPath    string `json:"publicPath"`
	PrivatePath   string `json:"privatePath"`
	HasPassphrase bool   `json:"hasPassphrase"`
}

// keysDir holds one folder per key pair, named by the key's id.
func (s *Signing) keysDir() string { return filepath.Join(s.app.dirs.Config, "keys") }

// Keys lists the local key pairs.
func (s *Signing) Keys() ([]KeyView, error) {
	dirs, err := os.ReadDir(s.keysDir())
	if errors.Is(err, os.ErrNotExist) {
		return []KeyView{}, nil
	}
	if err != nil {
		return nil, coded(err)
	}
	out := []KeyView{}
	for _, d := range dirs {
		if v, err := s.key(d.Name()); err == nil {
			out = append(out, v)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

func (s *Signing) key(id string) (KeyView, error) {
	dir := filepath.Join(s.keysDir(), id)
	pub := filepath.Join(dir, signing.PublicKeyFile)
	b, err := os.ReadFile(pub)
	if err != nil {
		return KeyView{}, &CodedError{Code: CodeNotFound, Detail: "key " + id}
	}
	fp, err := signing.Fingerprint(b)
	if err != nil {
		return KeyView{}, coded(err)
	}
	_, perr := s.app.secrets.Get(secrets.PassphraseKey(id))
	return KeyView{ID: id, Fingerprint: fp, PublicPath: pub,
		PrivatePath: filepath.Join(dir, signing.PrivateKeyFile), HasPassphrase: perr == nil}, nil
}

// GenerateKey makes an encrypted cosign key pair and keeps its passphrase in the
// OS keyring, or for this session only when asked.
func (s *Signing) GenerateKey(passphrase string, sessionOnly bool) (KeyView, error) {
	if passphrase == "" {
		return KeyView{}, &CodedError{Code: CodeEmptyPassphrase}
	}
	kp, err := signing.GenerateKeys(func() ([]byte, error) { return []byte(passphrase), nil })
	if err != nil {
		return KeyView{}, coded(err)
	}
	return s.store(kp, passphrase, sessionOnly)
}

// ImportKey copies an existing cosign.key and cosign.pub after checking that they
// match and that the passphrase opens the private key.
func (s *Signing) ImportKey(privPath, pubPath, passphrase string, sessionOnly bool) (KeyView,
	error) {
	kp, err := signing.ImportKeys(privPath, pubPath,
		func() ([]byte, error) { return []byte(passphrase), nil })
	if err != nil {
		return KeyView{}, coded(err)
	}
	return s.store(kp, passphrase, sessionOnly)
}

// store writes a key pair under its id and keeps the passphrase. The passphrase
// is stored first: a key whose passphrase cannot be kept is not written.
func (s *Signing) store(kp signing.KeyPair, passphrase string, sessionOnly bool) (KeyView,
	error) {
	fp, err := signing.Fingerprint(kp.PublicPEM)
	if err != nil {
		return KeyView{}, coded(err)
	}
	id := strings.ToLower(strings.TrimPrefix(fp, "SHA256:"))[:12]
	if err := s.app.secrets.Set(secrets.PassphraseKey(id), passphrase, sessionOnly); err != nil {
		return KeyView{}, coded(err)
	}
	if _, _, err := signing.WriteKeys(filepath.Join(s.keysDir(), id), kp); err != nil {
		if errors.Is(err, signing.ErrExists) {
			return s.key(id)
		}
		return KeyView{}, coded(fmt.Errorf("writing key %s: %w", id, err))
	}
	s.app.log.Info("signing key stored", "op", "key", "digest", fp)
	return s.key(id)
}

// trusted returns the public keys a profile trusts: its own list (files or PEM
// blocks) and every local key.
func (s *Signing) trusted(trustedKeys []string) ([][]byte, error) {
	var out [][]byte
	for _, k := range trustedKeys {
		if strings.Contains(k, "-----BEGIN") {
			out = append(out, []byte(k))
			continue
		}
		b, err := os.ReadFile(k)
		if err != nil {
			return nil, &CodedError{Code: CodeBadKey, Detail: k, Err: err}
		}
		out = append(out, b)
	}
	keys, err := s.Keys()
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		if b, err := os.ReadFile(k.PublicPath); err == nil {
			out = append(out, b)
		}
	}
	return out, nil
}

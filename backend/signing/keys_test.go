package signing

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/sigstore/cosign/v2/pkg/cosign"
)

func TestGenerateKeys(t *testing.T) {
	t.Parallel()
	const pw = "generated {]):<>"
	kp, err := GenerateKeys(pass(pw))
	if err != nil {
		t.Fatalf("GenerateKeys: %v", err)
	}

	if b, _ := pem.Decode(kp.PrivatePEM); b == nil || b.Type != cosign.SigstorePrivateKeyPemType {
		t.Fatalf("private key PEM block = %v, want type %q", b, cosign.SigstorePrivateKeyPemType)
	}
	if bytes.Contains(kp.PrivatePEM, []byte(pw)) {
		t.Fatal("private key PEM contains the passphrase")
	}
	// cosign itself can load the key, and it belongs to the public key.
	sv, err := cosign.LoadPrivateKey(kp.PrivatePEM, []byte(pw), nil)
	if err != nil {
		t.Fatalf("cosign.LoadPrivateKey: %v", err)
	}
	pk, _ := sv.PublicKey()
	want, _ := fingerprintKey(pk)
	if got, err := Fingerprint(kp.PublicPEM); err != nil || got != want {
		t.Errorf("public key fingerprint = %q, %v; want %q", got, err, want)
	}
}

func TestWriteImport(t *testing.T) {
	t.Parallel()
	a, _ := testKeys(t)

	dir := filepath.Join(t.TempDir(), "keys")
	priv, pub, err := WriteKeys(dir, a)
	if err != nil {
		t.Fatalf("WriteKeys: %v", err)
	}
	wantPaths := []string{filepath.Join(dir, "cosign.key"), filepath.Join(dir, "cosign.pub")}
	if diff := cmp.Diff(wantPaths, []string{priv, pub}); diff != "" {
		t.Errorf("paths (-want +got):\n%s", diff)
	}
	for _, c := range []struct {
		path string
		mode fs.FileMode
		want []byte
	}{
		{dir, fs.ModeDir | 0o700, nil},
		{priv, 0o600, a.PrivatePEM},
		{pub, 0o644, a.PublicPEM},
	} {
		fi, err := os.Stat(c.path)
		if err != nil {
			t.Fatalf("stat %s: %v", c.path, err)
		}
		if fi.Mode() != c.mode {
			t.Errorf("%s mode = %v, want %v", c.path, fi.Mode(), c.mode)
		}
		if c.want != nil {
			got, _ := os.ReadFile(c.path)
			if !bytes.Equal(got, c.want) {
				t.Errorf("%s content differs from the key pair", c.path)
			}
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("dir holds %d entries, want 2 (no temporary files left)", len(entries))
	}

	t.Run("no overwrite", func(t *testing.T) {
		_, b := testKeys(t)
		if _, _, err := WriteKeys(dir, b); !errors.Is(err, ErrExists) {
			t.Fatalf("second WriteKeys error = %v, want ErrExists", err)
		}
		got, _ := os.ReadFile(priv)
		if !bytes.Equal(got, a.PrivatePEM) {
			t.Error("existing private key was changed")
		}
	})

	t.Run("import round trip", func(t *testing.T) {
		got, err := ImportKeys(priv, pub, pass(passA))
		if err != nil {
			t.Fatalf("ImportKeys: %v", err)
		}
		if diff := cmp.Diff(a, got); diff != "" {
			t.Errorf("imported pair (-want +got):\n%s", diff)
		}
	})

	t.Run("import derives public key", func(t *testing.T) {
		got, err := ImportKeys(priv, "", pass(passA))
		if err != nil {
			t.Fatalf("ImportKeys: %v", err)
		}
		fp, err := Fingerprint(got.PublicPEM)
		if err != nil || fp != fpA {
			t.Errorf("derived key fingerprint = %q, %v; want %q", fp, err, fpA)
		}
	})

	t.Run("wrong passphrase", func(t *testing.T) {
		_, err := ImportKeys(priv, pub, pass("not the passphrase"))
		if !errors.Is(err, ErrPassphrase) {
			t.Fatalf("error = %v, want ErrPassphrase", err)
		}
		if strings.Contains(err.Error(), "not the passphrase") {
			t.Errorf("error %q quotes the passphrase", err)
		}
	})

	t.Run("passphrase function fails", func(t *testing.T) {
		cause := errors.New("dialog cancelled")
		_, err := ImportKeys(priv, pub, func() ([]byte, error) { return nil, cause })
		if !errors.Is(err, cause) {
			t.Fatalf("error = %v, want the callback's error", err)
		}
	})

	t.Run("mismatched public key", func(t *testing.T) {
		_, b := testKeys(t)
		other := filepath.Join(t.TempDir(), "other.pub")
		if err := os.WriteFile(other, b.PublicPEM, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := ImportKeys(priv, other, pass(passA)); !errors.Is(err, ErrKeyMismatch) {
			t.Fatalf("error = %v, want ErrKeyMismatch", err)
		}
	})

	t.Run("public key as private key", func(t *testing.T) {
		if _, err := ImportKeys(pub, "", pass(passA)); !errors.Is(err, ErrBadKey) {
			t.Fatalf("error = %v, want ErrBadKey", err)
		}
	})
}

func TestWriteKeysLeavesNoHalfPair(t *testing.T) {
	t.Parallel()
	a, b := testKeys(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "cosign.pub"), b.PublicPEM, 0o644); err != nil {
		t.Fatal(err)
	}

	if _, _, err := WriteKeys(dir, a); !errors.Is(err, ErrExists) {
		t.Fatalf("error = %v, want ErrExists", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "cosign.key")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("cosign.key was written next to a foreign cosign.pub (stat: %v)", err)
	}
}

func TestWriteKeysRejectsGarbage(t *testing.T) {
	t.Parallel()
	a, _ := testKeys(t)
	for name, kp := range map[string]KeyPair{
		"empty":             {},
		"public as private": {PrivatePEM: a.PublicPEM, PublicPEM: a.PublicPEM},
		"private as public": {PrivatePEM: a.PrivatePEM, PublicPEM: a.PrivatePEM},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if _, _, err := WriteKeys(dir, kp); !errors.Is(err, ErrBadKey) {
				t.Fatalf("error = %v, want ErrBadKey", err)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("dir holds %d entries after a refused write", len(entries))
			}
		})
	}
}

func TestGenerateKeysNeedsPassphrase(t *testing.T) {
	t.Parallel()
	for name, fn := range map[string]func() ([]byte, error){
		"nil":   nil,
		"empty": pass(""),
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := GenerateKeys(fn); !errors.Is(err, ErrEmptyPassphrase) {
				t.Fatalf("error = %v, want ErrEmptyPassphrase", err)
			}
		})
	}
}

func TestImportPlainPrivateKey(t *testing.T) {
	t.Parallel()
	pk, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(pk)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "plain.key")
	plain := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	if err := os.WriteFile(path, plain, 0o600); err != nil {
		t.Fatal(err)
	}

	if _, err := ImportKeys(path, "", pass("")); !errors.Is(err, ErrEmptyPassphrase) {
		t.Errorf("empty passphrase: error = %v, want ErrEmptyPassphrase", err)
	}

	kp, err := ImportKeys(path, "", pass("new secret"))
	if err != nil {
		t.Fatalf("ImportKeys: %v", err)
	}
	if b, _ := pem.Decode(kp.PrivatePEM); b == nil || !isEncryptedType(b.Type) {
		t.Fatalf("imported private key is not encrypted: %v", b)
	}
	sv, err := loadSigner(kp.PrivatePEM, []byte("new secret"))
	if err != nil {
		t.Fatalf("loading the re-encrypted key: %v", err)
	}
	got, _ := sv.PublicKey()
	if !pk.PublicKey.Equal(got) {
		t.Error("re-encrypted key is a different key")
	}
}

func TestFingerprint(t *testing.T) {
	t.Parallel()
	a, _ := testKeys(t)
	pk, err := cosign.PemToECDSAKey(a.PublicPEM)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(pk)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(der)
	want := "SHA256:" + hex.EncodeToString(sum[:])

	// The same key with CRLF line ends and a PEM header is the same key.
	crlf := bytes.ReplaceAll(a.PublicPEM, []byte("\n"), []byte("\r\n"))
	block, _ := pem.Decode(a.PublicPEM)
	block.Headers = map[string]string{"Comment": "exported"}
	withHeader := pem.EncodeToMemory(block)

	for name, in := range map[string][]byte{"plain": a.PublicPEM, "crlf": crlf,
		"header": withHeader} {
		got, err := Fingerprint(in)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got != want {
			t.Errorf("%s: Fingerprint = %q, want %q", name, got, want)
		}
	}

	for name, in := range map[string][]byte{"empty": nil, "private": a.PrivatePEM,
		"junk": []byte("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")} {
		if _, err := Fingerprint(in); !errors.Is(err, ErrBadKey) {
			t.Errorf("%s: error = %v, want ErrBadKey", name, err)
		}
	}
}

var fingerprintRE = regexp.MustCompile(`^SHA256:[0-9a-f]{64}$`)

func FuzzFingerprint(f *testing.F) {
	a, _ := testKeys(f)
	f.Add(a.PublicPEM)
	f.Add(a.PrivatePEM)
	f.Add([]byte("-----BEGIN RSA PUBLIC KEY-----\nMAA=\n-----END RSA PUBLIC KEY-----\n"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, in []byte) {
		fp, err := Fingerprint(in)
		if err != nil {
			if !errors.Is(err, ErrBadKey) {
				t.Fatalf("error %v does not match ErrBadKey", err)
			}
			return
		}
		if !fingerprintRE.MatchString(fp) {
			t.Fatalf("Fingerprint = %q, not SHA256:<64 hex>", fp)
		}
	})
}

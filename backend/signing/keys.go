package signing

import (
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/secure-systems-lab/go-securesystemslib/encrypted"
	"github.com/sigstore/cosign/v2/pkg/cosign"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"
)

const (
	// PrivateKeyFile is the name WriteKeys gives the encrypted private key.
	PrivateKeyFile = "cosign.key"

	// PublicKeyFile is the name WriteKeys gives the public key.
	PublicKeyFile = "cosign.pub"

	// maxKeyFile bounds how much of a key file is read; real keys are a few
	// hundred bytes.
	maxKeyFile = 64 << 10
)

// KeyPair holds a cosign key pair as PEM: the private key encrypted with a
// passphrase (PEM type "ENCRYPTED SIGSTORE PRIVATE KEY" or the older
// "ENCRYPTED COSIGN PRIVATE KEY") and the public key as a PKIX "PUBLIC KEY".
type KeyPair struct {
	// PrivatePEM is the encrypted private key.
	PrivatePEM []byte
	// PublicPEM is the matching public key.
	PublicPEM []byte
}

// GenerateKeys creates a new ECDSA P-256 key pair, the cosign default, and
// encrypts the private key with the passphrase the function returns. An empty
// passphrase is refused with ErrEmptyPassphrase. The returned slice is
// cleared after use, so the function must hand out a fresh copy each call.
func GenerateKeys(passphrase func() ([]byte, error)) (KeyPair, error) {
	pass, err := readPassphrase(passphrase)
	if err != nil {
		return KeyPair{}, fmt.Errorf("generating key pair: %w", err)
	}
	defer clear(pass)
	if len(pass) == 0 {
		return KeyPair{}, fmt.Errorf("generating key pair: %w", ErrEmptyPassphrase)
	}

	kb, err := cosign.GenerateKeyPair(func(bool) ([]byte, error) { return pass, nil })
	if err != nil {
		return KeyPair{}, fmt.Errorf("generating key pair: %w", err)
	}
	return KeyPair{PrivatePEM: kb.PrivateBytes, PublicPEM: kb.PublicBytes}, nil
}

// WriteKeys stores kp as cosign.key (mode 0600) and cosign.pub (mode 0644) in
// dir, creating dir with mode 0700 when it is missing. It never overwrites a
// file: when either name is taken it fails with ErrExists and writes nothing.
// Each file is written to a temporary name first and then linked into place,
// so a reader never sees half a key.
func WriteKeys(dir string, kp KeyPair) (priv, pub string, err error) {
	if _, err := publicKeyFromPEM(kp.PublicPEM); err != nil {
		return "", "", fmt.Errorf("writing keys to %s: %w", dir, err)
	}
	if b, _ := pem.Decode(kp.PrivatePEM); b == nil || !isEncryptedType(b.Type) {
		return "", "", fmt.Errorf("writing keys to %s: private key: %w", dir, ErrBadKey)
	}

	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", "", fmt.Errorf("writing keys: %w", err)
	}
	priv = filepath.Join(dir, PrivateKeyFile)
	pub = filepath.Join(dir, PublicKeyFile)
	for _, p := range []string{priv, pub} {
		if _, err := os.Lstat(p); err == nil {
			return "", "", fmt.Errorf("writing keys: %s: %w", p, ErrExists)
		}
	}

	if err := writeExclusive(priv, kp.PrivatePEM, 0o600); err != nil {
		return "", "", fmt.Errorf("writing keys: %w", err)
	}
	if err := writeExclusive(pub, kp.PublicPEM, 0o644); err != nil {
		_ = os.Remove(priv) // We created it just now; leave no half pair behind.
		return "", "", fmt.Errorf("writing keys: %w", err)
	}
	return priv, pub, nil
}

// ImportKeys reads a key pair from files and checks that the public key
// belongs to the private key. An encrypted cosign private key is decrypted
// with the passphrase (ErrPassphrase when it does not fit) and kept as it is.
// A plain PEM private key (PKCS #1 RSA, SEC 1 EC or PKCS #8) is encrypted with
// the passphrase, which must then not be empty. With pubPath empty the public
// key is derived from the private one. The returned slice is cleared after
// use.
func ImportKeys(privPath, pubPath string, passphrase func() ([]byte, error)) (KeyPair, error) {
	privBytes, err := readKeyFile(privPath)
	if err != nil {
		return KeyPair{}, fmt.Errorf("importing %s: %w", privPath, err)
	}
	block, _ := pem.Decode(privBytes)
	if block == nil {
		return KeyPair{}, fmt.Errorf("importing %s: not PEM: %w", privPath, ErrBadKey)
	}
	pass, err := readPassphrase(passphrase)
	if err != nil {
		return KeyPair{}, fmt.Errorf("importing %s: %w", privPath, err)
	}
	defer clear(pass)

	var kp KeyPair
	if isEncryptedType(block.Type) {
		sv, err := loadSigner(privBytes, pass)
		if err != nil {
			return KeyPair{}, fmt.Errorf("importing %s: %w", privPath, err)
		}
		pk, err := sv.PublicKey()
		if err != nil {
			return KeyPair{}, fmt.Errorf("importing %s: %w", privPath, err)
		}
		pubPEM, err := cryptoutils.MarshalPublicKeyToPEM(pk)
		if err != nil {
			return KeyPair{}, fmt.Errorf("importing %s: %w", privPath, err)
		}
		kp = KeyPair{PrivatePEM: privBytes, PublicPEM: pubPEM}
	} else {
		if len(pass) == 0 {
			return KeyPair{}, fmt.Errorf("importing %s: %w", privPath, ErrEmptyPassphrase)
		}
		kb, err := cosign.ImportKeyPair(privPath, func(bool) ([]byte, error) { return pass, nil })
		if err != nil {
			return KeyPair{}, fmt.Errorf("importing %s: %w: %w", privPath, ErrBadKey, err)
		}
		kp = KeyPair{PrivatePEM: kb.PrivateBytes, PublicPEM: kb.PublicBytes}
	}

	if pubPath == "" {
		return kp, nil
	}
	pubBytes, err := readKeyFile(pubPath)
	if err != nil {
		return KeyPair{}, fmt.Errorf("importing %s: %w", pubPath, err)
	}
	want, err := Fingerprint(kp.PublicPEM)
	if err != nil {
		return KeyPair{}, fmt.Errorf("importing %s: %w", privPath, err)
	}
	got, err := Fingerprint(pubBytes)
	if err != nil {
		return KeyPair{}, fmt.Errorf("importing %s: %w", pubPath, err)
	}
	if got != want {
		return KeyPair{}, fmt.Errorf("importing %s: %w", pubPath, ErrKeyMismatch)
	}
	return kp, nil
}

// Fingerprint returns "SHA256:" followed by the lower-case hex SHA-256 of the
// DER SubjectPublicKeyInfo of a PEM public key. It identifies a key the same
// way whatever PEM wrapping or line breaks the file has.
func Fingerprint(pubPEM []byte) (string, error) {
	pk, err := publicKeyFromPEM(pubPEM)
	if err != nil {
		return "", err
	}
	return fingerprintKey(pk)
}

// fingerprintKey is Fingerprint for a parsed key.
func fingerprintKey(pk crypto.PublicKey) (string, error) {
	der, err := cryptoutils.MarshalPublicKeyToDER(pk)
	if err != nil {
		return "", fmt.Errorf("fingerprinting public key: %w: %w", ErrBadKey, err)
	}
	sum := sha256.Sum256(der)
	return "SHA256:" + hex.EncodeToString(sum[:]), nil
}

// publicKeyFromPEM parses a PEM public key of a type cosign can verify with.
func publicKeyFromPEM(pubPEM []byte) (crypto.PublicKey, error) {
	pk, err := cryptoutils.UnmarshalPEMToPublicKey(pubPEM)
	if err != nil {
		return nil, fmt.Errorf("reading public key: %w: %w", ErrBadKey, err)
	}
	if err := cryptoutils.ValidatePubKey(pk); err != nil {
		return nil, fmt.Errorf("reading public key: %w: %w", ErrBadKey, err)
	}
	return pk, nil
}

// loadSigner decrypts an encrypted cosign private key and returns a signer
// with cosign's default options for its key type.
func loadSigner(privPEM, pass []byte) (signature.SignerVerifier, error) {
	block, _ := pem.Decode(privPEM)
	if block == nil || !isEncryptedType(block.Type) {
		return nil, fmt.Errorf("reading private key: %w", ErrBadKey)
	}
	der, err := encrypted.Decrypt(block.Bytes, pass)
	if err != nil {
		// The cause can only say that decryption failed; it holds no secret
		// but adds nothing either.
		return nil, fmt.Errorf("reading private key: %w", ErrPassphrase)
	}
	defer clear(der)

	pk, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("reading private key: %w: %w", ErrBadKey, err)
	}
	sv, err := signature.LoadDefaultSignerVerifier(pk, *cosign.GetDefaultLoadOptions(nil)...)
	if err != nil {
		return nil, fmt.Errorf("reading private key: %w: %w", ErrBadKey, err)
	}
	return sv, nil
}

// isEncryptedType reports whether a PEM type is one of cosign's encrypted
// private key types.
func isEncryptedType(t string) bool {
	return t == cosign.SigstorePrivateKeyPemType || t == cosign.CosignPrivateKeyPemType
}

// readPassphrase calls the passphrase function. Its error is passed on as it
// is: the function is the caller's and must not put the secret in it.
func readPassphrase(passphrase func() ([]byte, error)) ([]byte, error) {
	if passphrase == nil {
		return nil, ErrEmptyPassphrase
	}
	pass, err := passphrase()
	if err != nil {
		return nil, fmt.Errorf("reading passphrase: %w", err)
	}
	return pass, nil
}

// readKeyFile reads a key file of bounded size.
func readKeyFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()

	b, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxKeyFile {
		return nil, fmt.Errorf("larger than %d bytes: %w", maxKeyFile, ErrBadKey)
	}
	return b, nil
}

// writeExclusive writes data to a temporary file next to path, sets perm,
// and links it to path, which fails when path exists. Where the file system
// cannot link, it renames after checking again that path is free.
func writeExclusive(path string, data []byte, perm fs.FileMode) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".imagedesk-key-*")
	if err != nil {
		return err
	}
	tmpName := tmp.Name()
	defer func() {
		_ = os.Remove(tmpName) // Gone already after a rename; harmless after a link.
	}()

	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}

	err = os.Link(tmpName, path)
	if err == nil {
		return nil
	}
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s: %w", path, ErrExists)
	}
	// TODO: without hard links the check and the rename below are two steps,
	// so a file created between them would be replaced.
	if _, statErr := os.Lstat(path); statErr == nil {
		return fmt.Errorf("%s: %w", path, ErrExists)
	}
	if err := os.Rename(tmpName, path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

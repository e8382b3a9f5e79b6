package signing

import "errors"

// Sentinel errors. Callers match them with errors.Is; each is wrapped with the
// key file or image it was about.
var (
	// ErrExists reports a key file that is already there; WriteKeys never
	// overwrites one.
	ErrExists = errors.New("key file already exists")

	// ErrPassphrase reports a private key that the passphrase does not
	// decrypt: the passphrase is wrong or the key file is damaged.
	ErrPassphrase = errors.New("wrong passphrase")

	// ErrEmptyPassphrase reports an empty passphrase for a new key, or a
	// missing passphrase function.
	ErrEmptyPassphrase = errors.New("passphrase is empty")

	// ErrBadKey reports a key that cannot be read: not PEM, an unknown PEM
	// type, or a key type cosign does not sign with.
	ErrBadKey = errors.New("unusable key")

	// ErrKeyMismatch reports a public key that does not belong to the private
	// key it was imported with.
	ErrKeyMismatch = errors.New("public key does not match private key")

	// ErrNotFound reports an image reference that the registry does not know,
	// so there is no digest to sign or verify.
	ErrNotFound = errors.New("image not found")

	// ErrTlogUnsupported reports a transparency log URL in SignOptions; this
	// package does not upload to a transparency log.
	ErrTlogUnsupported = errors.New("transparency log upload not supported")

	// ErrPayload reports a simple-signing payload that is not a cosign
	// container image signature for the expected digest.
	ErrPayload = errors.New("signature payload does not match image")
)

// Package signing creates and imports cosign key pairs, signs images in a
// registry by digest, and tells whether an image carries a signature that a
// trusted key made for exactly that digest.
//
// Everything here runs offline with respect to the public sigstore services:
// no transparency log, no certificate authority, no TUF root. A signature is
// stored the classic cosign way, as a layer of the `sha256-<hex>.sig` image in
// the signed image's own repository, so the cosign command line tool can
// verify it with `cosign verify --key cosign.pub --insecure-ignore-tlog`.
//
// Verify never calls an image verified only because a signature tag exists:
// a signature counts when a trusted public key verifies it and its
// simple-signing payload names the image's own manifest digest.
//
// Passphrases reach this package as functions and are never logged, stored,
// or quoted in an error.
package signing

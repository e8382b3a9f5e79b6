// Package archive opens image archives dropped on ImageDesk, describes the images
// in them, refuses bad input with a typed reason before anything is sent, and
// hands the uploader a go-containerregistry v1.Image whose layers are read from
// the file only when asked for.
//
// # Formats
//
// The format is detected from the content, never from the file name:
//
//   - DockerArchive: classic docker save (manifest.json, config, <id>/layer.tar,
//     with symbolic links for repeated layers).
//   - DockerOCIArchive: docker save from Docker 25 on, an OCI layout in a tar
//     that also carries manifest.json. manifest.json decides what is in the
//     archive, as for docker load; the OCI index adds manifest digests.
//   - OCIArchive: a tar of an OCI image layout.
//   - OCILayout: an OCI image layout directory.
//
// A tar file compressed as a whole with gzip is recognised by its magic
// bytes and decompressed once, at Open, into a temporary file (WithTempDir); the
// gzip checksum is checked on the way. That costs one read of the archive and one
// write of its uncompressed size, and the disk space for it until Close.
//
// # Reading a tar once
//
// Open reads the tar headers once, seeking over entry data, and records where
// each regular file's bytes lie. Layers are then served as section readers on the
// open file, so any number of layers can be read at once with memory bounded by
// small buffers, however big the archive. An OCI layout directory is read
// through the same parser, with files opened under an os.Root, rather than
// through the layout package's image reader, so that every format gets the same
// checks and errors (the layout package does not verify blobs as they are read).
//
// # Multi-platform indexes
//
// Every platform manifest an OCI index reaches is listed as its own image, with
// its OS, architecture and variant; the caller offers a picker. Platforms whose
// manifest is absent from the archive (docker save keeps the whole index but
// only the local platform's blobs) and buildkit attestation manifests are left
// out.
//
// # Layers as stored
//
// A layer's Digest, Size, MediaType and Compressed describe the bytes as the
// archive stores them. For the common uncompressed docker layer, Digest equals
// DiffID and the media type is the uncompressed one: nothing is compressed
// behind the caller's back, so an uploader that wants gzip compresses
// Uncompressed() itself, once. For a classic docker archive, whose
// manifest.json records no layer digests, the digest of a compressed layer is
// computed on first use by hashing it, and the manifest is a Docker schema 2
// manifest built from those digests.
//
// # Checks
//
// Open checks metadata only: manifests and configs, the presence, size and
// compression of each layer, digests of manifests and configs, and entry paths.
// Reading a layer checks its digest (when known) and diff ID as it goes: the
// read that reaches the end fails with ErrLayerDigest on a mismatch. Verify
// reads every layer once and also checks it is a readable tar.
//
// Errors are *Error values naming the archive and entry and wrapping one of the
// sentinel errors of errors.go, which the app maps to translated messages.
package archive

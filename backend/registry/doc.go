// Package registry pushes images to and pulls images from an OCI/Docker
// registry, built on go-containerregistry's authenticated transport and its
// types but with its own upload and download steps.
//
// # Why not remote.Write
//
// remote.Write needs every layer's compressed digest before it sends the
// layer. For an image read from an uncompressed archive that means gzipping
// each layer once to learn the digest and again to upload it. stream.Layer
// avoids that but cannot be retried, hides the diff ID until the upload is
// over, and gives no place to consult a blob cache first. So Push drives the
// distribution API itself:
//
//   - For each distinct layer it asks the BlobCache which blob that diff ID
//     became last time in this repository and HEADs it; a blob that is still
//     there is skipped without reading the layer at all.
//   - Otherwise it opens an upload (POST), and streams one PATCH whose body is
//     produced by a single pass over the uncompressed layer: read, hash
//     (diff ID), gzip with klauspost/compress, hash again (digest), send. Only
//     when the pass ends is the digest known; the upload is then committed
//     with PUT ?digest=, but only after the computed diff ID is checked
//     against the image configuration. Memory stays at a few buffers per layer
//     whatever the layer size. By default (CompressionAuto) the layer is sent
//     as gzip members of 8 MiB of input each, at the cheapest level that the
//     link allows (see members.go).
//   - Each blob is recorded in the BlobCache as soon as it is committed, so a
//     push that fails or is cancelled resumes by sending only what is missing.
//   - Layers go up in parallel (WithJobs). A layer that fails does not stop
//     the others; cancelling the context stops everything at once.
//   - A transient failure (timeout, reset or refused connection, HTTP 5xx,
//     408, 429) restarts that step, for a layer the whole compression pass,
//     with exponential backoff (WithRetry).
//   - The configuration follows, then the manifest. The tag therefore exists
//     only once every blob is in. The manifest digest the registry reports,
//     on the PUT and on a HEAD read-back, must equal the computed one.
//
// The manifest is an OCI manifest when annotations are given or the source
// is OCI, and a Docker schema 2 manifest otherwise; both are accepted by
// CNCF distribution 2.8 and 3. Layers are always gzip.
//
// Pull resolves the manifest with remote.Get, then downloads the
// configuration and each layer itself, hashing every byte and resuming a
// broken layer transfer with a Range request. It writes a docker-save or OCI
// layout tar to a temporary file beside the target and renames it into place
// only when complete and synced.
//
// Plain HTTP is used when the reference says so (name.Insecure, or a
// loopback or private address); TLS trust is the transport's business
// (WithTransport). Nothing here logs unless given a logger (WithLogger), and
// passwords reach the transport only through an authn.Authenticator such as
// BasicAuth, which asks a function for the secret when it is needed.
package registry

// Package sandbox runs an in-process stand-in for the company's artifact
// repository: a real OCI registry (CNCF distribution used as a library), the
// artifact list API, scan reports generated as .xlsx files and a small set of
// demo images, all behind HTTP basic auth on one loopback listener.
//
// The sandbox follows the contract in the project's artifact API notes,
// faults included: a scan report that is not generated, failed, never
// scheduled, or asked for with a malformed path answers 500 Internal Server
// Error, exactly like the real server. Each such 500 carries an
// X-Sandbox-Report header naming the reason, a sandbox-only aid for tests.
//
// Registry references have the form <repo_name>/<namespace>/<image>:<version>.
// The namespace of a base repository is always "basic"; a business repository
// takes project namespaces and refuses "basic".
//
// Layout of the data directory:
//
//	registry/             distribution's filesystem storage
//	index/<repo>.json     tags per image in push order, and deleted tags
//	reports/<repo>/...    generated scan reports, <ns>/<image>/<version>.xlsx
//	accounts              user:bcrypt-hash lines
//	sandbox-password      the generated password (mode 0600), see EnsurePassword
//	sandbox-cosign.pub    public key of the demo signature
package sandbox

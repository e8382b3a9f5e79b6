// Package store keeps ImageDesk's local state in one SQLite file: server
// profiles, the history of operations, and caches of folder listings, scan
// reports and pushed blobs.
//
// The database runs in WAL mode with foreign keys on and a busy timeout, so
// several connections (and several processes) can write without failing on
// a lock. Its schema is versioned in the schema_version table; Open applies
// every missing migration, each in its own transaction.
//
// Nothing in the database is a secret: profiles are stored without
// passwords, and history rows refuse parameters that look like one.
package store

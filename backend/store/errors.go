package store

import "errors"

// ErrNotFound means the profile, event or cache entry asked for does not exist.
var ErrNotFound = errors.New("not found")

// ErrSchemaTooNew means the database was written by a newer ImageDesk whose
// schema this version does not know.
var ErrSchemaTooNew = errors.New("database schema is newer than this program")

// ErrDuplicateName means another profile already has the name.
var ErrDuplicateName = errors.New("profile name already used")

// ErrNotRunning means Finish was called for an event that already ended.
var ErrNotRunning = errors.New("event is not running")

// ErrInvalid means an argument broke a documented rule, such as an unknown
// status, an empty kind or a cache body that is not JSON.
var ErrInvalid = errors.New("invalid argument")

// ErrSecretInParams means an event's parameters hold a key that names a
// secret (password, passphrase, token, secret); such events are refused.
var ErrSecretInParams = errors.New("event parameters hold a secret")

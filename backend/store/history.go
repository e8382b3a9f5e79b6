package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Kind names what an operation in the history did.
type Kind string

// The kinds of operation ImageDesk records. Other lower-case kinds are
// accepted too.
const (
	KindUpload   Kind = "upload"
	KindDownload Kind = "download"
	KindSign     Kind = "sign"
	KindVerify   Kind = "verify"
	KindReport   Kind = "report"
	KindProfile  Kind = "profile"
	KindLogin    Kind = "login"
)

// Status is the state of an operation in the history.
type Status string

// The states of an operation. Every state but StatusRunning is final.
const (
	StatusRunning     Status = "running"
	StatusSucceeded   Status = "succeeded"
	StatusFailed      Status = "failed"
	StatusCancelled   Status = "cancelled"
	StatusInterrupted Status = "interrupted"
)

// maxDetail is the longest error_detail kept, in bytes.
const maxDetail = 4096

// Event is one operation in the history.
type Event struct {
	ID         int64     `json:"id"`
	Kind       Kind      `json:"kind"`
	Status     Status    `json:"status"`
	StartedAt  time.Time `json:"started_at"`
	EndedAt    time.Time `json:"ended_at,omitzero"`
	Profile    string    `json:"profile"`
	Repo       string    `json:"repo"`
	Image      string    `json:"image"`
	Version    string    `json:"version"`
	Ref        string    `json:"ref"`
	Digest     string    `json:"digest"`
	Bytes      int64     `json:"bytes"`
	DurationMS int64     `json:"duration_ms"`
	ErrCode    string    `json:"error_code"`
	// ErrDetail is a human-readable cause; it must never hold a secret.
	ErrDetail string `json:"error_detail"`
	// Params holds what is needed to repeat or resume the operation, such
	// as an archive path and the form values; never a secret.
	Params json.RawMessage `json:"params,omitempty" ts_type:"any"`
}

// Outcome is how an operation ended.
type Outcome struct {
	// Status is the final state; StatusRunning is refused.
	Status Status
	// Ref, Digest and Bytes replace the event's values when not empty.
	Ref    string
	Digest string
	Bytes  int64
	// ErrCode is a stable code from the app's error mapping.
	ErrCode string
	// ErrDetail is the cause in words, cut to 4 KiB; never a secret.
	ErrDetail string
}

// Start records a running operation and returns its id. StartedAt defaults
// to now; Status, ID, EndedAt and DurationMS are ignored. Params must be a
// JSON object or empty and must not name a secret (ErrSecretInParams).
func (s *Store) Start(ctx context.Context, e Event) (int64, error) {
	if err := checkKind(e.Kind); err != nil {
		return 0, fmt.Errorf("starting %q event: %w", e.Kind, err)
	}
	params, err := checkParams(e.Params)
	if err != nil {
		return 0, fmt.Errorf("starting %s event: %w", e.Kind, err)
	}

	started := toMillis(e.StartedAt)
	if started == 0 {
		started = s.millis()
	}
	res, err := s.db.ExecContext(ctx, `INSERT INTO history
		(kind, status, started_at, profile, repo, image, version, ref, digest, bytes, params)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.Kind, StatusRunning, started, e.Profile, e.Repo, e.Image, e.Version,
		e.Ref, e.Digest, e.Bytes, params)
	if err != nil {
		return 0, fmt.Errorf("starting %s event: %w", e.Kind, err)
	}

	id, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("starting %s event: %w", e.Kind, err)
	}
	return id, nil
}

// Finish ends the running event id with its outcome and duration. An event
// that already ended is ErrNotRunning; an unknown id is ErrNotFound.
func (s *Store) Finish(ctx context.Context, id int64, o Outcome) error {
	if !o.Status.final() {
		return fmt.Errorf("finishing event %d: %w: status %q", id, ErrInvalid, o.Status)
	}

	now := s.millis()
	res, err := s.db.ExecContext(ctx, `UPDATE history SET
			status = ?, ended_at = ?, duration_ms = MAX(0, ? - started_at),
			ref = COALESCE(NULLIF(?, ''), ref),
			digest = COALESCE(NULLIF(?, ''), digest),
			bytes = CASE WHEN ? > 0 THEN ? ELSE bytes END,
			error_code = ?, error_detail = ?
		WHERE id = ? AND status = ?`,
		o.Status, now, now, o.Ref, o.Digest, o.Bytes, o.Bytes,
		o.ErrCode, truncate(o.ErrDetail, maxDetail), id, StatusRunning)
	if err != nil {
		return fmt.Errorf("finishing event %d: %w", id, err)
	}

	if n, err := res.RowsAffected(); err != nil || n == 1 {
		if err != nil {
			return fmt.Errorf("finishing event %d: %w", id, err)
		}
		return nil
	}
	if _, err := s.Event(ctx, id); err != nil {
		return fmt.Errorf("finishing event %d: %w", id, ErrNotFound)
	}
	return fmt.Errorf("finishing event %d: %w", id, ErrNotRunning)
}

// MarkInterrupted ends every running event as interrupted and returns how
// many there were. The app calls it once at start, before it starts any
// operation, for events a crash or a kill left running.
func (s *Store) MarkInterrupted(ctx context.Context) (int, error) {
	now := s.millis()
	res, err := s.db.ExecContext(ctx, `UPDATE history SET
			status = ?, ended_at = ?, duration_ms = MAX(0, ? - started_at)
		WHERE status = ?`,
		StatusInterrupted, now, now, StatusRunning)
	if err != nil {
		return 0, fmt.Errorf("marking interrupted events: %w", err)
	}

	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("marking interrupted events: %w", err)
	}
	return int(n), nil
}

// Event returns the event with the given id, or ErrNotFound.
func (s *Store) Event(ctx context.Context, id int64) (Event, error) {
	row := s.db.QueryRowContext(ctx, `SELECT `+eventColumns+` FROM history WHERE id = ?`, id)
	e, err := scanEvent(row)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return Event{}, fmt.Errorf("reading event %d: %w", id, err)
	}
	return e, nil
}

// eventColumns are the history columns scanEvent reads, in order.
const eventColumns = `id, kind, status, started_at, COALESCE(ended_at, 0), profile, repo,
	image, version, ref, digest, bytes, duration_ms, error_code, error_detail, params`

// scanEvent reads one history row selected with eventColumns.
func scanEvent(r scanner) (Event, error) {
	var (
		e              Event
		started, ended int64
		params         string
	)
	err := r.Scan(&e.ID, &e.Kind, &e.Status, &started, &ended, &e.Profile, &e.Repo,
		&e.Image, &e.Version, &e.Ref, &e.Digest, &e.Bytes, &e.DurationMS,
		&e.ErrCode, &e.ErrDetail, &params)
	if err != nil {
		return e, err
	}
	e.StartedAt, e.EndedAt = fromMillis(started), fromMillis(ended)
	if params != "" && params != "{}" {
		e.Params = json.RawMessage(params)
	}
	return e, nil
}

// final reports whether st is a known final state.
func (st Status) final() bool {
	switch st {
	case StatusSucceeded, StatusFailed, StatusCancelled, StatusInterrupted:
		return true
	}
	return false
}

// valid reports whether st is a known state.
func (st Status) valid() bool {
	return st == StatusRunning || st.final()
}

// checkKind accepts a short lower-case word with '_' or '-'.
func checkKind(k Kind) error {
	if k == "" || len(k) > 32 {
		return ErrInvalid
	}
	for _, c := range k {
		if (c < 'a' || c > 'z') && c != '_' && c != '-' {
			return ErrInvalid
		}
	}
	return nil
}

// secretWords are parameter names an event must not store.
var secretWords = []string{"password", "passwd", "passphrase", "secret", "token",
	"credential", "private_key", "privatekey"}

// checkParams returns the compact JSON text of params, "{}" when empty. It
// refuses anything but a JSON object and any object key, at any depth, that
// names a secret.
func checkParams(params json.RawMessage) (string, error) {
	if len(bytes.TrimSpace(params)) == 0 {
		return "{}", nil
	}

	var v any
	if err := json.Unmarshal(params, &v); err != nil {
		return "", fmt.Errorf("%w: params are not JSON", ErrInvalid)
	}
	if _, ok := v.(map[string]any); !ok {
		return "", fmt.Errorf("%w: params are not a JSON object", ErrInvalid)
	}
	if err := scanParams(v, 0); err != nil {
		return "", err
	}

	var buf bytes.Buffer
	if err := json.Compact(&buf, params); err != nil {
		return "", fmt.Errorf("%w: params are not JSON", ErrInvalid)
	}
	return buf.String(), nil
}

// maxParamsDepth is the deepest nesting of event parameters accepted.
const maxParamsDepth = 32

// scanParams refuses an object key, at any depth, that names a secret, and
// nesting deeper than maxParamsDepth.
func scanParams(v any, depth int) error {
	if depth > maxParamsDepth {
		return fmt.Errorf("%w: params nested too deep", ErrInvalid)
	}
	switch t := v.(type) {
	case map[string]any:
		for k, inner := range t {
			norm := strings.ToLower(strings.ReplaceAll(k, "-", "_"))
			for _, w := range secretWords {
				if strings.Contains(norm, w) {
					return fmt.Errorf("%w: key %q", ErrSecretInParams, k)
				}
			}
			if err := scanParams(inner, depth+1); err != nil {
				return err
			}
		}
	case []any:
		for _, inner := range t {
			if err := scanParams(inner, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// truncate cuts s to at most n bytes without splitting a UTF-8 sequence.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

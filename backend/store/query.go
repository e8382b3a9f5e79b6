package store

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Page sizes of Query.
const (
	DefaultLimit = 50
	MaxLimit     = 1000
)

// Filter selects history events. Zero fields select everything.
type Filter struct {
	// Kinds and Statuses keep events with one of the listed values.
	Kinds    []Kind   `json:"kinds"`
	Statuses []Status `json:"statuses"`
	// Profile keeps events of one profile.
	Profile string `json:"profile"`
	// Text keeps events whose image, version, ref or repository contains it,
	// ignoring ASCII case.
	Text string `json:"text"`
	// From and To bound the start time: From <= started_at < To.
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// BeforeID continues a listing: only events with a smaller id are kept.
	BeforeID int64 `json:"before_id"`
	// Limit is the page size of Query: DefaultLimit when zero, at most
	// MaxLimit. ExportCSV ignores it.
	Limit int `json:"limit"`
}

// Page is one page of history, newest first.
type Page struct {
	Events []Event `json:"events"`
	// Total counts every event matching the filter, ignoring BeforeID and
	// Limit. It is counted for the first page only (BeforeID 0), since the
	// count scans every match; later pages report -1.
	Total int `json:"total"`
	// NextBeforeID is the BeforeID of the next page; 0 when this is the last.
	NextBeforeID int64 `json:"next_before_id"`
}

// Query returns one page of events matching f, newest (highest id) first.
// Paging is by key: pass the page's NextBeforeID as the next BeforeID, and
// rows added meanwhile neither repeat nor shift the pages.
func (s *Store) Query(ctx context.Context, f Filter) (Page, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)

	where, args, err := f.where()
	if err != nil {
		return Page{}, fmt.Errorf("querying history: %w", err)
	}

	page := Page{Total: -1}
	if f.BeforeID == 0 {
		err = s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM history`+where, args...).
			Scan(&page.Total)
		if err != nil {
			return Page{}, fmt.Errorf("counting history: %w", err)
		}
	}

	keyed, keyedArgs := where, args
	if f.BeforeID > 0 {
		keyed = and(where, "id < ?")
		keyedArgs = append(append([]any(nil), args...), f.BeforeID)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+eventColumns+` FROM history`+keyed+
		` ORDER BY id DESC LIMIT ?`, append(keyedArgs, limit+1)...)
	if err != nil {
		return Page{}, fmt.Errorf("querying history: %w", err)
	}
	defer rows.Close()

	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return Page{}, fmt.Errorf("querying history: %w", err)
		}
		page.Events = append(page.Events, e)
	}
	if err := rows.Err(); err != nil {
		return Page{}, fmt.Errorf("querying history: %w", err)
	}

	if len(page.Events) > limit {
		page.Events = page.Events[:limit]
		page.NextBeforeID = page.Events[limit-1].ID
	}
	return page, nil
}

// csvHeader is the first row ExportCSV writes.
var csvHeader = []string{"id", "kind", "status", "started_at", "ended_at", "duration_ms",
	"profile", "repo", "image", "version", "ref", "digest", "bytes", "error_code",
	"error_detail"}

// ExportCSV writes every event matching f (Limit ignored, BeforeID kept) to w
// as RFC 4180 CSV with a header row, newest first. Times are RFC 3339 UTC.
// A text cell starting with = + - @ or a tab is prefixed with a single
// quote, so that a spreadsheet shows it instead of running it as a formula.
func (s *Store) ExportCSV(ctx context.Context, w io.Writer, f Filter) error {
	where, args, err := f.where()
	if err != nil {
		return fmt.Errorf("exporting history: %w", err)
	}
	if f.BeforeID > 0 {
		where = and(where, "id < ?")
		args = append(args, f.BeforeID)
	}

	rows, err := s.db.QueryContext(ctx,
		`SELECT `+eventColumns+` FROM history`+where+` ORDER BY id DESC`, args...)
	if err != nil {
		return fmt.Errorf("exporting history: %w", err)
	}
	defer rows.Close()

	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(csvHeader); err != nil {
		return fmt.Errorf("exporting history: %w", err)
	}
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return fmt.Errorf("exporting history: %w", err)
		}
		if err := cw.Write(csvRecord(e)); err != nil {
			return fmt.Errorf("exporting history: %w", err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("exporting history: %w", err)
	}

	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("exporting history: %w", err)
	}
	return nil
}

// csvRecord formats one event as a CSV row in csvHeader's order.
func csvRecord(e Event) []string {
	stamp := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	return []string{
		strconv.FormatInt(e.ID, 10), cell(string(e.Kind)), cell(string(e.Status)),
		stamp(e.StartedAt), stamp(e.EndedAt), strconv.FormatInt(e.DurationMS, 10),
		cell(e.Profile), cell(e.Repo), cell(e.Image), cell(e.Version), cell(e.Ref),
		cell(e.Digest), strconv.FormatInt(e.Bytes, 10), cell(e.ErrCode), cell(e.ErrDetail),
	}
}

// cell defuses text a spreadsheet would read as a formula.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// where builds the WHERE clause of f without BeforeID.
func (f Filter) where() (string, []any, error) {
	var conds []string
	var args []any

	if len(f.Kinds) > 0 {
		conds = append(conds, "kind IN ("+placeholders(len(f.Kinds))+")")
		for _, k := range f.Kinds {
			args = append(args, string(k))
		}
	}
	if len(f.Statuses) > 0 {
		conds = append(conds, "status IN ("+placeholders(len(f.Statuses))+")")
		for _, st := range f.Statuses {
			if !st.valid() {
				return "", nil, fmt.Errorf("%w: status %q", ErrInvalid, st)
			}
			args = append(args, string(st))
		}
	}
	if f.Profile != "" {
		conds = append(conds, "profile = ?")
		args = append(args, f.Profile)
	}
	if f.Text != "" {
		// TODO: a LIKE with a leading wildcard scans every row (about 30 ms per
		// 100,000 events here); a trigram FTS5 index would make it indexed.
		like := "%" + escapeLike(f.Text) + "%"
		conds = append(conds, `(image LIKE ? ESCAPE '\' OR version LIKE ? ESCAPE '\'`+
			` OR ref LIKE ? ESCAPE '\' OR repo LIKE ? ESCAPE '\')`)
		args = append(args, like, like, like, like)
	}
	if !f.From.IsZero() {
		conds = append(conds, "started_at >= ?")
		args = append(args, f.From.UnixMilli())
	}
	if !f.To.IsZero() {
		conds = append(conds, "started_at < ?")
		args = append(args, f.To.UnixMilli())
	}

	if len(conds) == 0 {
		return "", nil, nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args, nil
}

// and adds one condition to a WHERE clause that may be empty.
func and(where, cond string) string {
	if where == "" {
		return " WHERE " + cond
	}
	return where + " AND " + cond
}

// placeholders returns n comma-separated question marks.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

// escapeLike escapes LIKE's wildcards with a backslash.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

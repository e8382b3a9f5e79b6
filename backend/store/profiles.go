package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"imagedesk/backend/profile"
)

// StoredProfile is a profile with the times it was created and last saved.
type StoredProfile struct {
	profile.Profile
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
}

// SaveProfile validates p and stores it. A zero ID inserts a new profile;
// any other ID updates that profile, renaming it if the name changed (the
// caches keyed by the old name follow). It returns the profile with its ID.
// A name already used by another profile is ErrDuplicateName.
func (s *Store) SaveProfile(ctx context.Context, p profile.Profile) (profile.Profile, error) {
	if err := p.Validate(); err != nil {
		return p, fmt.Errorf("saving profile %q: %w", p.Name, err)
	}

	err := s.inTx(ctx, func(tx *sql.Tx) error {
		now := s.millis()
		if p.ID == 0 {
			return insertProfile(ctx, tx, &p, now)
		}
		return updateProfile(ctx, tx, p, now)
	})
	if err != nil {
		return p, fmt.Errorf("saving profile %q: %w", p.Name, err)
	}
	return p, nil
}

// insertProfile adds a profile and sets its ID.
func insertProfile(ctx context.Context, tx *sql.Tx, p *profile.Profile, now int64) error {
	res, err := tx.ExecContext(ctx,
		`INSERT INTO profiles (name, json, created, updated) VALUES (?, '{}', ?, ?)`,
		p.Name, now, now)
	if isUniqueViolation(err) {
		return ErrDuplicateName
	}
	if err != nil {
		return err
	}

	if p.ID, err = res.LastInsertId(); err != nil {
		return err
	}
	body, err := json.Marshal(p)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE profiles SET json = ? WHERE id = ?`, body, p.ID)
	return err
}

// updateProfile replaces a stored profile and moves its caches on a rename.
func updateProfile(ctx context.Context, tx *sql.Tx, p profile.Profile, now int64) error {
	var oldName string
	err := tx.QueryRowContext(ctx, `SELECT name FROM profiles WHERE id = ?`, p.ID).
		Scan(&oldName)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	if err != nil {
		return err
	}

	body, err := json.Marshal(p)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx,
		`UPDATE profiles SET name = ?, json = ?, updated = ? WHERE id = ?`,
		p.Name, body, now, p.ID)
	if isUniqueViolation(err) {
		return ErrDuplicateName
	}
	if err != nil || oldName == p.Name {
		return err
	}

	for _, table := range []string{"listing_cache", "report_cache"} {
		_, err := tx.ExecContext(ctx,
			`UPDATE `+table+` SET profile = ? WHERE profile = ?`, p.Name, oldName)
		if err != nil {
			return err
		}
	}
	return nil
}

// Profiles returns every stored profile, ordered by name.
func (s *Store) Profiles(ctx context.Context) ([]StoredProfile, error) {
	rows, err := s.db.QueryContext(ctx,
		`SELECT id, name, json, created, updated FROM profiles ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("listing profiles: %w", err)
	}
	defer rows.Close()

	var out []StoredProfile
	for rows.Next() {
		p, err := scanProfile(rows)
		if err != nil {
			return nil, fmt.Errorf("listing profiles: %w", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing profiles: %w", err)
	}
	return out, nil
}

// Profile returns the profile with the given name, or ErrNotFound.
func (s *Store) Profile(ctx context.Context, name string) (StoredProfile, error) {
	row := s.db.QueryRowContext(ctx,
		`SELECT id, name, json, created, updated FROM profiles WHERE name = ?`, name)
	p, err := scanProfile(row)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return StoredProfile{}, fmt.Errorf("reading profile %q: %w", name, err)
	}
	return p, nil
}

// DeleteProfile removes the named profile and its listing and report cache
// rows; its history stays. A missing profile is ErrNotFound.
func (s *Store) DeleteProfile(ctx context.Context, name string) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM profiles WHERE name = ?`, name)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			if err == nil {
				err = ErrNotFound
			}
			return err
		}

		// TODO: the report files the cache points at stay on disk; the
		// caller that downloaded them is the one that knows their folder.
		for _, table := range []string{"listing_cache", "report_cache"} {
			_, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE profile = ?`, name)
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("deleting profile %q: %w", name, err)
	}
	return nil
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface {
	Scan(dest ...any) error
}

// scanProfile reads one profiles row; the id and name columns win over the
// JSON copy.
func scanProfile(r scanner) (StoredProfile, error) {
	var (
		p                StoredProfile
		id               int64
		name, body       string
		created, updated int64
	)
	if err := r.Scan(&id, &name, &body, &created, &updated); err != nil {
		return p, err
	}
	if err := json.Unmarshal([]byte(body), &p.Profile); err != nil {
		return p, fmt.Errorf("decoding profile %q: %w", name, err)
	}
	p.ID, p.Name = id, name
	p.Created, p.Updated = fromMillis(created), fromMillis(updated)
	return p, nil
}

// inTx runs f in a write transaction and commits when f returns nil.
func (s *Store) inTx(ctx context.Context, f func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	if err := f(tx); err != nil {
		return err
	}
	return tx.Commit()
}

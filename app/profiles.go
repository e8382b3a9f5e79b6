package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"imagedesk/backend/profile"
	"imagedesk/backend/secrets"
	"imagedesk/backend/store"
)

// Profiles manages server profiles and their passwords. Bound to the window.
type Profiles struct {
	app  *App
	hist *History
}

// ProfileView is a profile as the window shows it: never with its password, only
// whether one is kept and where.
type ProfileView struct {
	Profile     profile.Profile `json:"profile"`
	HasPassword bool            `json:"hasPassword"`
	SessionOnly bool            `json:"sessionOnly"`
}

// ProfileInput is a profile to save. An empty Password keeps the stored one.
type ProfileInput struct {
	Profile     profile.Profile `json:"profile"`
	Password    string          `json:"password"`
	SessionOnly bool            `json:"sessionOnly"`
}

// KeyringInfo says whether the OS keyring can be used, and if not, why (a code).
type KeyringInfo struct {
	Available bool   `json:"available"`
	Code      string `json:"code,omitempty"`
}

// List returns every profile, sandbox first.
func (p *Profiles) List() ([]ProfileView, error) {
	list, err := p.app.store.Profiles(p.app.ctx)
	if err != nil {
		return nil, coded(err)
	}
	out := make([]ProfileView, 0, len(list))
	for _, sp := range list {
		out = append(out, p.view(sp.Profile))
	}
	return out, nil
}

func (p *Profiles) view(pr profile.Profile) ProfileView {
	key := secrets.PasswordKey(pr.Name)
	_, err := p.app.secrets.Get(key)
	return ProfileView{
		Profile:     pr,
		HasPassword: err == nil,
		SessionOnly: p.app.secrets.SessionOnly(key),
	}
}

// Keyring reports whether passwords can be kept in the OS keyring.
func (p *Profiles) Keyring() KeyringInfo {
	ctx, cancel := context.WithTimeout(p.app.ctx, 5*time.Second)
	defer cancel()
	st := p.app.secrets.Status(ctx)
	if st.Available {
		return KeyringInfo{Available: true}
	}
	code := keyringCode(st.Reason)
	if code == "" {
		code = CodeKeyringFailed
	}
	return KeyringInfo{Code: code}
}

// Save validates and stores a profile, and its password when one is given: in
// the OS keyring, or in memory for this session when asked. A keyring that
// cannot be used is an error with its reason; there is no plain-text fallback.
func (p *Profiles) Save(in ProfileInput) (view ProfileView, err error) {
	ctx := p.app.ctx
	pr := in.Profile
	id := p.hist.begin(ctx, store.Event{Kind: store.KindProfile, Profile: pr.Name},
		map[string]any{"action": "save"})
	defer func() { p.hist.end(ctx, id, store.Outcome{}, err) }()

	if err := pr.Validate(); err != nil {
		return ProfileView{}, coded(err)
	}
	oldName, err := p.previousName(ctx, pr.ID)
	if err != nil {
		return ProfileView{}, coded(err)
	}
	if in.Password != "" {
		err := p.app.secrets.Set(secrets.PasswordKey(pr.Name), in.Password, in.SessionOnly)
		if err != nil {
			return ProfileView{}, coded(err)
		}
	} else if oldName != "" && oldName != pr.Name {
		if err := p.moveSecret(oldName, pr.Name); err != nil {
			return ProfileView{}, coded(err)
		}
	}
	saved, err := p.app.store.SaveProfile(ctx, pr)
	if err != nil {
		return ProfileView{}, coded(err)
	}
	if oldName != "" && oldName != pr.Name {
		_ = p.app.secrets.Delete(secrets.PasswordKey(oldName))
	}
	p.app.log.Info("profile saved", "op", "profile", "repo", pr.Name)
	return p.view(saved), nil
}

// previousName returns the stored name of profile id, or "" for a new profile.
func (p *Profiles) previousName(ctx context.Context, id int64) (string, error) {
	if id == 0 {
		return "", nil
	}
	list, err := p.app.store.Profiles(ctx)
	if err != nil {
		return "", err
	}
	for _, sp := range list {
		if sp.ID == id {
			return sp.Name, nil
		}
	}
	return "", fmt.Errorf("profile %d: %w", id, store.ErrNotFound)
}

// moveSecret copies a renamed profile's password to its new name.
func (p *Profiles) moveSecret(from, to string) error {
	fromKey := secrets.PasswordKey(from)
	pw, err := p.app.secrets.Get(fromKey)
	if errors.Is(err, secrets.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return p.app.secrets.Set(secrets.PasswordKey(to), pw, p.app.secrets.SessionOnly(fromKey))
}

// Delete removes a profile and its password.
func (p *Profiles) Delete(name string) (err error) {
	ctx := p.app.ctx
	id := p.hist.begin(ctx, store.Event{Kind: store.KindProfile, Profile: name},
		map[string]any{"action": "delete"})
	defer func() { p.hist.end(ctx, id, store.Outcome{}, err) }()
	if err := p.app.store.DeleteProfile(ctx, name); err != nil {
		return coded(err)
	}
	if err := p.app.secrets.Delete(secrets.PasswordKey(name)); err != nil &&
		!errors.Is(err, secrets.ErrNotFound) {
		p.app.log.Warn("password not removed from keyring", "op", "profile", "err", err)
	}
	return nil
}

// password returns the password kept for a profile.
func (p *Profiles) password(name string) (string, error) {
	pw, err := p.app.secrets.Get(secrets.PasswordKey(name))
	if errors.Is(err, secrets.ErrNotFound) {
		return "", &CodedError{Code: CodeNoPassword, Detail: name}
	}
	return pw, err
}

// get returns one stored profile by name.
func (p *Profiles) get(ctx context.Context, name string) (profile.Profile, error) {
	sp, err := p.app.store.Profile(ctx, name)
	if err != nil {
		return profile.Profile{}, coded(err)
	}
	sp.Profile.Timeouts = p.app.timeouts
	return sp.Profile, nil
}

// Find returns the stored profile called name.
func (p *Profiles) Find(name string) (profile.Profile, error) {
	return p.get(p.app.ctx, name)
}

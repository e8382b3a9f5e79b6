package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"time"

	"imagedesk/backend/profile"
	"imagedesk/backend/sandbox"
	"imagedesk/backend/secrets"
	"imagedesk/backend/store"
)

// SandboxProfile is the name of the profile that points at the embedded sandbox.
const SandboxProfile = "Sandbox"

// StartSandbox runs the embedded sandbox server when the user has no server of
// their own yet, or kept the sandbox profile, and points that profile at it. The
// sandbox's password lives in its own data directory; the app holds it for this
// session only, so it never reaches the keyring.
func (a *App) StartSandbox(ctx context.Context) error {
	list, err := a.store.Profiles(ctx)
	if err != nil {
		return err
	}
	var prev *store.StoredProfile
	for i := range list {
		if list[i].Sandbox {
			prev = &list[i]
		}
	}
	if prev == nil && len(list) > 0 {
		return nil
	}
	dir := filepath.Join(a.dirs.Data, "sandbox")
	pw, _, _, err := sandbox.EnsurePassword(dir)
	if err != nil {
		return err
	}
	cfg := sandbox.Config{
		DataDir:  dir,
		Password: pw,
		Demo:     true,
		Logger:   a.log.With("op", "sandbox"),
	}
	// Tests and demos slow the sandbox's report generation down to watch the
	// placeholder turn into the report.
	if d, err := time.ParseDuration(a.getenv("IMAGEDESK_SANDBOX_REPORT_DELAY")); err == nil {
		cfg.ReportDelay = d
	}
	if prev != nil {
		cfg.Listen = reusePort(prev.Registry)
	}
	srv, err := sandbox.Start(ctx, cfg)
	if err != nil && cfg.Listen != "" {
		cfg.Listen = ""
		srv, err = sandbox.Start(ctx, cfg)
	}
	if err != nil {
		return fmt.Errorf("starting sandbox: %w", err)
	}
	a.sandbox = srv

	p := profile.Profile{Name: SandboxProfile}
	if prev != nil {
		p = prev.Profile
	}
	p.APIURL, p.Registry, p.PlainHTTP, p.Sandbox = srv.URL(), srv.Addr(), true, true
	p.User = sandbox.DefaultUser
	p.Repos = p.Repos[:0]
	for _, r := range srv.Repos() {
		p.Repos = append(p.Repos, profile.Repo{Name: r.Name, ID: r.ID, Kind: profile.Kind(r.Kind)})
	}
	if key := srv.SignerPublicKeyPath(); key != "" && len(p.TrustedKeys) == 0 {
		p.TrustedKeys = []string{key}
	}
	if _, err := a.store.SaveProfile(ctx, p); err != nil {
		return fmt.Errorf("saving sandbox profile: %w", err)
	}
	if err := a.secrets.Set(secrets.PasswordKey(p.Name), pw, true); err != nil {
		return fmt.Errorf("keeping sandbox password: %w", err)
	}
	a.log.Info("sandbox started", "op", "sandbox", "repo", srv.URL())
	return nil
}

// reusePort asks for the port the sandbox had last time, so references the user
// copied keep working; Start falls back to any free port when it is taken.
func reusePort(registry string) string {
	_, port, err := net.SplitHostPort(registry)
	if err != nil || port == "" || port == "0" {
		return ""
	}
	return net.JoinHostPort("127.0.0.1", port)
}

// stopSandbox shuts the embedded sandbox down, if it runs.
func (a *App) stopSandbox(ctx context.Context) error {
	if a.sandbox == nil {
		return nil
	}
	err := a.sandbox.Close(ctx)
	a.sandbox = nil
	if err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

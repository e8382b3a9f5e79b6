package store

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"imagedesk/backend/profile"
)

func sampleProfile(name string) profile.Profile {
	return profile.Profile{
		Name:     name,
		APIURL:   "https://artifacts.example.com",
		Registry: "registry.example.com:5000",
		User:     "alice",
		Repos:    []profile.Repo{{Name: "images", ID: 9007199254740993, Kind: profile.KindBase}},
	}
}

func TestProfiles(t *testing.T) {
	t.Parallel()
	s, clock, _ := openTest(t)
	ctx := context.Background()

	prod, err := s.SaveProfile(ctx, sampleProfile("prod"))
	if err != nil {
		t.Fatal(err)
	}
	if prod.ID == 0 {
		t.Fatal("SaveProfile did not set an id")
	}
	created := clock.now()
	clock.advance(time.Minute)
	if _, err := s.SaveProfile(ctx, sampleProfile("dev")); err != nil {
		t.Fatal(err)
	}

	t.Run("duplicate name", func(t *testing.T) {
		if _, err := s.SaveProfile(ctx, sampleProfile("prod")); !errors.Is(err, ErrDuplicateName) {
			t.Errorf("SaveProfile(duplicate) error = %v, want ErrDuplicateName", err)
		}
	})

	t.Run("invalid profile", func(t *testing.T) {
		bad := sampleProfile("bad")
		bad.Registry = "https://x"
		_, err := s.SaveProfile(ctx, bad)
		var fe *profile.FieldError
		if !errors.As(err, &fe) || fe.Field != "registry" {
			t.Errorf("SaveProfile(invalid) error = %v, want a registry field error", err)
		}
	})

	t.Run("list and read", func(t *testing.T) {
		list, err := s.Profiles(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, p := range list {
			names = append(names, p.Name)
		}
		if diff := cmp.Diff([]string{"dev", "prod"}, names); diff != "" {
			t.Errorf("Profiles names mismatch (-want +got):\n%s", diff)
		}

		got, err := s.Profile(ctx, "prod")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(prod, got.Profile); diff != "" {
			t.Errorf("Profile(prod) mismatch (-want +got):\n%s", diff)
		}
		if !got.Created.Equal(created) || !got.Updated.Equal(created) {
			t.Errorf("times = %v / %v, want %v", got.Created, got.Updated, created)
		}
	})

	t.Run("stored json holds no secret", func(t *testing.T) {
		var body string
		err := s.db.QueryRowContext(ctx, `SELECT json FROM profiles WHERE name = 'prod'`).
			Scan(&body)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range []string{"password", "passphrase", "secret", "token"} {
			if strings.Contains(strings.ToLower(body), w) {
				t.Errorf("stored profile %s contains %q", body, w)
			}
		}
		if !strings.Contains(body, `"9007199254740993"`) {
			t.Errorf("stored profile %s lacks the repository id as a string", body)
		}
	})

	t.Run("rename moves caches", func(t *testing.T) {
		key := ListingKey{Profile: "prod", RepoID: 1, Path: ""}
		if err := s.PutListing(ctx, key, []byte(`{}`)); err != nil {
			t.Fatal(err)
		}
		clock.advance(time.Minute)
		renamed := prod
		renamed.Name = "production"
		if _, err := s.SaveProfile(ctx, renamed); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Profile(ctx, "prod"); !errors.Is(err, ErrNotFound) {
			t.Errorf("old name still readable: %v", err)
		}
		got, err := s.Profile(ctx, "production")
		if err != nil || got.ID != prod.ID || !got.Updated.After(got.Created) {
			t.Errorf("Profile(production) = %+v, %v", got, err)
		}
		key.Profile = "production"
		if _, err := s.GetListing(ctx, key); err != nil {
			t.Errorf("cache did not follow the rename: %v", err)
		}

		dup := renamed
		dup.Name = "dev"
		if _, err := s.SaveProfile(ctx, dup); !errors.Is(err, ErrDuplicateName) {
			t.Errorf("rename onto dev error = %v, want ErrDuplicateName", err)
		}
		ghost := sampleProfile("ghost")
		ghost.ID = 999
		if _, err := s.SaveProfile(ctx, ghost); !errors.Is(err, ErrNotFound) {
			t.Errorf("update of unknown id error = %v, want ErrNotFound", err)
		}
	})

	t.Run("delete", func(t *testing.T) {
		if err := s.DeleteProfile(ctx, "production"); err != nil {
			t.Fatal(err)
		}
		key := ListingKey{Profile: "production", RepoID: 1, Path: ""}
		if _, err := s.GetListing(ctx, key); !errors.Is(err, ErrNotFound) {
			t.Errorf("cache survived the profile: %v", err)
		}
		if err := s.DeleteProfile(ctx, "production"); !errors.Is(err, ErrNotFound) {
			t.Errorf("second delete error = %v, want ErrNotFound", err)
		}
	})
}

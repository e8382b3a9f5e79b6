package app

import (
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"

	"imagedesk/backend/profile"
)

// FuzzDestination feeds form input to the destination check: it never panics,
// and a reference it accepts parses strictly, lies on the profile's registry
// and holds the name and version as typed.
func FuzzDestination(f *testing.F) {
	for _, s := range [][4]string{
		{"base-images", "", "ubuntu", "V5"},
		{"biz", "shop", "web", "1.2.3"},
		{"biz", "basic", "a", "1"},
		{"base-images", "", "Ubuntu", "-x"},
		{"base-images", "", "a__b--c.d", strings.Repeat("v", 128)},
		{"", "", "", ""},
		{"biz", "a/b", "c:d", "e@f"},
	} {
		f.Add(s[0], s[1], s[2], s[3], "cat", "desc\nline")
	}
	pr := profile.Profile{Name: "p", Registry: "reg.example.test:5000", Repos: []profile.Repo{
		{Name: "base-images", ID: 1, Kind: profile.KindBase},
		{Name: "biz", ID: 2, Kind: profile.KindBusiness},
	}}
	f.Fuzz(func(t *testing.T, repo, project, image, version, category, description string) {
		d := destination(pr, UploadRequest{Repo: repo, Project: project, Name: image,
			Version: version, Category: category, Description: description})
		if d.Ref == "" {
			if len(d.Fields) == 0 {
				t.Fatal("no reference and no field rule")
			}
			return
		}
		if len(d.Fields) != 0 {
			t.Fatalf("reference %q with field rules %v", d.Ref, d.Fields)
		}
		ref, err := name.ParseReference(d.Ref, name.StrictValidation)
		if err != nil {
			t.Fatalf("accepted %q does not parse: %v", d.Ref, err)
		}
		if ref.Context().RegistryStr() != pr.Registry || ref.Identifier() != version ||
			!strings.HasSuffix(ref.Context().RepositoryStr(), "/"+image) {
			t.Fatalf("accepted %q does not hold %s:%s on %s", d.Ref, image, version, pr.Registry)
		}
	})
}

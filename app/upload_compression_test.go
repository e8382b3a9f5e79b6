package app

import (
	"context"
	"slices"
	"testing"
)

func TestFixedCompressionGivesTheSameLayerDigests(t *testing.T) {
	env := newUploadEnv(t)
	pr := env.target.Profile
	pr.FixedCompression = true
	if _, err := env.app.Profiles.Save(ProfileInput{Profile: pr, Password: sandboxPassword,
		SessionOnly: true}); err != nil {
		t.Fatal(err)
	}
	tg, err := env.app.Target(context.Background(), pr.Name)
	if err != nil || !tg.Profile.FixedCompression {
		t.Fatalf("the setting was not kept: %+v, %v", tg.Profile, err)
	}
	// Layers over 8 MiB, which an adapting push would cut into several members.
	path := mkarchive(t, "fixed.tar", "-layers", "2", "-size", "9000000")
	var layers [][]string
	for _, name := range []string{"one", "two"} {
		req := UploadRequest{Profile: pr.Name, Archive: path, Name: name, Version: "v1",
			Repo: repoOf(t, pr, "base").Name}
		res, err := env.app.PushImage(context.Background(), tg, req, nil)
		if err != nil {
			t.Fatal(err)
		}
		m, err := readBack(t, tg, res.Ref).Manifest()
		if err != nil {
			t.Fatal(err)
		}
		var ds []string
		for _, l := range m.Layers {
			ds = append(ds, l.Digest.String())
		}
		layers = append(layers, ds)
	}
	if !slices.Equal(layers[0], layers[1]) {
		t.Errorf("the same layers pushed twice got different digests: %v", layers)
	}
}

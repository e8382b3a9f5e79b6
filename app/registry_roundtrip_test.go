package app

import (
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Download, sign and verify against Debian's docker-registry, not only the sandbox.
func TestPullSignVerifyOnDockerRegistry(t *testing.T) {
	env, reg := newRegistryEnv(t)
	a := env.app
	img, err := random.Image(2048, 3)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := name.ParseReference(reg.Addr+"/base-images/basic/rt:1", name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref, img); err != nil {
		t.Fatal(err)
	}
	repo := "9007199254740993"

	out := filepath.Join(t.TempDir(), "rt.tar")
	id, err := a.Download.To("dr", repo, "basic", "rt", "1", "docker", out)
	if err != nil {
		t.Fatal(err)
	}
	if task := waitTask(t, a, id); task.State != TaskSucceeded {
		t.Fatalf("download: %+v", task)
	}
	if skopeo, err := exec.LookPath("skopeo"); err == nil {
		if b, err := exec.Command(skopeo, "inspect", "docker-archive:"+out).CombinedOutput(); err !=
			nil {
			t.Fatalf("skopeo refuses the download: %v %s", err, b)
		}
	}

	k, err := a.Signing.GenerateKey("rt-pass", true)
	if err != nil {
		t.Fatal(err)
	}
	v, err := a.Signing.Verify("dr", repo, "basic", "rt", "1")
	if err != nil || v.Badge != "unsigned" {
		t.Fatalf("before signing: %+v, %v", v, err)
	}
	v, err = a.Signing.Sign("dr", repo, "basic", "rt", "1", k.ID)
	if err != nil || v.Badge != "verified" || v.Fingerprint != k.Fingerprint {
		t.Fatalf("after signing: %+v, %v", v, err)
	}

	// The tag moves to a new image: the old signature does not cover it.
	img2, _ := random.Image(1024, 1)
	if err := remote.Write(ref, img2); err != nil {
		t.Fatal(err)
	}
	v, err = a.Signing.Verify("dr", repo, "basic", "rt", "1")
	if err != nil || v.Badge != "unsigned" {
		t.Fatalf("re-tagged image: %+v, %v; want unsigned", v, err)
	}
}

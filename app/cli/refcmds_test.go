package cli

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

func TestKeySignVerifyPull(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if code, out, errOut := runIn(t, dir, "", "profile", "test", "Sandbox"); code != ExitOK {
		t.Fatalf("starting the sandbox: %d %q %q", code, out, errOut)
	}
	_, out, _ := runIn(t, dir, "", "profile", "list", "--json")
	var list []struct{ Profile struct{ Registry string } }
	if err := json.Unmarshal([]byte(out), &list); err != nil || len(list) == 0 {
		t.Fatalf("profiles %q", out)
	}
	ref := list[0].Profile.Registry + "/base-images/basic/aa:V5"

	keys := filepath.Join(dir, "keys")
	if code, _, errOut := runIn(t, dir, "pp{]\n", "key", "generate", "--out", keys,
		"--passphrase-stdin"); code != ExitOK {
		t.Fatalf("key generate: %d %q", code, errOut)
	}
	other := filepath.Join(dir, "other")
	runIn(t, dir, "qq\n", "key", "generate", "--out", other, "--passphrase-stdin")
	pub, otherPub := filepath.Join(keys, "cosign.pub"), filepath.Join(other, "cosign.pub")

	// The session starts the sandbox only for commands naming its profile; the
	// registry of the reference finds it too.
	verify := func(pubs ...string) int {
		a := []string{"verify", ref}
		for _, p := range pubs {
			a = append(a, "--pub", p)
		}
		code, _, _ := runIn(t, dir, "", a...)
		return code
	}
	if code := verify(pub); code != ExitUnsigned {
		t.Errorf("before signing: exit %d, want %d", code, ExitUnsigned)
	}
	if code, _, errOut := runIn(t, dir, "wrong\n", "sign", ref, "--key",
		filepath.Join(keys, "cosign.key"), "--passphrase-stdin"); code != ExitError {
		t.Errorf("sign with a wrong passphrase: exit %d %q", code, errOut)
	}
	if code, _, errOut := runIn(t, dir, "pp{]\n", "sign", ref, "--key",
		filepath.Join(keys, "cosign.key"), "--passphrase-stdin"); code != ExitOK {
		t.Fatalf("sign: exit %d %q", code, errOut)
	}
	if code := verify(pub); code != ExitOK {
		t.Errorf("after signing: exit %d", code)
	}
	if code := verify(otherPub); code != ExitSignedUnverified {
		t.Errorf("another key: exit %d, want %d", code, ExitSignedUnverified)
	}

	tar := filepath.Join(dir, "aa.tar")
	if code, _, errOut := runIn(t, dir, "", "pull", ref, "-o", tar); code != ExitOK {
		t.Fatalf("pull: %d %q", code, errOut)
	}
	if skopeo, err := exec.LookPath("skopeo"); err == nil {
		if b, err := exec.Command(skopeo, "inspect", "docker-archive:"+tar).CombinedOutput(); err !=
			nil {
			t.Errorf("skopeo refuses the archive: %v %s", err, b)
		}
	}
	if code, _, _ := runIn(t, dir, "", "pull", ref+"-missing", "-o", tar+"2"); code != ExitError {
		t.Errorf("pull of a missing tag: exit %d", code)
	}
	if _, err := os.Stat(tar + "2"); !os.IsNotExist(err) {
		t.Error("a failed pull left a file under the final name")
	}
}

package app

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"imagedesk/backend/archive"
	"imagedesk/backend/signing"
	"imagedesk/backend/store"
)

func TestSignVerifyBadges(t *testing.T) {
	a, base, _ := sandboxApp(t, "1h")
	if _, err := a.Signing.GenerateKey("pass{]):<>", false); codeOf(err) != CodeKeyringNoBus {
		t.Fatalf("key with no keyring = %v, want %s", err, CodeKeyringNoBus)
	}
	if keys, _ := a.Signing.Keys(); len(keys) != 0 {
		t.Fatalf("a key was written although its passphrase could not be kept: %+v", keys)
	}
	k, err := a.Signing.GenerateKey("pass{]):<>", true)
	if err != nil || !strings.HasPrefix(k.Fingerprint, "SHA256:") || !k.HasPassphrase {
		t.Fatalf("GenerateKey = %+v, %v", k, err)
	}
	if fi, err := os.Stat(k.PrivatePath); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("private key mode: %v %v", fi, err)
	}

	v, err := a.Signing.Verify(SandboxProfile, base, "basic", "aa", "V5")
	if err != nil || v.Badge != "unsigned" {
		t.Fatalf("before signing: %+v, %v", v, err)
	}
	v, err = a.Signing.Sign(SandboxProfile, base, "basic", "aa", "V5", k.ID)
	if err != nil || v.Badge != "verified" || v.Fingerprint != k.Fingerprint {
		t.Fatalf("after signing: %+v, %v; want verified by %s", v, err, k.Fingerprint)
	}
	// The sandbox's own demo signature is trusted through the profile's key list.
	v, err = a.Signing.Verify(SandboxProfile, base, "basic", "ubuntu", "v1.10")
	if err != nil || v.Badge != "verified" {
		t.Fatalf("demo signature: %+v, %v", v, err)
	}
	page, _ := a.History.Query(store.Filter{Kinds: []store.Kind{store.KindSign}})
	if len(page.Events) != 1 || page.Events[0].Status != store.StatusSucceeded ||
		page.Events[0].Digest == "" {
		t.Errorf("sign history: %+v", page.Events)
	}
}

func TestDownloadLoadsWithSkopeo(t *testing.T) {
	a, base, _ := sandboxApp(t, "1h")
	dir := t.TempDir()
	for _, format := range []string{"docker", "oci"} {
		out := filepath.Join(dir, "aa-V5-"+format+".tar")
		id, err := a.Download.To(SandboxProfile, base, "basic", "aa", "V5", format, out)
		if err != nil {
			t.Fatal(err)
		}
		task := waitTask(t, a, id)
		if task.State != TaskSucceeded || task.Done == 0 {
			t.Fatalf("%s download: %+v", format, task)
		}
		if format == "docker" {
			arc, err := archive.Open(out)
			if err != nil {
				t.Fatalf("our own reader refuses the download: %v", err)
			}
			if info := arc.Images()[0]; len(info.Layers) != 2 {
				t.Errorf("layers %+v", info.Layers)
			}
			arc.Close()
		}
		if skopeo, err := exec.LookPath("skopeo"); err == nil {
			transport := map[string]string{"docker": "docker-archive:", "oci": "oci-archive:"}
			cmd := exec.Command(skopeo, "inspect", "--raw", transport[format]+out)
			if b, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("skopeo inspect %s: %v\n%s", format, err, b)
			}
		}
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".*"))
	if len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
	if _, err := a.Download.To(SandboxProfile, base, "basic", "aa", "V5", "zip",
		filepath.Join(dir, "x")); codeOf(err) != CodeInvalidFormat {
		t.Errorf("format zip: %v", err)
	}
	// A missing version fails as a task and leaves nothing under the name.
	out := filepath.Join(dir, "missing.tar")
	id, _ := a.Download.To(SandboxProfile, base, "basic", "aa", "nope", "docker", out)
	if task := waitTask(t, a, id); task.State != TaskFailed {
		t.Errorf("missing version: %+v", task)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a file was left under the final name: %v", err)
	}
}

func waitTask(t *testing.T, a *App, id string) Task {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		for _, task := range a.Tasks.List() {
			if task.ID == id && task.State != TaskRunning {
				return task
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("task %s did not end", id)
	return Task{}
}

func TestImportKeyAndVerifyBeforePull(t *testing.T) {
	a, base, _ := sandboxApp(t, "1h")
	kp, err := signing.GenerateKeys(func() ([]byte, error) { return []byte("imp"), nil })
	if err != nil {
		t.Fatal(err)
	}
	priv, pub, err := signing.WriteKeys(filepath.Join(t.TempDir(), "k"), kp)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Signing.ImportKey(priv, pub, "wrong", true); codeOf(err) != CodeBadPassphrase {
		t.Fatalf("import with a wrong passphrase: %v", err)
	}
	k, err := a.Signing.ImportKey(priv, pub, "imp", true)
	if err != nil || !k.HasPassphrase {
		t.Fatalf("import: %+v, %v", k, err)
	}

	v, _ := a.Profiles.List()
	p := v[0].Profile
	p.VerifyBeforePull = true
	if _, err := a.Profiles.Save(ProfileInput{Profile: p}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	id, _ := a.Download.To(SandboxProfile, base, "basic", "aa", "06", "docker",
		filepath.Join(dir, "unsigned.tar"))
	if task := waitTask(t, a, id); task.State != TaskFailed || task.ErrorCode != CodeNotVerified {
		t.Fatalf("unsigned download under the policy: %+v", task)
	}
	if _, err := a.Signing.Sign(SandboxProfile, base, "basic", "aa", "06", k.ID); err != nil {
		t.Fatal(err)
	}
	id, _ = a.Download.To(SandboxProfile, base, "basic", "aa", "06", "docker",
		filepath.Join(dir, "signed.tar"))
	if task := waitTask(t, a, id); task.State != TaskSucceeded {
		t.Fatalf("signed download under the policy: %+v", task)
	}
}

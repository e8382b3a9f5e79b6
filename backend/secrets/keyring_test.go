package secrets

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// keyringTestEnv turns on the real Secret Service tests. The script
// testdata/with-keyring.sh sets it inside a private bus with an unlocked
// keyring.
const keyringTestEnv = "IMAGEDESK_KEYRING_TEST"

// secretToolLookup reads an item the way other programs do, outside go-keyring.
func secretToolLookup(t *testing.T, service, key string) (string, bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "secret-tool", "lookup",
		"service", service, "username", key).Output()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return "", false
	}
	if err != nil {
		t.Fatalf("secret-tool lookup: %v", err)
	}
	return string(out), true
}

func TestRealKeyring(t *testing.T) {
	if os.Getenv(keyringTestEnv) != "1" {
		t.Skip("real keyring test: set " + keyringTestEnv +
			"=1 inside a keyring session, e.g. run it via testdata/with-keyring.sh")
	}
	if _, err := exec.LookPath("secret-tool"); err != nil {
		t.Fatalf("%s=1 but secret-tool is missing: %v", keyringTestEnv, err)
	}

	buf := make([]byte, 6)
	rand.Read(buf)
	service := "imagedesk-test-" + hex.EncodeToString(buf)
	s := New(service, WithTimeout(20*time.Second))
	key := PasswordKey("生产 prod")
	t.Cleanup(func() { s.Delete(key) })

	if st := s.Status(context.Background()); !st.Available {
		t.Fatalf("%s=1 but the keyring is unusable: %v", keyringTestEnv, st.Reason)
	}

	if _, err := s.Get(key); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get(missing) error = %v, want ErrNotFound", err)
	}

	if err := s.Set(key, secret, false); err != nil {
		t.Fatalf("Set: %v", err)
	}
	if s.SessionOnly(key) {
		t.Fatal("Set fell back to the session although the keyring works")
	}
	if got, err := s.Get(key); err != nil || got != secret {
		t.Fatalf("Get = %q, %v", got, err)
	}
	if got, ok := secretToolLookup(t, service, key); !ok || got != secret {
		t.Fatalf("secret-tool lookup = %q, %v; want the stored secret", got, ok)
	}

	const newer = "second ] ) secret"
	if err := s.Set(key, newer, false); err != nil {
		t.Fatalf("Set (overwrite): %v", err)
	}
	if got, err := s.Get(key); err != nil || got != newer {
		t.Fatalf("Get after overwrite = %q, %v", got, err)
	}
	if got, ok := secretToolLookup(t, service, key); !ok || got != newer {
		t.Fatalf("secret-tool lookup after overwrite = %q, %v", got, ok)
	}

	if err := s.Delete(key); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := s.Get(key); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get after Delete error = %v, want ErrNotFound", err)
	}
	if got, ok := secretToolLookup(t, service, key); ok {
		t.Fatalf("secret-tool still finds %q after Delete", got)
	}

	// A session-only secret removes the stored copy and stays out of the keyring.
	if err := s.Set(key, "stored", false); err != nil {
		t.Fatal(err)
	}
	if err := s.Set(key, newer, true); err != nil {
		t.Fatal(err)
	}
	if got, ok := secretToolLookup(t, service, key); ok {
		t.Fatalf("secret-tool finds %q after a session-only Set", got)
	}
	if !strings.HasPrefix(key, "password/") {
		t.Errorf("PasswordKey = %q", key)
	}
}

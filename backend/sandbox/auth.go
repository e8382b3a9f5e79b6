package sandbox

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// File names inside the data directory.
const (
	passwordFile = "sandbox-password"
	accountsFile = "accounts"
)

// authCacheTTL is how long a successful bcrypt check is remembered.
const authCacheTTL = 2 * time.Minute

// authCacheMax bounds the number of remembered credentials.
const authCacheMax = 64

// bcryptCost is the cost of new password hashes; tests lower it because
// bcrypt under the race detector takes seconds.
var bcryptCost = bcrypt.DefaultCost

// realm is the basic-auth realm announced in WWW-Authenticate.
const realm = `Basic realm="imagedesk-sandbox", charset="UTF-8"`

// EnsurePassword returns the sandbox password kept in dataDir, creating the
// data directory and a random password file (mode 0600) when there is none.
// It returns the password, the file's path and whether it was created now.
func EnsurePassword(dataDir string) (password, path string, created bool, err error) {
	path = filepath.Join(dataDir, passwordFile)
	b, err := os.ReadFile(path)
	if err == nil {
		password = strings.TrimSpace(string(b))
		if password != "" {
			return password, path, false, nil
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", path, false, fmt.Errorf("reading sandbox password file: %w", err)
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return "", path, false, fmt.Errorf("creating sandbox data dir: %w", err)
	}
	password, err = randomPassword()
	if err != nil {
		return "", path, false, err
	}
	if err := writeFileAtomic(path, []byte(password+"\n"), 0o600); err != nil {
		return "", path, false, fmt.Errorf("writing sandbox password file: %w", err)
	}
	return password, path, true, nil
}

// randomPassword makes a 24-character password that includes characters the
// real server's passwords also have (shell- and URL-special ones).
func randomPassword() (string, error) {
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789{])<>:"
	var raw [24]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", fmt.Errorf("generating sandbox password: %w", err)
	}
	out := make([]byte, len(raw))
	for i, b := range raw {
		out[i] = alphabet[int(b)%len(alphabet)]
	}
	return string(out), nil
}

// ensureAccount makes sure the accounts file holds a bcrypt hash of password
// for user, keeping other users' lines, and returns all hashes by user.
func ensureAccount(path, user, password string) (map[string][]byte, error) {
	accounts := map[string][]byte{}
	var order []string
	b, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("reading accounts file: %w", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		name, hash, ok := strings.Cut(strings.TrimSpace(sc.Text()), ":")
		if !ok || name == "" || hash == "" {
			continue
		}
		if _, seen := accounts[name]; !seen {
			order = append(order, name)
		}
		accounts[name] = []byte(hash)
	}
	if h, ok := accounts[user]; ok && bcrypt.CompareHashAndPassword(h, []byte(password)) == nil {
		return accounts, nil
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcryptCost)
	if err != nil {
		return nil, fmt.Errorf("hashing password of %q: %w", user, err)
	}
	if _, seen := accounts[user]; !seen {
		order = append(order, user)
	}
	accounts[user] = hash
	var out bytes.Buffer
	for _, name := range order {
		fmt.Fprintf(&out, "%s:%s\n", name, accounts[name])
	}
	if err := writeFileAtomic(path, out.Bytes(), 0o600); err != nil {
		return nil, fmt.Errorf("writing accounts file: %w", err)
	}
	return accounts, nil
}

// authenticator checks basic-auth credentials against bcrypt hashes and
// remembers successful checks for a short while, keyed by a keyed hash of the
// credentials so that no password is kept in memory in plain text.
type authenticator struct {
	accounts map[string][]byte
	key      [32]byte

	mu    sync.Mutex
	cache map[[32]byte]time.Time
	now   func() time.Time
}

// newAuthenticator builds an authenticator for the given hashes.
func newAuthenticator(accounts map[string][]byte) (*authenticator, error) {
	a := &authenticator{accounts: accounts, cache: map[[32]byte]time.Time{}, now: time.Now}
	if _, err := rand.Read(a.key[:]); err != nil {
		return nil, fmt.Errorf("generating auth cache key: %w", err)
	}
	return a, nil
}

// check tells whether user and password are a valid account.
func (a *authenticator) check(user, password string) bool {
	mac := hmac.New(sha256.New, a.key[:])
	mac.Write([]byte(user))
	mac.Write([]byte{0})
	mac.Write([]byte(password))
	var sum [32]byte
	copy(sum[:], mac.Sum(nil))

	now := a.now()
	a.mu.Lock()
	exp, ok := a.cache[sum]
	a.mu.Unlock()
	if ok && now.Before(exp) {
		return true
	}

	hash, known := a.accounts[user]
	if !known || bcrypt.CompareHashAndPassword(hash, []byte(password)) != nil {
		return false
	}

	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.cache) >= authCacheMax {
		for k, e := range a.cache {
			if !now.Before(e) {
				delete(a.cache, k)
			}
		}
		if len(a.cache) >= authCacheMax {
			clear(a.cache)
		}
	}
	a.cache[sum] = now.Add(authCacheTTL)
	return true
}

// wrap answers 401 with a Basic challenge to requests without valid
// credentials and passes the others to next. unauthorized writes the body.
func (a *authenticator) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, password, ok := r.BasicAuth()
		if ok && a.check(user, password) {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Set("WWW-Authenticate", realm)
		if strings.HasPrefix(r.URL.Path, "/v2/") || r.URL.Path == "/v2" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"errors":[{"code":"UNAUTHORIZED",` +
				`"message":"authentication required","detail":null}]}` + "\n"))
			return
		}
		writeJSONError(w, errorf(http.StatusUnauthorized, codeUnauthorized,
			"authentication required"))
	})
}

// writeFileAtomic writes data to a temporary file next to path and renames it
// over path.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if err := f.Chmod(perm); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

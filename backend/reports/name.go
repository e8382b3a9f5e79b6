package reports

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxBaseBytes caps the file name before its ".xlsx" extension, well under the
// 255-byte limit of common file systems.
const maxBaseBytes = 180

// FileName returns the cache file name of key's report:
// "<repo>_<namespace>_<image>_<version>.xlsx", where <repo> is the repository
// name or, when that is empty, its id. Every part is made safe for any file
// system: path separators, characters Windows reserves, control characters,
// invalid UTF-8 and runs of dots become "_", and leading or trailing dots and
// spaces are removed. An over-long name is cut and given a short hash of the
// full name so that distinct keys keep distinct names. The result can never
// be a Windows device name since it always holds an underscore before the
// extension.
func FileName(key Key) string {
	repo := key.RepoName
	if repo == "" {
		repo = strconv.FormatInt(key.RepoID, 10)
	}
	parts := []string{repo, key.Namespace, key.Image, key.Version}
	for i, p := range parts {
		parts[i] = sanitize(p)
	}
	base := strings.Join(parts, "_")
	if len(base) > maxBaseBytes {
		sum := sha256.Sum256([]byte(base))
		cut := maxBaseBytes - 9
		for cut > 0 && !utf8.RuneStart(base[cut]) {
			cut--
		}
		base = base[:cut] + "-" + hex.EncodeToString(sum[:4])
	}
	return base + ".xlsx"
}

// sanitize makes one name part safe to use inside a file name; it never
// returns "".
func sanitize(s string) string {
	s = strings.ToValidUTF8(s, "_")
	var b strings.Builder
	for _, r := range s {
		switch {
		case r < 0x20 || r == 0x7f || unicode.IsControl(r):
			b.WriteByte('_')
		case strings.ContainsRune(`/\<>:"|?*`, r):
			b.WriteByte('_')
		case r == utf8.RuneError:
			b.WriteByte('_')
		default:
			b.WriteRune(r)
		}
	}
	out := b.String()
	for strings.Contains(out, "..") {
		out = strings.ReplaceAll(out, "..", "_")
	}
	out = strings.Trim(out, ". ")
	if out == "" {
		return "_"
	}
	return out
}

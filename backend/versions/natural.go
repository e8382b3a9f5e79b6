package versions

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Less reports whether version name a sorts before b in natural order: digit
// runs compare numerically ("06" < "100", "v1.2" < "v1.10"), digit runs sort
// before letters, letters compare case-insensitively, and a name that is a
// prefix of another sorts first. Names equal under those rules (such as "V5"
// and "v5", or "06" and "6") are ordered byte-wise, so Less is a strict total
// order.
func Less(a, b string) bool { return Compare(a, b) < 0 }

// Compare returns -1, 0 or +1 as a sorts before, equal to or after b in the
// order of Less; it returns 0 only when a == b.
func Compare(a, b string) int {
	if c := compareNatural(a, b); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}

// Sort sorts names in place in natural order.
func Sort(names []string) { slices.SortFunc(names, Compare) }

// Newest returns the name the interface marks as the newest version: the
// greatest name in natural order, ignoring signature, attestation and SBOM
// tags. It returns "" when no name is a version.
func Newest(names []string) string {
	newest, found := "", false
	for _, n := range names {
		if k, _ := Classify(n); k != KindVersion {
			continue
		}
		if !found || Less(newest, n) {
			newest, found = n, true
		}
	}
	return newest
}

// compareNatural compares a and b chunk by chunk, treating a run of ASCII
// digits as one number and any other run as case-folded text. It returns 0
// for names that differ only in case or in leading zeros.
func compareNatural(a, b string) int {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		da, db := isDigit(a[i]), isDigit(b[j])
		switch {
		case da && !db:
			return -1
		case !da && db:
			return 1
		case da:
			ei, ej := digitEnd(a, i), digitEnd(b, j)
			if c := compareNumber(a[i:ei], b[j:ej]); c != 0 {
				return c
			}
			i, j = ei, ej
		default:
			ei, ej := textEnd(a, i), textEnd(b, j)
			if c := compareFolded(a[i:ei], b[j:ej]); c != 0 {
				return c
			}
			i, j = ei, ej
		}
	}
	switch {
	case i < len(a):
		return 1
	case j < len(b):
		return -1
	}
	return 0
}

// isDigit reports whether c is an ASCII digit.
func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// digitEnd returns the index just past the digit run starting at i.
func digitEnd(s string, i int) int {
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i
}

// textEnd returns the index just past the non-digit run starting at i.
func textEnd(s string, i int) int {
	for i < len(s) && !isDigit(s[i]) {
		i++
	}
	return i
}

// compareNumber compares two digit runs by value, ignoring leading zeros; any
// length works since no conversion to an integer type takes place.
func compareNumber(a, b string) int {
	a = strings.TrimLeft(a, "0")
	b = strings.TrimLeft(b, "0")
	if len(a) != len(b) {
		if len(a) < len(b) {
			return -1
		}
		return 1
	}
	return strings.Compare(a, b)
}

// compareFolded compares two text runs rune by rune after lower-casing; a
// run that is a prefix of the other sorts first. Invalid UTF-8 bytes all fold
// to utf8.RuneError and are told apart later by the byte-wise tie-break.
func compareFolded(a, b string) int {
	for a != "" && b != "" {
		ra, na := utf8.DecodeRuneInString(a)
		rb, nb := utf8.DecodeRuneInString(b)
		if ra != rb {
			la, lb := unicode.ToLower(ra), unicode.ToLower(rb)
			if la != lb {
				if la < lb {
					return -1
				}
				return 1
			}
		}
		a, b = a[na:], b[nb:]
	}
	switch {
	case a != "":
		return 1
	case b != "":
		return -1
	}
	return 0
}

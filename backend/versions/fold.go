package versions

import (
	"slices"
	"strings"
)

// Kind tells what a tag is.
type Kind int

// The kinds of tag. The names carry a Kind prefix because Version is the
// struct that Fold returns.
const (
	// KindVersion is an ordinary image version such as "V5" or "1.2.0".
	KindVersion Kind = iota
	// KindSignature is a cosign signature tag, "sha256-<hex>.sig".
	KindSignature
	// KindAttestation is a cosign attestation tag, "sha256-<hex>.att".
	KindAttestation
	// KindSBOM is a cosign SBOM tag, "sha256-<hex>.sbom".
	KindSBOM
)

// String returns the lower-case name of the kind.
func (k Kind) String() string {
	switch k {
	case KindVersion:
		return "version"
	case KindSignature:
		return "signature"
	case KindAttestation:
		return "attestation"
	case KindSBOM:
		return "sbom"
	}
	return "unknown"
}

// suffixes maps the cosign tag suffixes to their kind.
var suffixes = []struct {
	suffix string
	kind   Kind
}{
	{".sig", KindSignature},
	{".att", KindAttestation},
	{".sbom", KindSBOM},
}

// hexLengths maps the digest algorithms cosign names tags after to the length
// of their lower-case hex encoding.
var hexLengths = map[string]int{"sha256": 64, "sha512": 128}

// Classify tells whether tag is an ordinary version or a tag cosign pushed
// for the image with a given digest. For "sha256-<64 hex>.sig" it returns
// KindSignature and "sha256:<64 hex>"; likewise ".att" and ".sbom". Every
// other tag, including ones with upper-case or short hex, is KindVersion with
// an empty digest.
func Classify(tag string) (kind Kind, digest string) {
	for _, s := range suffixes {
		rest, ok := strings.CutSuffix(tag, s.suffix)
		if !ok {
			continue
		}
		algo, hex, ok := strings.Cut(rest, "-")
		if !ok || len(hex) != hexLengths[algo] || !isLowerHex(hex) {
			return KindVersion, ""
		}
		return s.kind, algo + ":" + hex
	}
	return KindVersion, ""
}

// isLowerHex reports whether s is non-empty and only lower-case hex digits.
func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isDigit(c) && (c < 'a' || c > 'f') {
			return false
		}
	}
	return s != ""
}

// Version is one image version with what cosign attached to it.
type Version struct {
	// Name is the version tag, e.g. "V5".
	Name string
	// Digest is the manifest digest digestOf gave for Name, or "".
	Digest string
	// Signed is true when a signature tag names Digest.
	Signed bool
	// Attested is true when an attestation tag names Digest.
	Attested bool
	// HasSBOM is true when an SBOM tag names Digest.
	HasSBOM bool
	// Attached lists the signature, attestation and SBOM tags that name
	// Digest, in natural order.
	Attached []string
}

// Fold splits tags into versions and the signature, attestation and SBOM tags
// cosign pushed for them. Such tags are never versions: each attaches to every
// version whose digest (as reported by digestOf, which may be nil) it names,
// and is returned in orphans when none matches. Versions and orphans come
// back in natural order, without duplicates; digestOf is called at most once
// per distinct version tag.
func Fold(tags []string, digestOf func(tag string) (string, bool)) (versions []Version,
	orphans []string) {
	seen := make(map[string]bool, len(tags))
	var attached []string
	for _, tag := range tags {
		if seen[tag] {
			continue
		}
		seen[tag] = true
		if k, _ := Classify(tag); k != KindVersion {
			attached = append(attached, tag)
			continue
		}
		v := Version{Name: tag}
		if digestOf != nil {
			if d, ok := digestOf(tag); ok {
				v.Digest = d
			}
		}
		versions = append(versions, v)
	}
	Sort(attached)

	byDigest := make(map[string][]int, len(versions))
	for i, v := range versions {
		if v.Digest != "" {
			byDigest[v.Digest] = append(byDigest[v.Digest], i)
		}
	}
	for _, tag := range attached {
		kind, digest := Classify(tag)
		idx, ok := byDigest[digest]
		if !ok {
			orphans = append(orphans, tag)
			continue
		}
		for _, i := range idx {
			v := &versions[i]
			v.Attached = append(v.Attached, tag)
			switch kind {
			case KindSignature:
				v.Signed = true
			case KindAttestation:
				v.Attested = true
			case KindSBOM:
				v.HasSBOM = true
			}
		}
	}

	slices.SortFunc(versions, func(a, b Version) int { return Compare(a.Name, b.Name) })
	return versions, orphans
}

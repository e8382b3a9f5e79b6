package versions

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Test digests.
var (
	hex64  = strings.Repeat("ab", 32)
	hex64b = strings.Repeat("0c", 32)
	hex128 = strings.Repeat("9f", 64)
)

func TestClassify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		tag        string
		wantKind   Kind
		wantDigest string
	}{
		{"V5", KindVersion, ""},
		{"sha256-" + hex64 + ".sig", KindSignature, "sha256:" + hex64},
		{"sha256-" + hex64 + ".att", KindAttestation, "sha256:" + hex64},
		{"sha256-" + hex64 + ".sbom", KindSBOM, "sha256:" + hex64},
		{"sha512-" + hex128 + ".sig", KindSignature, "sha512:" + hex128},
		{"sha256-" + strings.ToUpper(hex64) + ".sig", KindVersion, ""},
		{"sha256-" + hex64[:63] + ".sig", KindVersion, ""},
		{"sha256-" + hex64 + "0.sig", KindVersion, ""},
		{"sha256:" + hex64 + ".sig", KindVersion, ""},
		{"md5-" + hex64[:32] + ".sig", KindVersion, ""},
		{"sha256-" + hex64 + ".sig.bak", KindVersion, ""},
		{"sha256-" + hex64, KindVersion, ""},
		{".sig", KindVersion, ""},
		{"v1.sig", KindVersion, ""},
	}
	for _, tt := range tests {
		t.Run(tt.tag, func(t *testing.T) {
			t.Parallel()
			kind, digest := Classify(tt.tag)
			if kind != tt.wantKind || digest != tt.wantDigest {
				t.Errorf("Classify = %v, %q; want %v, %q", kind, digest, tt.wantKind,
					tt.wantDigest)
			}
		})
	}
}

func TestKindString(t *testing.T) {
	t.Parallel()
	got := []string{KindVersion.String(), KindSignature.String(), KindAttestation.String(),
		KindSBOM.String(), Kind(42).String()}
	want := []string{"version", "signature", "attestation", "sbom", "unknown"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Kind.String mismatch (-want +got):\n%s", diff)
	}
}

func TestFold(t *testing.T) {
	t.Parallel()
	dA, dB := "sha256:"+hex64, "sha256:"+hex64b
	sigA := "sha256-" + hex64 + ".sig"
	attA := "sha256-" + hex64 + ".att"
	sbomB := "sha256-" + hex64b + ".sbom"
	orphan := "sha256-" + strings.Repeat("11", 32) + ".sig"
	digests := map[string]string{"V5": dA, "latest": dA, "06": dB}

	calls := map[string]int{}
	digestOf := func(tag string) (string, bool) {
		calls[tag]++
		d, ok := digests[tag]
		return d, ok
	}
	tags := []string{sigA, "V5", orphan, "100", "06", sbomB, "latest", attA, "V5", sigA}
	versions, orphans := Fold(tags, digestOf)

	want := []Version{
		{Name: "06", Digest: dB, HasSBOM: true, Attached: []string{sbomB}},
		{Name: "100"},
		{Name: "latest", Digest: dA, Signed: true, Attested: true,
			Attached: []string{attA, sigA}},
		{Name: "V5", Digest: dA, Signed: true, Attested: true,
			Attached: []string{attA, sigA}},
	}
	if diff := cmp.Diff(want, versions); diff != "" {
		t.Errorf("versions mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{orphan}, orphans); diff != "" {
		t.Errorf("orphans mismatch (-want +got):\n%s", diff)
	}
	for tag, n := range calls {
		if n != 1 {
			t.Errorf("digestOf(%q) called %d times", tag, n)
		}
		if k, _ := Classify(tag); k != KindVersion {
			t.Errorf("digestOf asked about non-version tag %q", tag)
		}
	}
}

func TestFoldWithoutDigests(t *testing.T) {
	t.Parallel()
	sig := "sha256-" + hex64 + ".sig"
	versions, orphans := Fold([]string{"b", sig, "a"}, nil)
	want := []Version{{Name: "a"}, {Name: "b"}}
	if diff := cmp.Diff(want, versions); diff != "" {
		t.Errorf("versions mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{sig}, orphans); diff != "" {
		t.Errorf("orphans mismatch (-want +got):\n%s", diff)
	}
}

func FuzzClassify(f *testing.F) {
	for _, s := range []string{"V5", "sha256-" + hex64 + ".sig", "sha512-" + hex128 + ".att",
		"sha256-" + hex64 + ".sbom", "sha256-.sig", "-.att", "\xff.sbom"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, tag string) {
		kind, digest := Classify(tag)
		if kind == KindVersion {
			if digest != "" {
				t.Fatalf("version %q has digest %q", tag, digest)
			}
			return
		}
		algo, hex, ok := strings.Cut(digest, ":")
		if !ok || hexLengths[algo] != len(hex) || !isLowerHex(hex) {
			t.Fatalf("Classify(%q) gave malformed digest %q", tag, digest)
		}
		rebuilt := algo + "-" + hex + "." + kind.String()
		if kind == KindSignature {
			rebuilt = algo + "-" + hex + ".sig"
		} else if kind == KindAttestation {
			rebuilt = algo + "-" + hex + ".att"
		}
		if rebuilt != tag {
			t.Fatalf("Classify(%q) = %v, %q does not rebuild the tag (%q)", tag, kind,
				digest, rebuilt)
		}
	})
}

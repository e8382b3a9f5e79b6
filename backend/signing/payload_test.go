package signing

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/sigstore/sigstore/pkg/signature/payload"
)

const (
	digestOne = "sha256:1111111111111111111111111111111111111111111111111111111111111111"
	digestTwo = "sha256:2222222222222222222222222222222222222222222222222222222222222222"
)

// cosignPayload is the payload Sign would write for repo@digest.
func cosignPayload(t testing.TB, digest string) []byte {
	t.Helper()
	d, err := name.NewDigest("127.0.0.1:5000/basic/app@" + digest)
	if err != nil {
		t.Fatal(err)
	}
	b, err := payload.Cosign{Image: d, Annotations: map[string]any{KeyAnnotation: "x"}}.
		MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestCheckPayload(t *testing.T) {
	t.Parallel()
	want, _ := v1.NewHash(digestOne)
	for _, c := range []struct {
		name string
		body []byte
		ok   bool
	}{
		{"matching digest", cosignPayload(t, digestOne), true},
		{"other digest", cosignPayload(t, digestTwo), false},
		{"not json", []byte("{"), false},
		{"empty object", []byte("{}"), false},
		{"wrong type", []byte(`{"critical":{"type":"atomic container signature",` +
			`"image":{"docker-manifest-digest":"` + digestOne + `"}}}`), false},
		{"bad digest", []byte(`{"critical":{"type":"cosign container image signature",` +
			`"image":{"docker-manifest-digest":"sha256:zz"}}}`), false},
		{"uppercase digest", []byte(`{"critical":{"type":"cosign container image signature",` +
			`"image":{"docker-manifest-digest":"SHA256:1111"}}}`), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := CheckPayload(c.body, want)
			if c.ok && err != nil {
				t.Fatalf("CheckPayload = %v, want nil", err)
			}
			if !c.ok && !errors.Is(err, ErrPayload) {
				t.Fatalf("CheckPayload = %v, want ErrPayload", err)
			}
		})
	}
}

func TestClaimedKey(t *testing.T) {
	t.Parallel()
	if got := claimedKey(cosignPayload(t, digestOne)); got != "x" {
		t.Errorf("claimedKey = %q, want %q", got, "x")
	}
	for _, in := range []string{"", "{}", `{"optional":{"` + KeyAnnotation + `":7}}`} {
		if got := claimedKey([]byte(in)); got != "" {
			t.Errorf("claimedKey(%q) = %q, want empty", in, got)
		}
	}
}

func FuzzCheckPayload(f *testing.F) {
	f.Add(cosignPayload(f, digestOne))
	f.Add(cosignPayload(f, digestTwo))
	f.Add([]byte(`{"critical":{"type":"cosign container image signature"}}`))
	f.Add([]byte(`null`))
	want, _ := v1.NewHash(digestOne)
	f.Fuzz(func(t *testing.T, body []byte) {
		_ = claimedKey(body)
		err := CheckPayload(body, want)
		if err != nil {
			if !errors.Is(err, ErrPayload) {
				t.Fatalf("error %v does not match ErrPayload", err)
			}
			return
		}
		// Accepted: the document must really name the wanted digest.
		var p payload.SimpleContainerImage
		if err := json.Unmarshal(body, &p); err != nil {
			t.Fatalf("accepted a payload that does not decode: %v", err)
		}
		if p.Critical.Type != payload.CosignSignatureType ||
			p.Critical.Image.DockerManifestDigest != digestOne {
			t.Fatalf("accepted %q for %s", body, digestOne)
		}
	})
}

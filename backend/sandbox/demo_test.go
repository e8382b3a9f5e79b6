package sandbox

import (
	"bytes"
	"context"
	"crypto"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"
)

// TestDemoContent starts a demo sandbox and checks the seeded versions, the
// signature and the never-report version.
func TestDemoContent(t *testing.T) {
	t.Parallel()
	s := startTest(t, Config{Demo: true})

	_, got := list(t, s, `{"deleted":false,"repo_id":9007199254740993,"path":"basic/aa"}`)
	want := `{"code":"OK","body":{"pre":"basic","list":[` +
		`{"dir":1,"name":"06","path":"basic/aa/06"},` +
		`{"dir":1,"name":"100","path":"basic/aa/100"},` +
		`{"dir":1,"name":"V5","path":"basic/aa/V5"},` +
		`{"dir":1,"name":"aa01","path":"basic/aa/aa01"}]}}`
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("basic/aa (-want +got):\n%s", diff)
	}
	_, got = list(t, s, `{"deleted":false,"repo_id":1495097876821574}`)
	want = `{"code":"OK","body":{"pre":".","list":[` +
		`{"dir":1,"name":"gateway","path":"payments/gateway"},` +
		`{"dir":1,"name":"ledger","path":"payments/ledger"}]}}`
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("business root (-want +got):\n%s", diff)
	}

	// The signed version's signature tag is listed after it, like any tag.
	var resp struct {
		Body listBody `json:"body"`
	}
	_, got = list(t, s, `{"deleted":false,"repo_id":9007199254740993,"path":"basic/ubuntu"}`)
	mustUnmarshal(t, got, &resp)
	var names []string
	for _, e := range resp.Body.List {
		names = append(names, e.Name)
	}
	signed := tagRef(t, s, baseRepo.Name, "basic/ubuntu", "v1.10")
	desc, err := remote.Head(signed, remoteOpts(s)...)
	if err != nil {
		t.Fatal(err)
	}
	sigTag := "sha256-" + desc.Digest.Hex + ".sig"
	if diff := cmp.Diff([]string{"v1.2", "v1.10", sigTag}, names); diff != "" {
		t.Errorf("basic/ubuntu versions (-want +got):\n%s", diff)
	}

	// The signature verifies with the saved public key.
	pem, err := s.SignerPublicKey()
	if err != nil {
		t.Fatal(err)
	}
	pub, err := cryptoutils.UnmarshalPEMToPublicKey(pem)
	if err != nil {
		t.Fatal(err)
	}
	verifier, err := signature.LoadVerifier(pub, crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	sigImg, err := remote.Image(tagRef(t, s, baseRepo.Name, "basic/ubuntu", sigTag),
		remoteOpts(s)...)
	if err != nil {
		t.Fatal(err)
	}
	m, err := sigImg.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Layers) != 1 {
		t.Fatalf("signature image has %d layers", len(m.Layers))
	}
	b64 := m.Layers[0].Annotations["dev.cosignproject.cosign/signature"]
	sig, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatal(err)
	}
	layer, err := sigImg.LayerByDigest(m.Layers[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := layer.Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	var payload bytes.Buffer
	_, err = payload.ReadFrom(rc)
	rc.Close()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(payload.String(), desc.Digest.String()) {
		t.Errorf("payload does not name the image digest: %s", payload.String())
	}
	if err := verifier.VerifySignature(bytes.NewReader(sig),
		bytes.NewReader(payload.Bytes())); err != nil {
		t.Errorf("signature does not verify: %v", err)
	}

	// Reports: a normal version gets one, the signature tag and the -noscan
	// version never do.
	waitReport(t, s, reportURL(s, baseRepo.ID, "basic/ubuntu", "v1.10"))
	for _, u := range []string{
		reportURL(s, baseRepo.ID, "basic/ubuntu", sigTag),
		reportURL(s, bizRepo.ID, "payments/ledger", "2.1.0-noscan"),
	} {
		st, h, _ := getReport(t, s, u)
		if st != http.StatusInternalServerError || h.Get("X-Sandbox-Report") != reportNever {
			t.Errorf("%s: %d %q, want 500 never", u, st, h.Get("X-Sandbox-Report"))
		}
	}

	// A second start on the same directory does not seed again.
	dir := s.cfg.DataDir
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	again := startTest(t, Config{DataDir: dir, Demo: true})
	_, got = list(t, again, `{"deleted":false,"repo_id":9007199254740993,"path":"basic/alpine"}`)
	if !strings.Contains(got, `[{"dir":1,"name":"v1.10","path":"basic/alpine/v1.10"},`+
		`{"dir":1,"name":"v1.2","path":"basic/alpine/v1.2"}]`) {
		t.Errorf("basic/alpine after restart: %s", got)
	}
}

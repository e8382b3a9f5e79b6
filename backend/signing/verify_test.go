package signing

import (
	"bytes"
	"context"
	"crypto"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	gstatic "github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/sigstore/cosign/v2/pkg/cosign"
	ociremote "github.com/sigstore/cosign/v2/pkg/oci/remote"
	"github.com/sigstore/cosign/v2/pkg/oci/static"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"
	"github.com/sigstore/sigstore/pkg/signature/payload"
)

// ignoreDetail compares results without their prose.
var ignoreDetail = cmpopts.IgnoreFields(Result{}, "Detail")

func TestSignVerify(t *testing.T) {
	t.Parallel()
	a, b := testKeys(t)
	reg := newRegistry(t)
	ctx := context.Background()

	sign := func(t *testing.T, ref string, kp KeyPair, pw string) v1.Hash {
		t.Helper()
		h, err := Sign(ctx, reg.ref(t, ref), kp.PrivatePEM, pass(pw),
			SignOptions{Transport: reg.rt, Annotations: map[string]string{"signer": "ci"}})
		if err != nil {
			t.Fatalf("Sign(%s): %v", ref, err)
		}
		return h
	}
	verify := func(t *testing.T, ref string, trusted ...KeyPair) Result {
		t.Helper()
		var pems [][]byte
		for _, kp := range trusted {
			pems = append(pems, kp.PublicPEM)
		}
		res, err := Verify(ctx, reg.ref(t, ref), pems, VerifyOptions{Transport: reg.rt})
		if err != nil {
			t.Fatalf("Verify(%s): %v", ref, err)
		}
		return res
	}

	t.Run("verified", func(t *testing.T) {
		t.Parallel()
		h := reg.pushRandom(t, "basic/app", "V1")
		if got := sign(t, "basic/app:V1", a, passA); got != h {
			t.Fatalf("Sign returned %s, want pushed digest %s", got, h)
		}

		want := Result{Badge: BadgeVerified, Digest: h.String(), Fingerprint: fpA, Signatures: 1}
		if diff := cmp.Diff(want, verify(t, "basic/app:V1", a), ignoreDetail); diff != "" {
			t.Errorf("by tag (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(want, verify(t, "basic/app@"+h.String(), b, a),
			ignoreDetail); diff != "" {
			t.Errorf("by digest, two trusted keys (-want +got):\n%s", diff)
		}

		// The signature lives under the digest's tag and names the digest.
		m, _ := reg.manifest(t, reg.sigTag(t, "basic/app", h))
		if len(m.Layers) != 1 {
			t.Fatalf(".sig image has %d layers, want 1", len(m.Layers))
		}
		p := readPayload(t, reg, "basic/app", m.Layers[0].Digest)
		if got := p.Critical.Image.DockerManifestDigest; got != h.String() {
			t.Errorf("payload digest = %s, want %s", got, h)
		}
		if strings.Contains(p.Critical.Identity.DockerReference, "V1") {
			t.Errorf("payload identity %q names the tag", p.Critical.Identity.DockerReference)
		}
		wantOpt := map[string]any{"signer": "ci", KeyAnnotation: fpA}
		if diff := cmp.Diff(wantOpt, p.Optional); diff != "" {
			t.Errorf("payload annotations (-want +got):\n%s", diff)
		}

		// cosign's own offline verification accepts the signature too.
		pk, err := cryptoutils.UnmarshalPEMToPublicKey(a.PublicPEM)
		if err != nil {
			t.Fatal(err)
		}
		v, err := signature.LoadVerifier(pk, crypto.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		checked, _, err := cosign.VerifyImageSignatures(ctx, reg.ref(t, "basic/app@"+h.String()),
			&cosign.CheckOpts{
				SigVerifier:        v,
				IgnoreTlog:         true,
				IgnoreSCT:          true,
				ClaimVerifier:      cosign.SimpleClaimVerifier,
				RegistryClientOpts: []ociremote.Option{ociremote.WithRemoteOptions(reg.opts()...)},
			})
		if err != nil || len(checked) != 1 {
			t.Errorf("cosign.VerifyImageSignatures = %d signatures, %v; want 1, nil",
				len(checked), err)
		}
	})

	t.Run("no trusted key", func(t *testing.T) {
		t.Parallel()
		h := reg.pushRandom(t, "basic/none", "V1")
		sign(t, "basic/none:V1", a, passA)
		want := Result{Badge: BadgeSignedUnverified, Digest: h.String(), Signatures: 1}
		if diff := cmp.Diff(want, verify(t, "basic/none:V1"), ignoreDetail); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})

	t.Run("unsigned", func(t *testing.T) {
		t.Parallel()
		h := reg.pushRandom(t, "basic/plain", "V1")
		want := Result{Badge: BadgeUnsigned, Digest: h.String()}
		if diff := cmp.Diff(want, verify(t, "basic/plain:V1", a), ignoreDetail); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})

	t.Run("other key", func(t *testing.T) {
		t.Parallel()
		h := reg.pushRandom(t, "basic/other", "V1")
		sign(t, "basic/other:V1", b, passB)
		want := Result{Badge: BadgeSignedUnverified, Digest: h.String(), Signatures: 1}
		if diff := cmp.Diff(want, verify(t, "basic/other:V1", a), ignoreDetail); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})

	t.Run("signatures accumulate", func(t *testing.T) {
		t.Parallel()
		h := reg.pushRandom(t, "proj/multi", "V1")
		sign(t, "proj/multi:V1", b, passB)
		sign(t, "proj/multi:V1", a, passA)
		sign(t, "proj/multi:V1", a, passA) // the same signature again is not added
		got := verify(t, "proj/multi:V1", a)
		want := Result{Badge: BadgeVerified, Digest: h.String(), Fingerprint: fpA, Signatures: 2}
		if diff := cmp.Diff(want, got, ignoreDetail); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
		if !strings.Contains(got.Detail, "1 other") {
			t.Errorf("Detail %q does not mention the signature that did not verify", got.Detail)
		}
	})

	t.Run("retagged image", func(t *testing.T) {
		t.Parallel()
		old := reg.pushRandom(t, "basic/moved", "V5")
		sign(t, "basic/moved:V5", a, passA)
		cur := reg.pushRandom(t, "basic/moved", "V5")

		want := Result{Badge: BadgeUnsigned, Digest: cur.String()}
		if diff := cmp.Diff(want, verify(t, "basic/moved:V5", a), ignoreDetail); diff != "" {
			t.Errorf("new image under the old tag (-want +got):\n%s", diff)
		}
		wantOld := Result{Badge: BadgeVerified, Digest: old.String(), Fingerprint: fpA,
			Signatures: 1}
		if diff := cmp.Diff(wantOld, verify(t, "basic/moved@"+old.String(), a),
			ignoreDetail); diff != "" {
			t.Errorf("old image by digest (-want +got):\n%s", diff)
		}

		// Copy the old signature image to the new digest's signature tag.
		desc, err := remote.Get(reg.sigTag(t, "basic/moved", old), reg.opts()...)
		if err != nil {
			t.Fatal(err)
		}
		if err := remote.Put(reg.sigTag(t, "basic/moved", cur), desc, reg.opts()...); err != nil {
			t.Fatal(err)
		}
		got := verify(t, "basic/moved:V5", a)
		want = Result{Badge: BadgeInvalid, Digest: cur.String(), Fingerprint: fpA, Signatures: 1}
		if diff := cmp.Diff(want, got, ignoreDetail); diff != "" {
			t.Errorf("copied signature (-want +got):\n%s", diff)
		}
		if !strings.Contains(got.Detail, old.String()) {
			t.Errorf("Detail %q does not name the digest the payload is for", got.Detail)
		}
	})

	t.Run("tampered signature", func(t *testing.T) {
		t.Parallel()
		h := reg.pushRandom(t, "basic/tamper", "V1")
		sign(t, "basic/tamper:V1", a, passA)
		tag := reg.sigTag(t, "basic/tamper", h)
		m, mt := reg.manifest(t, tag)
		raw, err := base64.StdEncoding.DecodeString(
			m.Layers[0].Annotations[static.SignatureAnnotationKey])
		if err != nil {
			t.Fatal(err)
		}
		raw[len(raw)-1] ^= 0x01
		m.Layers[0].Annotations[static.SignatureAnnotationKey] =
			base64.StdEncoding.EncodeToString(raw)
		reg.putManifest(t, tag, m, mt)

		want := Result{Badge: BadgeInvalid, Digest: h.String(), Fingerprint: fpA, Signatures: 1}
		if diff := cmp.Diff(want, verify(t, "basic/tamper:V1", a), ignoreDetail); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})

	t.Run("rewritten payload", func(t *testing.T) {
		t.Parallel()
		// A signature for one image, whose payload is edited to name another
		// image, must not pass for the other image.
		old := reg.pushRandom(t, "basic/edit", "V1")
		sign(t, "basic/edit:V1", a, passA)
		cur := reg.pushRandom(t, "basic/edit", "V2")

		m, mt := reg.manifest(t, reg.sigTag(t, "basic/edit", old))
		body := readRawPayload(t, reg, "basic/edit", m.Layers[0].Digest)
		body = bytes.ReplaceAll(body, []byte(old.String()), []byte(cur.String()))
		l := gstatic.NewLayer(body, m.Layers[0].MediaType)
		repo := reg.ref(t, "basic/edit:V1").Context()
		if err := remote.WriteLayer(repo, l, reg.opts()...); err != nil {
			t.Fatal(err)
		}
		m.Layers[0].Digest, _ = l.Digest()
		m.Layers[0].Size = int64(len(body))
		reg.putManifest(t, reg.sigTag(t, "basic/edit", cur), m, mt)

		want := Result{Badge: BadgeInvalid, Digest: cur.String(), Fingerprint: fpA, Signatures: 1}
		if diff := cmp.Diff(want, verify(t, "basic/edit:V2", a), ignoreDetail); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})

	t.Run("oversized payload", func(t *testing.T) {
		t.Parallel()
		h := reg.pushRandom(t, "basic/big", "V1")
		sign(t, "basic/big:V1", a, passA)
		tag := reg.sigTag(t, "basic/big", h)
		m, mt := reg.manifest(t, tag)
		m.Layers[0].Size = maxPayload + 1
		reg.putManifest(t, tag, m, mt)

		got := verify(t, "basic/big:V1", a)
		want := Result{Badge: BadgeSignedUnverified, Digest: h.String(), Signatures: 1}
		if diff := cmp.Diff(want, got, ignoreDetail); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
		if !strings.Contains(got.Detail, "too large") {
			t.Errorf("Detail = %q", got.Detail)
		}
	})

	t.Run("missing tag", func(t *testing.T) {
		t.Parallel()
		reg.pushRandom(t, "basic/gone", "V1")
		_, err := Sign(ctx, reg.ref(t, "basic/gone:V9"), a.PrivatePEM, pass(passA),
			SignOptions{Transport: reg.rt})
		if !errors.Is(err, ErrNotFound) {
			t.Fatalf("Sign error = %v, want ErrNotFound", err)
		}
		_, err = Verify(ctx, reg.ref(t, "basic/gone:V9"), [][]byte{a.PublicPEM},
			VerifyOptions{Transport: reg.rt})
		if !errors.Is(err, ErrNotFound) {
			t.Fatalf("Verify error = %v, want ErrNotFound", err)
		}
		tags, err := remote.List(reg.ref(t, "basic/gone:V1").Context(), reg.opts()...)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"V1"}, tags); diff != "" {
			t.Errorf("tags after refused sign (-want +got):\n%s", diff)
		}
	})

	t.Run("wrong passphrase", func(t *testing.T) {
		t.Parallel()
		h := reg.pushRandom(t, "basic/locked", "V1")
		_, err := Sign(ctx, reg.ref(t, "basic/locked:V1"), a.PrivatePEM, pass(passB),
			SignOptions{Transport: reg.rt})
		if !errors.Is(err, ErrPassphrase) {
			t.Fatalf("error = %v, want ErrPassphrase", err)
		}
		if strings.Contains(err.Error(), passB) {
			t.Errorf("error %q quotes the passphrase", err)
		}
		want := Result{Badge: BadgeUnsigned, Digest: h.String()}
		if diff := cmp.Diff(want, verify(t, "basic/locked:V1", a), ignoreDetail); diff != "" {
			t.Errorf("after refused sign (-want +got):\n%s", diff)
		}
	})

	t.Run("transparency log refused", func(t *testing.T) {
		t.Parallel()
		reg.pushRandom(t, "basic/tlog", "V1")
		_, err := Sign(ctx, reg.ref(t, "basic/tlog:V1"), a.PrivatePEM, pass(passA),
			SignOptions{Transport: reg.rt, RekorURL: "https://rekor.example.invalid"})
		if !errors.Is(err, ErrTlogUnsupported) {
			t.Fatalf("error = %v, want ErrTlogUnsupported", err)
		}
	})

	t.Run("bad trusted key", func(t *testing.T) {
		t.Parallel()
		reg.pushRandom(t, "basic/badkey", "V1")
		_, err := Verify(ctx, reg.ref(t, "basic/badkey:V1"), [][]byte{a.PrivatePEM},
			VerifyOptions{Transport: reg.rt})
		if !errors.Is(err, ErrBadKey) {
			t.Fatalf("error = %v, want ErrBadKey", err)
		}
	})

	t.Run("logs hold no secret", func(t *testing.T) {
		t.Parallel()
		reg.pushRandom(t, "basic/logged", "V1")
		var buf bytes.Buffer
		log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
		_, err := Sign(ctx, reg.ref(t, "basic/logged:V1"), a.PrivatePEM, pass(passA),
			SignOptions{Transport: reg.rt, Logger: log})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Verify(ctx, reg.ref(t, "basic/logged:V1"), [][]byte{a.PublicPEM},
			VerifyOptions{Transport: reg.rt, Logger: log}); err != nil {
			t.Fatal(err)
		}
		checkLogLines(t, buf.Bytes(), passA)
	})
}

func TestGuardRefusesRemoteHosts(t *testing.T) {
	t.Parallel()
	a, _ := testKeys(t)
	g := &guard{base: remote.DefaultTransport}
	remoteRef, err := name.ParseReference("registry.example.invalid/basic/x:V1")
	if err != nil {
		t.Fatal(err)
	}

	_, err = Verify(context.Background(), remoteRef, [][]byte{a.PublicPEM},
		VerifyOptions{Transport: g})
	if err == nil {
		t.Fatal("Verify of a non-loopback registry succeeded through the guard")
	}
	if diff := cmp.Diff([]string{"registry.example.invalid"}, dedupe(g.refused())); diff != "" {
		t.Errorf("refused hosts (-want +got):\n%s", diff)
	}
}

// checkLogLines fails when a log line holds secret or uses a key outside the
// project's fixed set.
func checkLogLines(t *testing.T, logs []byte, secret string) {
	t.Helper()
	if bytes.Contains(logs, []byte(secret)) {
		t.Error("log output contains the passphrase")
	}
	allowed := map[string]bool{"time": true, "level": true, "msg": true, "op": true,
		"ref": true, "digest": true, "repo": true, "err": true, "bytes": true, "ms": true}
	lines := bytes.Split(bytes.TrimSpace(logs), []byte("\n"))
	if len(lines) != 2 {
		t.Errorf("got %d log lines, want 2 (one per operation)", len(lines))
	}
	for _, line := range lines {
		var rec map[string]any
		if err := json.Unmarshal(line, &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		for k := range rec {
			if !allowed[k] {
				t.Errorf("log key %q is not one of the project's keys", k)
			}
		}
		if msg, _ := rec["msg"].(string); msg != strings.ToLower(msg) {
			t.Errorf("log message %q is not lower case", msg)
		}
	}
}

// readRawPayload fetches a signature payload blob.
func readRawPayload(t *testing.T, reg *testRegistry, repo string, h v1.Hash) []byte {
	t.Helper()
	d, err := name.NewDigest(reg.host+"/"+repo+"@"+h.String(), name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	l, err := remote.Layer(d, reg.opts()...)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := l.Compressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// readPayload fetches and decodes a signature payload blob.
func readPayload(t *testing.T, reg *testRegistry, repo string,
	h v1.Hash) payload.SimpleContainerImage {
	t.Helper()
	var p payload.SimpleContainerImage
	if err := json.Unmarshal(readRawPayload(t, reg, repo, h), &p); err != nil {
		t.Fatal(err)
	}
	return p
}

// dedupe returns hosts without repeats, in first-seen order.
func dedupe(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

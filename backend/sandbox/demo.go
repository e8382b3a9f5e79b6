package sandbox

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto"
	"encoding/base64"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/sigstore/cosign/v2/pkg/cosign"
	ocimutate "github.com/sigstore/cosign/v2/pkg/oci/mutate"
	ociremote "github.com/sigstore/cosign/v2/pkg/oci/remote"
	"github.com/sigstore/cosign/v2/pkg/oci/static"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"
	"github.com/sigstore/sigstore/pkg/signature/payload"
)

// Annotation keys the demo images carry.
const (
	annotationDescription = "org.opencontainers.image.description"
	annotationCategory    = "com.imagedesk.category"
)

// demoTime is the creation time of every demo image, so that digests are
// stable from run to run.
var demoTime = time.Date(2024, 5, 20, 8, 0, 0, 0, time.UTC)

// demoFlavour selects the package database of a demo image.
type demoFlavour int

const (
	flavourDebian demoFlavour = iota
	flavourAlpine
)

// demoPush is one demo version to push, in push order.
type demoPush struct {
	kind    string // KindBase or KindBusiness
	image   string // "ns/image"
	version string
	flavour demoFlavour
	sign    bool
}

// demoPushes lists the demo versions in push order. The base versions are
// deliberately unsorted; the last business version matches
// DefaultNoReportPattern.
var demoPushes = []demoPush{
	{KindBase, "basic/aa", "06", flavourDebian, false},
	{KindBase, "basic/aa", "100", flavourDebian, false},
	{KindBase, "basic/aa", "V5", flavourDebian, false},
	{KindBase, "basic/aa", "aa01", flavourDebian, false},
	{KindBase, "basic/ubuntu", "v1.2", flavourDebian, false},
	{KindBase, "basic/ubuntu", "v1.10", flavourDebian, true},
	{KindBase, "basic/alpine", "v1.10", flavourAlpine, false},
	{KindBase, "basic/alpine", "v1.2", flavourAlpine, false},
	{KindBusiness, "payments/gateway", "1.0.0", flavourDebian, false},
	{KindBusiness, "payments/gateway", "1.1.0", flavourDebian, false},
	{KindBusiness, "payments/ledger", "2.0.0", flavourAlpine, false},
	{KindBusiness, "payments/ledger", "2.1.0-noscan", flavourAlpine, false},
}

// dpkgDemoStatus is a fake dpkg database; some entries match the sandbox
// advisories.
const dpkgDemoStatus = `Package: bash
Status: install ok installed
Architecture: amd64
Version: 5.1-6ubuntu1

Package: openssl
Status: install ok installed
Architecture: amd64
Version: 3.0.2-0ubuntu1.10
Description: demo entry
 continuation line of the description

Package: zlib1g
Status: install ok installed
Architecture: amd64
Version: 1:1.2.11.dfsg-2ubuntu9.2

Package: tzdata
Status: install ok installed
Architecture: all
Version: 2024a-0ubuntu0.22.04

Package: removed-tool
Status: deinstall ok config-files
Architecture: amd64
Version: 0.1-1
`

// apkDemoInstalled is a fake apk database; some entries match the sandbox
// advisories.
const apkDemoInstalled = `C:Q1demo
P:musl
V:1.2.4-r2
A:x86_64

P:busybox
V:1.36.1-r5
A:x86_64

P:ca-certificates-bundle
V:20240226-r0
A:x86_64
`

// demoImage builds a tiny image with two layers: the package database and a
// file naming the version.
func demoImage(image, version string, flavour demoFlavour) (v1.Image, error) {
	osFiles := map[string]string{
		"etc/os-release":     "ID=sandbox-debian\n",
		dpkgStatusPath:       dpkgDemoStatus,
		"usr/bin/hello.txt":  "hello from the sandbox\n",
		"etc/hostname-tmpl":  "sandbox\n",
		"var/lib/dpkg/.keep": "",
	}
	if flavour == flavourAlpine {
		osFiles = map[string]string{
			"etc/os-release":    "ID=sandbox-alpine\n",
			apkInstalledPath:    apkDemoInstalled,
			"usr/bin/hello.txt": "hello from the sandbox\n",
		}
	}
	base, err := tarLayer(osFiles)
	if err != nil {
		return nil, err
	}
	app, err := tarLayer(map[string]string{
		"opt/imagedesk/VERSION": image + ":" + version + "\n",
	})
	if err != nil {
		return nil, err
	}

	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	img, err = mutate.Append(img,
		mutate.Addendum{Layer: base, History: v1.History{
			CreatedBy: "ADD rootfs.tar / # sandbox base", Created: v1.Time{Time: demoTime}}},
		mutate.Addendum{Layer: app, History: v1.History{
			CreatedBy: "COPY VERSION /opt/imagedesk/VERSION", Created: v1.Time{Time: demoTime}}},
	)
	if err != nil {
		return nil, fmt.Errorf("building demo image %s:%s: %w", image, version, err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("building demo image %s:%s: %w", image, version, err)
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", "amd64"
	cf.Created = v1.Time{Time: demoTime}
	cf.Config.Cmd = []string{"/bin/sh"}
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		return nil, fmt.Errorf("building demo image %s:%s: %w", image, version, err)
	}
	category := "base"
	if !strings.HasPrefix(image, BaseNamespace+"/") {
		category = "service"
	}
	annotated, ok := mutate.Annotations(img, map[string]string{
		annotationDescription: "sandbox demo image " + image + ":" + version,
		annotationCategory:    category,
	}).(v1.Image)
	if !ok {
		return nil, fmt.Errorf("building demo image %s:%s: annotations lost the image type",
			image, version)
	}
	return annotated, nil
}

// tarLayer makes a gzip OCI layer holding the given files.
func tarLayer(files map[string]string) (v1.Layer, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	// Sorted for reproducible digests.
	slices.Sort(names)
	for _, n := range names {
		hdr := &tar.Header{Name: n, Mode: 0o644, Size: int64(len(files[n])), ModTime: demoTime,
			Typeflag: tar.TypeReg}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, fmt.Errorf("writing demo layer: %w", err)
		}
		if _, err := io.WriteString(tw, files[n]); err != nil {
			return nil, fmt.Errorf("writing demo layer: %w", err)
		}
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("writing demo layer: %w", err)
	}
	data := buf.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(data)), nil
	}, tarball.WithMediaType(types.OCILayer))
}

// seedDemo pushes the demo images through the sandbox's own registry and
// signs the marked version with a fresh key whose public half is saved.
func seedDemo(ctx context.Context, s *Server, password string) error {
	auth := &authn.Basic{Username: s.cfg.User, Password: password}
	opts := []remote.Option{remote.WithAuth(auth), remote.WithContext(ctx)}
	repoOf := map[string]Repo{}
	for _, r := range s.cfg.Repos {
		if _, ok := repoOf[r.Kind]; !ok {
			repoOf[r.Kind] = r
		}
	}
	for _, p := range demoPushes {
		repo, ok := repoOf[p.kind]
		if !ok {
			continue
		}
		ref, err := name.NewTag(s.Addr()+"/"+repo.Name+"/"+p.image+":"+p.version, name.Insecure)
		if err != nil {
			return fmt.Errorf("demo reference %s:%s: %w", p.image, p.version, err)
		}
		img, err := demoImage(p.image, p.version, p.flavour)
		if err != nil {
			return err
		}
		if err := remote.Write(ref, img, opts...); err != nil {
			return fmt.Errorf("pushing %s: %w", ref, err)
		}
		if p.sign {
			if err := signDemo(s, ref, img, opts); err != nil {
				return err
			}
		}
	}
	return nil
}

// signDemo signs img (pushed at ref) with a new ECDSA key, attaches the
// signature as cosign does and writes the public key to the data directory.
func signDemo(s *Server, ref name.Tag, img v1.Image, opts []remote.Option) error {
	h, err := img.Digest()
	if err != nil {
		return fmt.Errorf("signing %s: %w", ref, err)
	}
	digestRef := ref.Context().Digest(h.String())
	priv, err := cosign.GeneratePrivateKey()
	if err != nil {
		return fmt.Errorf("signing %s: %w", ref, err)
	}
	sv, err := signature.LoadECDSASignerVerifier(priv, crypto.SHA256)
	if err != nil {
		return fmt.Errorf("signing %s: %w", ref, err)
	}
	pl, err := payload.Cosign{Image: digestRef}.MarshalJSON()
	if err != nil {
		return fmt.Errorf("signing %s: %w", ref, err)
	}
	sig, err := sv.SignMessage(bytes.NewReader(pl))
	if err != nil {
		return fmt.Errorf("signing %s: %w", ref, err)
	}
	ociSig, err := static.NewSignature(pl, base64.StdEncoding.EncodeToString(sig))
	if err != nil {
		return fmt.Errorf("signing %s: %w", ref, err)
	}
	ro := ociremote.WithRemoteOptions(opts...)
	se, err := ociremote.SignedEntity(digestRef, ro)
	if err != nil {
		return fmt.Errorf("signing %s: %w", ref, err)
	}
	if se, err = ocimutate.AttachSignatureToEntity(se, ociSig); err != nil {
		return fmt.Errorf("signing %s: %w", ref, err)
	}
	if err := ociremote.WriteSignatures(digestRef.Context(), se, ro); err != nil {
		return fmt.Errorf("writing signature of %s: %w", ref, err)
	}
	pem, err := cryptoutils.MarshalPublicKeyToPEM(priv.Public())
	if err != nil {
		return fmt.Errorf("encoding signer key: %w", err)
	}
	if err := writeFileAtomic(s.SignerPublicKeyPath(), pem, 0o644); err != nil {
		return fmt.Errorf("writing signer key: %w", err)
	}
	return nil
}

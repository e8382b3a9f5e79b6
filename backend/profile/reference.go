package profile

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
)

// The placeholders a reference template may use.
const (
	phRegistry  = "<registry>"
	phRepoName  = "<repo_name>"
	phNamespace = "<namespace>"
	phImage     = "<image>"
	phVersion   = "<version>"
)

// tagPattern is the OCI distribution grammar of a tag.
var tagPattern = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$`)

// Reference fills the profile's template for one image version and checks
// that the result is a valid, fully qualified tag reference on the profile's
// registry. The namespace may be empty for a base repository, which means
// BasicNamespace; a base repository accepts no other namespace and a
// business repository does not accept BasicNamespace (ErrNamespace).
func (p Profile) Reference(repo Repo, namespace, image, version string) (string, error) {
	if repo.Kind == KindBase && namespace == "" {
		namespace = BasicNamespace
	}
	if namespace == "" || (repo.Kind == KindBase) != (namespace == BasicNamespace) {
		return "", fmt.Errorf("building reference for %s/%s in repository %s: %w",
			namespace, image, repo.Name, ErrNamespace)
	}

	ref, err := p.fill(repo.Name, namespace, image, version)
	if err != nil {
		return "", fmt.Errorf("building reference for %s/%s:%s in repository %s: %w",
			namespace, image, version, repo.Name, err)
	}
	return ref, nil
}

// fill substitutes the placeholders and parses the result.
func (p Profile) fill(repoName, namespace, image, version string) (string, error) {
	for _, part := range []struct{ what, value string }{
		{"repository name", repoName},
		{"namespace", namespace},
		{"image", image},
		{"version", version},
	} {
		if part.value == "" {
			return "", fmt.Errorf("%s is empty", part.what)
		}
		if strings.ContainsAny(part.value, "/:@<> ") {
			return "", fmt.Errorf("%s %q contains a reserved character", part.what, part.value)
		}
	}

	if !tagPattern.MatchString(version) {
		return "", fmt.Errorf("version %q is not a valid tag", version)
	}

	s := strings.NewReplacer(
		phRegistry, p.Registry,
		phRepoName, repoName,
		phNamespace, namespace,
		phImage, image,
		phVersion, version,
	).Replace(p.Template())
	if strings.ContainsAny(s, "<>") {
		return "", fmt.Errorf("template %q has an unknown placeholder", p.Template())
	}

	opts := []name.Option{name.StrictValidation}
	if p.PlainHTTP {
		opts = append(opts, name.Insecure)
	}
	ref, err := name.ParseReference(s, opts...)
	if err != nil {
		return "", fmt.Errorf("parsing %q: %w", s, err)
	}
	if _, ok := ref.(name.Tag); !ok {
		return "", fmt.Errorf("reference %q is not a tag reference", s)
	}
	if got := ref.Context().RegistryStr(); got != p.Registry {
		return "", fmt.Errorf("reference %q points at registry %q, not %q", s, got, p.Registry)
	}
	return ref.Name(), nil
}

// checkTemplate checks that the template builds a valid reference for
// sample values and that every value appears in it.
func (p Profile) checkTemplate() error {
	t := p.Template()
	for _, ph := range []string{phImage, phVersion} {
		if !strings.Contains(t, ph) {
			return fmt.Errorf("template %q lacks %s", t, ph)
		}
	}
	_, err := p.fill("repo", "ns", "image", "v1")
	return err
}

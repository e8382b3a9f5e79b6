package profile

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// validProfile returns a profile that passes Validate.
func validProfile() Profile {
	return Profile{
		Name:     "prod 生产",
		APIURL:   "https://artifacts.example.com:8443/prefix",
		Registry: "registry.example.com:5000",
		User:     "alice",
		Repos: []Repo{
			{Name: "images", ID: 1495097876821574, Kind: KindBase},
			{Name: "apps", ID: 9007199254740993, Kind: KindBusiness},
		},
	}
}

func TestValidateAcceptsAValidProfile(t *testing.T) {
	t.Parallel()
	p := validProfile()
	p.CAFile = "/etc/ssl/private-ca.pem"
	p.Proxy = "socks5://127.0.0.1:1080"
	p.RekorURL = "https://rekor.example.com"
	p.RefTemplate = "<registry>/<namespace>/<repo_name>-<image>:<version>"
	p.TrustedKeys = []string{"/keys/cosign.pub"}
	if err := p.Validate(); err != nil {
		t.Fatalf("Validate() = %v", err)
	}
}

func TestValidateReportsFieldErrors(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name   string
		modify func(*Profile)
		want   []FieldError
	}{
		{"empty name", func(p *Profile) { p.Name = " " },
			[]FieldError{{"name", RuleRequired}}},
		{"long name", func(p *Profile) { p.Name = strings.Repeat("名", 65) },
			[]FieldError{{"name", RuleTooLong}}},
		{"control character in name", func(p *Profile) { p.Name = "a\nb" },
			[]FieldError{{"name", RuleChars}}},
		{"slash in name", func(p *Profile) { p.Name = "a/b" },
			[]FieldError{{"name", RuleChars}}},
		{"api url missing", func(p *Profile) { p.APIURL = "" },
			[]FieldError{{"api_url", RuleRequired}}},
		{"api url scheme", func(p *Profile) { p.APIURL = "ftp://host" },
			[]FieldError{{"api_url", RuleURL}}},
		{"api url without host", func(p *Profile) { p.APIURL = "https://" },
			[]FieldError{{"api_url", RuleURL}}},
		{"api url with credentials", func(p *Profile) { p.APIURL = "https://u:p@host" },
			[]FieldError{{"api_url", RuleNoCredentials}}},
		{"api url with query", func(p *Profile) { p.APIURL = "https://host/?a=1" },
			[]FieldError{{"api_url", RuleURL}}},
		{"registry with scheme", func(p *Profile) { p.Registry = "https://reg.example.com" },
			[]FieldError{{"registry", RuleHostPort}}},
		{"registry with path", func(p *Profile) { p.Registry = "reg.example.com/x" },
			[]FieldError{{"registry", RuleHostPort}}},
		{"registry port range", func(p *Profile) { p.Registry = "reg.example.com:70000" },
			[]FieldError{{"registry", RuleHostPort}}},
		{"registry credentials", func(p *Profile) { p.Registry = "u@reg.example.com" },
			[]FieldError{{"registry", RuleNoCredentials}}},
		{"relative ca file", func(p *Profile) { p.CAFile = "ca.pem" },
			[]FieldError{{"ca_file", RuleAbsolutePath}}},
		{"proxy scheme", func(p *Profile) { p.Proxy = "ftp://proxy" },
			[]FieldError{{"proxy", RuleURL}}},
		{"proxy credentials", func(p *Profile) { p.Proxy = "http://u:secret@proxy:3128" },
			[]FieldError{{"proxy", RuleNoCredentials}}},
		{"rekor url", func(p *Profile) { p.RekorURL = "rekor" },
			[]FieldError{{"rekor_url", RuleURL}}},
		{"colon in user", func(p *Profile) { p.User = "a:b" },
			[]FieldError{{"user", RuleChars}}},
		{"bad repository fields", func(p *Profile) {
			p.Repos = append(p.Repos,
				Repo{Name: "", ID: 1, Kind: KindBase},
				Repo{Name: "x", ID: 0, Kind: KindBase},
				Repo{Name: "y", ID: 2, Kind: "other"})
		}, []FieldError{
			{"repos[2].name", RuleRequired},
			{"repos[3].id", RuleID},
			{"repos[4].kind", RuleKind},
		}},
		{"duplicate repositories", func(p *Profile) {
			p.Repos = append(p.Repos,
				Repo{Name: "images", ID: 7, Kind: KindBase},
				Repo{Name: "other", ID: 1495097876821574, Kind: KindBase})
		}, []FieldError{
			{"repos[2].name", RuleDuplicate},
			{"repos[3].id", RuleDuplicate},
		}},
		{"empty trusted key", func(p *Profile) { p.TrustedKeys = []string{"k", ""} },
			[]FieldError{{"trusted_keys[1]", RuleRequired}}},
		{"template without version", func(p *Profile) {
			p.RefTemplate = "<registry>/<repo_name>/<image>"
		}, []FieldError{{"ref_template", RuleTemplate}}},
		{"template with unknown placeholder", func(p *Profile) {
			p.RefTemplate = "<registry>/<project>/<image>:<version>"
		}, []FieldError{{"ref_template", RuleTemplate}}},
		{"template to another registry", func(p *Profile) {
			p.RefTemplate = "evil.example.com/<image>:<version>"
		}, []FieldError{{"ref_template", RuleTemplate}}},
		{"several fields at once", func(p *Profile) {
			p.Name, p.APIURL, p.Registry = "", "x", ""
		}, []FieldError{
			{"name", RuleRequired},
			{"api_url", RuleURL},
			{"registry", RuleRequired},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := validProfile()
			tt.modify(&p)

			err := p.Validate()
			var got []FieldError
			for _, fe := range FieldErrors(err) {
				got = append(got, *fe)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Validate() field errors mismatch (-want +got):\n%s", diff)
			}

			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Errorf("errors.As(%v, *FieldError) = false", err)
			}
		})
	}
}

func TestProfileJSONRoundTrip(t *testing.T) {
	t.Parallel()
	p := validProfile()
	p.ID = 12
	p.TrustedKeys = []string{"-----BEGIN PUBLIC KEY-----\n..."}

	data, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"id":"9007199254740993"`) {
		t.Errorf("Marshal = %s, want the repository id as a string", data)
	}
	for _, word := range []string{"password", "passphrase", "secret", "token"} {
		if strings.Contains(strings.ToLower(string(data)), word) {
			t.Errorf("Marshal = %s, contains %q", data, word)
		}
	}

	var back Profile
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(p, back); diff != "" {
		t.Errorf("round trip mismatch (-want +got):\n%s", diff)
	}
}

func TestFindRepo(t *testing.T) {
	t.Parallel()
	p := validProfile()

	got, ok := p.FindRepo("apps")
	if !ok || got.ID != 9007199254740993 {
		t.Errorf("FindRepo(apps) = %+v, %v", got, ok)
	}
	if _, ok := p.FindRepo("missing"); ok {
		t.Error("FindRepo(missing) found a repository")
	}
}

func TestReference(t *testing.T) {
	t.Parallel()
	base := Repo{Name: "images", ID: 1, Kind: KindBase}
	biz := Repo{Name: "apps", ID: 2, Kind: KindBusiness}

	tests := []struct {
		name      string
		modify    func(*Profile)
		repo      Repo
		namespace string
		image     string
		version   string
		want      string
		wantErr   error
	}{
		{name: "default template, base defaults to basic", repo: base,
			image: "ubuntu", version: "V1",
			want: "registry.example.com:5000/images/basic/ubuntu:V1"},
		{name: "business namespace", repo: biz, namespace: "proj",
			image: "svc", version: "1.0.3",
			want: "registry.example.com:5000/apps/proj/svc:1.0.3"},
		{name: "custom template", repo: biz, namespace: "proj", image: "svc", version: "v2",
			modify: func(p *Profile) {
				p.RefTemplate = "<registry>/<namespace>-<image>:<version>"
			},
			want: "registry.example.com:5000/proj-svc:v2"},
		{name: "plain http on localhost", repo: base, image: "aa", version: "06",
			modify: func(p *Profile) { p.Registry, p.PlainHTTP = "127.0.0.1:5000", true },
			want:   "127.0.0.1:5000/images/basic/aa:06"},
		{name: "base in a project namespace", repo: base, namespace: "proj",
			image: "aa", version: "1", wantErr: ErrNamespace},
		{name: "business in basic", repo: biz, namespace: BasicNamespace,
			image: "aa", version: "1", wantErr: ErrNamespace},
		{name: "business without namespace", repo: biz,
			image: "aa", version: "1", wantErr: ErrNamespace},
		{name: "upper-case image", repo: base, image: "Ubuntu", version: "1"},
		{name: "slash in image", repo: base, image: "a/b", version: "1"},
		{name: "empty version", repo: base, image: "a"},
		{name: "invalid tag", repo: base, image: "a", version: "-x"},
		{name: "registry without a dot", repo: base, image: "a", version: "1",
			modify: func(p *Profile) { p.Registry = "harbor" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := validProfile()
			if tt.modify != nil {
				tt.modify(&p)
			}

			got, err := p.Reference(tt.repo, tt.namespace, tt.image, tt.version)
			if tt.want == "" {
				if err == nil {
					t.Fatalf("Reference() = %q, want an error", got)
				}
				if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
					t.Fatalf("Reference() error = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Reference() error = %v", err)
			}
			if got != tt.want {
				t.Errorf("Reference() = %q, want %q", got, tt.want)
			}
		})
	}
}

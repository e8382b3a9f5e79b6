package reports

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestFileName(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("镜", 100)
	tests := []struct {
		name string
		key  Key
		want string
	}{
		{"plain", Key{RepoName: "base-repo", Namespace: "basic", Image: "aa",
			Version: "V5"}, "base-repo_basic_aa_V5.xlsx"},
		{"repo id when unnamed", Key{RepoID: 1495097876821574, Namespace: "basic",
			Image: "ubuntu", Version: "22.04"}, "1495097876821574_basic_ubuntu_22.04.xlsx"},
		{"separators", Key{RepoName: "a/b", Namespace: `c\d`, Image: "e", Version: "f"},
			"a_b_c_d_e_f.xlsx"},
		{"dot dot", Key{RepoName: "r", Namespace: "..", Image: "x..y", Version: "..."},
			"r___x_y__.xlsx"},
		{"windows reserved", Key{RepoName: "r", Namespace: `a<b>c:d"e`, Image: "f|g?h*i",
			Version: "v"}, "r_a_b_c_d_e_f_g_h_i_v.xlsx"},
		{"control chars", Key{RepoName: "r", Namespace: "a\x00b\nc\x7f", Image: "i\u0085",
			Version: "v"}, "r_a_b_c__i__v.xlsx"},
		{"invalid utf-8", Key{RepoName: "r", Namespace: "a\xffb", Image: "i",
			Version: "v"}, "r_a_b_i_v.xlsx"},
		{"trailing dots and spaces", Key{RepoName: " r. ", Namespace: ".ns", Image: "i ",
			Version: "v."}, "r_ns_i_v.xlsx"},
		{"chinese kept", Key{RepoName: "基础仓库", Namespace: "basic", Image: "数据库",
			Version: "V1"}, "基础仓库_basic_数据库_V1.xlsx"},
		{"empty parts", Key{RepoName: "", Namespace: "", Image: "", Version: ""},
			"0______.xlsx"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := FileName(tt.key); got != tt.want {
				t.Errorf("FileName = %q, want %q", got, tt.want)
			}
		})
	}

	t.Run("long names are capped and stay distinct", func(t *testing.T) {
		t.Parallel()
		a := FileName(Key{RepoName: "r", Namespace: "n", Image: long, Version: "1"})
		b := FileName(Key{RepoName: "r", Namespace: "n", Image: long, Version: "2"})
		if len(a) > maxBaseBytes+len(".xlsx") || !utf8.ValidString(a) {
			t.Errorf("long name %q is %d bytes or invalid UTF-8", a, len(a))
		}
		if a == b {
			t.Errorf("distinct long keys share the name %q", a)
		}
	})
}

func FuzzFileName(f *testing.F) {
	f.Add("repo", "basic", "aa", "V5")
	f.Add("..", "../..", `\\server\share`, "CON")
	f.Add("a\x00", "\xff\xfe", "<>:\"|?*", strings.Repeat("长", 200))
	f.Fuzz(func(t *testing.T, repo, ns, image, version string) {
		name := FileName(Key{RepoName: repo, Namespace: ns, Image: image, Version: version})
		if !strings.HasSuffix(name, ".xlsx") || len(name) > maxBaseBytes+len(".xlsx") {
			t.Fatalf("bad shape: %q", name)
		}
		if !utf8.ValidString(name) || strings.Contains(name, "..") ||
			strings.ContainsAny(name, `/\<>:"|?*`) {
			t.Fatalf("unsafe name %q", name)
		}
		for _, r := range name {
			if unicode.IsControl(r) {
				t.Fatalf("control character in %q", name)
			}
		}
		if strings.HasPrefix(name, ".") || strings.HasPrefix(name, " ") {
			t.Fatalf("hidden or padded name %q", name)
		}
	})
}

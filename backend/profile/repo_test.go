package profile

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRepoJSON(t *testing.T) {
	t.Parallel()

	t.Run("marshal writes the id as a string", func(t *testing.T) {
		t.Parallel()
		got, err := json.Marshal(Repo{Name: "images", ID: 9007199254740993, Kind: KindBase})
		if err != nil {
			t.Fatal(err)
		}
		want := `{"name":"images","id":"9007199254740993","kind":"base"}`
		if string(got) != want {
			t.Errorf("Marshal = %s, want %s", got, want)
		}
	})

	tests := []struct {
		name    string
		in      string
		want    Repo
		wantErr bool
	}{
		{"string id", `{"name":"a","id":"9007199254740993","kind":"base"}`,
			Repo{Name: "a", ID: 9007199254740993, Kind: KindBase}, false},
		{"number id beyond 2^53", `{"name":"a","id":9007199254740993,"kind":"business"}`,
			Repo{Name: "a", ID: 9007199254740993, Kind: KindBusiness}, false},
		{"max int64", `{"name":"a","id":"9223372036854775807"}`,
			Repo{Name: "a", ID: 9223372036854775807}, false},
		{"null id", `{"name":"a","id":null}`, Repo{Name: "a"}, false},
		{"missing id", `{"name":"a"}`, Repo{Name: "a"}, false},
		{"float id", `{"name":"a","id":1.5}`, Repo{}, true},
		{"exponent id", `{"name":"a","id":1e3}`, Repo{}, true},
		{"overflow", `{"name":"a","id":"9223372036854775808"}`, Repo{}, true},
		{"text id", `{"name":"a","id":"abc"}`, Repo{}, true},
		{"not an object", `[1]`, Repo{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got Repo
			err := json.Unmarshal([]byte(tt.in), &got)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Unmarshal(%s) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Unmarshal(%s) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestParseRepoFlag(t *testing.T) {
	t.Parallel()

	tests := []struct {
		in       string
		want     Repo
		wantRule Rule
	}{
		{"images=1495097876821574:base", Repo{"images", 1495097876821574, KindBase}, ""},
		{"app-x.y=9223372036854775807:business",
			Repo{"app-x.y", 9223372036854775807, KindBusiness}, ""},
		{"images", Repo{}, RuleFormat},
		{"images=12", Repo{}, RuleFormat},
		{"images=x:base", Repo{}, RuleID},
		{"images=+5:base", Repo{}, RuleID},
		{"images=-5:base", Repo{}, RuleID},
		{"images=0:base", Repo{}, RuleID},
		{"images=5:other", Repo{}, RuleKind},
		{"=5:base", Repo{}, RuleRequired},
		{"Images=5:base", Repo{}, RuleChars},
		{"a--b=5:base", Repo{"a--b", 5, KindBase}, ""},
		{"a..b=5:base", Repo{}, RuleChars},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := ParseRepoFlag(tt.in)
			var fe *FieldError
			switch {
			case tt.wantRule == "" && err != nil:
				t.Fatalf("ParseRepoFlag(%q) error = %v", tt.in, err)
			case tt.wantRule != "" && !errors.As(err, &fe):
				t.Fatalf("ParseRepoFlag(%q) error = %v, want a *FieldError", tt.in, err)
			case tt.wantRule != "" && fe.Rule != tt.wantRule:
				t.Fatalf("ParseRepoFlag(%q) rule = %s, want %s", tt.in, fe.Rule, tt.wantRule)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseRepoFlag(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func FuzzParseRepoFlag(f *testing.F) {
	for _, s := range []string{"images=1495097876821574:base", "a=1:business", "=:", "a=b=c:d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRepoFlag(s)
		if err != nil {
			return
		}
		if rule, ok := checkRepo(r); !ok {
			t.Fatalf("ParseRepoFlag(%q) accepted a repository that breaks %s", s, rule)
		}
		if !strings.HasPrefix(s, r.Name+"=") {
			t.Fatalf("ParseRepoFlag(%q) name = %q", s, r.Name)
		}
	})
}

func FuzzRepoJSON(f *testing.F) {
	for _, s := range []string{
		`{"name":"a","id":"9007199254740993","kind":"base"}`,
		`{"name":"a","id":9007199254740993}`,
		`{"id":null}`, `{"id":" 1"}`, `{}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var r Repo
		if err := json.Unmarshal(data, &r); err != nil {
			return
		}
		out, err := json.Marshal(r)
		if err != nil {
			t.Fatalf("Marshal(%+v): %v", r, err)
		}
		var back Repo
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("Unmarshal(%s): %v", out, err)
		}
		if diff := cmp.Diff(r, back); diff != "" {
			t.Fatalf("round trip mismatch (-first +second):\n%s", diff)
		}
	})
}

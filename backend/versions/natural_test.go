package versions

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLess(t *testing.T) {
	t.Parallel()
	// Each pair is strictly ordered: a before b.
	tests := []struct{ a, b string }{
		{"06", "100"},
		{"6", "100"},
		{"v1.2", "v1.10"},
		{"v1.9.9", "v1.10.0"},
		{"1.0", "1.0.1"},
		{"aa01", "V5"},
		{"100", "V5"},
		{"aa01", "aa2"},
		{"aa", "aa01"},
		{"a", "B"},
		{"V5", "v5"},
		{"06", "6"},
		{"6", "007"},
		{"1.0-rc1", "1.0-rc2"},
		{"1.0-RC1", "1.0-rc2"},
		{"99999999999999999999999", "100000000000000000000000"},
		{"", "0"},
		{"x", "xy"},
		{"基础1", "基础2"},
		{"release-2", "release-10"},
	}
	for _, tt := range tests {
		t.Run(tt.a+"<"+tt.b, func(t *testing.T) {
			t.Parallel()
			if !Less(tt.a, tt.b) {
				t.Errorf("Less(%q, %q) = false, want true", tt.a, tt.b)
			}
			if Less(tt.b, tt.a) {
				t.Errorf("Less(%q, %q) = true, want false", tt.b, tt.a)
			}
			if Compare(tt.a, tt.b) != -1 || Compare(tt.b, tt.a) != 1 {
				t.Errorf("Compare disagrees with Less for %q, %q", tt.a, tt.b)
			}
		})
	}
	if Less("V5", "V5") || Compare("V5", "V5") != 0 {
		t.Error("a name sorts before itself")
	}
}

func TestSort(t *testing.T) {
	t.Parallel()
	got := []string{"aa01", "V5", "100", "06", "v1.10", "v1.2", "6", "latest", "V10", "v5"}
	Sort(got)
	want := []string{"06", "6", "100", "aa01", "latest", "v1.2", "v1.10", "V5", "v5", "V10"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Sort mismatch (-want +got):\n%s", diff)
	}
}

func TestSortIsIndependentOfInputOrder(t *testing.T) {
	t.Parallel()
	names := []string{"06", "6", "006", "V5", "v5", "v05", "a", "A", "a0", "A0", "1.10",
		"1.9", "1.09"}
	want := slices.Clone(names)
	Sort(want)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 50 {
		got := slices.Clone(names)
		r.Shuffle(len(got), func(i, j int) { got[i], got[j] = got[j], got[i] })
		Sort(got)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("shuffle %d sorted differently (-want +got):\n%s", i, diff)
		}
	}
}

func TestNewest(t *testing.T) {
	t.Parallel()
	sig := "sha256-" + hex64 + ".sig"
	tests := []struct {
		names []string
		want  string
	}{
		{nil, ""},
		{[]string{"06", "100", "V5", "aa01"}, "V5"},
		{[]string{"v1.2", "v1.10", "v1.9"}, "v1.10"},
		{[]string{"1", sig}, "1"},
		{[]string{sig}, ""},
	}
	for _, tt := range tests {
		if got := Newest(tt.names); got != tt.want {
			t.Errorf("Newest(%q) = %q, want %q", tt.names, got, tt.want)
		}
	}
}

func FuzzLess(f *testing.F) {
	seeds := [][3]string{
		{"06", "100", "6"}, {"v1.2", "v1.10", "V1.2"}, {"a", "A", "a0"},
		{"", "0", "00"}, {"\xff", "\xfe", "a\xff1"}, {"İ", "i", "I"}, {"1a", "01a", "1A"},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, a, b, c string) {
		for _, p := range [][2]string{{a, b}, {b, c}, {a, c}} {
			x, y := p[0], p[1]
			lxy, lyx := Less(x, y), Less(y, x)
			if lxy && lyx {
				t.Fatalf("not antisymmetric: %q and %q", x, y)
			}
			if x != y && !lxy && !lyx {
				t.Fatalf("not total: %q and %q", x, y)
			}
			if x == y && lxy {
				t.Fatalf("not irreflexive: %q", x)
			}
		}
		// Check transitivity over every ordering of the triple.
		tri := []string{a, b, c}
		for _, o := range [][3]int{{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1},
			{2, 1, 0}} {
			x, y, z := tri[o[0]], tri[o[1]], tri[o[2]]
			if Less(x, y) && Less(y, z) && !Less(x, z) {
				t.Fatalf("not transitive: %q < %q < %q but not %q < %q", x, y, z, x, z)
			}
		}
	})
}

func BenchmarkSort10000(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 4))
	names := make([]string, 10000)
	for i := range names {
		switch i % 4 {
		case 0:
			names[i] = fmt.Sprintf("v%d.%d.%d", r.IntN(5), r.IntN(20), r.IntN(100))
		case 1:
			names[i] = fmt.Sprintf("%03d", r.IntN(1000))
		case 2:
			names[i] = fmt.Sprintf("release-%d-RC%d", r.IntN(300), r.IntN(9))
		default:
			names[i] = fmt.Sprintf("build%d", r.Int64())
		}
	}
	work := make([]string, len(names))
	b.ReportAllocs()
	for b.Loop() {
		copy(work, names)
		Sort(work)
	}
}

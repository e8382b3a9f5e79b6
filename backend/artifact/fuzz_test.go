package artifact

import (
	"errors"
	"testing"
)

func FuzzParseListing(f *testing.F) {
	seeds := []string{
		`{"code":"OK","body":{"pre":".","list":[{"dir":1,"name":"aa","path":"basic/aa"}]}}`,
		`{"code":"OK","body":{"pre":"basic","list":[{"dir":1,"name":"06","path":"basic/aa/06"},` +
			`{"dir":0,"name":"manifest.json","path":"basic/aa/06/manifest.json"}]}}`,
		`{"code":"OK","body":{"pre":".","list":null}}`,
		`{"code":"E","msg":"x"}`,
		`<html><body>error</body></html>`,
		`{"code":"OK","body":"x"}`,
		`{"code":"OK","body":{"pre":".","list":[{"dir":true,"name":"a","path":"a"}]}} `,
		"\xff\xfe{",
		``,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		l, err := ParseListing(raw)
		if err != nil {
			if !errors.Is(err, ErrNotJSON) && !errors.Is(err, ErrAPI) {
				t.Fatalf("error %v matches neither ErrNotJSON nor ErrAPI", err)
			}
			return
		}
		if l.Entries == nil {
			t.Fatal("success with nil entries")
		}
		for _, e := range l.Entries {
			if e.Name == "" || e.Path == "" {
				t.Fatalf("entry with empty name or path: %+v", e)
			}
		}
		again, err := ParseListing(raw)
		if err != nil || len(again.Entries) != len(l.Entries) || again.Pre != l.Pre {
			t.Fatalf("parsing is not deterministic: %v", err)
		}
	})
}

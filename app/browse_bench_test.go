package app

import (
	"fmt"
	"testing"

	"imagedesk/backend/artifact"
)

// BenchmarkFoldVersions10k sorts and folds an image with 10,000 versions and 100
// signature tags, as the Browse view does for each listing.
func BenchmarkFoldVersions10k(b *testing.B) {
	var l artifact.Listing
	for i := range 10000 {
		l.Entries = append(l.Entries, artifact.Entry{Dir: true, Name: fmt.Sprintf("v%d.%d", i%37, i)})
	}
	for i := range 100 {
		l.Entries = append(l.Entries, artifact.Entry{Dir: true,
			Name: fmt.Sprintf("sha256-%064x.sig", i)})
	}
	b.ReportAllocs()
	for b.Loop() {
		out := foldVersions(l, Listed{})
		if len(out.Versions) != 10000 || len(out.SigTags) != 100 {
			b.Fatalf("%d versions, %d signature tags", len(out.Versions), len(out.SigTags))
		}
	}
}

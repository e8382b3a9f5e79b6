package registry

import (
	"fmt"
	"testing"
)

// BenchmarkPush256MiB pushes a generated 256 MiB, 4-layer uncompressed docker
// archive to an in-process distribution registry with filesystem storage,
// every iteration to a fresh repository so that nothing is skipped.
func BenchmarkPush256MiB(b *testing.B) {
	const layerSize = 64 << 20
	reg := newDistRegistry(b)
	img := archiveImage(b, layerSpec{layerSize, 21}, layerSpec{layerSize, 22},
		layerSpec{layerSize, 23}, layerSpec{layerSize, 24})
	b.SetBytes(4 * layerSize)
	b.ResetTimer()

	for i := 0; b.Loop(); i++ {
		ref := reg.ref(b, fmt.Sprintf("bench/push%d:V1", i))
		if _, err := Push(b.Context(), img, ref); err != nil {
			b.Fatal(err)
		}
	}
}

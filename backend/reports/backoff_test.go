package reports

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestBackoffSequence(t *testing.T) {
	t.Parallel()
	b := NewBackoff(2*time.Second, 60*time.Second)
	b.random = func() float64 { return 0.5 } // no jitter

	var got []time.Duration
	for range 8 {
		got = append(got, b.Next())
	}
	s := time.Second
	want := []time.Duration{2 * s, 4 * s, 8 * s, 16 * s, 32 * s, 60 * s, 60 * s, 60 * s}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("delays mismatch (-want +got):\n%s", diff)
	}

	b.Reset()
	if d := b.Next(); d != 2*s {
		t.Errorf("after Reset Next = %v, want 2s", d)
	}
}

func TestBackoffJitterBounds(t *testing.T) {
	t.Parallel()
	for _, r := range []float64{0, 0.999999} {
		b := NewBackoff(2*time.Second, 60*time.Second)
		b.random = func() float64 { return r }
		base := 2 * time.Second
		for i := range 10 {
			d := b.Next()
			lo := time.Duration(float64(base) * 0.8)
			hi := min(time.Duration(float64(base)*1.2), 60*time.Second)
			if d < lo || d > hi {
				t.Errorf("random %v step %d: delay %v outside [%v, %v]", r, i, d, lo, hi)
			}
			base = min(base*2, 60*time.Second)
		}
	}

	b := NewBackoff(time.Second, 4*time.Second)
	seen := map[time.Duration]bool{}
	for range 20 {
		b.Reset()
		seen[b.Next()] = true
	}
	if len(seen) < 2 {
		t.Errorf("20 first delays were all %v: no jitter", seen)
	}
}

func TestNewBackoffDefaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		min, max         time.Duration
		wantMin, wantMax time.Duration
	}{
		{0, 0, 2 * time.Second, 60 * time.Second},
		{-time.Second, time.Minute, 2 * time.Second, time.Minute},
		{10 * time.Second, time.Second, 10 * time.Second, 10 * time.Second},
	}
	for _, tt := range tests {
		b := NewBackoff(tt.min, tt.max)
		if b.min != tt.wantMin || b.max != tt.wantMax {
			t.Errorf("NewBackoff(%v, %v) = [%v, %v], want [%v, %v]", tt.min, tt.max,
				b.min, b.max, tt.wantMin, tt.wantMax)
		}
	}
}

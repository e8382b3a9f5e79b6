package reports

import (
	"math/rand/v2"
	"sync"
	"time"
)

// Defaults of NewBackoff for unusable arguments.
const (
	defaultBackoffMin = 2 * time.Second
	defaultBackoffMax = 60 * time.Second
)

// Backoff yields growing delays for retrying a pending report: min, 2·min,
// 4·min … capped at max, each varied by up to ±20% so that many placeholders
// do not refresh in step. It is safe for concurrent use.
type Backoff struct {
	mu      sync.Mutex
	min     time.Duration
	max     time.Duration
	attempt int
	random  func() float64 // in [0, 1)
}

// NewBackoff returns a backoff from min to max. A non-positive min becomes 2s
// and a max below min becomes min (or 60s when both are unset).
func NewBackoff(min, max time.Duration) *Backoff {
	if min <= 0 {
		min = defaultBackoffMin
	}
	if max <= 0 {
		max = defaultBackoffMax
	}
	if max < min {
		max = min
	}
	return &Backoff{min: min, max: max, random: rand.Float64}
}

// Next returns the delay before the next retry and advances the backoff. The
// result is always within [min·0.8, max].
func (b *Backoff) Next() time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()

	d := b.min
	for i := 0; i < b.attempt && d < b.max; i++ {
		d *= 2
	}
	if d >= b.max {
		d = b.max
	} else {
		b.attempt++
	}

	jittered := time.Duration(float64(d) * (0.8 + 0.4*b.random()))
	return min(jittered, b.max)
}

// Reset starts the backoff over at min, for example after a report became
// ready or the user retried by hand.
func (b *Backoff) Reset() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.attempt = 0
}

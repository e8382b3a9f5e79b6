package registry

import (
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Phases of an operation, in the order they happen.
const (
	PhaseConnect  = "connect"  // ping, log in, read the source
	PhaseLayers   = "layers"   // layers moving
	PhaseConfig   = "config"   // the image configuration moving
	PhaseManifest = "manifest" // writing (push) or finishing the archive (pull)
	PhaseVerify   = "verify"   // reading the pushed digest back
	PhaseDone     = "done"     // finished successfully
)

// LayerState is where one layer stands.
type LayerState string

// The states of a layer.
const (
	LayerWaiting  LayerState = "waiting"  // not started
	LayerChecking LayerState = "checking" // asking the registry whether it has it
	LayerMoving   LayerState = "moving"   // compressing and uploading, or downloading
	LayerRetrying LayerState = "retrying" // a transient failure, about to try again
	LayerSkipped  LayerState = "skipped"  // already in the registry, not sent
	LayerDone     LayerState = "done"     // sent or received completely
	LayerFailed   LayerState = "failed"   // given up
)

// LayerProgress is the progress of one distinct layer.
type LayerProgress struct {
	// DiffID is the digest of the uncompressed layer (push only).
	DiffID v1.Hash
	// Digest is the digest of the compressed blob, zero until known.
	Digest v1.Hash
	// Done and Total count bytes: uncompressed bytes read for a push,
	// blob bytes received for a pull. Total is 0 when not known in advance.
	Done, Total int64
	// State is where the layer stands.
	State LayerState
}

// Progress is a snapshot of a push or pull. It is a copy: the receiver may
// keep it.
type Progress struct {
	// Layers has one entry per distinct layer, in manifest order.
	Layers []LayerProgress
	// Done and Total are the sums over Layers.
	Done, Total int64
	// Phase is one of the Phase constants.
	Phase string
}

// progressStep is how far a layer moves before a new snapshot is sent.
const progressStep = 1 << 20

// tracker keeps the progress of one operation and sends snapshots.
type tracker struct {
	mu     sync.Mutex
	fn     func(Progress)
	phase  string
	layers []LayerProgress
	sent   []int64
}

func newTracker(fn func(Progress), layers []LayerProgress) *tracker {
	return &tracker{fn: fn, phase: PhaseConnect, layers: layers,
		sent: make([]int64, len(layers))}
}

// setPhase moves to a new phase and reports it.
func (t *tracker) setPhase(phase string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.phase = phase
	t.emitLocked()
}

// update changes layer i. A state change is always reported; moved bytes are
// reported once they add up to progressStep.
func (t *tracker) update(i int, fn func(*LayerProgress)) {
	t.mu.Lock()
	defer t.mu.Unlock()

	l := &t.layers[i]
	before := l.State
	fn(l)
	if l.State == before && l.Done-t.sent[i] < progressStep && l.Done >= t.sent[i] {
		return
	}
	t.sent[i] = l.Done
	t.emitLocked()
}

// add moves layer i by n bytes.
func (t *tracker) add(i int, n int64) {
	t.update(i, func(l *LayerProgress) { l.Done += n })
}

// state sets the state of layer i.
func (t *tracker) state(i int, s LayerState) {
	t.update(i, func(l *LayerProgress) { l.State = s })
}

func (t *tracker) emitLocked() {
	if t.fn == nil {
		return
	}
	p := Progress{Layers: make([]LayerProgress, len(t.layers)), Phase: t.phase}
	copy(p.Layers, t.layers)
	for _, l := range t.layers {
		p.Done += l.Done
		p.Total += l.Total
	}
	t.fn(p)
}

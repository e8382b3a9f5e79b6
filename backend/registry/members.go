package registry

import (
	"io"
	"time"

	"github.com/klauspost/compress/gzip"
)

// Adaptive compression writes a layer as a series of gzip members (RFC 1952
// allows it; gzip readers, registries and container runtimes read them as one
// stream) and picks the level of each member from how the last one went.
const (
	// segmentSize is the uncompressed size of one member when adapting.
	segmentSize = 8 << 20
	// fastLevel costs half the CPU of slowLevel for about 30% more output.
	fastLevel = gzip.HuffmanOnly
	slowLevel = gzip.BestSpeed
	// A member at slowLevel whose writes waited on the consumer less than
	// lowBlocked of its time shows a CPU-bound push: the next uses fastLevel.
	// One at fastLevel that waited more than highBlocked shows a slow
	// consumer, which slowLevel's smaller output suits better.
	lowBlocked  = 0.2
	highBlocked = 0.5
	// holdSegments is how many members stay at slowLevel after a step back
	// to it before fastLevel is tried again; the wait doubles, up to
	// maxHold, while fastLevel keeps failing.
	holdSegments = 4
	maxHold      = 32
	// A registry on this machine waited on while the CPUs are idle less than
	// minSpare of the time is short of CPU, not of bandwidth: slowLevel would
	// only take more CPU from it.
	minSpare = 0.1
)

// memberWriter gzips what it is given into out, as one member at a fixed
// level or, when adaptive, as members of segmentSize at a level chosen by
// levelPicker from the time out spent blocked.
type memberWriter struct {
	out     *timedWriter
	dst     io.Writer
	adapt   bool
	local   bool // the consumer runs on this machine
	pick    levelPicker
	writers map[int]*gzip.Writer

	cur     *gzip.Writer
	left    int64
	started time.Time
	blocked time.Duration
	idle    uint64
	total   uint64
	cpuOK   bool
}

// newMemberWriter returns a writer into dst, whose Write calls must be timed
// by out. level is a gzip level or CompressionAuto; local says the consumer
// (the registry) runs on this machine and so shares its CPUs.
func newMemberWriter(dst io.Writer, out *timedWriter, level int, local bool) (*memberWriter,
	error) {
	m := &memberWriter{out: out, dst: dst, local: local, writers: map[int]*gzip.Writer{}}
	m.pick.level = level
	if level == CompressionAuto {
		m.adapt, m.pick.level = true, slowLevel
	}
	if _, err := m.writer(m.pick.level); err != nil {
		return nil, err
	}
	return m, nil
}

// writer returns the reusable gzip writer of level, reset onto dst.
func (m *memberWriter) writer(level int) (*gzip.Writer, error) {
	zw, ok := m.writers[level]
	if !ok {
		var err error
		if zw, err = gzip.NewWriterLevel(m.dst, level); err != nil {
			return nil, err
		}
		m.writers[level] = zw
		return zw, nil
	}
	zw.Reset(m.dst)
	return zw, nil
}

func (m *memberWriter) Write(p []byte) (int, error) {
	done := 0
	for len(p) > 0 {
		if m.cur == nil {
			if err := m.begin(); err != nil {
				return done, err
			}
		}
		n := len(p)
		if m.adapt {
			n = int(min(int64(n), m.left))
		}
		if _, err := m.cur.Write(p[:n]); err != nil {
			return done, err
		}
		done += n
		p = p[n:]
		m.left -= int64(n)
		if m.adapt && m.left == 0 {
			if err := m.end(); err != nil {
				return done, err
			}
		}
	}
	return done, nil
}

// Close ends the last member; a layer with no bytes still gets one.
func (m *memberWriter) Close() error {
	if m.cur == nil && len(m.pick.levels) == 0 {
		if err := m.begin(); err != nil {
			return err
		}
	}
	if m.cur == nil {
		return nil
	}
	return m.end()
}

func (m *memberWriter) begin() error {
	zw, err := m.writer(m.pick.level)
	if err != nil {
		return err
	}
	m.cur, m.left = zw, segmentSize
	m.started, m.blocked = time.Now(), m.out.blocked
	if m.adapt && m.local {
		m.idle, m.total, m.cpuOK = cpuTimes()
	}
	return nil
}

func (m *memberWriter) end() error {
	err := m.cur.Close()
	m.cur = nil
	if !m.adapt {
		m.pick.levels = append(m.pick.levels, m.pick.level)
		return err
	}
	spare := 1.0
	if m.local && m.cpuOK {
		if idle, total, ok := cpuTimes(); ok && total > m.total {
			spare = float64(idle-m.idle) / float64(total-m.total)
		}
	}
	m.pick.next(m.out.blocked-m.blocked, time.Since(m.started), spare)
	return err
}

// levelPicker chooses the level of the next member and records the levels
// used. For a registry on this machine, waiting on it while no CPU is idle
// means the two compete for CPU, not that a link is slow; the idle share is
// read on Linux only. A remote registry is judged by the waiting alone.
// TODO: the choice depends on timing, so pushing the same layer twice gives
// two blobs unless the blob cache skips the second; a fixed level does not.
type levelPicker struct {
	level   int
	hold    int
	backoff int
	levels  []int
}

// next records a member written at the current level, which spent blocked
// of its elapsed time waiting on the consumer while the machine's CPUs were
// idle for the share spare of that time, and picks the next level.
func (p *levelPicker) next(blocked, elapsed time.Duration, spare float64) {
	p.levels = append(p.levels, p.level)
	share := 1.0
	if elapsed > 0 {
		share = float64(blocked) / float64(elapsed)
	}
	switch {
	case p.level == fastLevel && share > highBlocked && spare >= minSpare:
		// Each failed try of fastLevel doubles the wait before the next.
		p.backoff = min(max(2*p.backoff, holdSegments), maxHold)
		p.level, p.hold = slowLevel, p.backoff
	case p.level == fastLevel:
		p.backoff = 0
	case p.hold > 0:
		p.hold--
	case share < lowBlocked:
		p.level = fastLevel
	}
}

// timedWriter adds up the time its writes take: with a pipe behind it, the
// time spent waiting for the consumer.
type timedWriter struct {
	w       io.Writer
	blocked time.Duration
}

func (t *timedWriter) Write(p []byte) (int, error) {
	start := time.Now()
	n, err := t.w.Write(p)
	t.blocked += time.Since(start)
	return n, err
}

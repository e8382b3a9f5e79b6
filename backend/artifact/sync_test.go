package artifact

import (
	"bytes"
	"sync"
)

// syncWriter is a goroutine-safe buffer for log output.
type syncWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

// Write appends p under the lock.
func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// String returns what was written so far.
func (s *syncWriter) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.String()
}

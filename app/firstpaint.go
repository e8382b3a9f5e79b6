package app

// FirstPaint is called by the window once it has drawn its first frame with the
// shell visible. It logs, at debug level and once per process, how many
// milliseconds after the process started that was; benchmarks read that line.
func (s *Shell) FirstPaint() {
	s.painted.Do(func() {
		ms, ok := sinceProcessStart()
		if !ok {
			s.log.Debug("first paint", "op", "startup")
			return
		}
		s.log.Debug("first paint", "op", "startup", "ms", ms)
	})
}

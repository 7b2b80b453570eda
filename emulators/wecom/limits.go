package wecom

// limit counts one call of path against the corp's minute and hour windows.
func (s *Server) limit(path string) int {
	now := s.clock()
	// One corp per Server: the key is the API path. The minute window goes first: a call it
	// refuses counts in neither window, and the minute counts run up while the hour window refuses
	// are dropped when that hour ends, which is also a minute boundary.
	if allowed, _ := s.minute.Allow(path, now); !allowed {
		return 45009
	}
	if allowed, _ := s.hour.Allow(path, now); !allowed {
		return 45009
	}
	return 0
}

// enter admits one call into the corp's in-flight set; it reports false, and admits nothing,
// when WithMaxConcurrent's limit is already reached. An admitted call must leave.
func (s *Server) enter() bool {
	n := s.inFlight.Add(1)
	if s.maxConcurrent > 0 && n > int64(s.maxConcurrent) {
		s.inFlight.Add(-1)
		return false
	}
	return true
}

// leave ends an admitted call.
func (s *Server) leave() { s.inFlight.Add(-1) }

// InFlight returns how many API calls are being served right now (those refused with 45033
// excluded), so that a test can wait until its slow calls occupy the corp's concurrency.
func (s *Server) InFlight() int { return int(s.inFlight.Load()) }

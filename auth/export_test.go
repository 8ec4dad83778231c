package auth

import "runtime"

// joinedCallers returns how many callers have joined the refresh in progress, 0 when none runs.
// Once it reaches N, N callers are provably waiting for that one refresh.
func (s *CachedSource) joinedCallers() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.flight == nil {
		return 0
	}
	return s.flight.joined
}

// waitForJoined blocks until n callers have joined the refresh in progress.
func (s *CachedSource) waitForJoined(n int) {
	for s.joinedCallers() < n {
		runtime.Gosched()
	}
}

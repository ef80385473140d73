package casework

// SetBeforeAppend has f run in each use case's transaction after it has
// decided and before it appends its events, to force a race with another
// write deterministically.
func SetBeforeAppend(s *Service, f func()) { s.beforeAppend = f }

// SetAfterCommonKeys has f run between a raise's snapshot of its child's
// too common keys and its write (earlier_hints.go), once, to force a
// change in between deterministically.
func SetAfterCommonKeys(s *Service, f func()) {
	s.afterCommonKeys = func() {
		s.afterCommonKeys = nil
		f()
	}
}

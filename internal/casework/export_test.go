package casework

// SetBeforeAppend has f run in each use case's transaction after it has
// decided and before it appends its events, to force a race with another
// write deterministically.
func SetBeforeAppend(s *Service, f func()) { s.beforeAppend = f }

// SetAfterPrecompare has f run between a raise's comparison of the child in
// a snapshot and its write (earlier_hints.go), once, to force a change in
// between deterministically.
func SetAfterPrecompare(s *Service, f func()) {
	s.afterPrecompare = func() {
		s.afterPrecompare = nil
		f()
	}
}

package casework

// SetBeforeAppend has f run in each use case's transaction after it has
// decided and before it appends its events, to force a race with another
// write deterministically.
func SetBeforeAppend(s *Service, f func()) { s.beforeAppend = f }

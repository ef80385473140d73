//go:build !unix

package store

import "os"

// lockFile is a no-op where flock is not available: appends within one
// process are still serialised by Ledger.mu.
func lockFile(*os.File, bool) (func(), error) { return func() {}, nil }

//go:build !unix

package store

// sqliteInUse cannot tell on this system whether another process has the
// database open: stop the service before restoring (docs/operations.md).
func sqliteInUse(string) (bool, error) { return false, nil }

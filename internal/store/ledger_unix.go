//go:build unix

package store

import (
	"os"
	"syscall"
)

// lockFile takes an exclusive lock on f, shared by every process that
// appends to it (replicas on one machine, a command beside the service).
func lockFile(f *os.File) (func(), error) {
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		return nil, err
	}
	return func() { syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }, nil
}

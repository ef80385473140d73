//go:build unix

package store

import (
	"os"
	"syscall"
)

// lockFile takes a lock on f, exclusive to append and shared to read, that
// every process using the file honours (replicas on one machine, a command
// beside the service).
func lockFile(f *os.File, exclusive bool) (func(), error) {
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	if err := syscall.Flock(int(f.Fd()), how); err != nil {
		return nil, err
	}
	return func() { syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }, nil
}

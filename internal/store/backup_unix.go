//go:build unix

package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// sqliteInUse reports whether another process has the SQLite database open.
// Every connection to a database in WAL mode holds a shared lock on the
// "dead man switch" byte of the -shm file for as long as it is open, idle or
// not; failing to take that byte exclusively means someone has it open.
// (SQLite's unix VFS, which modernc.org/sqlite is translated from, puts
// UNIX_SHM_DMS at byte 128.) Locks held by this process are not seen.
func sqliteInUse(file string) (bool, error) {
	f, err := os.OpenFile(file+"-shm", os.O_RDWR, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: checking whether %s is in use: %w", file, err)
	}
	defer f.Close()
	lk := syscall.Flock_t{Type: syscall.F_WRLCK, Whence: 0, Start: 128, Len: 1}
	if err := syscall.FcntlFlock(f.Fd(), syscall.F_SETLK, &lk); err != nil {
		if errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EACCES) {
			return true, nil
		}
		return false, fmt.Errorf("store: checking whether %s is in use: %w", file, err)
	}
	lk.Type = syscall.F_UNLCK
	syscall.FcntlFlock(f.Fd(), syscall.F_SETLK, &lk)
	return false, nil
}

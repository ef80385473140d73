//go:build linux

package store

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// fOFDSetLK is Linux's F_OFD_SETLK: a lock of the open file description,
// which conflicts with SQLite's own fcntl locks even within this process.
const fOFDSetLK = 37

// walCheckpointLockByte is the -shm byte a checkpoint holds exclusively
// while it copies the WAL (SQLite's WALINDEX_LOCK_OFFSET 120 plus
// WAL_CKPT_LOCK 1), whichever connection or process runs it.
const walCheckpointLockByte = 121

// holdCheckpointLock takes the checkpoint lock of file's WAL as a running
// checkpoint does and returns its release.
func holdCheckpointLock(t *testing.T, file string) (release func()) {
	t.Helper()
	f, err := os.OpenFile(file+"-shm", os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	lk := syscall.Flock_t{Type: syscall.F_WRLCK, Start: walCheckpointLockByte, Len: 1}
	if err := syscall.FcntlFlock(f.Fd(), fOFDSetLK, &lk); err != nil {
		f.Close()
		t.Fatalf("taking the checkpoint lock: %v", err)
	}
	return func() {
		lk.Type = syscall.F_UNLCK
		syscall.FcntlFlock(f.Fd(), fOFDSetLK, &lk)
		f.Close()
	}
}

// §9: an erasure is pushed out of the files at once. The background
// checkpoint now runs beside the writers about every second while the
// service is busy, and one checkpoint at a time may hold the WAL: the
// scrub's TRUNCATE checkpoint, arriving while the background one (or
// another process's) copies pages, must wait its turn and truncate the WAL
// after it, not give up and leave the erased case's old pages in the WAL.
func TestAnErasureScrubWaitsForACheckpointAlreadyRunning(t *testing.T) {
	file := filepath.Join(t.TempDir(), "waymark.db")
	ctx := context.Background()
	db, err := Open(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fillWAL(t, db, 50)

	release := holdCheckpointLock(t, file)
	released := false
	defer func() {
		if !released {
			release()
		}
	}()
	// The scrub finds the checkpoint running; by the time it looks again
	// the running one has finished.
	db.scrubPause = func(context.Context) error {
		if !released {
			release()
			released = true
		}
		return nil
	}
	if err := db.Scrub(ctx); err != nil {
		t.Fatalf("the scrub gave up while another checkpoint ran: %v", err)
	}
	if !released {
		t.Fatal("the scrub never met the running checkpoint: the test took the wrong lock")
	}
	st, err := os.Stat(file + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	if st.Size() != 0 {
		t.Fatalf("after the scrub the WAL still holds %d bytes", st.Size())
	}
}

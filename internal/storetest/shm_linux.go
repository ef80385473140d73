package storetest

import (
	"os"

	"golang.org/x/sys/unix"
)

// memoryBacked says whether dir is a tmpfs folder this process may write,
// with at least a gigabyte free.
func memoryBacked(dir string) bool {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil || st.Type != unix.TMPFS_MAGIC {
		return false
	}
	if uint64(st.Bavail)*uint64(st.Bsize) < 1<<30 {
		return false
	}
	f, err := os.CreateTemp(dir, "waymark-probe-")
	if err != nil {
		return false
	}
	f.Close()
	os.Remove(f.Name())
	return true
}

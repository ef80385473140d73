//go:build unix

package store_test

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time this process has used, in user and kernel mode:
// beside the wall clock, it says what verifying costs on a busy machine.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

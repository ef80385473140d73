//go:build !linux

package store_test

import "time"

// threadCPU cannot be read here (threadcpu_linux_test.go).
func threadCPU() (time.Duration, bool) { return 0, false }

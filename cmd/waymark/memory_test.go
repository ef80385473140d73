package main

import (
	"runtime/debug"
	"testing"

	"waymark/internal/access"
)

// serve gives the heap a soft limit sized to the password hashes that may
// run at once and what it holds besides, so that an idle server does not
// keep twice the last hashes' memory; a GOMEMLIMIT the operator set is
// left as it is.
func TestServeLimitsItsHeapUnlessGOMEMLIMITIsSet(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(before)
	want := int64(baseMemory) + access.HashMemory()
	if got := limitMemory(env(nil)); got != want || debug.SetMemoryLimit(-1) != want {
		t.Fatalf("limit %d (runtime %d), want %d", got, debug.SetMemoryLimit(-1), want)
	}
	if want > 200<<20 && access.HashMemory() <= 64<<20 {
		t.Fatalf("the default limit %d is above 200 MiB", want)
	}
	debug.SetMemoryLimit(1 << 40)
	if got := limitMemory(env(map[string]string{"GOMEMLIMIT": "1TiB"})); got != 1<<40 || debug.SetMemoryLimit(-1) != 1<<40 {
		t.Fatalf("with GOMEMLIMIT set: %d", got)
	}
}

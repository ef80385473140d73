package storetest

import (
	"flag"
	"runtime/debug"
	"testing"
)

// RunTests runs a test binary's tests; a package's TestMain calls it.
//
// Tests make many short-lived stores, servers and pages, and at the
// garbage collector's usual pace collecting them took about a fifth of the
// processor time of go test -short ./... on two cores. So tests run with it
// at a quarter of that pace. Benchmarks keep the usual pace, so that their
// figures are what a server would see.
func RunTests(m *testing.M) int {
	flag.Parse()
	if bench := flag.Lookup("test.bench"); bench == nil || bench.Value.String() == "" {
		debug.SetGCPercent(400)
	}
	return m.Run()
}

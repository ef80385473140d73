package storetest

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Test folders left by a killed run (no cleanup ran) are removed once they
// are a day old; a running test's folder and anything else are left.
func TestFoldersLeftByAKilledRunAreSweptAfterADay(t *testing.T) {
	dir := t.TempDir()
	mk := func(name string, age time.Duration) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Join(p, "inner"), 0o700); err != nil {
			t.Fatal(err)
		}
		then := time.Now().Add(-age)
		if err := os.Chtimes(p, then, then); err != nil {
			t.Fatal(err)
		}
		return p
	}
	stale := mk("waymark-test-111", 25*time.Hour)
	running := mk("waymark-test-222", time.Hour)
	other := mk("someone-elses", 48*time.Hour)
	sweepStale(dir, 24*time.Hour)
	for p, want := range map[string]bool{stale: false, running: true, other: true} {
		if _, err := os.Stat(p); (err == nil) != want {
			t.Errorf("%s: kept %v, want %v", filepath.Base(p), err == nil, want)
		}
	}
}

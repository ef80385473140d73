package buildinfo

import "testing"

// A release set at build time is the version; without one it is never
// empty, so metrics and `waymark version` always say something.
func TestTheReleaseSetAtBuildTimeIsTheVersion(t *testing.T) {
	if got := fromBuild("v1.2.3"); got != "v1.2.3" {
		t.Fatalf("fromBuild(v1.2.3) = %q", got)
	}
	if got := fromBuild(""); got == "" {
		t.Fatal("no version without a release")
	}
}

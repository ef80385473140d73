package web

import "testing"

// TestAMatchIsNeverShownAsCertain: the earlier-records page says how
// likely an earlier record is the same child (issue 14 §1); a probability
// that rounds to 100% or 0% would claim a certainty the model cannot have,
// so it says "over 99%" and "under 1%".
func TestAMatchIsNeverShownAsCertain(t *testing.T) {
	for p, want := range map[float64]string{
		0.9996: "over 99%", 0.995: "over 99%", 1: "over 99%", 0.994: "99%",
		0.5: "50%", 0.012: "1%", 0.004: "under 1%", 0: "under 1%",
	} {
		if got := percentLikely(p); got != want {
			t.Errorf("percentLikely(%v) = %q, want %q", p, got, want)
		}
	}
}

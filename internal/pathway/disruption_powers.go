package pathway

import "waymark/internal/catalog"

// The powers a meeting considers to protect the child and disrupt the
// exploiters (§6.8 a–j) are kept, versioned and dated, in the catalogue
// (catalog/data/disruption-powers.json), so that a new power is a change of
// data. A power listed there without a commencement date (the Child
// Criminal Exploitation Prevention Order) is never offered, and a meeting
// can record only a power in force on the day (RecordDisruptionPower).

// disruptionPowers are the powers that have a commencement date, in the
// procedure's order: the closed list of RecordDisruptionPower's "power".
var disruptionPowers = offeredPowers(catalog.MustReference())

func offeredPowers(r *catalog.Reference) []struct{ Value, Text, Section string } {
	var out []struct{ Value, Text, Section string }
	for _, p := range r.DisruptionPowers {
		if p.EffectiveFrom != "" {
			out = append(out, struct{ Value, Text, Section string }{p.ID, p.Label, p.Section})
		}
	}
	return out
}

// disruptionPower finds a power by id among every power the catalogue
// lists, in force or not, so a recorded power keeps its name.
func disruptionPower(id string) (catalog.DisruptionPower, bool) {
	for _, p := range catalog.MustReference().DisruptionPowers {
		if p.ID == id {
			return p, true
		}
	}
	return catalog.DisruptionPower{}, false
}

// DisruptionPowersVersion is the version of the powers list in use.
func DisruptionPowersVersion() string {
	return catalog.MustReference().Versions["disruption-powers.json"]
}

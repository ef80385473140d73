// Package match recognises the same person in two records: a child who
// turns up under another name or date of birth (§4.3, §4.8, §5.1, §7.1),
// and the same suspected exploiter, address, phone or vehicle across cases
// (§6.8, §8.8). It is a probabilistic record-linkage model of the
// Fellegi–Sunter kind. Nothing here does I/O or knows about cases: callers
// give it records and it gives back weights and the reasons for them.
package match

import (
	"strings"
	"time"
)

// Person is what is known of one person, as a record to compare. Every
// field may be empty. Names are as written; the model normalises them.
type Person struct {
	ID          string
	Given       string   // given names, as written
	Family      string   // family name, as written
	Aliases     []string // other names the person has used, each a full name
	DateOfBirth string   // YYYY-MM-DD, when recorded
	// AgeFrom and AgeTo are a claimed or assessed age range in whole years
	// on AgeOn, when the date of birth is disputed or not known (§7.4).
	AgeFrom, AgeTo int
	AgeOn          time.Time
	Gender         string
	Nationality    string
	Languages      []string
	Places         []string // towns and areas the person is known in
	Phones         []string
	Associates     []string // names of people known to be with them
	// Address parts and an identifier, for the record sets the command
	// line reads (waymark match).
	Street, Locality, Postcode, Region, Identifier string
}

// Detail is one compared detail of two records and what it added to the
// weight, in words a social worker understands.
type Detail struct {
	Field  string  // "name", "date of birth", ...
	Agrees bool    // it counts for the match
	Words  string  // "the date of birth has the day and month swapped"
	Weight float64 // log2 Bayes factor this detail added (negative against)
}

// Result is the comparison of two records.
type Result struct {
	Weight      float64 // the match weight: log2 of the odds, prior included
	Probability float64 // the match probability, from the weight
	Details     []Detail
}

// Strength is the probability in words.
func (r Result) Strength() string {
	switch {
	case r.Probability >= 0.99:
		return "very strong"
	case r.Probability >= 0.9:
		return "strong"
	case r.Probability >= 0.5:
		return "possible"
	}
	return "weak"
}

// BlockingKeys are the keys a record is filed under, so that a new record
// is compared only with records that share at least one key. They are
// plaintext here; the case system stores them only as keyed hashes.
func BlockingKeys(p Person) []string {
	seen := map[string]bool{}
	var out []string
	add := func(k string) {
		if k != "" && !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	for _, n := range append([]string{p.Given + " " + p.Family}, p.Aliases...) {
		for _, tok := range strings.Fields(strings.ToLower(n)) {
			add("n:" + tok)
		}
	}
	add("d:" + p.DateOfBirth)
	return out
}

// Model holds the m and u probabilities of each comparison level, and the
// prior probability that two records compared are the same person.
type Model struct {
	Prior float64
}

// DefaultModel is the model the case system compares children with.
func DefaultModel() *Model { return &Model{Prior: 0.001} }

// Compare weighs two records against each other.
func (m *Model) Compare(a, b Person) Result {
	var r Result
	r.Weight = log2(m.Prior / (1 - m.Prior))
	eq := func(field, x, y, agree, disagree string, w float64) {
		x, y = strings.ToLower(strings.TrimSpace(x)), strings.ToLower(strings.TrimSpace(y))
		if x == "" || y == "" {
			return
		}
		d := Detail{Field: field, Agrees: x == y, Words: agree, Weight: w}
		if !d.Agrees {
			d.Words, d.Weight = disagree, -w
		}
		r.Weight += d.Weight
		r.Details = append(r.Details, d)
	}
	eq("family name", a.Family, b.Family, "the family name is the same", "the family name differs", 8)
	eq("given names", a.Given, b.Given, "the given names are the same", "the given names differ", 6)
	eq("date of birth", a.DateOfBirth, b.DateOfBirth, "the date of birth is the same", "the date of birth differs", 9)
	r.Probability = probability(r.Weight)
	return r
}

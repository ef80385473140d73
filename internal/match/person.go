// Package match recognises the same person in two records: a child who
// turns up under another name or date of birth (§4.3, §4.8, §5.1, §7.1),
// and the same suspected exploiter, address, phone or vehicle across cases
// (§6.8, §8.8). It is a probabilistic record-linkage model of the
// Fellegi–Sunter kind. Nothing here does I/O or knows about cases: callers
// give it records and it gives back weights and the reasons for them.
package match

import "time"

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
	Agrees bool    // it agrees (one not counted again has Weight 0)
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

// Package synth generates synthetic records of children referred as
// possible victims of trafficking, with the errors that make the same
// child hard to recognise across cases (§4.3, §4.8, §5.1, §7.1, §7.4):
// names romanised differently, diacritics dropped, Vietnamese names
// written family first, given and family names swapped, a street name or
// a nickname instead of the real name, a disputed age in place of a date
// of birth, a 1 January date assigned on arrival, typing errors, missing
// details and a new phone. It also makes the records that must not be
// matched though they look alike: siblings sharing a family name, an
// address and a phone, and the many children with common names.
//
// Every record is made up. The names are common names of each group put
// together at random; the phone numbers are in the 07700 9 block, whose
// 900000–900999 part Ofcom keeps for drama; NHS numbers are in the 999
// test range.
package synth

import (
	"fmt"
	"math/rand/v2"
	"time"

	"waymark/internal/match"
)

// Mode is one kind of error a later record of a child carries against the
// child's first record.
type Mode string

// The error modes, in the order reports list them.
const (
	ModeTransliteration Mode = "transliteration"   // Mohammed as Muhammad, Tesfaye as Tesfay
	ModeDiacritics      Mode = "diacritics"        // Nguyễn as Nguyen, written with or without marks
	ModeFamilyFirst     Mode = "family-first"      // Nguyễn Văn Hùng split as given "Nguyen Van", family "Hung"
	ModeSwapped         Mode = "swapped"           // given and family names in each other's field
	ModeAlias           Mode = "alias"             // another full name, the real one sometimes kept as an alias
	ModeNickname        Mode = "nickname"          // a nickname or street name only
	ModeAgeRange        Mode = "age-range"         // no date of birth, a claimed or assessed age range (§7.4)
	ModeDayMonth        Mode = "day-month-swapped" // 2009-03-07 as 2009-07-03
	ModeYearOff         Mode = "year-off"          // the year one or two out
	ModeJanuaryFirst    Mode = "1-january"         // a 1 January date assigned from a claimed age on arrival
	ModeTypo            Mode = "typo"              // a letter inserted, dropped, replaced or two swapped
	ModeMissing         Mode = "missing-fields"    // details not recorded this time
	ModeNewPhone        Mode = "new-phone"         // a phone number not seen before
	ModeMoved           Mode = "moved"             // a new address in another town (§4.3, §7.1)
)

// Modes lists every mode, in report order.
var Modes = []Mode{ModeTransliteration, ModeDiacritics, ModeFamilyFirst, ModeSwapped, ModeAlias,
	ModeNickname, ModeAgeRange, ModeDayMonth, ModeYearOff, ModeJanuaryFirst, ModeTypo, ModeMissing,
	ModeNewPhone, ModeMoved}

// Record is one generated record and the truth about it.
type Record struct {
	Person match.Person
	// Child is the same for every record of one child: the truth a
	// matcher is scored against.
	Child int
	// Household is the same for children of one family: siblings share
	// it but are different children.
	Household int
	// Later is false for a child's first record and true for the
	// records made of the same child afterwards.
	Later bool
	// Modes are the errors this record carries against the child's first
	// record; the first is the main one. Empty for a first record.
	Modes []Mode
	// Recorded is when the record was made.
	Recorded time.Time
}

// Config says how many records to make and of what kind.
type Config struct {
	Seed    uint64
	Records int // how many records in all
	// LaterShare is the share of records that are later records of a
	// child already in the set.
	LaterShare float64
	// SiblingShare is the share of children who are the sibling of a
	// child already in the set (a hard non-match).
	SiblingShare float64
	// From is the earliest date a first record is made; first records
	// spread over the three years after it, and later records follow
	// within two years.
	From time.Time
}

// DefaultConfig is the set the evaluation measures: a fifth of the
// records are later records of a child, and one child in twelve has a
// sibling in the set.
func DefaultConfig(records int) Config {
	return Config{
		Seed:         14,
		Records:      records,
		LaterShare:   0.2,
		SiblingShare: 0.08,
		From:         time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC),
	}
}

// Generate makes the records. The same Config always gives the same
// records, in the same order.
func Generate(c Config) []Record {
	g := &generator{r: newRand(c.Seed), from: c.From}
	later := int(float64(c.Records)*c.LaterShare + 0.5)
	first := c.Records - later
	children := make([]*child, 0, first)
	for i := range first {
		var ch *child
		if i > 0 && g.r.Float64() < c.SiblingShare {
			ch = g.sibling(children[g.r.IntN(len(children))])
		} else {
			ch = g.child()
		}
		ch.id = i
		if ch.household < 0 {
			ch.household = i
		}
		children = append(children, ch)
	}
	records := make([]Record, 0, c.Records)
	for _, ch := range children {
		records = append(records, g.first(ch))
	}
	for range later {
		ch := children[g.r.IntN(len(children))]
		ch.later++
		records = append(records, g.later(ch))
	}
	g.r.Shuffle(len(records), func(i, j int) { records[i], records[j] = records[j], records[i] })
	return records
}

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)) }

// TruePairs are the pairs of records (indexes into records, the lower
// first) that are of the same child.
func TruePairs(records []Record) [][2]int {
	byChild := map[int][]int{}
	for i, r := range records {
		byChild[r.Child] = append(byChild[r.Child], i)
	}
	var out [][2]int
	for i, r := range records {
		for _, j := range byChild[r.Child] {
			if j > i {
				out = append(out, [2]int{i, j})
			}
		}
	}
	return out
}

// recordID names records as the FEBRL sets do (rec-12-org, rec-12-dup-0),
// so tools that score those sets read the truth from the id alone.
func recordID(child, later int) string {
	if later < 0 {
		return fmt.Sprintf("rec-%d-org", child)
	}
	return fmt.Sprintf("rec-%d-dup-%d", child, later)
}

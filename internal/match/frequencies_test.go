package match_test

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"
	"time"

	"waymark/internal/match"
	"waymark/internal/match/synth"
)

// The children's model adjusts a name's weight for how common it is
// (§4.8, §5.1: many children share a name, and a common name agreeing
// says less). The shares it ships are counted on 24,000 records from
// internal/match/synth with a seed of their own (1), so they are the
// generator's distribution of names (its Zipf draw over its name lists),
// derived from no real person, and the figures measured on the default
// seed (14) or any other are on records they were not counted on. To
// count them again after changing the generator:
//
//	go test ./internal/match -run TestNameFrequenciesAreTheGenerators -update
func TestNameFrequenciesAreTheGenerators(t *testing.T) {
	if testing.Short() && !*match.Update {
		t.Skip("generates 24,000 records")
	}
	records := synth.Generate(synth.Config{Seed: 1, Records: 24000, LaterShare: 0.2, SiblingShare: 0.08,
		From: time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)})
	var people []match.Person
	for _, r := range records {
		people = append(people, r.Person)
	}
	got, err := json.MarshalIndent(match.NameFrequencies(people), "", " ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	if *match.Update {
		if err := os.WriteFile("name_frequencies.json", got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile("name_frequencies.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("name_frequencies.json is not what the generator gives: run go test ./internal/match -run TestNameFrequenciesAreTheGenerators -update")
	}
}

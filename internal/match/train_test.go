package match

import (
	"bytes"
	"flag"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "train default_model.json again")

// trainingSet is what default_model.json is trained on: generated
// children, a fifth of them recorded twice.
func trainingSet() []Person { return children(1, 20000, 0.2) }

// DefaultModel ships the parameters EM gives on the generated training
// set. To train it again after changing a comparison or the generator:
//
//	go test ./internal/match -run TestDefaultModelIsTrained -update
func TestDefaultModelIsTrained(t *testing.T) {
	if testing.Short() && !*update {
		t.Skip("trains on 20,000 records")
	}
	m := TrainChildren(trainingSet(), startingModel(), 200_000)
	got, err := m.JSON()
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	if *update {
		if err := os.WriteFile("default_model.json", got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(got, defaultModelJSON) {
		t.Error("default_model.json is not what training gives: run go test ./internal/match -run TestDefaultModelIsTrained -update")
	}
}

// startingModel is EM's start: every child comparison, with the first
// level likely for the same child.
func startingModel() *Model {
	m := &Model{Prior: 0.1}
	for _, spec := range []*comparison{nameComparison, dobComparison, genderComparison, nationalityComparison, languagesComparison, placesComparison, phonesComparison, associatesComparison} {
		c := ComparisonModel{Field: spec.field}
		for i, mv := range startingM(len(spec.levels)) {
			c.Levels = append(c.Levels, LevelModel{Level: spec.levels[i].key, M: mv, U: 1 / float64(len(spec.levels))})
		}
		m.Comparisons = append(m.Comparisons, c)
	}
	return m
}

// On children generated apart from the training set, the default model
// finds the later records of the same child through their blocking keys.
func TestDefaultModelFindsGeneratedChildrenAgain(t *testing.T) {
	people := children(7, 3000, 0.2)
	m := DefaultModel().ForRegister(len(people))
	byKey := map[string][]int{}
	for i := range people {
		for _, k := range BlockingKeys(people[i]) {
			byKey[k] = append(byKey[k], i)
		}
	}
	seen := map[[2]int]bool{}
	var q quality
	child := func(id string) string { return strings.Split(id, "-")[0] }
	for _, p := range people {
		if strings.HasSuffix(p.ID, "-1") {
			q.truePairs++
		}
	}
	for _, ids := range byKey {
		for x := range ids {
			for y := x + 1; y < len(ids); y++ {
				pair := [2]int{ids[x], ids[y]}
				if seen[pair] {
					continue
				}
				seen[pair] = true
				a, b := people[pair[0]], people[pair[1]]
				if m.Compare(a, b).Probability >= 0.5 {
					q.predicted++
					if child(a.ID) == child(b.ID) {
						q.found++
					}
				}
			}
		}
	}
	t.Logf("%d records, %d key-sharing pairs, %d predicted, %d true pairs, %d found: precision %.4f recall %.4f F1 %.4f",
		len(people), len(seen), q.predicted, q.truePairs, q.found, q.precision(), q.recall(), q.f1())
	if q.f1() < 0.8 {
		t.Errorf("F1 %.4f on generated children", q.f1())
	}
}

package catalog

import (
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

// §9.4, §9.5, annex: the directory is seeded from a procedure written in
// 2020, so every entry says when it was last checked and that it is to be
// checked before use.
func TestDirectoryEntriesSayWhenLastChecked(t *testing.T) {
	r := MustReference()
	if len(r.Directory) == 0 {
		t.Fatal("the directory's seed is empty")
	}
	for _, e := range r.Directory {
		if _, ok := parseDay(e.LastChecked); !ok {
			t.Errorf("%s: lastChecked %q is not a date", e.ID, e.LastChecked)
		}
		if !e.CheckBeforeUse {
			t.Errorf("%s: a seed entry must be marked check before use", e.ID)
		}
	}
	bad := r.Directory[0]
	bad.LastChecked = ""
	if bad.Check() == "" {
		t.Error("an entry with no lastChecked date passed its check")
	}
}

// §6.8, §9.4, §9.5, annex: the organisations the procedure names are in the
// directory, the ICTG professional advice line among them.
func TestDirectoryHoldsTheOrganisationsTheProcedureNames(t *testing.T) {
	r := MustReference()
	for _, id := range []string{"modern-slavery-helpline", "ictg-advice-line", "single-competent-authority", "beacon", "missing-people", "ceop", "atleu", "msoic", "ecpat-uk", "afruca", "unicef-uk", "refugee-council-childrens-panel"} {
		if _, ok := r.DirectorySeed(id); !ok {
			t.Errorf("the directory has no %s", id)
		}
	}
	ictg, _ := r.DirectorySeed("ictg-advice-line")
	if ictg.Phone == "" || !strings.Contains(ictg.Hours, "24 hours") {
		t.Errorf("the ICTG advice line has no 24-hour phone number: %+v", ictg)
	}
}

// §8.7: the Reasonable Grounds wording changed in January 2023 and the change
// was withdrawn in June 2023; the history is kept, and the wording of a day
// is the one in force on it.
func TestReasonableGroundsWordingKeepsItsHistory(t *testing.T) {
	r := MustReference()
	for _, c := range []struct{ on, want string }{
		{"2022-12-31", "suspect-2020"},
		{"2023-02-15", "objective-factors-2023"},
		{"2023-07-01", "suspect-restored-2023"},
		{"2026-12-04", "suspect-restored-2023"},
	} {
		w, ok := r.ThresholdOn(day(c.on))
		if !ok || w.ID != c.want {
			t.Errorf("on %s the wording is %q, want %q", c.on, w.ID, c.want)
		}
	}
	if len(r.ThresholdWordings) < 3 {
		t.Errorf("the history has %d wordings, want the 2020 one, the January 2023 change and its withdrawal", len(r.ThresholdWordings))
	}
}

// §6.8: a power that is not in force (the Child Criminal Exploitation
// Prevention Order, proposed in the Crime and Policing Bill) is listed with
// a note saying so and is never among the powers in force.
func TestPowerNotYetInForceIsNeverOffered(t *testing.T) {
	r := MustReference()
	var ccepo *DisruptionPower
	for i, p := range r.DisruptionPowers {
		if p.ID == "ccepo" {
			ccepo = &r.DisruptionPowers[i]
		}
	}
	if ccepo == nil || ccepo.EffectiveFrom != "" || ccepo.Note == "" {
		t.Fatalf("the CCEPO entry is missing, or not marked as not in force: %+v", ccepo)
	}
	for _, p := range r.PowersInForce(day("2026-12-04")) {
		if p.ID == "ccepo" {
			t.Error("a power with no commencement date was offered")
		}
	}
	if n := len(r.PowersInForce(day("2026-12-04"))); n != 10 {
		t.Errorf("%d powers in force, want the ten of §6.8 a–j", n)
	}
}

// §5.2: the gender-bias caution is data, shown where exploitation types are chosen.
func TestGenderBiasCautionIsShownWhereExploitationTypesAreChosen(t *testing.T) {
	cs := MustReference().CautionFor("exploitation-types")
	if len(cs) != 1 || cs[0].ID != "gender-bias" || cs[0].Section != "§5.2" {
		t.Fatalf("cautions for exploitation types: %+v", cs)
	}
}

// §4.5–§4.9 and §3.3: vulnerability factors and grooming stages are data,
// each citing its section.
func TestVulnerabilityFactorsAndGroomingStagesAreData(t *testing.T) {
	r := MustReference()
	sections := map[string]bool{}
	for _, f := range r.VulnerabilityFactors {
		sections[f.Section] = true
	}
	for _, s := range []string{"§4.5", "§4.7", "§4.8", "§4.9"} {
		if !sections[s] {
			t.Errorf("no vulnerability factor cites %s", s)
		}
	}
	if len(r.GroomingStages) != 4 {
		t.Errorf("%d grooming stages, want the annex diagram's four", len(r.GroomingStages))
	}
}

// A file with a bad entry is refused, naming the file and the entry.
func TestReferenceDataIsValidatedWhenLoaded(t *testing.T) {
	fsys := fstest.MapFS{}
	for _, name := range []string{fileDisruptionPowers, fileRGThreshold, fileGroomingStages, fileCautions, fileVulnerabilityFactors, fileDirectory} {
		raw, err := shipped.ReadFile("data/" + name)
		if err != nil {
			t.Fatal(err)
		}
		fsys[name] = &fstest.MapFile{Data: raw}
	}
	if _, err := ParseReference(fsys); err != nil {
		t.Fatalf("the shipped data does not parse: %v", err)
	}
	fsys[fileRGThreshold] = &fstest.MapFile{Data: []byte(`{"version":"x","description":"","wordings":[
		{"id":"b","effectiveFrom":"2023-06","summary":"s","advice":"a"},
		{"id":"a","effectiveFrom":"2023-01","summary":"s","advice":"a"}]}`)}
	fsys[fileDisruptionPowers] = &fstest.MapFile{Data: []byte(`{"version":"x","description":"","powers":[{"id":"new","label":"New order","section":"§6.8"}]}`)}
	_, err := ParseReference(fsys)
	if err == nil || !strings.Contains(err.Error(), "oldest first") || !strings.Contains(err.Error(), "not in force needs a note") {
		t.Errorf("bad data was accepted or not named: %v", err)
	}
}

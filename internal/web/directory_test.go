package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"waymark/internal/catalog"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// §9.4, §9.5, annex: every signed-in practitioner reads the directory, and
// every entry says when it was last checked and, seeded from the 2020
// procedure, to check it before use.
func TestDirectoryEntriesSayWhenLastChecked(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		b := e.browser()
		b.signIn("dsl@northfield.example")
		rec := b.get("/directory")
		checkPageHygiene(t, "directory", rec)
		page := rec.Body.String()
		seed := catalog.MustReference().Directory
		if n := strings.Count(page, "Last checked</dt>"); n != len(seed) {
			t.Errorf("%d entries say when they were last checked, want all %d", n, len(seed))
		}
		if n := strings.Count(page, "Check before use</strong>"); n != len(seed) {
			t.Errorf("%d entries are marked check before use, want all %d", n, len(seed))
		}
		for _, want := range []string{"Modern Slavery Helpline", "ICTG", "0800 043 4303", "Single Competent Authority", "Beacon", "Missing People", "CEOP", "October 2020"} {
			if !strings.Contains(page, want) {
				t.Errorf("the directory does not show %q", want)
			}
		}
		if strings.Contains(page, "/directory/new") || strings.Contains(page, "/edit\"") {
			t.Error("a practitioner is offered to change the directory")
		}
		token := e.signInAPI("dsl@northfield.example")
		api := e.api("GET", "/api/v1/directory", token, nil)
		if api.Code != http.StatusOK || strings.Count(api.Body.String(), `"lastChecked": "2020-10"`) != len(seed) {
			t.Errorf("API directory: %d %s", api.Code, api.Body)
		}
	})
}

// A partnership lead or administrator corrects an entry with the date they
// checked it; a date that is not one is refused with the error summary and
// the answers kept; the corrected entry no longer says "check before use".
func TestDirectoryIsCorrectedByAdministratorsFromItsPage(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		b := e.browser()
		b.signIn("admin@cs.example")
		form := b.get("/directory/missing-people/edit")
		checkPageHygiene(t, "directory entry", form)
		csrf := b.csrf("/directory/missing-people/edit")
		f := url.Values{"csrf_token": {csrf}, "name": {"Missing People helpline"}, "kind": {"helpline"}, "phone": {"116 000"},
			"lastChecked-day": {"31"}, "lastChecked-month": {"2"}, "lastChecked-year": {"2026"}, "checkBeforeUse": {"no"}, "shown": {"shown"}}
		bad := b.post("/directory/missing-people", f)
		if bad.Code != http.StatusUnprocessableEntity || !strings.Contains(bad.Body.String(), "govuk-error-summary") || !strings.Contains(bad.Body.String(), "116 000") {
			t.Fatalf("an impossible date: %d", bad.Code)
		}
		f.Set("lastChecked-day", "2")
		f.Set("lastChecked-month", "3")
		ok := b.post("/directory/missing-people", f)
		if ok.Code != http.StatusSeeOther {
			t.Fatalf("save: %d %s", ok.Code, ok.Body)
		}
		page := b.get("/directory?done=saved").Body.String()
		i := strings.Index(page, `id="entry-missing-people"`)
		if i < 0 {
			t.Fatal("the entry is gone")
		}
		entry := page[i:]
		entry = entry[:strings.Index(entry, "wm-directory-entry")]
		if !strings.Contains(entry, "116 000") || !strings.Contains(entry, "2 March 2026") || strings.Contains(entry, "Check before use") {
			t.Errorf("the corrected entry: %s", entry)
		}
		if e.count("directory_entries") != 1 {
			t.Error("the edit is not stored")
		}
	})
}

// §5.2, §3.3, §4.5–§4.9, §8.7: the reference data is shown where
// practitioners use it.
func TestGenderBiasCautionIsShownWhereExploitationTypesAreChosen(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		b := e.browser()
		b.signIn("dsl@northfield.example")
		id, _ := b.newDraft()
		r := catalog.MustReference()
		for _, c := range []struct{ step, want string }{
			{"exploitation", r.CautionFor("exploitation-types")[0].Text},
			{"exploitation", r.GroomingStages[0].Hint},
			{"indicators", r.VulnerabilityFactors[0].Label},
			{"evidence", "The Reasonable Grounds test, as worded since"},
		} {
			rec := b.get("/concerns/" + id + "/" + c.step)
			checkPageHygiene(t, c.step, rec)
			if !strings.Contains(htmlUnescape(rec.Body.String()), c.want) {
				t.Errorf("the %s page does not show %q", c.step, c.want)
			}
		}
	})
}

// §8.7: the Reasonable Grounds test, as worded on the day, is shown on the
// NRM referral's evidence sections, with how its wording changed in 2023.
func TestReasonableGroundsWordingIsShownWhereEvidenceIsWritten(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id, _ := e.nrmReadyCase()
		b := e.browser()
		b.signIn("front.door@cs.example")
		w, _ := catalog.MustReference().ThresholdOn(e.clock.Now())
		for _, section := range []string{"exploitation", "insight"} {
			rec := b.get("/cases/" + id + "/nrm-draft/" + section)
			page := htmlUnescape(rec.Body.String())
			if rec.Code != http.StatusOK || !strings.Contains(page, w.Summary) || !strings.Contains(page, "January 2023") {
				t.Errorf("%s: %d, the wording of the day or its history is missing", section, rec.Code)
			}
		}
		if page := b.get("/cases/" + id + "/nrm-draft/background").Body.String(); strings.Contains(page, "The Reasonable Grounds test, as worded") {
			t.Error("the wording is shown on a section that is not evidence")
		}
		// §5.2: the gender-bias caution where the referral's types of exploitation are ticked.
		caution := catalog.MustReference().CautionFor("exploitation-types")[0].Text
		if page := htmlUnescape(b.get("/cases/" + id + "/nrm-draft/exploiters").Body.String()); !strings.Contains(page, caution) {
			t.Error("the gender-bias caution is not shown where the referral's types of exploitation are ticked")
		}
	})
}

// The reference data is in the API's catalogue too: the cautions, grooming
// stages, vulnerability factors, the dated disruption powers (the CCEPO
// listed with no commencement date) and the Reasonable Grounds wordings.
func TestReferenceDataIsInTheAPICatalogue(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		token := e.signInAPI("dsl@northfield.example")
		var got struct {
			Reference struct {
				Cautions                  []catalog.Caution
				GroomingStages            []catalog.GroomingStage
				VulnerabilityFactors      []catalog.VulnerabilityFactor
				DisruptionPowers          []catalog.DisruptionPower
				ReasonableGroundsWordings []catalog.ThresholdWording
				ReasonableGroundsCurrent  string
			}
		}
		decodeInto(t, e.api("GET", "/api/v1/catalog", token, nil), &got)
		r := got.Reference
		if len(r.Cautions) == 0 || len(r.GroomingStages) != 4 || len(r.VulnerabilityFactors) == 0 || len(r.ReasonableGroundsWordings) < 3 || r.ReasonableGroundsCurrent == "" {
			t.Fatalf("reference: %+v", r)
		}
		for _, p := range r.DisruptionPowers {
			if p.ID == "ccepo" && p.EffectiveFrom != "" {
				t.Error("the CCEPO is given a commencement date")
			}
		}
	})
}

package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"waymark/internal/store"
	"waymark/internal/storetest"
)

// §8.7: without JavaScript, the nationality, the places of exploitation and
// where the child is now are plain GOV.UK selects of every entry of the
// form's lists; a chosen entry is saved, and anything else (what the child
// said, typed in by a script) is refused with a GOV.UK error that links to
// its select.
func TestTheListChoicesWorkAsPlainSelectsWithoutJavaScript(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := e.raiseAgeUncertainCase()
		b := e.browser()
		b.signIn("social.worker@cs.example")

		page := b.get("/cases/" + id + "/actions/child-origin").Body.String()
		for _, want := range []string{`<label class="govuk-label" for="nationality">`, `<select class="govuk-select" id="nationality" name="nationality" data-module="list-autocomplete" aria-describedby="nationality-hint">`,
			`<option value="Eritrean">Eritrean</option>`, `<option value="Unknown">Unknown</option>`, `id="countryOfBirth"`, `<option value="Eritrea">Eritrea</option>`} {
			if !strings.Contains(page, want) {
				t.Errorf("the nationality page has no %s", want)
			}
		}
		supportRoundTrip(t, b, id, "child-origin",
			url.Values{"nationality": {"Eritrean (his own account)"}},
			url.Values{"nationality": {"Eritrean"}, "secondNationality": {""}, "nationalityWords": {"Eritrean (his own account)"}, "countryOfBirth": {"Eritrea"}},
			`href="#nationality"`)

		page = b.get("/cases/" + id + "/actions/exploitation-places").Body.String()
		for _, want := range []string{`id="ukTowns"`, `id="ukTowns-2"`, `id="ukTowns-3"`, `for="ukTowns-2">Town or city in the UK 2</label>`, `id="countries-3"`} {
			if !strings.Contains(page, want) {
				t.Errorf("the places page has no %s", want)
			}
		}
		if strings.Contains(page, `id="ukTowns-4"`) {
			t.Error("the places page offers more boxes than it needs before any is chosen")
		}
		supportRoundTrip(t, b, id, "exploitation-places",
			url.Values{"ukTowns": {"Dover", "Eastshire town centre", ""}},
			url.Values{"ukTowns": {"Dover", "", "Folkestone"}, "countries": {"Libya", "Italy", ""}, "ukWords": {"A lorry park he could not name"}},
			`href="#ukTowns"`)
		view, err := e.svc.Case(context.Background(), e.p.SocialWorker, id)
		if err != nil {
			t.Fatal(err)
		}
		ex := view.Case.Places.Exploitation
		if o := view.Case.Places.Origin; o == nil || !slices.Equal(o.Nationalities, []string{"Eritrean"}) || o.NationalityWords != "Eritrean (his own account)" {
			t.Fatalf("the child's origin: %+v", o)
		}
		if ex == nil || !slices.Equal(ex.UKTowns, []string{"Dover", "Folkestone"}) || !slices.Equal(ex.Countries, []string{"Libya", "Italy"}) {
			t.Fatalf("the places: %+v", ex)
		}
		// Saved again, the page shows what is chosen and two more boxes.
		page = b.get("/cases/" + id + "/actions/exploitation-places").Body.String()
		if !strings.Contains(page, `id="ukTowns-4"`) || strings.Contains(page, `id="ukTowns-5"`) || !strings.Contains(page, `<option value="Folkestone" selected>`) {
			t.Error("the places page does not show the chosen towns and two more boxes")
		}

		supportRoundTrip(t, b, id, "where-child-is-now",
			url.Values{"town": {"Dover"}, "region": {"Eastshire"}},
			url.Values{"town": {"Dover"}, "region": {"Kent"}},
			`href="#region"`)
		if rec := b.get("/cases/" + id + "/actions/where-child-is-now"); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `<option value="Kent" selected>`) {
			t.Fatalf("where the child is now, again: %d", rec.Code)
		}
		if concern := b.get("/cases/" + id + "/concern").Body.String(); !strings.Contains(concern, "UK: Dover, Folkestone") || !strings.Contains(concern, "In their words: Eritrean (his own account)") {
			t.Error("the concern page does not show the list choices beside the child's words")
		}
		if support := b.get("/cases/" + id + "/support").Body.String(); !strings.Contains(support, "Dover, Kent") {
			t.Error("the support page does not show the town and area where the child is now")
		}
	})
}

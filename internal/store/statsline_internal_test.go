package store

import (
	"reflect"
	"testing"

	"waymark/internal/stats"
)

// Whether a case's statistics rows are left alone by an event is decided by
// comparing caseLine before and after it (sameStatistics): a field of the
// row that caseLine left out would never be rewritten when only it changed.
// Each field, changed alone, changes the line.
func TestEveryFieldOfACasesStatisticsRowDecidesWhetherItIsRewritten(t *testing.T) {
	var base stats.CaseRow
	typ := reflect.TypeFor[stats.CaseRow]()
	for i := range typ.NumField() {
		changed := base
		f := reflect.ValueOf(&changed).Elem().Field(i)
		switch f.Kind() {
		case reflect.String:
			f.SetString("changed")
		case reflect.Slice:
			f.Set(reflect.ValueOf([]string{"changed"}))
		default:
			t.Fatalf("stats.CaseRow.%s is a %s: teach this test and caseLine about it", typ.Field(i).Name, f.Kind())
		}
		if caseLine(changed) == caseLine(base) {
			t.Errorf("stats.CaseRow.%s changed alone leaves caseLine as it was", typ.Field(i).Name)
		}
		a, b := projection{statsCase: base}, projection{statsCase: changed}
		if sameStatistics(a, b) {
			t.Errorf("stats.CaseRow.%s changed alone: sameStatistics says the rows are alike", typ.Field(i).Name)
		}
	}
	a := projection{statsEvents: []stats.EventRow{{Kind: "clock", Outcome: "open"}}}
	b := projection{statsEvents: []stats.EventRow{{Kind: "clock", Outcome: "met"}}}
	if sameStatistics(a, b) || sameStatistics(a, projection{}) || !sameStatistics(a, a) {
		t.Error("sameStatistics does not compare the counted happenings")
	}
}

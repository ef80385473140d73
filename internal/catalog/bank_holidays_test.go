package catalog

import (
	"bytes"
	"cmp"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// go test ./internal/catalog -run TestShippedBankHolidaysFollowTheRules -update-bank-holidays
// rewrites the shipped file from the rules below (review the diff before committing).
var updateBankHolidays = flag.Bool("update-bank-holidays", false, "rewrite data/"+fileBankHolidays+" from the rules in this test")

const (
	firstCalendarYear = 2018
	lastCalendarYear  = 2032
)

// oneOffChanges are the announced departures from the regular rules (PATHWAY.md §5).
// None are known from 2027 onwards.
var oneOffChanges = []struct {
	remove []string
	add    []Holiday
}{
	{ // 2020: the early May bank holiday moved to Friday for the 75th anniversary of VE Day
		remove: []string{"2020-05-04"},
		add:    []Holiday{{"2020-05-08", "Early May bank holiday (VE Day)"}},
	},
	{ // 2022: spring bank holiday moved to Thursday 2 June, with Friday 3 June added (Platinum Jubilee)
		remove: []string{"2022-05-30"},
		add: []Holiday{
			{"2022-06-02", "Spring bank holiday"},
			{"2022-06-03", "Platinum Jubilee bank holiday"},
		},
	},
	{ // 2022: the State Funeral of Queen Elizabeth II
		add: []Holiday{{"2022-09-19", "Bank holiday for the State Funeral of Queen Elizabeth II"}},
	},
	{ // 2023: the coronation of King Charles III
		add: []Holiday{{"2023-05-08", "Bank holiday for the coronation of King Charles III"}},
	},
}

// easterSunday uses the anonymous Gregorian algorithm (Meeus/Jones/Butcher).
func easterSunday(year int) time.Time {
	a := year % 19
	b, c := year/100, year%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
}

// firstMonday and lastMonday of a month, as dates in UTC.
func firstMonday(year int, month time.Month) time.Time {
	d := time.Date(year, month, 1, 0, 0, 0, 0, time.UTC)
	for d.Weekday() != time.Monday {
		d = d.AddDate(0, 0, 1)
	}
	return d
}

func lastMonday(year int, month time.Month) time.Time {
	d := time.Date(year, month+1, 0, 0, 0, 0, 0, time.UTC)
	for d.Weekday() != time.Monday {
		d = d.AddDate(0, 0, -1)
	}
	return d
}

func isWeekend(d time.Time) bool {
	return d.Weekday() == time.Saturday || d.Weekday() == time.Sunday
}

// regularBankHolidays applies the standing rules for one year. A holiday on a
// weekend moves to the next weekday that is not already a holiday, after the
// holidays that fall on weekdays have taken their own dates.
func regularBankHolidays(year int) []Holiday {
	easter := easterSunday(year)
	rules := []struct {
		title string
		day   time.Time
	}{
		{"New Year's Day", time.Date(year, time.January, 1, 0, 0, 0, 0, time.UTC)},
		{"Good Friday", easter.AddDate(0, 0, -2)},
		{"Easter Monday", easter.AddDate(0, 0, 1)},
		{"Early May bank holiday", firstMonday(year, time.May)},
		{"Spring bank holiday", lastMonday(year, time.May)},
		{"Summer bank holiday", lastMonday(year, time.August)},
		{"Christmas Day", time.Date(year, time.December, 25, 0, 0, 0, 0, time.UTC)},
		{"Boxing Day", time.Date(year, time.December, 26, 0, 0, 0, 0, time.UTC)},
	}
	taken := map[time.Time]bool{}
	for _, r := range rules {
		if !isWeekend(r.day) {
			taken[r.day] = true
		}
	}
	var out []Holiday
	for _, r := range rules {
		day, title := r.day, r.title
		if isWeekend(day) {
			for isWeekend(day) || taken[day] {
				day = day.AddDate(0, 0, 1)
			}
			taken[day] = true
			title += " (substitute day)"
		}
		out = append(out, Holiday{day.Format(time.DateOnly), title})
	}
	return out
}

// expectedBankHolidays is the whole calendar: the regular rules for every
// covered year, then the one-off changes, sorted by date.
func expectedBankHolidays(t *testing.T) []Holiday {
	t.Helper()
	var all []Holiday
	for y := firstCalendarYear; y <= lastCalendarYear; y++ {
		all = append(all, regularBankHolidays(y)...)
	}
	for _, change := range oneOffChanges {
		for _, date := range change.remove {
			i := slices.IndexFunc(all, func(h Holiday) bool { return h.Date == date })
			if i < 0 {
				t.Fatalf("one-off change removes %s, which the regular rules do not produce", date)
			}
			all = slices.Delete(all, i, i+1)
		}
		all = append(all, change.add...)
	}
	slices.SortFunc(all, func(a, b Holiday) int { return cmp.Compare(a.Date, b.Date) })
	return all
}

func TestShippedBankHolidaysFollowTheRules(t *testing.T) {
	want := expectedBankHolidays(t)
	path := filepath.Join("data", fileBankHolidays)

	if *updateBankHolidays {
		var buf bytes.Buffer
		buf.WriteString("[\n")
		for i, h := range want {
			line, err := json.Marshal(h)
			if err != nil {
				t.Fatal(err)
			}
			buf.WriteString("  ")
			buf.Write(line)
			if i < len(want)-1 {
				buf.WriteByte(',')
			}
			buf.WriteByte('\n')
		}
		buf.WriteString("]\n")
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Skipf("rewrote %s; run the tests again to check the embedded copy", path)
	}

	got := MustLoad().Holidays.Holidays()
	for i := 0; i < max(len(got), len(want)); i++ {
		var g, w Holiday
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if g != w {
			t.Errorf("holiday %d: shipped %+v, rules give %+v", i, g, w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("shipped %d holidays, rules give %d", len(got), len(want))
	}
}

package catalog

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"
	_ "time/tzdata" // Europe/London must resolve on a machine without a zoneinfo database
)

// Holiday is one England and Wales bank holiday.
type Holiday struct {
	Date  string `json:"date"` // YYYY-MM-DD
	Title string `json:"title"`
}

// Calendar is the England and Wales bank-holiday calendar used by working-day
// clocks, such as the Reasonable Grounds decision target. Every question is
// answered on the calendar date in Europe/London, whatever the location of the
// time.Time passed in. The zero Calendar has no holidays and covers no year.
type Calendar struct {
	holidays            []Holiday
	dates               map[civilDate]bool
	firstYear, lastYear int // the years the list covers
}

// civilDate is a calendar date with no time of day or location.
type civilDate struct {
	year  int
	month time.Month
	day   int
}

var londonLocation = sync.OnceValues(func() (*time.Location, error) {
	return time.LoadLocation("Europe/London")
})

// london returns Europe/London. The zone database is embedded (time/tzdata),
// so failure means a broken build, not a condition to handle at run time.
func london() *time.Location {
	loc, err := londonLocation()
	if err != nil {
		panic(fmt.Sprintf("catalog: loading Europe/London: %v", err))
	}
	return loc
}

func londonDate(t time.Time) civilDate {
	y, m, d := t.In(london()).Date()
	return civilDate{y, m, d}
}

// weekday of a civil date; noon UTC keeps clear of any zone transition.
func (d civilDate) weekday() time.Weekday {
	return time.Date(d.year, d.month, d.day, 12, 0, 0, 0, time.UTC).Weekday()
}

// newCalendar validates the holiday list: every date real, in YYYY-MM-DD form,
// on a weekday, strictly ascending, titled, and every year between the first
// and the last present (so Covers is honest).
func newCalendar(holidays []Holiday) (Calendar, error) {
	var p problems
	if len(holidays) == 0 {
		p.add(fileBankHolidays, "holidays", "the list is empty")
		return Calendar{}, errors.Join(p.errs...)
	}
	c := Calendar{
		holidays: slices.Clone(holidays),
		dates:    make(map[civilDate]bool, len(holidays)),
	}
	years := make(map[int]bool)
	var previous time.Time
	for _, h := range holidays {
		name := fmt.Sprintf("holiday %q", h.Date)
		day, err := time.Parse(time.DateOnly, h.Date)
		if err != nil || day.Format(time.DateOnly) != h.Date {
			p.add(fileBankHolidays, name, "date is not a valid YYYY-MM-DD date")
			continue
		}
		p.checkLabel(fileBankHolidays, name, "title", h.Title)
		if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday {
			p.add(fileBankHolidays, name, "falls on a %s; a bank holiday is always a weekday", wd)
		}
		if !previous.IsZero() && !day.After(previous) {
			p.add(fileBankHolidays, name, "is not after %s: dates must be sorted and unique", previous.Format(time.DateOnly))
		}
		previous = day
		y, m, d := day.Date()
		c.dates[civilDate{y, m, d}] = true
		years[y] = true
	}
	if len(years) > 0 {
		c.firstYear = slices.Min(slices.Collect(maps.Keys(years)))
		c.lastYear = slices.Max(slices.Collect(maps.Keys(years)))
		for y := c.firstYear; y <= c.lastYear; y++ {
			if !years[y] {
				p.add(fileBankHolidays, fmt.Sprintf("year %d", y), "has no holidays although earlier and later years do")
			}
		}
	}
	if err := errors.Join(p.errs...); err != nil {
		return Calendar{}, err
	}
	return c, nil
}

// Holidays returns a copy of the shipped list, oldest first.
func (c Calendar) Holidays() []Holiday {
	return slices.Clone(c.holidays)
}

// Covers reports whether the Europe/London date of day falls in a year the
// data covers. Outside those years IsHoliday knows of no holidays, so a
// working-day clock reaching that far should be flagged.
func (c Calendar) Covers(day time.Time) bool {
	if len(c.holidays) == 0 {
		return false
	}
	y := londonDate(day).year
	return y >= c.firstYear && y <= c.lastYear
}

// IsHoliday reports whether the Europe/London date of day is a bank holiday.
func (c Calendar) IsHoliday(day time.Time) bool {
	return c.dates[londonDate(day)]
}

// IsWorkingDay reports whether the Europe/London date of day is Monday to
// Friday and not a bank holiday.
func (c Calendar) IsWorkingDay(day time.Time) bool {
	return c.isWorkingDate(londonDate(day))
}

func (c Calendar) isWorkingDate(d civilDate) bool {
	switch d.weekday() {
	case time.Saturday, time.Sunday:
		return false
	}
	return !c.dates[d]
}

// AddWorkingDays returns the moment n working days after start: it steps one
// Europe/London calendar day at a time, counts only working days, and keeps
// the local time of day of start. A negative n counts backwards; zero returns
// start. The result is in start's location.
//
// UK clocks change on Sundays, which are never working days, so the local
// time of day always exists exactly once on the day reached.
func (c Calendar) AddWorkingDays(start time.Time, n int) time.Time {
	if n == 0 {
		return start
	}
	loc := london()
	local := start.In(loc)
	y, m, d := local.Date()
	hour, minute, sec := local.Clock()
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	for n > 0 {
		y, m, d = time.Date(y, m, d+step, 12, 0, 0, 0, time.UTC).Date()
		if c.isWorkingDate(civilDate{y, m, d}) {
			n--
		}
	}
	return time.Date(y, m, d, hour, minute, sec, local.Nanosecond(), loc).In(start.Location())
}

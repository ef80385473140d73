package catalog

import (
	"testing"
	"time"
)

func londonTime(t *testing.T, value string) time.Time {
	t.Helper()
	tm, err := time.ParseInLocation("2006-01-02 15:04", value, london())
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

func TestNRMTargetSkipsChristmasAndNewYear(t *testing.T) {
	cal := MustLoad().Holidays
	// PATHWAY.md §5: Reasonable Grounds target is 5 working days after submission.
	submitted := londonTime(t, "2026-12-23 15:30") // a Wednesday
	got := cal.AddWorkingDays(submitted, 5)
	want := londonTime(t, "2027-01-04 15:30") // a Monday
	if !got.Equal(want) {
		t.Errorf("target = %s, want %s", got, want)
	}
	if got.Weekday() != time.Monday {
		t.Errorf("target falls on %s, want Monday", got.Weekday())
	}
}

func TestAddWorkingDays(t *testing.T) {
	cal := MustLoad().Holidays
	tests := []struct {
		name  string
		start string
		n     int
		want  string
	}{
		{"same week", "2026-03-02 09:00", 3, "2026-03-05 09:00"},
		{"over a weekend", "2026-03-05 09:00", 2, "2026-03-09 09:00"},
		{"submitted on a Saturday counts from Monday", "2026-03-07 11:00", 1, "2026-03-09 11:00"},
		{"over Easter 2027", "2027-03-25 10:00", 1, "2027-03-30 10:00"},
		{"over the early May bank holiday", "2027-04-30 10:00", 1, "2027-05-04 10:00"},
		{"over the moved Christmas of 2027", "2027-12-24 08:00", 1, "2027-12-29 08:00"},
		{"over the 2022 jubilee", "2022-06-01 12:00", 1, "2022-06-06 12:00"},
		{"into summer time keeps the local hour", "2027-03-24 09:00", 3, "2027-03-31 09:00"},
		{"out of summer time keeps the local hour", "2027-10-28 09:00", 2, "2027-11-01 09:00"},
		{"backwards over Christmas", "2027-01-04 15:30", -5, "2026-12-23 15:30"},
		{"zero days is the same moment", "2026-03-07 11:00", 0, "2026-03-07 11:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := cal.AddWorkingDays(londonTime(t, tt.start), tt.n)
			want := londonTime(t, tt.want)
			if !got.Equal(want) {
				t.Errorf("AddWorkingDays(%s, %d) = %s, want %s", tt.start, tt.n, got.In(london()), want)
			}
		})
	}
}

func TestAddWorkingDaysAnswersInTheLocationOfStart(t *testing.T) {
	cal := MustLoad().Holidays
	// 08:00 UTC on Thursday 28 October 2027 is 09:00 in London (summer time);
	// two working days later, after the clocks go back, 09:00 in London is 09:00 UTC.
	start := time.Date(2027, time.October, 28, 8, 0, 0, 0, time.UTC)
	got := cal.AddWorkingDays(start, 2)
	want := time.Date(2027, time.November, 1, 9, 0, 0, 0, time.UTC)
	if !got.Equal(want) || got.Location() != time.UTC {
		t.Errorf("AddWorkingDays = %s (%s), want %s in UTC", got, got.Location(), want)
	}
}

func TestEaster2027(t *testing.T) {
	cal := MustLoad().Holidays
	for _, day := range []string{"2027-03-26 12:00", "2027-03-29 12:00"} { // Good Friday, Easter Monday
		if tm := londonTime(t, day); !cal.IsHoliday(tm) || cal.IsWorkingDay(tm) {
			t.Errorf("%s: IsHoliday = %v, IsWorkingDay = %v; want a bank holiday", day, cal.IsHoliday(tm), cal.IsWorkingDay(tm))
		}
	}
	if tm := londonTime(t, "2027-03-25 12:00"); !cal.IsWorkingDay(tm) {
		t.Error("Maundy Thursday 2027 should be a working day")
	}
}

func TestChristmas2027OnAWeekendMovesToMondayAndTuesday(t *testing.T) {
	cal := MustLoad().Holidays
	tests := []struct {
		day        string
		holiday    bool
		workingDay bool
	}{
		{"2027-12-24", false, true},  // Friday, Christmas Eve
		{"2027-12-25", false, false}, // Saturday, Christmas Day itself
		{"2027-12-26", false, false}, // Sunday, Boxing Day itself
		{"2027-12-27", true, false},  // Monday, Christmas Day substitute
		{"2027-12-28", true, false},  // Tuesday, Boxing Day substitute
		{"2027-12-29", false, true},  // Wednesday
	}
	for _, tt := range tests {
		tm := londonTime(t, tt.day+" 10:00")
		if got := cal.IsHoliday(tm); got != tt.holiday {
			t.Errorf("IsHoliday(%s) = %v, want %v", tt.day, got, tt.holiday)
		}
		if got := cal.IsWorkingDay(tm); got != tt.workingDay {
			t.Errorf("IsWorkingDay(%s) = %v, want %v", tt.day, got, tt.workingDay)
		}
	}
}

func TestOneOffBankHolidaysOf2022(t *testing.T) {
	cal := MustLoad().Holidays
	tests := []struct {
		day     string
		holiday bool
	}{
		{"2022-05-30", false}, // the usual spring bank holiday, moved that year
		{"2022-06-02", true},  // spring bank holiday, moved
		{"2022-06-03", true},  // Platinum Jubilee
		{"2022-09-19", true},  // State Funeral of Queen Elizabeth II
		{"2020-05-04", false}, // 2020: early May moved to VE Day
		{"2020-05-08", true},
		{"2023-05-08", true}, // coronation
	}
	for _, tt := range tests {
		if got := cal.IsHoliday(londonTime(t, tt.day+" 10:00")); got != tt.holiday {
			t.Errorf("IsHoliday(%s) = %v, want %v", tt.day, got, tt.holiday)
		}
	}
}

func TestHolidayIsJudgedOnTheLondonDate(t *testing.T) {
	cal := MustLoad().Holidays
	// 23:30 UTC on Sunday 29 August 2027 is already Monday 30 August in London
	// (summer time): the summer bank holiday.
	late := time.Date(2027, time.August, 29, 23, 30, 0, 0, time.UTC)
	if !cal.IsHoliday(late) {
		t.Error("23:30 UTC on 29 August 2027 is the summer bank holiday in London")
	}
	if cal.IsWorkingDay(late) {
		t.Error("the summer bank holiday is not a working day")
	}
	// 23:30 UTC on Monday 30 August is Tuesday in London: a working day.
	if !cal.IsWorkingDay(late.Add(24 * time.Hour)) {
		t.Error("Tuesday 31 August 2027 in London is a working day")
	}
}

func TestCalendarCovers2018Through2032(t *testing.T) {
	cal := MustLoad().Holidays
	tests := []struct {
		day    string
		covers bool
	}{
		{"2017-12-31 12:00", false},
		{"2018-01-01 00:00", true},
		{"2026-06-15 12:00", true},
		{"2032-12-31 23:59", true},
		{"2033-01-01 00:00", false},
	}
	for _, tt := range tests {
		if got := cal.Covers(londonTime(t, tt.day)); got != tt.covers {
			t.Errorf("Covers(%s) = %v, want %v", tt.day, got, tt.covers)
		}
	}
	if (Calendar{}).Covers(londonTime(t, "2026-06-15 12:00")) {
		t.Error("an empty calendar covers nothing")
	}
}

func TestHolidaysReturnsACopy(t *testing.T) {
	cal := MustLoad().Holidays
	list := cal.Holidays()
	list[0].Title = "changed"
	if cal.Holidays()[0].Title == "changed" {
		t.Error("changing the returned list changed the calendar")
	}
}

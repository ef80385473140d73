package casework

import (
	"context"
	"crypto/sha256"
	"slices"
	"strconv"
	"time"

	"waymark"
	"waymark/internal/audit"
	"waymark/internal/pathway"
	"waymark/internal/stats"
	"waymark/internal/store"
)

// ActionStatisticsViewed is the audit action of a statistics page or API
// read (issue 15): the figures name no child, but who looked, and at which
// period, is kept as for every other page of the partnership's work.
const ActionStatisticsViewed = "statistics.viewed"

var errNoStatistics = waymark.Errorf(waymark.EFORBIDDEN, "The partnership's statistics are for the partnership lead and analysts.")

// SeesStatistics says whether the viewer sees the partnership's statistics
// (pathway.MaySeeStatistics), signed in as a person: machine clients do not.
func (v Viewer) SeesStatistics() bool {
	return pathway.MaySeeStatistics(v.User.Role) && v.Client == nil
}

// statisticsPartnership is the partnership whose statistics a viewer sees,
// and how reports name it: the partnership of the viewer's own organisation
// (a lead or analyst of one partnership never counts another's cases).
func statisticsPartnership(tx *store.Tx, v Viewer) (id, name, slug string, err error) {
	id, err = tx.OrganisationPartnership(v.User.OrgID)
	if err != nil {
		return "", "", "", err
	}
	ps, err := tx.Partnerships()
	if err != nil {
		return "", "", "", err
	}
	for _, p := range ps {
		if p.ID == id {
			return id, p.Name, p.Slug, nil
		}
	}
	// An organisation in no partnership counts nothing of anyone's.
	return "\x00none", "No partnership", "no-partnership", nil
}

// StatisticsReport counts the viewer's partnership's work in period p from
// the statistics read model (never by opening a case) and publishes it
// under disclosure control, with the threshold and rounding the
// partnership's dated settings give on the day the period ends. The read
// is audited.
func (s *Service) StatisticsReport(ctx context.Context, v Viewer, p stats.Period) (stats.Report, error) {
	if !v.SeesStatistics() {
		return stats.Report{}, errNoStatistics
	}
	if err := v.require(ScopeRead); err != nil {
		return stats.Report{}, err
	}
	// The rows are read, and the look audited, in one transaction; counting
	// and disclosure control run after it, so that no write waits on them.
	var (
		name, slug string
		settings   pathway.DatedSettings
		cases      []stats.CaseRow
		events     []stats.EventRow
	)
	var cuts []stats.Period
	err := s.DB.ViewAudited(ctx, func(tx *store.Tx) (audit.Entry, error) {
		id, n, sl, err := statisticsPartnership(tx, v)
		if err != nil {
			return audit.Entry{}, err
		}
		name, slug = n, sl
		if settings, err = tx.Settings(id); err != nil {
			return audit.Entry{}, err
		}
		if cuts, err = s.statisticsCuts(settings, p); err != nil {
			return audit.Entry{}, err
		}
		if cases, events, err = tx.StatisticsRows(id, false, p.From.Format("2006-01"), p.To.Format("2006-01")); err != nil {
			return audit.Entry{}, err
		}
		return s.auditEntry(v, "", ActionStatisticsViewed, "period "+p.Slug), nil
	})
	if err != nil {
		return stats.Report{}, err
	}
	return s.publishStatistics(cases, events, cuts, settings, name, slug), nil
}

// StatisticsYears is how the viewer's partnership publishes on the day:
// the kind of year (stats.YearCalendar or stats.YearFinancial), the year a
// page shows when none is asked for (the latest with figures published),
// and the recent years to offer.
func (s *Service) StatisticsYears(ctx context.Context, v Viewer) (kind, latest string, recent []string, err error) {
	var settings pathway.DatedSettings
	if err := s.DB.View(ctx, func(tx *store.Tx) error {
		id, _, _, err := statisticsPartnership(tx, v)
		if err != nil {
			return err
		}
		settings, err = tx.Settings(id)
		return err
	}); err != nil {
		return "", "", nil, err
	}
	now := s.now().In(pathway.London)
	kind = settings.Setting(pathway.SettingStatisticsYear).On(now)
	for d := now; len(recent) < 3 && d.Year() > now.Year()-12; d = d.AddDate(-1, 0, 0) {
		for _, k := range []string{kind, otherYearKind(kind)} {
			y := stats.YearSlug(k, d)
			p, _ := stats.ParsePeriod(y)
			if c, why := s.cutsOf(settings, p); why == "" && len(c) > 0 && !slices.Contains(recent, y) {
				recent = append(recent, y)
			}
		}
	}
	if len(recent) == 0 {
		recent = []string{stats.YearSlug(kind, now)}
	}
	return kind, recent[0], recent, nil
}

// statisticsCuts are the cumulative periods year p is published as today
// (stats.Cuts), or why it is not published, with the latest year that is:
// it is not the partnership's kind of year, it overlaps a year of the
// other kind that is published instead, it has not begun, or no quarter of
// it has ended. Where the partnership counts the year in progress to today,
// the year itself, to today, is the last cut.
func (s *Service) statisticsCuts(settings pathway.DatedSettings, p stats.Period) ([]stats.Period, error) {
	cuts, why := s.cutsOf(settings, p)
	if why == "" {
		return cuts, nil
	}
	if latest := s.latestStatisticsYear(settings); latest != "" {
		why += " The latest year with figures is " + latest + "."
	}
	return nil, waymark.Invalid([]waymark.FieldError{{Field: "period", Message: why}})
}

// latestStatisticsYear is the latest year of either kind with figures
// published today, or "".
func (s *Service) latestStatisticsYear(settings pathway.DatedSettings) string {
	now := s.now().In(pathway.London)
	for d := now; d.Year() > now.Year()-12; d = d.AddDate(-1, 0, 0) {
		for _, k := range []string{stats.YearFinancial, stats.YearCalendar} {
			y := stats.YearSlug(k, d)
			if p, ok := stats.ParsePeriod(y); ok {
				if _, why := s.cutsOf(settings, p); why == "" {
					return y
				}
			}
		}
	}
	return ""
}

// cutsOf is statisticsCuts without the hint: the cuts, or why there are none.
func (s *Service) cutsOf(settings pathway.DatedSettings, p stats.Period) ([]stats.Period, string) {
	now := s.now().In(pathway.London)
	// The kind of year is the one in force on the year's first day, so a
	// change made during a year applies from the next; and a year is
	// refused if it overlaps a year of the other kind that was (by the same
	// rule) the partnership's kind, so two overlapping years are never both
	// published, whatever the setting's history.
	kindAt := func(t time.Time) string { return settings.Setting(pathway.SettingStatisticsYear).On(t) }
	kind := kindAt(p.From)
	if p.YearKind() == kind {
		for _, o := range overlappingYears(p) {
			if kindAt(o.From) == o.YearKind() {
				return nil, "The partnership changed how it publishes: " + p.Label + " overlaps " + o.Label + ", which is published instead, and the difference would give small counts away."
			}
		}
	}
	if p.YearKind() != kind {
		if kind == stats.YearFinancial {
			return nil, "The partnership publishes by financial year (like 2025-26), so " + p.Label + " is not published. A calendar year overlaps two financial years, and the difference would give small counts away."
		}
		return nil, "The partnership publishes by calendar year (like 2025), so " + p.Label + " is not published. A financial year overlaps two calendar years, and the difference would give small counts away."
	}
	if !p.From.Before(now) {
		return nil, p.Label + " has not begun."
	}
	// How a year in progress is published is decided, like the kind of
	// year, as on its first day: the cuts of a year are protected together
	// only if they are the same cuts all year.
	switch settings.Setting(pathway.SettingStatisticsYearSoFar).On(p.From) {
	case "quarter":
		if cuts := stats.Cuts(p, now); len(cuts) > 0 {
			return cuts, ""
		}
		return nil, "No quarter of " + p.Label + " has ended yet. Its first figures are published on " + p.From.AddDate(0, 3, 0).Format("2 January 2006") + "."
	case "today":
		cuts := stats.Cuts(p, now)
		if now.Before(p.To) {
			so := p
			so.Label = p.Label + ", to today (the year so far, provisional)"
			cuts = append(cuts, so)
		}
		return cuts, ""
	default: // "year": once it has ended, and then as one whole
		if now.Before(p.To) {
			return nil, p.Label + " has not ended: its figures are published on " + p.To.Format("2 January 2006") + ", once it has."
		}
		return []stats.Period{p}, ""
	}
}

// publishStatistics is counting and disclosure control, without the store:
// StatisticsReport and the benchmarks run it.
//
// cuts are the cumulative cuts of one year (statisticsCuts); the last is
// published, under disclosure control that also defends the earlier ones
// (stats.PublishSeries).
func (s *Service) publishStatistics(cases []stats.CaseRow, events []stats.EventRow, cuts []stats.Period, settings pathway.DatedSettings, name, slug string) stats.Report {
	// As on the year's first day, so that every cut of a year is published
	// under the same rules, and a change made during a year applies from
	// the next (a cut protected against earlier cuts under other rules
	// would defend what they did not show).
	first := cuts[0].From
	threshold, _ := strconv.Atoi(settings.Setting(pathway.SettingStatisticsThreshold).On(first))
	round, _ := strconv.Atoi(settings.Setting(pathway.SettingStatisticsRounding).On(first))
	var digest [sha256.Size]byte
	keep := s.published != nil // a Service not made by New keeps nothing
	if keep {
		digest, keep = statisticsInputs{Cases: cases, Events: events, Cuts: cuts, Threshold: threshold, Round: round,
			Name: name, Slug: slug, Day: s.now().In(pathway.London).Format("2006-01-02")}.digest()
	}
	if keep {
		if r, ok := s.published.get(digest); ok {
			r.Generated = s.now()
			return r
		}
	}
	o := stats.Options{Now: s.now(), Calendar: s.Catalog.Holidays,
		Group: func(id string) string {
			if t, ok := s.Catalog.ExploitationType(id); ok {
				return t.StatisticsGroup
			}
			return ""
		},
		Label: statisticsLabel,
	}
	raws := make([]stats.Raw, len(cuts))
	for i, c := range cuts {
		o.Period = c
		raws[i] = stats.Tally(cases, events, o)
	}
	r := stats.PublishSeries(raws, stats.Config{Threshold: threshold, RoundTo: round, Partnership: name, PartnershipSlug: slug, Generated: s.now()})
	if keep {
		s.published.put(digest, r)
	}
	return r
}

// statisticsLabel names a breakdown's value as people read it.
func statisticsLabel(breakdown, value string) string {
	switch breakdown {
	case "gender":
		for _, g := range pathway.Genders() {
			if g.Value == value {
				return g.Text
			}
		}
	case "maker":
		return pathway.MakerLabel(value, "")
	case "referrer":
		return orgKindLabels[value]
	case "clock":
		return clockKindLabels[pathway.ClockKind(value)]
	}
	return ""
}

var orgKindLabels = map[string]string{"local-authority": "Local authority", "police": "Police", "health": "Health",
	"school": "School or college", "voluntary": "Voluntary sector", "support": "Support service"}

var clockKindLabels = map[pathway.ClockKind]string{
	pathway.ClockNotifyChildrensServices:      "Children's Services told of the concern (§8.5)",
	pathway.ClockOutcomeToReferrer:            "Outcome given to the referrer",
	pathway.ClockMeetingAction:                "Meeting actions",
	pathway.ClockNRMReasonableGrounds:         "Reasonable Grounds decision (§8.7)",
	pathway.ClockNRMEarliestConclusiveGrounds: "Earliest Conclusive Grounds decision",
	pathway.ClockReturnInterview:              "Return interview after a missing episode (§7.1)",
	pathway.ClockUKVIConfirmation:             "Confirmation from UK Visas and Immigration",
	pathway.ClockPlacementMissingRisk:         "First 72 hours of a placement (§4.3)",
}

func otherYearKind(kind string) string {
	if kind == stats.YearFinancial {
		return stats.YearCalendar
	}
	return stats.YearFinancial
}

// overlappingYears are the two years of the other kind that overlap p.
func overlappingYears(p stats.Period) []stats.Period {
	var slugs []string
	y := p.From.Year()
	if p.YearKind() == stats.YearCalendar {
		slugs = []string{stats.YearSlug(stats.YearFinancial, p.From), stats.YearSlug(stats.YearFinancial, p.To.AddDate(0, 0, -1))}
	} else {
		slugs = []string{strconv.Itoa(y), strconv.Itoa(y + 1)}
	}
	var out []stats.Period
	for _, sl := range slugs {
		if o, ok := stats.ParsePeriod(sl); ok {
			out = append(out, o)
		}
	}
	return out
}

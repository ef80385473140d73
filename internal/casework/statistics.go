package casework

import (
	"context"
	"strconv"

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
	err := s.DB.ViewAudited(ctx, func(tx *store.Tx) (audit.Entry, error) {
		id, n, sl, err := statisticsPartnership(tx, v)
		if err != nil {
			return audit.Entry{}, err
		}
		name, slug = n, sl
		if settings, err = tx.Settings(); err != nil {
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
	return s.publishStatistics(cases, events, p, settings, name, slug), nil
}

// publishStatistics is counting and disclosure control, without the store:
// StatisticsReport and the benchmarks run it.
func (s *Service) publishStatistics(cases []stats.CaseRow, events []stats.EventRow, p stats.Period, settings pathway.DatedSettings, name, slug string) stats.Report {
	last := p.To.AddDate(0, 0, -1)
	threshold, _ := strconv.Atoi(settings.Setting(pathway.SettingStatisticsThreshold).On(last))
	round, _ := strconv.Atoi(settings.Setting(pathway.SettingStatisticsRounding).On(last))
	raw := stats.Tally(cases, events, stats.Options{Period: p, Now: s.now(), Calendar: s.Catalog.Holidays,
		Group: func(id string) string {
			if t, ok := s.Catalog.ExploitationType(id); ok {
				return t.StatisticsGroup
			}
			return ""
		},
		Label: statisticsLabel,
	})
	return stats.Publish(raw, stats.Config{Threshold: threshold, RoundTo: round, Partnership: name, PartnershipSlug: slug, Generated: s.now()})
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

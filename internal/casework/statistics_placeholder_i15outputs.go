package casework

// PLACEHOLDER (i15-outputs): the lead deletes this file at merge, when
// i15-stats's internal/casework/statistics.go brings the real
// StatisticsReport (counting from the read models under disclosure control).
// It gives the pages, exports and annual report of issue 15 a small fixed
// Report to render, for partnership leads only, audited like the real one.

import (
	"context"
	"fmt"
	"time"

	"waymark"
	"waymark/internal/pathway"
	"waymark/internal/stats"
)

const (
	placeholderStatisticsViewed = "statistics.viewed"
	placeholderStatisticsDenied = "statistics.denied"
)

// StatisticsReport is the published Report for the viewer's partnership and
// period p (§1.5, §8.10(4)). Placeholder: a fixed sample.
func (s *Service) StatisticsReport(ctx context.Context, v Viewer, p stats.Period) (stats.Report, error) {
	if err := v.require(ScopeRead); err != nil {
		return stats.Report{}, err
	}
	if v.IsMachineClient() || v.User.Role != pathway.RolePartnershipLead {
		if err := s.DB.RecordAudit(ctx, s.auditEntry(v, "", placeholderStatisticsDenied, "not the partnership lead")); err != nil {
			return stats.Report{}, err
		}
		return stats.Report{}, waymark.Errorf(waymark.EFORBIDDEN, "Only the partnership lead sees the partnership's statistics.")
	}
	if err := s.DB.RecordAudit(ctx, s.auditEntry(v, "", placeholderStatisticsViewed, fmt.Sprintf("statistics for %s", p.Label))); err != nil {
		return stats.Report{}, err
	}
	return placeholderReport(p, s.now()), nil
}

func placeholderReport(p stats.Period, now time.Time) stats.Report {
	c := func(n int) stats.Value { return stats.Value{Kind: stats.Count, N: n} }
	sup := stats.Value{Kind: stats.Count, Suppressed: true}
	total := c(40)
	return stats.Report{
		Partnership: "Northshire Safeguarding Children Partnership", PartnershipSlug: "northshire",
		Period: p, Generated: now, Threshold: 5,
		Tables: []stats.Table{{
			ID: "referrals-by-exploitation-type", Title: "NRM referrals by exploitation type", RowHeader: "Exploitation type",
			Rows:      []string{"Criminal exploitation", "Sexual exploitation", "Labour exploitation", "Domestic servitude", "Organ harvesting", "Not specified or unknown"},
			Cols:      []string{"Children referred"},
			Cells:     [][]stats.Value{{c(22)}, {c(9)}, {c(6)}, {sup}, {sup}, {sup}},
			ColTotals: []stats.Value{total}, Total: &total,
			Notes: []string{"A child referred for two types is counted under each."},
		}, {
			ID: "timeliness", Title: "Reasonable Grounds decisions within 5 working days", RowHeader: "Decision-maker",
			Rows:  []string{"Single Competent Authority", "Local panel"},
			Cols:  []string{"Decisions", "Within 5 working days (%)"},
			Cells: [][]stats.Value{{c(18), {Kind: stats.Percent, F: 61.1}}, {sup, {Kind: stats.Percent, Suppressed: true}}},
		}},
	}
}

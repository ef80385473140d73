package pathway

// MaySeeStatistics says whether a role sees the partnership's statistics
// (§1.5, §8.10(4)): the partnership lead, who answers for the partnership's
// picture, and the analyst, who counts it and sees no case at all.
func MaySeeStatistics(role string) bool {
	return role == RolePartnershipLead || role == RoleAnalyst
}

// SeesNoCaseData says whether a role is kept from every case, whatever its
// organisation or membership: administrators manage Waymark and analysts
// count it; neither needs to know about any child (§6.5).
func SeesNoCaseData(role string) bool {
	return role == RoleAdministrator || role == RoleAnalyst
}

// Disclosure control of the published statistics (docs/statistics.md):
// dated settings, so the partnership can change them and say from when.
const (
	// SettingStatisticsThreshold: counts below it are suppressed ("[c]").
	SettingStatisticsThreshold SettingKey = "statistics_threshold"
	// SettingStatisticsRounding: published totals are rounded to this base
	// ("1" is not rounded).
	SettingStatisticsRounding SettingKey = "statistics_rounding"
	// SettingStatisticsYear: the partnership publishes by calendar year or
	// by financial year, never both, since the two overlap by nine months
	// and their difference would give small counts away.
	SettingStatisticsYear SettingKey = "statistics_year"
	// SettingStatisticsYearSoFar: whether a year still in progress is
	// published: not at all ("year", the default: a year is published once
	// it has ended), to the end of each quarter that has ended ("quarter"),
	// or also to today, provisional ("today"). As in force on the year's
	// first day.
	SettingStatisticsYearSoFar SettingKey = "statistics_year_so_far"
)

package stats

import (
	"slices"
	"sort"
	"strings"
	"time"

	"waymark/internal/catalog"
)

// Counting turns the statistics read model's rows into raw tables: true
// counts, before disclosure control. A Raw never leaves this package's
// callers unpublished: pages, charts and exports only ever see a Report,
// which Publish makes from it.

// Options are what counting needs besides the rows.
type Options struct {
	Period   Period
	Now      time.Time        // open clocks whose day has passed count as missed
	Calendar catalog.Calendar // working days (bank holidays) for the Reasonable Grounds target (§8.7)
	// Group maps a catalogue exploitation type to the Home Office's
	// statistics group (catalog.ExploitationType.StatisticsGroup).
	Group func(typeID string) string
	// Label names a value of a breakdown for people ("gender", "female"
	// gives "Female"); nil or "" keeps the value.
	Label func(breakdown, value string) string
}

// Raw is one period's true counts, as tables of named quantities: a
// quantity counted in two tables (the concerns raised are the total of
// every breakdown of concerns) has one key, so disclosure control treats the
// tables that share it as one system.
type Raw struct {
	Period Period
	Values map[string]int // every count, by key
	Tables []RawTable
	Rates  []RawRate
	// Listed are the counts known to be at least 1 from the page itself: a
	// row that is listed only when something is counted in it (a
	// nationality, a kind of agency, a First Responder). Disclosure control
	// and its attack test know it, as anyone reading the page would.
	Listed map[string]bool
	// Closed are the counts of a quarter that had ended when they were
	// counted (the by-quarter columns): a later cut of the same year counts
	// them again, the same.
	Closed map[string]bool
	// AtLeast are sums known to be at least a published count: every
	// concern is counted under one type or more, so the type counts add up
	// to at least the concerns raised.
	AtLeast []AtLeast
}

// AtLeast says Σ Parts ≥ Whole.
type AtLeast struct {
	Parts []string
	Whole string
}

// RawTable is a table of keys into Raw.Values. Equations hold between them:
// each row's cells sum to its row total, each column's to its column total,
// and the row totals and the column totals each sum to the total. A table
// whose cells count a child more than once (Multi) has no total.
type RawTable struct {
	ID, Title, RowHeader string
	Rows, Cols           []string
	Cells                [][]string
	RowTotals, ColTotals []string // nil when not published
	Total                string   // "" when not published
	Notes                []string
}

// RawRate is a share or a median: published in table Table, row Row, only
// on at least the threshold.
type RawRate struct {
	Table, Row string
	Kind       Kind
	Num, Den   int     // Percent: Num of Den; Median: Den is how many it is of
	F          float64 // the figure
	DenKey     string  // the key of Den where Den is itself published, or ""
}

// The Home Office's statistics groups of exploitation (catalog
// exploitation-types.json), in the order it publishes them.
var groups = []string{"labour", "sexual", "criminal", "domestic-servitude", "organ-harvesting", "not-specified"}

var groupLabels = map[string]string{
	"labour": "Labour exploitation", "sexual": "Sexual exploitation", "criminal": "Criminal exploitation",
	"domestic-servitude": "Domestic servitude", "organ-harvesting": "Organ harvesting", "not-specified": "Not specified or unknown",
}

var ageBands = []string{AgeBand0to11, AgeBand12to15, AgeBand16to17, AgeBand18Plus, ""}

func ageLabel(b string) string {
	switch b {
	case AgeBand0to11:
		return "11 or under"
	case AgeBand12to15:
		return "12 to 15"
	case AgeBand16to17:
		return "16 or 17"
	case AgeBand18Plus:
		return "18 or over (age disputed or uncertain)"
	}
	return "Not known"
}

// sub is one column of a by-period table: a quarter of the year (never a
// month: a cut of a year is published by quarter, series.go).
type sub struct{ from, to, label string } // months, [from, to)

func subPeriods(p Period) []sub {
	var out []sub
	for m := p.From; m.Before(p.To); m = m.AddDate(0, 3, 0) {
		e := m.AddDate(0, 3, 0)
		out = append(out, sub{from: m.Format("2006-01"), to: e.Format("2006-01"), label: m.Format("Jan") + " to " + e.AddDate(0, 0, -1).Format("Jan 2006")})
	}
	return out
}

func monthIn(m string, s sub) bool { return m != "" && m >= s.from && m < s.to }

// Tally counts the rows for o.Period.
func Tally(cases []CaseRow, events []EventRow, o Options) Raw {
	p := o.Period
	from, to := p.From.Format("2006-01"), p.To.Format("2006-01")
	fromDay, toDay := p.From.Format("2006-01-02"), p.To.Format("2006-01-02")
	inMonth := func(m string) bool { return m != "" && m >= from && m < to }
	inDay := func(d string) bool { return d != "" && d >= fromDay && d < toDay }
	label := func(b, v string) string {
		if o.Label != nil {
			if l := o.Label(b, v); l != "" {
				return l
			}
		}
		if v == "" {
			return "Not known"
		}
		return v
	}
	r := Raw{Period: p, Values: map[string]int{}, Listed: map[string]bool{}, Closed: map[string]bool{}}
	nowMonth := o.Now.In(p.From.Location()).Format("2006-01") // a quarter whose next month has begun has ended
	add := func(k string, n int) { r.Values[k] += n }

	// 1. Activity by sub-period (§6.2, §6.7, §6.8, §8.5, §8.7).
	subs := subPeriods(p)
	type measure struct {
		id, label, total string
		month            func(yield func(m string))
	}
	cm := func(f func(CaseRow) string, day bool) func(func(string)) {
		return func(y func(string)) {
			for _, c := range cases {
				v := f(c)
				if day && len(v) >= 7 {
					v = v[:7]
				}
				y(v)
			}
		}
	}
	em := func(kind string) func(func(string)) {
		return func(y func(string)) {
			for _, e := range events {
				if e.Kind == kind {
					y(e.Month)
				}
			}
		}
	}
	measures := []measure{
		{"concerns", "Concerns raised", "concerns", cm(func(c CaseRow) string { return c.RaisedMonth }, false)},
		{"contacts", "Contacts recorded by Children's Services", "contacts", cm(func(c CaseRow) string { return c.ContactMonth }, false)},
		{"strategy", "Strategy discussions held", "strategy", em(EventStrategyDiscussion)},
		{"meetings", "Multi-agency meetings held", "meetings", em(EventMeeting)},
		{"nrm", "NRM referrals submitted", "nrm", cm(func(c CaseRow) string { return c.NRMOn }, true)},
		{"rg", "Reasonable Grounds decisions", "rg", cm(func(c CaseRow) string { return decided(c.RGOutcome, c.RGOn) }, true)},
		{"cg", "Conclusive Grounds decisions", "cg", cm(func(c CaseRow) string { return decided(c.CGOutcome, c.CGOn) }, true)},
	}
	act := RawTable{ID: "activity-by-period", Title: "The pathway's work in " + p.Label, RowHeader: "What was done",
		Notes: []string{"Counted in the period in which each happened: a concern when it was raised, a decision on the date of its letter."}}
	for _, s := range subs {
		act.Cols = append(act.Cols, s.label)
	}
	for _, m := range measures {
		act.Rows = append(act.Rows, m.label)
		row := make([]string, len(subs))
		for i := range subs {
			row[i] = "activity/" + m.id + "/" + subs[i].from
			add(row[i], 0)
			if subs[i].to <= nowMonth {
				r.Closed[row[i]] = true
			}
		}
		m.month(func(mo string) {
			for i, s := range subs {
				if monthIn(mo, s) {
					add(row[i], 1)
					add(m.total, 1)
				}
			}
		})
		add(m.total, 0)
		act.Cells = append(act.Cells, row)
		act.RowTotals = append(act.RowTotals, m.total)
	}
	r.Tables = append(r.Tables, act)

	// 2. Concerns raised in the period, by age band and gender; by
	// nationality; by referring agency; by exploitation type.
	raised := make([]CaseRow, 0, len(cases))
	for _, c := range cases {
		if inMonth(c.RaisedMonth) {
			raised = append(raised, c)
		}
	}
	genders := []string{"female", "male", "other", "unknown"}
	ag := RawTable{ID: "concerns-by-age-and-gender", Title: "Concerns raised, by age and gender", RowHeader: "Age when the concern was raised",
		Total: "concerns", Notes: []string{"Age is from the date of birth, or the estimate when it is not known (§7.4)."}}
	for _, g := range genders {
		ag.Cols = append(ag.Cols, label("gender", g))
		ag.ColTotals = append(ag.ColTotals, "concerns/gender/"+g)
		add("concerns/gender/"+g, 0)
	}
	for _, b := range ageBands {
		ag.Rows = append(ag.Rows, ageLabel(b))
		ag.RowTotals = append(ag.RowTotals, "concerns/age/"+b)
		add("concerns/age/"+b, 0)
		row := make([]string, len(genders))
		for i, g := range genders {
			row[i] = "concerns/age-gender/" + b + "/" + g
			add(row[i], 0)
		}
		ag.Cells = append(ag.Cells, row)
	}
	for _, c := range raised {
		g := c.Gender
		if !slices.Contains(genders, g) {
			g = "unknown"
		}
		b := c.AgeBand
		if !slices.Contains(ageBands, b) {
			b = ""
		}
		add("concerns/age-gender/"+b+"/"+g, 1)
		add("concerns/age/"+b, 1)
		add("concerns/gender/"+g, 1)
	}
	r.Tables = append(r.Tables, ag)
	r.Tables = append(r.Tables, oneWay("concerns-by-nationality", "Concerns raised, by nationality", "Nationality", "concerns", "concerns/nationality/",
		raised, func(c CaseRow) string { return c.Nationality }, func(v string) string { return label("nationality", v) }, r.Values, r.Listed))
	r.Tables = append(r.Tables, oneWay("concerns-by-referring-agency", "Concerns raised, by the kind of agency that raised them", "Referring agency", "concerns", "concerns/referrer/",
		raised, func(c CaseRow) string { return c.ReferrerKind }, func(v string) string { return label("referrer", v) }, r.Values, r.Listed))

	et := RawTable{ID: "concerns-by-exploitation-type", Title: "Concerns raised, by type of exploitation", RowHeader: "Type of exploitation (Home Office group)",
		Cols:  []string{"Children"},
		Notes: []string{"A child whose concern names more than one type is counted under each, so the figures do not add up to the concerns raised."}}
	for _, g := range groups {
		et.Rows = append(et.Rows, groupLabels[g])
		k := "concerns/type/" + g
		et.Cells = append(et.Cells, []string{k})
		add(k, 0)
	}
	for _, c := range raised {
		seen := map[string]bool{}
		for _, t := range c.ExploitationTypes {
			g := "not-specified"
			if o.Group != nil {
				if x := o.Group(t); x != "" {
					g = x
				}
			}
			if !seen[g] {
				seen[g] = true
				add("concerns/type/"+g, 1)
			}
		}
		if len(seen) == 0 {
			add("concerns/type/not-specified", 1)
		}
	}
	r.Tables = append(r.Tables, et)
	var types []string
	for _, row := range et.Cells {
		types = append(types, row...)
	}
	r.AtLeast = append(r.AtLeast, AtLeast{Parts: types, Whole: "concerns"})

	// 3. NRM referrals submitted in the period, by First Responder and by
	// who decides (§8.2, §8.7; panel.go).
	var referred []CaseRow
	for _, c := range cases {
		if inDay(c.NRMOn) {
			referred = append(referred, c)
		}
	}
	makers := []string{"sca", "ieca", "panel"}
	fr := RawTable{ID: "nrm-referrals-by-first-responder-and-decision-maker", Title: "NRM referrals submitted, by First Responder and decision-maker",
		RowHeader: "First Responder organisation", Total: "nrm"}
	orgs := map[string]bool{}
	for _, c := range referred {
		orgs[c.FirstResponderName] = true
	}
	orgList := slices.Sorted(func(y func(string) bool) {
		for k := range orgs {
			if !y(k) {
				return
			}
		}
	})
	for _, m := range makers {
		fr.Cols = append(fr.Cols, label("maker", m))
		fr.ColTotals = append(fr.ColTotals, "nrm/maker/"+m)
		add("nrm/maker/"+m, 0)
	}
	for _, org := range orgList {
		fr.Rows = append(fr.Rows, label("first-responder", org))
		fr.RowTotals = append(fr.RowTotals, "nrm/fr/"+org)
		r.Listed["nrm/fr/"+org] = true
		row := make([]string, len(makers))
		for i, m := range makers {
			row[i] = "nrm/fr-maker/" + org + "/" + m
			add(row[i], 0)
		}
		fr.Cells = append(fr.Cells, row)
	}
	for _, c := range referred {
		m := c.DecisionMaker
		if !slices.Contains(makers, m) {
			m = "sca"
		}
		add("nrm/fr-maker/"+c.FirstResponderName+"/"+m, 1)
		add("nrm/fr/"+c.FirstResponderName, 1)
		add("nrm/maker/"+m, 1)
	}
	r.Tables = append(r.Tables, fr)

	// 4. Decisions dated in the period, by outcome (§8.7, §8.8).
	dec := RawTable{ID: "nrm-decisions-by-outcome", Title: "NRM decisions, by outcome", RowHeader: "Decision",
		Rows: []string{"Reasonable Grounds", "Conclusive Grounds"}, Cols: []string{"Positive", "Negative"},
		RowTotals: []string{"rg", "cg"},
		Notes:     []string{"The decision that stands now, counted on the date of its letter: a decision changed on reconsideration counts as its new outcome."}}
	for _, g := range []string{"rg", "cg"} {
		row := []string{"decisions/" + g + "/positive", "decisions/" + g + "/negative"}
		add(row[0], 0)
		add(row[1], 0)
		dec.Cells = append(dec.Cells, row)
	}
	for _, c := range cases {
		if inDay(c.RGOn) && (c.RGOutcome == "positive" || c.RGOutcome == "negative") {
			add("decisions/rg/"+c.RGOutcome, 1)
		}
		if inDay(c.CGOn) && (c.CGOutcome == "positive" || c.CGOutcome == "negative") {
			add("decisions/cg/"+c.CGOutcome, 1)
		}
	}
	r.Tables = append(r.Tables, dec)

	// 5. Timeliness: each clock that fell due in the period, met or missed.
	today := o.Now.In(p.From.Location()).Format("2006-01-02") // the UK day, as the periods
	kinds := map[string]bool{}
	for _, e := range events {
		if e.Kind == EventClock && inMonth(e.Month) {
			kinds[e.Detail] = true
		}
	}
	tl := RawTable{ID: "clocks-met-or-missed", Title: "Deadlines that fell due, met or missed", RowHeader: "Deadline",
		Cols: []string{"Met", "Missed"}, Total: "clocks",
		Notes: []string{"A deadline still running on its due day is not counted until it is met or missed."}}
	kindList := slices.Sorted(func(y func(string) bool) {
		for k := range kinds {
			if !y(k) {
				return
			}
		}
	})
	tl.ColTotals = []string{"clocks/met", "clocks/missed"}
	add("clocks/met", 0)
	add("clocks/missed", 0)
	add("clocks", 0)
	for _, k := range kindList {
		tl.Rows = append(tl.Rows, label("clock", k))
		tl.RowTotals = append(tl.RowTotals, "clocks/"+k)
		add("clocks/"+k, 0)
		row := []string{"clocks/" + k + "/met", "clocks/" + k + "/missed"}
		add(row[0], 0)
		add(row[1], 0)
		tl.Cells = append(tl.Cells, row)
	}
	for _, e := range events {
		if e.Kind != EventClock || !inMonth(e.Month) {
			continue
		}
		out := e.Outcome
		if out == ClockOpen {
			if e.DueOn == "" || e.DueOn >= today {
				continue
			}
			out = ClockMissed
		}
		add("clocks/"+e.Detail+"/"+out, 1)
		add("clocks/"+e.Detail, 1)
		add("clocks/"+out, 1)
		add("clocks", 1)
	}
	r.Tables = append(r.Tables, tl)

	// Reasonable Grounds within 5 working days of the referral (§8.7), and
	// the median days from referral to Conclusive Grounds (§8.8).
	var within, rgN int
	var cgDays []int
	for _, c := range cases {
		if inDay(c.RGOn) && c.NRMOn != "" && (c.RGOutcome == "positive" || c.RGOutcome == "negative") {
			ref, e1 := time.ParseInLocation("2006-01-02", c.NRMOn, time.UTC)
			dec, e2 := time.ParseInLocation("2006-01-02", c.RGOn, time.UTC)
			if e1 == nil && e2 == nil {
				rgN++
				if !dec.After(o.Calendar.AddWorkingDays(ref.Add(12*time.Hour), 5).Truncate(24 * time.Hour)) {
					within++
				}
			}
		}
		if inDay(c.CGOn) && c.NRMOn != "" {
			ref, e1 := time.Parse("2006-01-02", c.NRMOn)
			dec, e2 := time.Parse("2006-01-02", c.CGOn)
			if e1 == nil && e2 == nil {
				cgDays = append(cgDays, int(dec.Sub(ref).Hours()/24))
			}
		}
	}
	pct := 0.0
	if rgN > 0 {
		pct = 100 * float64(within) / float64(rgN)
	}
	r.Rates = append(r.Rates, RawRate{Table: "timeliness", Row: "Reasonable Grounds decisions within 5 working days of the referral", Kind: Percent, Num: within, Den: rgN, F: pct})
	r.Rates = append(r.Rates, RawRate{Table: "timeliness", Row: "Median days from referral to Conclusive Grounds decision", Kind: Median, Den: len(cgDays), F: median(cgDays)})

	// 6. Missing episodes and return interviews (§4.3, §7.1), and
	// reconsiderations by outcome (§8.9).
	ms := RawTable{ID: "missing-and-return-interviews", Title: "Missing episodes and return interviews", RowHeader: "What happened"}
	for _, s := range subs {
		ms.Cols = append(ms.Cols, s.label)
	}
	for _, m := range []struct{ id, label, kind string }{{"missing", "Missing episodes that began", EventMissingEpisode}, {"interviews", "Return interviews held", EventReturnInterview}} {
		ms.Rows = append(ms.Rows, m.label)
		row := make([]string, len(subs))
		for i := range subs {
			row[i] = m.id + "/" + subs[i].from
			add(row[i], 0)
			if subs[i].to <= nowMonth {
				r.Closed[row[i]] = true
			}
		}
		add(m.id, 0)
		for _, e := range events {
			if e.Kind != m.kind {
				continue
			}
			for i, s := range subs {
				if monthIn(e.Month, s) {
					add(row[i], 1)
					add(m.id, 1)
				}
			}
		}
		ms.Cells = append(ms.Cells, row)
		ms.RowTotals = append(ms.RowTotals, m.id)
	}
	r.Tables = append(r.Tables, ms)

	rc := RawTable{ID: "reconsiderations-by-outcome", Title: "Reconsiderations requested, by outcome", RowHeader: "Outcome",
		Rows: []string{"Decision overturned", "Decision upheld", "Waiting for the Home Office"}, Cols: []string{"Requests"}, Total: "reconsiderations"}
	for _, o := range []string{"overturned", "upheld", ""} {
		rc.Cells = append(rc.Cells, []string{"reconsiderations/" + o})
		add("reconsiderations/"+o, 0)
	}
	add("reconsiderations", 0)
	for _, e := range events {
		if e.Kind == EventReconsideration && inMonth(e.Month) {
			o := e.Detail
			if o != "overturned" && o != "upheld" {
				o = ""
			}
			add("reconsiderations/"+o, 1)
			add("reconsiderations", 1)
		}
	}
	r.Tables = append(r.Tables, rc)
	return r
}

// oneWay is a one-column table of the concerns by one answer, with the
// concerns raised as its total.
func oneWay(id, title, header, total, prefix string, rows []CaseRow, of func(CaseRow) string, label func(string) string, vals map[string]int, listed map[string]bool) RawTable {
	t := RawTable{ID: id, Title: title, RowHeader: header, Cols: []string{"Children"}, Total: total}
	seen := map[string]int{}
	for _, c := range rows {
		seen[of(c)]++
	}
	keys := make([]string, 0, len(seen))
	for k := range seen {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if (keys[i] == "") != (keys[j] == "") {
			return keys[j] == ""
		}
		return strings.ToLower(label(keys[i])) < strings.ToLower(label(keys[j]))
	})
	for _, k := range keys {
		t.Rows = append(t.Rows, label(k))
		t.Cells = append(t.Cells, []string{prefix + k})
		vals[prefix+k] = seen[k]
		listed[prefix+k] = true
	}
	return t
}

// decided is the day of a decision with a known outcome, or "".
func decided(outcome, on string) string {
	if outcome != "positive" && outcome != "negative" {
		return ""
	}
	return on
}

func median(xs []int) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return float64(s[n/2])
	}
	return float64(s[n/2-1]+s[n/2]) / 2
}

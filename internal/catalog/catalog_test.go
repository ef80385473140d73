package catalog

import (
	"encoding/json"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

func TestShippedCatalogueLoadsWithTheRecordedVersion(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if c.Version != Version {
		t.Errorf("Version = %q, want %q", c.Version, Version)
	}
	for name, n := range map[string]int{
		"indicator groups":   len(c.IndicatorGroups),
		"indicators":         len(c.Indicators),
		"exploitation types": len(c.ExploitationTypes),
		"first responders":   len(c.FirstResponders),
		"immediate actions":  len(c.ImmediateActions),
		"holidays":           len(c.Holidays.Holidays()),
	} {
		if n == 0 {
			t.Errorf("no %s loaded", name)
		}
	}
}

func TestEveryIndicatorCitesSection5(t *testing.T) {
	for _, in := range MustLoad().Indicators {
		if !strings.HasPrefix(in.Section, "§5.") {
			t.Errorf("indicator %q cites %q, want a §5 reference", in.ID, in.Section)
		}
	}
}

// §5.1 has six general groups, §5.2 four exploitation-specific sets, §5.3
// the port-of-entry and other from-abroad lists, §5.4 the disclosure barriers.
func TestIndicatorGroupsFollowSection5(t *testing.T) {
	c := MustLoad()
	perSection := map[string]int{}
	for _, g := range c.IndicatorGroups {
		section, _, _ := strings.Cut(g.Section, "(")
		perSection[section]++
		if len(c.IndicatorsInGroup(g.ID)) == 0 {
			t.Errorf("group %q has no indicators", g.ID)
		}
	}
	want := map[string]int{"§5.1": 6, "§5.2": 4, "§5.3": 2, "§5.4": 1}
	for section, n := range want {
		if perSection[section] != n {
			t.Errorf("%s has %d groups, want %d", section, perSection[section], n)
		}
	}
	if len(perSection) != len(want) {
		t.Errorf("groups cite sections %v, want only %v", perSection, want)
	}
}

func TestIndicatorCitesTheSectionOfItsGroup(t *testing.T) {
	c := MustLoad()
	groups := map[string]IndicatorGroup{}
	for _, g := range c.IndicatorGroups {
		groups[g.ID] = g
	}
	for _, in := range c.Indicators {
		if !strings.Contains(in.Section, groups[in.Group].Section) {
			t.Errorf("indicator %q cites %q but its group %q is %q", in.ID, in.Section, in.Group, groups[in.Group].Section)
		}
	}
}

func TestEveryExploitationTypeMapsToAKnownStatisticsGroup(t *testing.T) {
	for _, et := range MustLoad().ExploitationTypes {
		if !statisticsGroups[et.StatisticsGroup] {
			t.Errorf("exploitation type %q maps to unknown statistics group %q", et.ID, et.StatisticsGroup)
		}
	}
}

func TestExploitationTypesCoverSections2_1And2_3(t *testing.T) {
	c := MustLoad()
	want := map[string]string{
		"labour":             "labour",
		"sexual":             "sexual",
		"criminal":           "criminal",
		"county-lines":       "criminal",
		"domestic-servitude": "domestic-servitude",
		"organ-harvesting":   "organ-harvesting",
		"illegal-adoption":   "not-specified",
		"baby-farming":       "not-specified",
		"sham-marriage":      "not-specified",
		"forced-marriage":    "not-specified",
	}
	for id, group := range want {
		et, ok := c.ExploitationType(id)
		if !ok {
			t.Errorf("exploitation type %q missing", id)
			continue
		}
		if et.StatisticsGroup != group {
			t.Errorf("exploitation type %q reports under %q, want %q", id, et.StatisticsGroup, group)
		}
	}
	if len(c.ExploitationTypes) != len(want) {
		t.Errorf("%d exploitation types, want %d", len(c.ExploitationTypes), len(want))
	}
}

func TestFirstRespondersFollowTheAnnexList(t *testing.T) {
	c := MustLoad()
	if n := len(c.FirstResponders); n != 17 {
		t.Errorf("%d First Responder designations, want the annex's 15 plus 2 in Wales only", n)
	}
	// Locally only the local authority and the police are First Responders (§8.2).
	for id, kind := range map[string]string{"local-authority": "local-authority", "police": "police"} {
		r, ok := c.FirstResponder(id)
		if !ok || r.Kind != kind || r.WalesOnly {
			t.Errorf("FirstResponder(%q) = %+v, %v; want kind %q in England and Wales", id, r, ok, kind)
		}
	}
	for _, r := range c.FirstResponders {
		wantWalesOnly := r.ID == "bawso" || r.ID == "new-pathways"
		if r.WalesOnly != wantWalesOnly {
			t.Errorf("first responder %q: WalesOnly = %v, want %v", r.ID, r.WalesOnly, wantWalesOnly)
		}
	}
}

func TestImmediateActionsFollowSection6_4(t *testing.T) {
	c := MustLoad()
	want := []string{
		"immediate-risk-assessed",
		"urgent-health-needs-met",
		"police-called-if-in-danger",
		"safe-accommodation-arranged",
		"early-legal-advice",
		"interpreter-arranged",
		"helpline-advice-sought",
		"designated-lead-notified",
	}
	var got []string
	for _, a := range c.ImmediateActions {
		got = append(got, a.ID)
		if !strings.Contains(a.Section, "§6.4") {
			t.Errorf("immediate action %q cites %q, want §6.4", a.ID, a.Section)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("immediate actions = %v, want %v", got, want)
	}
}

func TestLookupsFindShippedEntriesAndRejectUnknownIDs(t *testing.T) {
	c := MustLoad()
	if in, ok := c.Indicator("general.missing-episodes"); !ok || in.Group != "general-missing" {
		t.Errorf(`Indicator("general.missing-episodes") = %+v, %v`, in, ok)
	}
	if _, ok := c.Indicator("general.no-such-sign"); ok {
		t.Error("Indicator found an id that is not in the catalogue")
	}
	if _, ok := c.ExploitationType("county-lines"); !ok {
		t.Error(`ExploitationType("county-lines") not found`)
	}
	if _, ok := c.ExploitationType("piracy"); ok {
		t.Error("ExploitationType found an id that is not in the catalogue")
	}
	if _, ok := c.ImmediateAction("interpreter-arranged"); !ok {
		t.Error(`ImmediateAction("interpreter-arranged") not found`)
	}
	if _, ok := c.ImmediateAction("nothing"); ok {
		t.Error("ImmediateAction found an id that is not in the catalogue")
	}
	if r, ok := c.FirstResponder("nspcc-ctac"); !ok || r.Kind != "voluntary" {
		t.Errorf(`FirstResponder("nspcc-ctac") = %+v, %v`, r, ok)
	}
	if _, ok := c.FirstResponder("a-school"); ok {
		t.Error("FirstResponder found an id that is not in the catalogue")
	}
	county := c.IndicatorsInGroup("specific-county-lines")
	if len(county) == 0 {
		t.Fatal("no county lines indicators")
	}
	for _, in := range county {
		if in.Group != "specific-county-lines" {
			t.Errorf("IndicatorsInGroup returned %q from group %q", in.ID, in.Group)
		}
	}
	if got := c.IndicatorsInGroup("no-such-group"); got != nil {
		t.Errorf("IndicatorsInGroup(unknown) = %v, want nil", got)
	}
}

// shippedFS copies the embedded data into a MapFS that a test can alter.
func shippedFS(t *testing.T) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	err := fs.WalkDir(shipped, "data", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		raw, err := fs.ReadFile(shipped, path)
		m[strings.TrimPrefix(path, "data/")] = &fstest.MapFile{Data: raw}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// edit decodes one file of fsys into a T, lets change alter it, and writes it back.
func edit[T any](t *testing.T, fsys fstest.MapFS, name string, change func(*T)) {
	t.Helper()
	var v T
	if err := json.Unmarshal(fsys[name].Data, &v); err != nil {
		t.Fatalf("decoding %s: %v", name, err)
	}
	change(&v)
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	fsys[name] = &fstest.MapFile{Data: raw}
}

func TestParseAcceptsTheShippedFiles(t *testing.T) {
	if _, err := Parse(shippedFS(t)); err != nil {
		t.Fatalf("Parse(shipped data) = %v", err)
	}
}

func TestParseRejectsBadData(t *testing.T) {
	tests := []struct {
		name   string
		change func(*testing.T, fstest.MapFS)
		want   []string // every fragment must appear in the error
	}{
		{
			name: "duplicate indicator id",
			change: func(t *testing.T, f fstest.MapFS) {
				edit(t, f, fileIndicators, func(v *indicatorsFile) { v.Indicators[1].ID = v.Indicators[0].ID })
			},
			want: []string{fileIndicators, `indicator "general.signs-of-abuse"`, "duplicate id"},
		},
		{
			name: "duplicate group id",
			change: func(t *testing.T, f fstest.MapFS) {
				edit(t, f, fileIndicators, func(v *indicatorsFile) { v.Groups = append(v.Groups, v.Groups[0]) })
			},
			want: []string{fileIndicators, `group "general-appearance"`, "duplicate id"},
		},
		{
			name: "duplicate first responder",
			change: func(t *testing.T, f fstest.MapFS) {
				edit(t, f, fileFirstResponders, func(v *[]FirstResponder) { *v = append(*v, (*v)[0]) })
			},
			want: []string{fileFirstResponders, `first responder "national-crime-agency"`, "duplicate id"},
		},
		{
			name: "indicator in an unknown group",
			change: func(t *testing.T, f fstest.MapFS) {
				edit(t, f, fileIndicators, func(v *indicatorsFile) { v.Indicators[0].Group = "general-mood" })
			},
			want: []string{fileIndicators, `indicator "general.signs-of-abuse"`, `group "general-mood" does not exist`},
		},
		{
			name: "unknown statistics group",
			change: func(t *testing.T, f fstest.MapFS) {
				edit(t, f, fileExploitationTypes, func(v *[]ExploitationType) { (*v)[0].StatisticsGroup = "forced-labour" })
			},
			want: []string{fileExploitationTypes, `exploitation type "labour"`, `"forced-labour"`},
		},
		{
			name: "empty indicator label",
			change: func(t *testing.T, f fstest.MapFS) {
				edit(t, f, fileIndicators, func(v *indicatorsFile) { v.Indicators[2].Label = " " })
			},
			want: []string{fileIndicators, `indicator "general.unkempt"`, "label is empty"},
		},
		{
			name: "empty immediate action label",
			change: func(t *testing.T, f fstest.MapFS) {
				edit(t, f, fileImmediateActions, func(v *[]ImmediateAction) { (*v)[0].Label = "" })
			},
			want: []string{fileImmediateActions, `immediate action "immediate-risk-assessed"`, "label is empty"},
		},
		{
			name: "label too long",
			change: func(t *testing.T, f fstest.MapFS) {
				edit(t, f, fileIndicators, func(v *indicatorsFile) { v.Indicators[0].Label = strings.Repeat("x", 121) })
			},
			want: []string{fileIndicators, `indicator "general.signs-of-abuse"`, "more than 120"},
		},
		{
			name: "missing version",
			change: func(t *testing.T, f fstest.MapFS) {
				edit(t, f, fileCatalog, func(v *catalogFile) { v.Version = "" })
			},
			want: []string{fileCatalog, "version is missing"},
		},
		{
			name: "id with capitals",
			change: func(t *testing.T, f fstest.MapFS) {
				edit(t, f, fileExploitationTypes, func(v *[]ExploitationType) { (*v)[0].ID = "Labour" })
			},
			want: []string{fileExploitationTypes, `exploitation type "Labour"`, "lower-case"},
		},
		{
			name: "section that is not a reference",
			change: func(t *testing.T, f fstest.MapFS) {
				edit(t, f, fileIndicators, func(v *indicatorsFile) { v.Indicators[0].Section = "5.1" })
			},
			want: []string{fileIndicators, `indicator "general.signs-of-abuse"`, `section "5.1"`},
		},
		{
			name: "unknown first responder kind",
			change: func(t *testing.T, f fstest.MapFS) {
				edit(t, f, fileFirstResponders, func(v *[]FirstResponder) { (*v)[0].Kind = "school" })
			},
			want: []string{fileFirstResponders, `first responder "national-crime-agency"`, `kind "school"`},
		},
		{
			name: "holiday date that does not exist",
			change: func(t *testing.T, f fstest.MapFS) {
				edit(t, f, fileBankHolidays, func(v *[]Holiday) { (*v)[0].Date = "2018-02-30" })
			},
			want: []string{fileBankHolidays, `holiday "2018-02-30"`, "not a valid"},
		},
		{
			name: "holidays out of order",
			change: func(t *testing.T, f fstest.MapFS) {
				edit(t, f, fileBankHolidays, func(v *[]Holiday) { (*v)[0], (*v)[1] = (*v)[1], (*v)[0] })
			},
			want: []string{fileBankHolidays, `holiday "2018-01-01"`, "sorted"},
		},
		{
			name: "holiday on a weekend",
			change: func(t *testing.T, f fstest.MapFS) {
				edit(t, f, fileBankHolidays, func(v *[]Holiday) { (*v)[0].Date = "2017-12-31" })
			},
			want: []string{fileBankHolidays, `holiday "2017-12-31"`, "Sunday"},
		},
		{
			name: "a year missing from the calendar",
			change: func(t *testing.T, f fstest.MapFS) {
				edit(t, f, fileBankHolidays, func(v *[]Holiday) {
					*v = slices.DeleteFunc(*v, func(h Holiday) bool { return strings.HasPrefix(h.Date, "2025-") })
				})
			},
			want: []string{fileBankHolidays, "year 2025"},
		},
		{
			name: "misspelt field",
			change: func(t *testing.T, f fstest.MapFS) {
				f[fileImmediateActions] = &fstest.MapFile{Data: []byte(`[{"id":"x","lable":"y","section":"§6.4"}]`)}
			},
			want: []string{fileImmediateActions, `"lable"`},
		},
		{
			name: "missing file",
			change: func(t *testing.T, f fstest.MapFS) {
				delete(f, fileExploitationTypes)
			},
			want: []string{fileExploitationTypes},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := shippedFS(t)
			tt.change(t, fsys)
			c, err := Parse(fsys)
			if err == nil {
				t.Fatalf("Parse accepted the data: %d indicators", len(c.Indicators))
			}
			for _, fragment := range tt.want {
				if !strings.Contains(err.Error(), fragment) {
					t.Errorf("error %q does not mention %q", err, fragment)
				}
			}
		})
	}
}

func TestParseReportsEveryProblemAtOnce(t *testing.T) {
	fsys := shippedFS(t)
	edit(t, fsys, fileCatalog, func(v *catalogFile) { v.Version = "" })
	edit(t, fsys, fileExploitationTypes, func(v *[]ExploitationType) { (*v)[0].Label = "" })
	_, err := Parse(fsys)
	if err == nil {
		t.Fatal("Parse accepted the data")
	}
	for _, fragment := range []string{"version is missing", `exploitation type "labour": label is empty`} {
		if !strings.Contains(err.Error(), fragment) {
			t.Errorf("error %q does not mention %q", err, fragment)
		}
	}
}

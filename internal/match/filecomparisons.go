package match

// Comparisons for the record sets the command line reads (waymark match):
// given and family names compared apart, so that each is adjusted for how
// common it is, and the address and identifier a register holds.

var (
	givenComparison = &comparison{
		field:   "given name",
		levels:  nameFieldLevels("given name"),
		compare: func(a, b *record) (int, string) { ga, _, gb, _ := nameParts(a, b); return compareNameField(ga, gb), "" },
		value:   func(r *record) string { return primary(r).givenJoin },
	}
	familyComparison = &comparison{
		field:   "family name",
		levels:  nameFieldLevels("family name"),
		compare: func(a, b *record) (int, string) { _, fa, _, fb := nameParts(a, b); return compareNameField(fa, fb), "" },
		value:   func(r *record) string { return primary(r).famJoin },
	}
	streetComparison = &comparison{
		field: "street",
		levels: []level{
			{"same", true, "the street address is the same"},
			{"close", true, "the street address is nearly the same"},
			{"similar", true, "the street address is similar"},
			{"differs", false, "the street address differs"},
		},
		compare: func(a, b *record) (int, string) {
			return graded(a.street, b.street, 0.92, 0.75), ""
		},
	}
	localityComparison = &comparison{
		field: "locality",
		levels: []level{
			{"same", true, "the town is the same"},
			{"close", true, "the town is spelt a little differently"},
			{"differs", false, "the town differs"},
		},
		compare: func(a, b *record) (int, string) {
			l := graded(a.locality, b.locality, 0.92, 2)
			return min(l, 2), ""
		},
		value: func(r *record) string { return r.locality },
	}
	postcodeComparison = &comparison{
		field: "postcode",
		levels: []level{
			{"same", true, "the postcode is the same"},
			{"close", true, "the postcode differs by one character"},
			{"differs", false, "the postcode differs"},
		},
		compare: func(a, b *record) (int, string) { return figures(a.postcode, b.postcode), "" },
	}
	regionComparison = &comparison{
		field:   "region",
		levels:  agreeLevels("the region is the same", "the region differs"),
		compare: sameValue(func(r *record) string { return r.region }),
	}
	identifierComparison = &comparison{
		field: "identifier",
		levels: []level{
			{"same", true, "the identifying number is the same"},
			{"close", true, "the identifying number differs by one figure or two swapped"},
			{"differs", false, "the identifying number differs"},
		},
		compare: func(a, b *record) (int, string) { return figures(a.identifier, b.identifier), "" },
	}
)

func nameFieldLevels(what string) []level {
	return []level{
		{"same", true, "the " + what + " is the same"},
		{"close", true, "the " + what + " differs by a letter"},
		{"similar", true, "the " + what + " sounds the same or is spelt alike"},
		{"differs", false, "the " + what + " differs"},
	}
}

// nameWord is one part of a name with its phonetic code.
type nameWord struct{ s, code string }

// nameParts gives the given and family names of two records, with the
// second's the other way round when that is how they agree better.
func nameParts(a, b *record) (ga, fa, gb, fb nameWord) {
	if len(a.names) == 0 || len(b.names) == 0 {
		return
	}
	x, y := &a.names[0], &b.names[0]
	ga, fa = nameWord{x.givenJoin, first(x.givenCode)}, nameWord{x.famJoin, first(x.familyCode)}
	gb, fb = nameWord{y.givenJoin, first(y.givenCode)}, nameWord{y.famJoin, first(y.familyCode)}
	if ga.s == gb.s || fa.s == fb.s || ga.s == "" || fa.s == "" || gb.s == "" || fb.s == "" {
		return
	}
	if jaroWinkler(ga.s, fb.s)+jaroWinkler(fa.s, gb.s) > jaroWinkler(ga.s, gb.s)+jaroWinkler(fa.s, fb.s)+0.2 {
		gb, fb = fb, gb
	}
	return
}

// primary is the name the record is under, or no name.
func primary(r *record) *name {
	if len(r.names) == 0 {
		return &name{}
	}
	return &r.names[0]
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

func compareNameField(a, b nameWord) int {
	switch {
	case a.s == "" || b.s == "":
		return -1
	case a.s == b.s:
		return 0
	}
	jw := jaroWinkler(a.s, b.s)
	switch {
	case jw >= 0.92 || editDistance(a.s, b.s) <= 1:
		return 1
	case a.code == b.code || jw >= 0.8:
		return 2
	}
	return 3
}

// graded is 0 for the same value, 1 at or above the close Jaro–Winkler
// similarity, 2 at or above the similar one, and 3 below.
func graded(a, b string, close, similar float64) int {
	switch {
	case a == "" || b == "":
		return -1
	case a == b:
		return 0
	}
	jw := jaroWinkler(a, b)
	switch {
	case jw >= close:
		return 1
	case jw >= similar:
		return 2
	}
	return 3
}

// figures compares two numbers or codes: the same, one slip apart, or not.
func figures(a, b string) int {
	switch {
	case a == "" || b == "":
		return -1
	case a == b:
		return 0
	case editDistance(a, b) <= 1:
		return 1
	}
	return 2
}

package catalog

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// The Home Office online NRM form's closed lists (NRM-FORM.md; the form's
// public code, folder ms-lists). The form refuses any answer to a list
// question that is not the value of one of its entries, so Waymark proposes
// only entries of these lists (§8.7, §8.8). The files are kept exactly as
// the Home Office publishes them, with source.json naming the commit they
// were copied from; `waymark ho-lists import` brings in a newer copy.

// HOList names one of the form's closed lists.
type HOList string

// The seven lists the child route uses.
const (
	HOOrganisations    HOList = "organisations"     // the First Responder organisation
	HOLocalAuthorities HOList = "local-authorities" // the local authority contacted about the child
	HOTowns            HOList = "uk-towns"          // UK cities and towns
	HORegions          HOList = "uk-regions"        // UK counties and areas
	HOCountries        HOList = "countries"         // countries
	HONationalities    HOList = "nationalities"     // nationalities
	HOPoliceForces     HOList = "police-forces"     // UK police forces
)

// HOListNames lists every list in a stable order.
var HOListNames = []HOList{HOOrganisations, HOLocalAuthorities, HOTowns, HORegions, HOCountries, HONationalities, HOPoliceForces}

// HOEntry is one entry of a list: the form stores Value and shows Label.
type HOEntry struct {
	Value string `json:"value"`
	Label string `json:"label"`
}

// HOListsSource says where a copy of the lists came from.
type HOListsSource struct {
	Repository string `json:"repository"`
	Folder     string `json:"folder"`
	Commit     string `json:"commit"`
	Date       string `json:"date"`
	Licence    string `json:"licence"`
	Lists      []struct {
		Name    HOList `json:"name"`
		File    string `json:"file"`
		Entries int    `json:"entries"`
	} `json:"lists"`
}

// Version names the copy: the date and the start of the commit.
func (s HOListsSource) Version() string {
	c := s.Commit
	if len(c) > 7 {
		c = c[:7]
	}
	return s.Date + " (" + c + ")"
}

// HOLists is one loaded copy of the form's lists.
type HOLists struct {
	Source  HOListsSource
	entries map[HOList][]HOEntry
	exact   map[HOList]map[string]int // value -> index
	folded  map[HOList]map[string]int // fold(value) and fold(label) -> index
}

//go:embed data/ho-nrm-lists
var shippedHOLists embed.FS

// LoadHOLists parses the lists embedded in the binary, once: every caller
// (the catalogue, the draft's checks) shares the one read-only copy.
func LoadHOLists() (*HOLists, error) { return shippedOnce() }

var shippedOnce = sync.OnceValues(func() (*HOLists, error) {
	sub, err := fs.Sub(shippedHOLists, "data/ho-nrm-lists")
	if err != nil {
		return nil, fmt.Errorf("catalog: opening the Home Office lists: %w", err)
	}
	return ParseHOLists(sub)
})

// MustLoadHOLists is LoadHOLists for start-up and tests.
func MustLoadHOLists() *HOLists {
	l, err := LoadHOLists()
	if err != nil {
		panic(err)
	}
	return l
}

// ParseHOLists reads source.json and every list file it names from fsys,
// checking each list has the number of entries source.json says, no entry
// is empty, and every list named in HOListNames is there.
func ParseHOLists(fsys fs.FS) (*HOLists, error) {
	raw, err := fs.ReadFile(fsys, "source.json")
	if err != nil {
		return nil, fmt.Errorf("catalog: Home Office lists: %w", err)
	}
	l := &HOLists{entries: map[HOList][]HOEntry{}, exact: map[HOList]map[string]int{}, folded: map[HOList]map[string]int{}}
	if err := json.Unmarshal(raw, &l.Source); err != nil {
		return nil, fmt.Errorf("catalog: Home Office lists: source.json: %w", err)
	}
	if l.Source.Commit == "" || l.Source.Date == "" {
		return nil, fmt.Errorf("catalog: Home Office lists: source.json names no commit or date")
	}
	for _, want := range l.Source.Lists {
		if !slices.Contains(HOListNames, want.Name) {
			return nil, fmt.Errorf("catalog: Home Office lists: source.json names an unknown list %q", want.Name)
		}
		if want.File != fileBase(want.File) {
			return nil, fmt.Errorf("catalog: Home Office lists: %q is not a plain file name", want.File)
		}
		data, err := fs.ReadFile(fsys, want.File)
		if err != nil {
			return nil, fmt.Errorf("catalog: Home Office lists: %w", err)
		}
		entries, err := ParseHOListFile(string(data))
		if err != nil {
			return nil, fmt.Errorf("catalog: Home Office lists: %s: %w", want.File, err)
		}
		if len(entries) != want.Entries {
			return nil, fmt.Errorf("catalog: Home Office lists: %s has %d entries, source.json says %d", want.File, len(entries), want.Entries)
		}
		l.add(want.Name, entries)
	}
	for _, n := range HOListNames {
		if _, ok := l.entries[n]; !ok {
			return nil, fmt.Errorf("catalog: Home Office lists: source.json does not name the list %q", n)
		}
	}
	return l, nil
}

func fileBase(p string) string {
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		return p[i+1:]
	}
	return p
}

func (l *HOLists) add(name HOList, entries []HOEntry) {
	l.entries[name] = entries
	ex, fo := map[string]int{}, map[string]int{}
	for i, e := range entries {
		if _, dup := ex[e.Value]; !dup {
			ex[e.Value] = i
		}
		for _, k := range []string{foldEntry(e.Value), foldEntry(e.Label)} {
			if _, dup := fo[k]; !dup && k != "" {
				fo[k] = i
			}
		}
	}
	l.exact[name], l.folded[name] = ex, fo
}

// entryPattern matches one {value: "…", label: "…"} object, with either
// quote and any spacing, as the list files write them.
var entryPattern = regexp.MustCompile(`\{\s*value\s*:\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')\s*,\s*label\s*:\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')\s*,?\s*\}`)

// ParseHOListFile reads the entries of one list file (a JavaScript module
// exporting an array of {value, label} objects). It refuses a file with
// anything between the brackets other than entries, commas and spaces, so a
// changed format is noticed rather than half read.
func ParseHOListFile(src string) ([]HOEntry, error) {
	open := strings.Index(src, "[")
	end := strings.LastIndex(src, "]")
	if open < 0 || end < open {
		return nil, fmt.Errorf("no array of entries")
	}
	body := src[open+1 : end]
	var out []HOEntry
	rest := entryPattern.ReplaceAllStringFunc(body, func(m string) string {
		sub := entryPattern.FindStringSubmatch(m)
		out = append(out, HOEntry{Value: unquoteJS(sub[1]), Label: unquoteJS(sub[2])})
		return ","
	})
	if strings.Trim(rest, ", \t\r\n") != "" {
		return nil, fmt.Errorf("unexpected text between the entries: %.60q", strings.Trim(rest, ", \t\r\n"))
	}
	for i, e := range out {
		if strings.TrimSpace(e.Value) == "" || strings.TrimSpace(e.Label) == "" {
			return nil, fmt.Errorf("entry %d has an empty value or label", i+1)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no entries")
	}
	return out, nil
}

func unquoteJS(q string) string {
	body := q[1 : len(q)-1]
	if !strings.Contains(body, `\`) {
		return body
	}
	if q[0] == '\'' {
		body = strings.ReplaceAll(strings.ReplaceAll(body, `\'`, `'`), `"`, `\"`)
	}
	s, err := strconv.Unquote(`"` + body + `"`)
	if err != nil {
		return body
	}
	return s
}

// Entries returns the list's entries in the form's order.
func (l *HOLists) Entries(name HOList) []HOEntry { return l.entries[name] }

// Has reports whether v is exactly the value of an entry of the list: the
// only answers the form accepts.
func (l *HOLists) Has(name HOList, v string) bool {
	_, ok := l.exact[name][v]
	return ok
}

// Lookup finds the entry a piece of text names, ignoring case, accents,
// punctuation and spacing ("st helens" finds "St Helens"). It does not
// guess: text that names no entry outright finds nothing (see Nearest).
func (l *HOLists) Lookup(name HOList, text string) (HOEntry, bool) {
	i, ok := l.folded[name][foldEntry(text)]
	if !ok {
		return HOEntry{}, false
	}
	return l.entries[name][i], true
}

// Nearest returns up to n entries closest to text, best first: entries the
// folded text starts, then entries containing it, then entries sharing the
// most words with it. It is for suggesting, never for answering.
func (l *HOLists) Nearest(name HOList, text string, n int) []HOEntry {
	q := foldEntry(text)
	if q == "" || n <= 0 {
		return nil
	}
	qWords := strings.Fields(q)
	type scored struct {
		i, score int
	}
	var hits []scored
	for i, e := range l.entries[name] {
		k := foldEntry(e.Label)
		s := 0
		switch {
		case k == q:
			s = 1000
		case strings.HasPrefix(k, q) || strings.HasPrefix(q, k):
			s = 500
		case strings.Contains(k, q) || strings.Contains(q, k):
			s = 300
		}
		kWords := strings.Fields(k)
		for _, w := range qWords {
			if len(w) > 2 && slices.Contains(kWords, w) {
				s += 50
			}
		}
		if s > 0 {
			hits = append(hits, scored{i, s})
		}
	}
	slices.SortStableFunc(hits, func(a, b scored) int { return b.score - a.score })
	var out []HOEntry
	for _, h := range hits {
		if len(out) == n {
			break
		}
		out = append(out, l.entries[name][h.i])
	}
	return out
}

// foldEntry lowers case, drops accents and punctuation, turns "&" into
// "and" and collapses spaces, so that two spellings of one name meet.
func foldEntry(s string) string {
	s = norm.NFKD.String(strings.ToLower(s))
	s = strings.ReplaceAll(s, "&", " and ")
	var b strings.Builder
	space := true
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Mn, r):
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
			space = false
		default:
			if !space {
				b.WriteByte(' ')
				space = true
			}
		}
	}
	return strings.TrimSpace(b.String())
}

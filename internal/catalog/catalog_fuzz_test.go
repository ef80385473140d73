package catalog

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
)

// catalogFiles are the files Parse reads, in a fixed order for the fuzzer.
var catalogFiles = []string{fileCatalog, fileIndicators, fileExploitationTypes, fileFirstResponders, fileImmediateActions, fileBankHolidays}

// FuzzParse replaces one file of the shipped catalogue with the fuzzer's
// bytes. Parse must never panic; a refusal names the catalogue and the file
// at fault; an accepted catalogue is consistent: every id is unique and
// found by its lookup, and every indicator's group exists.
func FuzzParse(f *testing.F) {
	data, err := fs.Sub(shipped, "data")
	if err != nil {
		f.Fatal(err)
	}
	files := fstest.MapFS{}
	for _, name := range catalogFiles {
		b, err := fs.ReadFile(data, name)
		if err != nil {
			f.Fatal(err)
		}
		files[name] = &fstest.MapFile{Data: b}
		f.Add(uint8(len(files)-1), b)
	}
	for i, s := range []string{`{}`, `[]`, `null`, `{"version":""}`, `[{"id":"Bad Id","label":"x","section":"§1"}]`, `[{"id":"a"},{"id":"a"}]`, `{"groups":[],"indicators":[{"id":"a","group":"none"}]}`, `[{"date":"2026-13-01","title":"x"}]`, `{"version":"1"} trailing`} {
		f.Add(uint8(i), []byte(s))
	}
	f.Fuzz(func(t *testing.T, which uint8, content []byte) {
		name := catalogFiles[int(which)%len(catalogFiles)]
		fsys := fstest.MapFS{}
		for k, v := range files {
			fsys[k] = v
		}
		fsys[name] = &fstest.MapFile{Data: content}
		c, err := Parse(fsys)
		if err != nil {
			if msg := err.Error(); !strings.HasPrefix(msg, "catalog: ") || !strings.Contains(msg, ".json") {
				t.Fatalf("refusal of %s does not name the catalogue file: %q", name, msg)
			}
			return
		}
		seen := map[string]bool{}
		unique := func(kind, id string) {
			if seen[kind+":"+id] {
				t.Fatalf("accepted %s: %s %q twice", name, kind, id)
			}
			seen[kind+":"+id] = true
		}
		groups := map[string]bool{}
		for _, g := range c.IndicatorGroups {
			unique("group", g.ID)
			groups[g.ID] = true
		}
		for _, in := range c.Indicators {
			unique("indicator", in.ID)
			if got, ok := c.Indicator(in.ID); !ok || got != in {
				t.Fatalf("accepted %s: indicator %q not found by its id", name, in.ID)
			}
			if !groups[in.Group] {
				t.Fatalf("accepted %s: indicator %q is in group %q, which does not exist", name, in.ID, in.Group)
			}
		}
		for _, e := range c.ExploitationTypes {
			unique("type", e.ID)
			if _, ok := c.ExploitationType(e.ID); !ok {
				t.Fatalf("accepted %s: exploitation type %q not found by its id", name, e.ID)
			}
		}
		for _, a := range c.ImmediateActions {
			unique("action", a.ID)
			if _, ok := c.ImmediateAction(a.ID); !ok {
				t.Fatalf("accepted %s: immediate action %q not found by its id", name, a.ID)
			}
		}
		for _, r := range c.FirstResponders {
			unique("responder", r.ID)
			if _, ok := c.FirstResponder(r.ID); !ok {
				t.Fatalf("accepted %s: First Responder %q not found by its id", name, r.ID)
			}
		}
	})
}

package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"waymark/internal/catalog"
)

// copyShipped copies the lists built in to a folder, as in a source checkout.
func copyShipped(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	src := "../../internal/catalog/data/ho-nrm-lists"
	ents, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// When the Home Office changes a list, an import says what changed and
// writes a copy that loads, naming the new commit (§8.7: the referral is
// made on the Home Office's form, so Waymark follows its lists).
func TestImportingANewerCopyOfTheHomeOfficeListsSaysWhatChanged(t *testing.T) {
	into, from := copyShipped(t), copyShipped(t)
	path := filepath.Join(from, "ms_uk_police_forces.js")
	b, _ := os.ReadFile(path)
	b = bytes.Replace(b, []byte(`{value:"National Police Air Service",label:"National Police Air Service"}`), []byte(`{value:"Example Police",label:"Example Police"}`), 1)
	os.WriteFile(path, b, 0o644)
	var out, errb bytes.Buffer
	commit := strings.Repeat("ab", 20)
	err := run(context.Background(), []string{"ho-lists", "import", "--from", from, "--into", into, "--commit", commit, "--date", "2026-11-30"}, func(string) string { return "" }, nil, &out, &errb)
	if err != nil {
		t.Fatalf("import: %v\n%s", err, errb.String())
	}
	for _, want := range []string{"police-forces: 47 entries (was 47), 1 added, 1 removed", "- National Police Air Service", "+ Example Police"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	l, err := catalog.ParseHOLists(os.DirFS(into))
	if err != nil {
		t.Fatal(err)
	}
	if l.Source.Commit != commit || l.Source.Date != "2026-11-30" || !l.Has(catalog.HOPoliceForces, "Example Police") {
		t.Errorf("imported copy: %+v", l.Source)
	}
}

func TestAnImportThatDoesNotParseWritesNothing(t *testing.T) {
	into, from := copyShipped(t), copyShipped(t)
	os.WriteFile(filepath.Join(from, "ms_countries.js"), []byte("module.exports = 'changed format'"), 0o644)
	before, _ := os.ReadFile(filepath.Join(into, "source.json"))
	var out, errb bytes.Buffer
	err := run(context.Background(), []string{"ho-lists", "import", "--from", from, "--into", into, "--commit", strings.Repeat("cd", 20), "--date", "2026-11-30"}, func(string) string { return "" }, nil, &out, &errb)
	if err == nil || !strings.Contains(err.Error(), "ms_countries.js") {
		t.Fatalf("err = %v", err)
	}
	after, _ := os.ReadFile(filepath.Join(into, "source.json"))
	if !bytes.Equal(before, after) {
		t.Error("source.json was rewritten by a failed import")
	}
	for _, bad := range [][]string{{"--from", from, "--commit", "abc", "--date", "2026-11-30"}, {"--from", from, "--commit", strings.Repeat("cd", 20), "--date", "30/11/2026"}, {"--commit", strings.Repeat("cd", 20), "--date", "2026-11-30"}} {
		if err := run(context.Background(), append([]string{"ho-lists", "import", "--into", into}, bad...), func(string) string { return "" }, nil, &out, &errb); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMatchRefusesAFileOverItsLimits: a file over the documented size or
// number of records is refused with an error saying the limit, not matched
// until the machine runs out of memory (README, "Match records from files").
func TestMatchRefusesAFileOverItsLimits(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "people.csv")
	os.WriteFile(f, []byte("rec_id,given_name\nr1,ann\nr2,bob\nr3,cat\n"), 0o600)
	bytes, rows := maxMatchFileBytes, maxMatchRows
	t.Cleanup(func() { maxMatchFileBytes, maxMatchRows = bytes, rows })

	maxMatchFileBytes = 20
	if _, err := runWaymark("match", "dedupe", "--in", f, "--map", "id=rec_id,given=given_name"); err == nil || !strings.Contains(err.Error(), "too big to match") {
		t.Errorf("a file over the size limit: %v", err)
	}
	maxMatchFileBytes, maxMatchRows = bytes, 2
	if _, err := runWaymark("match", "link", "--left", f, "--right", f, "--map", "id=rec_id,given=given_name"); err == nil || !strings.Contains(err.Error(), "3 records") {
		t.Errorf("a file over the record limit: %v", err)
	}
	maxMatchRows = 3
	if _, err := runWaymark("match", "dedupe", "--in", f, "--map", "id=rec_id,given=given_name"); err != nil {
		t.Errorf("a file at the limits: %v", err)
	}
}

// TestMatchPrintsIdsASpreadsheetWouldRunAsText: an id starting with =, +,
// -, @, a tab or a carriage return is printed after a ', so that opening
// the output in a spreadsheet runs no formula.
func TestMatchPrintsIdsASpreadsheetWouldRunAsText(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "people.csv")
	os.WriteFile(f, []byte("rec_id,given_name,surname,dob\n"+
		"\"=HYPERLINK(\"\"http://x\"\")\",Amira,Hoxha,20111120\n"+
		"@SUM(A1),Amira,Hoxha,20111120\n"+
		"-2+3,Amira,Hoxha,20111120\n"+
		"+44 7700,Amira,Hoxha,20111120\n"+
		"ok-id,Amira,Hoxha,20111120\n"), 0o600)
	out, err := runWaymark("match", "dedupe", "--in", f, "--map", "id=rec_id,given=given_name,family=surname,dob=dob:YYYYMMDD", "--threshold", "0")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(rows) < 2 {
		t.Fatalf("%v: %q", err, out)
	}
	for _, r := range rows[1:] {
		for _, id := range r[:2] {
			if strings.ContainsAny(id[:1], "=+-@\t\r") {
				t.Errorf("the id %q is printed as a spreadsheet would run it", id)
			}
			if id != "ok-id" && !strings.HasPrefix(id, "'") {
				t.Errorf("the id %q is not marked as text", id)
			}
		}
	}
	// Surrounding spaces, tabs among them, are trimmed as the file is
	// read; an id that kept one is marked all the same.
	for _, id := range []string{"\tx", "\rx"} {
		if got := spreadsheetSafe(id); got != "'"+id {
			t.Errorf("spreadsheetSafe(%q) = %q", id, got)
		}
	}
}

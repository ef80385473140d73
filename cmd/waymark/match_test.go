package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const febrlMap = "id=rec_id,given=given_name,family=surname,dob=date_of_birth:YYYYMMDD,street=street_number+address_1+address_2,locality=suburb,postcode=postcode,region=state,identifier=soc_sec_id"

var febrl1 = filepath.Join("..", "..", "internal", "match", "testdata", "febrl", "dataset1.csv")

func runWaymark(args ...string) (string, error) {
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, env(nil), strings.NewReader(""), &out, &errOut)
	return out.String(), err
}

func TestMatchDedupePrintsThePairsAsCSV(t *testing.T) {
	out, err := runWaymark("match", "dedupe", "--in", febrl1, "--map", febrlMap)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rows[0], ",") != "id_left,id_right,match_probability" {
		t.Errorf("header %v", rows[0])
	}
	// dataset1 holds 500 people with one duplicate each
	if len(rows)-1 < 495 || len(rows)-1 > 505 {
		t.Errorf("%d pairs, want about 500", len(rows)-1)
	}
}

func TestMatchLinkReadsTwoFiles(t *testing.T) {
	data, err := os.ReadFile(febrl1)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	var orig, dup []string
	for _, l := range lines[1:] {
		if strings.Contains(l, "-org") {
			orig = append(orig, l)
		} else {
			dup = append(dup, l)
		}
	}
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.csv"), filepath.Join(dir, "b.csv")
	os.WriteFile(a, []byte(lines[0]+"\n"+strings.Join(orig, "\n")+"\n"), 0o600)
	os.WriteFile(b, []byte(lines[0]+"\n"+strings.Join(dup, "\n")+"\n"), 0o600)
	out, err := runWaymark("match", "link", "--left", a, "--right", b, "--map", febrlMap, "--threshold", "0.9")
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := csv.NewReader(strings.NewReader(out)).ReadAll()
	for _, r := range rows[1:] {
		if !strings.Contains(r[0], "-org") || !strings.Contains(r[1], "-dup") {
			t.Errorf("a pair is not left × right: %v", r)
		}
	}
	if len(rows)-1 < 495 {
		t.Errorf("%d pairs, want about 500", len(rows)-1)
	}
}

// Bad input is told plainly, with what to do, and never panics.
func TestMatchRefusesBadInputPlainly(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("rec_id,given_name\nr1,ann\nr1,bob\n"), 0o600)
	empty := filepath.Join(dir, "empty.csv")
	os.WriteFile(empty, nil, 0o600)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"match"}, "usage: waymark match"},
		{[]string{"match", "merge"}, `unknown match command "merge"`},
		{[]string{"match", "dedupe", "--in", filepath.Join(dir, "missing.csv"), "--map", "id=rec_id"}, "cannot read"},
		{[]string{"match", "dedupe", "--in", febrl1}, "--map is required"},
		{[]string{"match", "dedupe", "--in", febrl1, "--map", "id=rec_id,given=forename"}, `column "forename"`},
		{[]string{"match", "dedupe", "--in", febrl1, "--map", "id=rec_id,colour=given_name"}, `field "colour"`},
		{[]string{"match", "dedupe", "--in", febrl1, "--map", "given=given_name"}, "no id"},
		{[]string{"match", "dedupe", "--in", febrl1, "--map", "id=rec_id,dob=date_of_birth"}, "no date layout"},
		{[]string{"match", "dedupe", "--in", febrl1, "--map", "id=rec_id,dob=date_of_birth:DD/MM"}, "YYYY, MM and DD"},
		{[]string{"match", "dedupe", "--in", febrl1, "--map", "id=rec_id,given"}, "not field=column"},
		{[]string{"match", "dedupe", "--in", febrl1, "--map", "id=rec_id,given=a+"}, "empty column"},
		{[]string{"match", "dedupe", "--in", febrl1, "--map", "id=rec_id", "--threshold", "2"}, "not a probability"},
		{[]string{"match", "dedupe", "--in", febrl1, "--map", "id=rec_id", "--threshold", "NaN"}, "not a probability"},
		{[]string{"match", "dedupe", "--in", febrl1, "--map", "id=rec_id,dob=date_of_birth:DD/MM/YYYY"}, "none of its"},
		{[]string{"match", "dedupe", "--in", bad, "--map", "id=rec_id,given=given_name"}, "line 3 has the id"},
		{[]string{"match", "dedupe", "--in", empty, "--map", "id=rec_id"}, "is empty"},
		{[]string{"match", "link", "--left", febrl1, "--map", "id=rec_id"}, "--right"},
		{[]string{"match", "dedupe", "--left", febrl1, "--map", "id=rec_id"}, "--in"},
	} {
		_, err := runWaymark(c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want an error saying %q", c.args, err, c.want)
		}
	}
}

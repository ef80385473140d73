package synth

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"waymark/internal/match"
)

// Mapping is the column mapping `waymark match dedupe --map` reads the
// generated CSV with.
const Mapping = "id=id,given=given,family=family,dob=dob:YYYYMMDD,street=street," +
	"locality=locality,postcode=postcode,region=region,identifier=identifier"

// Header is the CSV's columns: first those Mapping names, then the
// details the command line does not read, then the truth (child,
// household, later, modes), which a matcher must not be given.
var Header = []string{"id", "given", "family", "dob", "street", "locality", "postcode", "region",
	"identifier", "aliases", "age_from", "age_to", "age_on", "gender", "nationality", "languages",
	"places", "phones", "associates", "recorded", "child", "household", "later", "modes"}

// listSep joins the several values of one column.
const listSep = "; "

// WriteCSV writes the records with Header.
func WriteCSV(w io.Writer, records []Record) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(Header); err != nil {
		return err
	}
	for _, r := range records {
		p := r.Person
		ageOn, ageFrom, ageTo := "", "", ""
		if !p.AgeOn.IsZero() {
			ageOn = p.AgeOn.Format("20060102")
			ageFrom, ageTo = strconv.Itoa(p.AgeFrom), strconv.Itoa(p.AgeTo)
		}
		modes := make([]string, len(r.Modes))
		for i, m := range r.Modes {
			modes[i] = string(m)
		}
		row := []string{p.ID, p.Given, p.Family, strings.ReplaceAll(p.DateOfBirth, "-", ""),
			p.Street, p.Locality, p.Postcode, p.Region, p.Identifier,
			strings.Join(p.Aliases, listSep), ageFrom, ageTo, ageOn, p.Gender, p.Nationality,
			strings.Join(p.Languages, listSep), strings.Join(p.Places, listSep),
			strings.Join(p.Phones, listSep), strings.Join(p.Associates, listSep),
			r.Recorded.Format("20060102"), strconv.Itoa(r.Child), strconv.Itoa(r.Household),
			strconv.FormatBool(r.Later), strings.Join(modes, listSep)}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// ReadCSV reads records WriteCSV wrote, truth included.
func ReadCSV(r io.Reader) ([]Record, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = len(Header)
	rows, err := cr.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("synth: reading records: %w", err)
	}
	if len(rows) == 0 || strings.Join(rows[0], ",") != strings.Join(Header, ",") {
		return nil, fmt.Errorf("synth: reading records: the header is not %s", strings.Join(Header, ","))
	}
	list := func(s string) []string {
		if s == "" {
			return nil
		}
		return strings.Split(s, listSep)
	}
	date := func(s string) (time.Time, error) {
		if s == "" {
			return time.Time{}, nil
		}
		return time.Parse("20060102", s)
	}
	var out []Record
	for n, row := range rows[1:] {
		col := func(name string) string {
			for i, h := range Header {
				if h == name {
					return row[i]
				}
			}
			panic("synth: no column " + name)
		}
		bad := func(err error) error { return fmt.Errorf("synth: reading record %d: %w", n+1, err) }
		p := match.Person{ID: col("id"), Given: col("given"), Family: col("family"),
			Street: col("street"), Locality: col("locality"), Postcode: col("postcode"),
			Region: col("region"), Identifier: col("identifier"), Aliases: list(col("aliases")),
			Gender: col("gender"), Nationality: col("nationality"), Languages: list(col("languages")),
			Places: list(col("places")), Phones: list(col("phones")), Associates: list(col("associates"))}
		if d := col("dob"); d != "" {
			t, err := date(d)
			if err != nil {
				return nil, bad(err)
			}
			p.DateOfBirth = t.Format(time.DateOnly)
		}
		var err error
		if p.AgeOn, err = date(col("age_on")); err != nil {
			return nil, bad(err)
		}
		if !p.AgeOn.IsZero() {
			if p.AgeFrom, err = strconv.Atoi(col("age_from")); err != nil {
				return nil, bad(err)
			}
			if p.AgeTo, err = strconv.Atoi(col("age_to")); err != nil {
				return nil, bad(err)
			}
		}
		rec := Record{Person: p}
		if rec.Recorded, err = date(col("recorded")); err != nil {
			return nil, bad(err)
		}
		if rec.Child, err = strconv.Atoi(col("child")); err != nil {
			return nil, bad(err)
		}
		if rec.Household, err = strconv.Atoi(col("household")); err != nil {
			return nil, bad(err)
		}
		if rec.Later, err = strconv.ParseBool(col("later")); err != nil {
			return nil, bad(err)
		}
		for _, m := range list(col("modes")) {
			rec.Modes = append(rec.Modes, Mode(m))
		}
		out = append(out, rec)
	}
	return out, nil
}

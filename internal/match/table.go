package match

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Mapping says which columns of a CSV file hold each detail of a person:
// "id=rec_id,given=given_name,dob=date_of_birth:YYYYMMDD,street=a+b".
type Mapping struct {
	columns    map[string][]string // field -> columns, joined with a space
	dateLayout string
}

// mappingFields are the details a mapping may name.
var mappingFields = []string{"id", "given", "family", "dob", "street", "locality", "postcode", "region", "identifier"}

// ParseMapping reads a column mapping, refusing a field it does not know,
// a field named twice, an empty column, or a date layout it cannot read.
func ParseMapping(s string) (Mapping, error) {
	m := Mapping{columns: map[string][]string{}}
	if strings.TrimSpace(s) == "" {
		return m, errors.New("the mapping is empty: give field=column pairs, such as id=rec_id,given=given_name")
	}
	for _, part := range strings.Split(s, ",") {
		field, cols, ok := strings.Cut(part, "=")
		field = strings.TrimSpace(field)
		if !ok {
			return m, fmt.Errorf("%q in the mapping is not field=column", strings.TrimSpace(part))
		}
		if !slices.Contains(mappingFields, field) {
			return m, fmt.Errorf("the mapping names the field %q; the fields are %s", field, strings.Join(mappingFields, ", "))
		}
		if _, dup := m.columns[field]; dup {
			return m, fmt.Errorf("the mapping gives the field %q twice", field)
		}
		if field == "dob" {
			c, layout, ok := strings.Cut(cols, ":")
			if !ok {
				return m, errors.New("the mapping gives no date layout for dob: write dob=COLUMN:YYYYMMDD (or YYYY-MM-DD, DD/MM/YYYY, ...)")
			}
			layout = strings.TrimSpace(layout)
			if err := checkLayout(layout); err != nil {
				return m, err
			}
			cols, m.dateLayout = c, layout
		}
		var list []string
		for _, c := range strings.Split(cols, "+") {
			c = strings.TrimSpace(c)
			if c == "" {
				return m, fmt.Errorf("the mapping for %q has an empty column name", field)
			}
			list = append(list, c)
		}
		m.columns[field] = list
	}
	if m.columns["id"] == nil {
		return m, errors.New("the mapping has no id: name the column that identifies each record, such as id=rec_id")
	}
	return m, nil
}

// checkLayout accepts a layout of YYYY, MM and DD once each, with any
// separators between them.
func checkLayout(layout string) error {
	for _, part := range []string{"YYYY", "MM", "DD"} {
		if strings.Count(layout, part) != 1 {
			return fmt.Errorf("the date layout %q must hold YYYY, MM and DD once each (such as YYYYMMDD or DD/MM/YYYY)", layout)
		}
	}
	rest := strings.NewReplacer("YYYY", "", "MM", "", "DD", "").Replace(layout)
	if strings.ContainsAny(rest, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") {
		return fmt.Errorf("the date layout %q has letters other than YYYY, MM and DD", layout)
	}
	return nil
}

// readDate reads a value in the layout as YYYY-MM-DD. A value that does
// not fit the layout is taken as missing: records hold mistakes.
func readDate(v, layout string) string {
	if len(v) != len(layout) {
		return ""
	}
	var y, mo, d strings.Builder
	for i := 0; i < len(layout); i++ {
		var b *strings.Builder
		switch layout[i] {
		case 'Y':
			b = &y
		case 'M':
			b = &mo
		case 'D':
			b = &d
		default:
			if v[i] != layout[i] {
				return ""
			}
			continue
		}
		if v[i] < '0' || v[i] > '9' {
			return ""
		}
		b.WriteByte(v[i])
	}
	return y.String() + "-" + mo.String() + "-" + d.String()
}

// ReadPeople reads the people of a CSV file with a header row. name is the
// file's name, for the errors.
func ReadPeople(r io.Reader, name string, m Mapping) ([]Person, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = false
	header, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("%s is empty: it needs a header row naming its columns", name)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	index := map[string]int{}
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		index[h] = i
	}
	cols := map[string][]int{}
	for _, f := range mappingFields {
		for _, c := range m.columns[f] {
			i, ok := index[c]
			if !ok {
				return nil, fmt.Errorf("the mapping names the column %q, which %s does not have; its columns are: %s", c, name, strings.Join(trimAll(header), ", "))
			}
			cols[f] = append(cols[f], i)
		}
	}
	var people []Person
	ids := map[string]int{}
	// Dates that do not fit the layout are taken as missing (records hold
	// mistakes), but when not one fits, the layout is wrong: refused,
	// rather than matching the whole file without its dates.
	dates, fitting, firstDate := 0, 0, ""
	for {
		row, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		line, _ := cr.FieldPos(0) // the line the record starts on, quoted line breaks and all
		get := func(f string) string {
			var parts []string
			for _, i := range cols[f] {
				if i < len(row) {
					if v := strings.TrimSpace(row[i]); v != "" {
						parts = append(parts, v)
					}
				}
			}
			return strings.Join(parts, " ")
		}
		p := Person{
			ID: get("id"), Given: get("given"), Family: get("family"),
			Street: get("street"), Locality: get("locality"), Postcode: get("postcode"),
			Region: get("region"), Identifier: get("identifier"),
		}
		if p.ID == "" {
			return nil, fmt.Errorf("%s line %d has no id", name, line)
		}
		if first, dup := ids[p.ID]; dup {
			return nil, fmt.Errorf("%s line %d has the id %q of line %d: each record needs its own id", name, line, p.ID, first)
		}
		ids[p.ID] = line
		if v := get("dob"); v != "" {
			p.DateOfBirth = readDate(v, m.dateLayout)
			if dates++; p.DateOfBirth != "" {
				fitting++
			} else if firstDate == "" {
				firstDate = v
			}
		}
		people = append(people, p)
	}
	if dates > 0 && fitting == 0 {
		return nil, fmt.Errorf("%s: none of its %d dates of birth fits the layout %s (the first is %q): give the layout the column holds, such as dob=COLUMN:YYYYMMDD or dob=COLUMN:DD/MM/YYYY", name, dates, m.dateLayout, firstDate)
	}
	return people, nil
}

func trimAll(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = strings.TrimSpace(v)
	}
	return out
}

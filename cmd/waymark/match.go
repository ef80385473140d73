package main

import (
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"waymark/internal/match"
)

const matchUsage = `usage: waymark match dedupe --in FILE.csv --map MAPPING [--threshold 0.5]
       waymark match link --left A.csv --right B.csv --map MAPPING [--threshold 0.5]
MAPPING is field=column pairs, such as
  id=rec_id,given=given_name,family=surname,dob=date_of_birth:YYYYMMDD,street=street_number+address_1
(fields: id, given, family, dob, street, locality, postcode, region, identifier; + joins columns)`

// runMatch finds the records of the same person in one file (dedupe) or
// between two (link), training the model on the files themselves, and
// prints the pairs as CSV (docs/matching.md).
func runMatch(args []string, stdout, stderr io.Writer) error {
	mode := ""
	if len(args) > 0 && (args[0] == "dedupe" || args[0] == "link") {
		mode, args = args[0], args[1:]
	}
	fs := flag.NewFlagSet("match "+mode, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, matchUsage); fs.PrintDefaults() }
	in := fs.String("in", "", "dedupe: the CSV file whose records are matched with each other")
	left := fs.String("left", "", "link: the first CSV file")
	right := fs.String("right", "", "link: the second CSV file")
	mapping := fs.String("map", "", "which columns hold which details: field=column pairs, separated by commas")
	threshold := fs.Float64("threshold", 0.5, "the least match probability printed, from 0 to 1")
	if _, err := parseFlags(fs, args, nil); err != nil {
		return err
	}
	if mode == "" {
		if len(args) > 0 {
			return fmt.Errorf("unknown match command %q\n%s", args[0], matchUsage)
		}
		return errors.New(matchUsage)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("match %s takes no arguments after its flags, but was given %q", mode, fs.Arg(0))
	}
	if !(*threshold >= 0 && *threshold <= 1) { // NaN too: it would silently predict nothing
		return fmt.Errorf("--threshold %v is not a probability from 0 to 1", *threshold)
	}
	if *mapping == "" {
		return errors.New("--map is required: say which columns hold which details, such as --map id=rec_id,given=given_name,family=surname")
	}
	m, err := match.ParseMapping(*mapping)
	if err != nil {
		return fmt.Errorf("--map: %w", err)
	}
	var run match.Run
	switch mode {
	case "dedupe":
		if *in == "" || *left != "" || *right != "" {
			return errors.New("match dedupe reads one file: give --in FILE.csv (and no --left or --right)")
		}
		people, err := readPeople(*in, m)
		if err != nil {
			return err
		}
		run = match.Dedupe(people, *threshold)
	case "link":
		if *left == "" || *right == "" || *in != "" {
			return errors.New("match link reads two files: give --left A.csv and --right B.csv (and no --in)")
		}
		l, err := readPeople(*left, m)
		if err != nil {
			return err
		}
		r, err := readPeople(*right, m)
		if err != nil {
			return err
		}
		run = match.Link(l, r, *threshold)
	}
	w := csv.NewWriter(stdout)
	w.Write([]string{"id_left", "id_right", "match_probability"})
	for _, p := range run.Pairs {
		w.Write([]string{spreadsheetSafe(p.Left), spreadsheetSafe(p.Right), strconv.FormatFloat(p.Probability, 'f', 6, 64)})
	}
	w.Flush()
	return w.Error()
}

// The most waymark match reads from one file: a file larger, or with more
// rows, is refused before it is matched (a run holds every record and its
// blocking keys in memory). Variables so that a test need not write 50 MB.
var (
	maxMatchFileBytes int64 = 50 << 20 // 50 MB
	maxMatchRows            = 1_000_000
)

// errTooBig says plainly what the limit is and what to do.
func errTooBig(path, what string) error {
	return fmt.Errorf("%s is too big to match: it has %s, and waymark match reads at most %d MB and %d records a file; split it, or match a sample first",
		path, what, maxMatchFileBytes>>20, maxMatchRows)
}

func readPeople(path string, m match.Mapping) ([]match.Person, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", path, err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() && st.Size() > maxMatchFileBytes {
		return nil, errTooBig(path, fmt.Sprintf("%d bytes", st.Size()))
	}
	// A pipe or device has no size: read one byte past the limit to know.
	lr := &io.LimitedReader{R: f, N: maxMatchFileBytes + 1}
	people, err := match.ReadPeople(lr, path, m)
	if lr.N == 0 {
		return nil, errTooBig(path, fmt.Sprintf("more than %d bytes", maxMatchFileBytes))
	}
	if err == nil && len(people) > maxMatchRows {
		return nil, errTooBig(path, fmt.Sprintf("%d records", len(people)))
	}
	return people, err
}

// spreadsheetSafe is an id as the CSV prints it: one that a spreadsheet
// would take for a formula (starting with =, +, -, @, a tab or a carriage
// return) is printed after a ' so that it is read as text, as OWASP's
// advice on CSV injection has it (README, "Match records from files").
func spreadsheetSafe(id string) string {
	if id != "" && strings.ContainsRune("=+-@\t\r", rune(id[0])) {
		return "'" + id
	}
	return id
}

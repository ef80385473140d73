package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	iofs "io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"

	"waymark/internal/catalog"
)

// runHOLists is `waymark ho-lists show|import`: the Home Office NRM form's
// closed lists that the NRM draft proposes answers from (§8.7, §8.8).
//
// show prints the copy built into this binary: its source, version and the
// number of entries in each list.
//
// import reads a newer copy of the form's ms-lists folder (a checkout of the
// Home Office's public code), checks every file parses, prints what each
// list gains and loses against the copy in --into, and writes the files
// unchanged with a new source.json naming the commit. The lists are built
// into the binary, so a new copy reaches users with the next build; an
// answer no longer on a list is flagged by the draft's checks.
func runHOLists(sub string, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	switch sub {
	case "show":
		fs := flag.NewFlagSet("ho-lists show", flag.ContinueOnError)
		fs.SetOutput(stderr)
		if _, err := parseFlags(fs, args, getenv); err != nil {
			return err
		}
		l, err := catalog.LoadHOLists()
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Home Office NRM form lists: %s, %s at %s\n", l.Source.Version(), l.Source.Repository, l.Source.Commit)
		for _, n := range catalog.HOListNames {
			fmt.Fprintf(stdout, "  %-18s %5d entries\n", n, len(l.Entries(n)))
		}
		return nil
	case "import":
		return importHOLists(args, getenv, stdout, stderr)
	}
	return errors.New(groups["ho-lists"])
}

var (
	commitPattern = regexp.MustCompile(`^[0-9a-f]{40}$`)
	datePattern   = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
)

func importHOLists(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("ho-lists import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	from := fs.String("from", "", "the form's ms-lists folder to import (required)")
	into := fs.String("into", "internal/catalog/data/ho-nrm-lists", "the folder of the copy built into Waymark, in a source checkout")
	commit := fs.String("commit", "", "the full commit id the files were taken from (required)")
	date := fs.String("date", "", "the commit's date, YYYY-MM-DD (required)")
	dryRun := fs.Bool("dry-run", false, "print what would change, write nothing")
	if _, err := parseFlags(fs, args, getenv); err != nil {
		return err
	}
	switch {
	case *from == "":
		return errors.New("ho-lists import: --from is required: the ms-lists folder of the Home Office form's code")
	case !commitPattern.MatchString(*commit):
		return fmt.Errorf("ho-lists import: --commit %q is not a full 40-character commit id", *commit)
	case !datePattern.MatchString(*date):
		return fmt.Errorf("ho-lists import: --date %q is not YYYY-MM-DD", *date)
	}
	old, err := catalog.ParseHOLists(os.DirFS(*into))
	if err != nil {
		return fmt.Errorf("ho-lists import: the copy in --into: %w", err)
	}
	src := old.Source
	src.Commit, src.Date = *commit, *date
	files := map[string][]byte{}
	for i, l := range src.Lists {
		data, err := os.ReadFile(filepath.Join(*from, l.File))
		if err != nil {
			return fmt.Errorf("ho-lists import: %w", err)
		}
		entries, err := catalog.ParseHOListFile(string(data))
		if err != nil {
			return fmt.Errorf("ho-lists import: %s: %w", l.File, err)
		}
		src.Lists[i].Entries = len(entries)
		files[l.File] = data
		added, removed := listChanges(old.Entries(l.Name), entries)
		fmt.Fprintf(stdout, "%s: %d entries (was %d), %d added, %d removed\n", l.Name, len(entries), len(old.Entries(l.Name)), len(added), len(removed))
		for _, v := range removed {
			fmt.Fprintf(stdout, "  - %s\n", v)
		}
		for _, v := range added {
			fmt.Fprintf(stdout, "  + %s\n", v)
		}
	}
	manifest, err := json.MarshalIndent(src, "", "  ")
	if err != nil {
		return err
	}
	files["source.json"] = append(manifest, '\n')
	// The new copy must load as a whole before anything is written.
	check := map[string][]byte{}
	for k, v := range files {
		check[k] = v
	}
	if _, err := catalog.ParseHOLists(mapFS(check)); err != nil {
		return fmt.Errorf("ho-lists import: the new copy does not load: %w", err)
	}
	if *dryRun {
		fmt.Fprintln(stdout, "dry run: nothing written")
		return nil
	}
	names := make([]string, 0, len(files))
	for k := range files {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		if err := writeFileAtomic(filepath.Join(*into, k), files[k]); err != nil {
			return fmt.Errorf("ho-lists import: %w", err)
		}
	}
	fmt.Fprintf(stdout, "written to %s: rebuild Waymark, run its tests (answers no longer on a list are flagged), and note the change in the release\n", *into)
	return nil
}

// listChanges lists the values added and removed between two copies.
func listChanges(old, now []catalog.HOEntry) (added, removed []string) {
	had, has := map[string]bool{}, map[string]bool{}
	for _, e := range old {
		had[e.Value] = true
	}
	for _, e := range now {
		has[e.Value] = true
		if !had[e.Value] {
			added = append(added, e.Value)
		}
	}
	for _, e := range old {
		if !has[e.Value] {
			removed = append(removed, e.Value)
		}
	}
	return added, removed
}

func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".import-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// mapFS holds a copy in memory so it can be loaded before it is written.
type mapFS map[string][]byte

func (m mapFS) Open(name string) (iofs.File, error) {
	return nil, &iofs.PathError{Op: "open", Path: name, Err: iofs.ErrNotExist}
}

func (m mapFS) ReadFile(name string) ([]byte, error) {
	if b, ok := m[name]; ok {
		return slices.Clone(b), nil
	}
	return nil, &iofs.PathError{Op: "read", Path: name, Err: iofs.ErrNotExist}
}

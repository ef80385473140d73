package store_test

import (
	"os"
	"path/filepath"
	"testing"

	"waymark/internal/store"
)

// A SQLite file whose path holds '?', '#' or '%' is the file opened: once
// the path went into a "file:" URI as it was, so SQLite opened the path up
// to the '?' or '#' (another file, without the pragmas), while the checks
// of existence and permissions looked at the file named.
func TestASQLitePathWithURICharactersOpensThatFile(t *testing.T) {
	for _, name := range []string{"a?mode=memory.db", "b#frag.db", "c%41.db", "d?x#y%z.db"} {
		dir := t.TempDir()
		path := filepath.Join(dir, name)
		db, err := store.Open(ctx, path)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		db.Close()
		if info, err := os.Stat(path); err != nil || info.Size() == 0 {
			t.Fatalf("%s: the database is not in the file named: %v %v", name, info, err)
		}
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if e.Name() != name && e.Name() != name+"-wal" && e.Name() != name+"-shm" {
				t.Errorf("%s: another file was made: %s", name, e.Name())
			}
		}
		db, err = store.OpenExisting(ctx, path)
		if err != nil {
			t.Fatalf("%s: opening it again: %v", name, err)
		}
		if err := db.RequireCurrent(ctx); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		db.Close()
	}
}

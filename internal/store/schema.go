package store

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
)

// Waymark's schema is exactly what its migrations create. A trigger, view
// or rule added behind its back can change what a write does while the
// write reports success (a trigger that drops the audit entries of one
// user's reads, and the head update with them, leaves an intact chain), so
// start-up and `waymark verify` refuse any that the migrations did not
// create, and any table they do not know (docs/security.md).

var createTable = regexp.MustCompile(`(?i)CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?([A-Za-z_][A-Za-z0-9_]*)`)

// SchemaError names what is in the database that Waymark did not create.
type SchemaError struct{ Found []string }

func (e *SchemaError) Error() string {
	return "the database holds what Waymark's migrations did not create, which can change what its writes do behind its back: " +
		strings.Join(e.Found, "; ") + ". Nothing was changed: find out who added them and why, remove them, then run `waymark verify` (docs/operations.md)"
}

// knownTables are the tables the embedded migrations create.
func (db *DB) knownTables() (map[string]bool, error) {
	known := map[string]bool{"schema_migrations": true}
	dir := path.Join("migrations", string(db.Dialect))
	entries, err := fs.ReadDir(migrations, dir)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		body, err := migrations.ReadFile(path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		for _, m := range createTable.FindAllStringSubmatch(string(body), -1) {
			known[strings.ToLower(m[1])] = true
		}
	}
	return known, nil
}

// CheckSchema refuses triggers, views, rules, row-level security policies
// and functions of the database's own called from a constraint, a column
// default or an index (none of which Waymark's migrations create, and each
// of which can change what a statement sees or writes) and tables its migrations do not create, naming each.
// On PostgreSQL the tables and views of an installed extension (say
// pg_stat_statements in the same schema) are the administrator's, not a
// writer's: they are let be; triggers and rules never are.
func (db *DB) CheckSchema(ctx context.Context) error {
	known, err := db.knownTables()
	if err != nil {
		return err
	}
	var q string
	if db.Dialect == SQLite {
		q = `SELECT type, name FROM sqlite_master WHERE type IN ('table', 'view', 'trigger') AND name NOT LIKE 'sqlite\_%' ESCAPE '\'`
	} else {
		q = `SELECT CASE WHEN c.relkind IN ('v', 'm') THEN 'view' ELSE 'table' END, c.relname::text
				FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
				WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'f', 'v', 'm')
					AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
			UNION ALL SELECT 'trigger', tg.tgname || ' on ' || c.relname
				FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
				WHERE NOT tg.tgisinternal AND n.nspname = current_schema()
			UNION ALL SELECT 'rule', r.rulename || ' on ' || r.tablename FROM pg_rules r WHERE r.schemaname = current_schema()
			UNION ALL SELECT 'policy', p.polname || ' on ' || c.relname
				FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace
				WHERE n.nspname = current_schema()
			UNION ALL SELECT 'row-level security', 'on ' || c.relname
				FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
				WHERE n.nspname = current_schema() AND (c.relrowsecurity OR c.relforcerowsecurity)
			UNION ALL SELECT 'function', p.proname::text || ' called by ' || c.relname
				FROM pg_depend d
				JOIN pg_proc p ON d.refclassid = 'pg_proc'::regclass AND p.oid = d.refobjid
				JOIN pg_namespace pn ON pn.oid = p.pronamespace
				JOIN pg_class c ON c.oid = CASE d.classid
					WHEN 'pg_constraint'::regclass THEN (SELECT conrelid FROM pg_constraint WHERE oid = d.objid)
					WHEN 'pg_attrdef'::regclass THEN (SELECT adrelid FROM pg_attrdef WHERE oid = d.objid)
					WHEN 'pg_class'::regclass THEN d.objid END
				JOIN pg_namespace n ON n.oid = c.relnamespace
				WHERE pn.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname = current_schema()`
	}
	rows, err := db.sql.QueryContext(ctx, q)
	if err != nil {
		return fmt.Errorf("store: reading the schema: %w", err)
	}
	defer rows.Close()
	var found []string
	for rows.Next() {
		var kind, name string
		if err := rows.Scan(&kind, &name); err != nil {
			return err
		}
		if kind == "table" && known[strings.ToLower(name)] {
			continue
		}
		if kind == "table" {
			found = append(found, "table "+name+" (no migration creates it)")
		} else {
			found = append(found, kind+" "+name)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(found) > 0 {
		sort.Strings(found)
		return &SchemaError{Found: found}
	}
	return nil
}

// migrationStatement finds, in the order written, the statements that
// create, drop or move an index: a CREATE INDEX (its name and table), a
// DROP INDEX, an ALTER TABLE … RENAME TO (indexes follow their table) and a
// DROP TABLE (its indexes go with it).
var migrationStatement = regexp.MustCompile(`(?is)` +
	`CREATE\s+(?:UNIQUE\s+)?INDEX\s+(?:IF\s+NOT\s+EXISTS\s+)?([A-Za-z_][A-Za-z0-9_]*)\s+ON\s+([A-Za-z_][A-Za-z0-9_]*)` +
	`|DROP\s+INDEX\s+(?:IF\s+EXISTS\s+)?([A-Za-z_][A-Za-z0-9_]*)` +
	`|ALTER\s+TABLE\s+([A-Za-z_][A-Za-z0-9_]*)\s+RENAME\s+TO\s+([A-Za-z_][A-Za-z0-9_]*)` +
	`|DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?([A-Za-z_][A-Za-z0-9_]*)`)

var sqlLineComment = regexp.MustCompile(`--[^\n]*`)

// expectedIndexes are the indexes the embedded migrations leave behind,
// each with its table, replayed in migration order.
func (db *DB) expectedIndexes() (map[string]string, error) {
	dir := path.Join("migrations", string(db.Dialect))
	entries, err := fs.ReadDir(migrations, dir) // sorted by name: the order they run in
	if err != nil {
		return nil, err
	}
	onTable := map[string]string{}
	for _, e := range entries {
		body, err := migrations.ReadFile(path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		text := sqlLineComment.ReplaceAllString(string(body), "")
		for _, m := range migrationStatement.FindAllStringSubmatch(text, -1) {
			switch {
			case m[1] != "":
				onTable[strings.ToLower(m[1])] = strings.ToLower(m[2])
			case m[3] != "":
				delete(onTable, strings.ToLower(m[3]))
			case m[4] != "":
				from, to := strings.ToLower(m[4]), strings.ToLower(m[5])
				for ix, t := range onTable {
					if t == from {
						onTable[ix] = to
					}
				}
			case m[6] != "":
				gone := strings.ToLower(m[6])
				for ix, t := range onTable {
					if t == gone {
						delete(onTable, ix)
					}
				}
			}
		}
	}
	return onTable, nil
}

// IndexError names the indexes the migrations define that the database
// lacks: a seed or restore stopped part way, or someone dropped them.
type IndexError struct{ Missing []string }

func (e *IndexError) Error() string {
	return "the database lacks indexes its migrations create, so reads that rely on them scan whole tables: " +
		strings.Join(e.Missing, ", ") + ". A seed stopped part way is resumed by running it again; otherwise restore the last good backup (docs/operations.md)"
}

// CheckIndexes reports, as an *IndexError, every index the migrations
// define that the database does not have.
func (db *DB) CheckIndexes(ctx context.Context) error {
	want, err := db.expectedIndexes()
	if err != nil {
		return err
	}
	q := `SELECT name FROM sqlite_master WHERE type = 'index'`
	if db.Dialect != SQLite {
		q = `SELECT indexname::text FROM pg_indexes WHERE schemaname = current_schema()`
	}
	rows, err := db.sql.QueryContext(ctx, q)
	if err != nil {
		return fmt.Errorf("store: reading the indexes: %w", err)
	}
	defer rows.Close()
	have := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return err
		}
		have[strings.ToLower(name)] = true
	}
	if err := rows.Err(); err != nil {
		return err
	}
	var missing []string
	for ix, table := range want {
		if !have[ix] {
			missing = append(missing, ix+" on "+table)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return &IndexError{Missing: missing}
	}
	return nil
}

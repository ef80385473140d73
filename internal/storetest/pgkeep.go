package storetest

import (
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Making a fully migrated PostgreSQL schema runs some forty migrations of
// DDL: about half a second each time, against a few milliseconds for a
// SQLite test's copied file, and most of what a short PostgreSQL test
// costs. So a fully migrated schema is kept when its test ends, emptied
// back to what the migrations left in it, and handed to the next test of
// the same process that asks for one (keptSchema). It is kept only when
// nothing but rows changed: a test that altered a table, added an index,
// a function or a grant, or left a session connected, has its schema
// dropped as before (pristine.same). Schemas migrated only part way
// (PostgresAt with upTo) and empty ones (ForEachEmpty) are never kept.
var kept = &schemaPool{}

type schemaPool struct {
	mu       sync.Mutex
	free     []string
	pristine *pristine // what a freshly migrated schema holds; nil until one was seen
}

// pristine is a freshly migrated schema, as far as a test can change it.
type pristine struct {
	shape  string            // shapeOf: its tables, columns, constraints, indexes, grants…
	tables []string          // every table
	seeds  map[string]string // table -> its rows as a JSON array, for tables the migrations fill
	seqs   map[string]string // sequence -> "last_value,is_called"
}

// poolComment marks a kept schema with the host and process that keep it,
// so that a later process can drop those a killed one left (sweepKept).
func poolComment() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("waymark storetest pool: host %s pid %d", host, os.Getpid())
}

var keepAdmin = sync.OnceValues(func() (*sql.DB, error) {
	db, err := sql.Open("pgx", os.Getenv(EnvDatabaseURL))
	if err != nil {
		return nil, err
	}
	db.SetMaxIdleConns(2)
	sweepKept(db)
	return db, nil
})

// sweepKept drops the kept schemas of processes on this host that have
// ended (a test binary killed by -timeout or a signal runs no cleanup).
func sweepKept(admin *sql.DB) {
	host, _ := os.Hostname()
	prefix := "waymark storetest pool: host " + host + " pid "
	rows, err := admin.Query(`SELECT n.nspname, obj_description(n.oid, 'pg_namespace') FROM pg_namespace n
		WHERE n.nspname LIKE 't\_%' AND obj_description(n.oid, 'pg_namespace') LIKE 'waymark storetest pool: %'`)
	if err != nil {
		return
	}
	var gone []string
	for rows.Next() {
		var schema, comment string
		if rows.Scan(&schema, &comment) != nil || !strings.HasPrefix(comment, prefix) {
			continue
		}
		pid, err := strconv.Atoi(strings.TrimPrefix(comment, prefix))
		if err == nil && pid != os.Getpid() && errors.Is(syscall.Kill(pid, 0), syscall.ESRCH) {
			gone = append(gone, schema)
		}
	}
	rows.Close()
	for _, schema := range gone {
		admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
	}
}

// keptSchema returns the address and name of a schema for a test that
// migrates fully: a kept one when there is one (already migrated), else a
// new empty one. When the test ends the schema is emptied and kept, or
// dropped (release).
func keptSchema(t testing.TB, base string) (string, string) {
	t.Helper()
	admin, err := keepAdmin()
	if err != nil {
		t.Fatalf("storetest: connecting to postgres: %v", err)
	}
	kept.mu.Lock()
	var schema string
	if n := len(kept.free); n > 0 {
		schema, kept.free = kept.free[n-1], kept.free[:n-1]
	}
	kept.mu.Unlock()
	if schema == "" {
		schema = "t_" + randomHex(8)
		if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
			t.Fatalf("storetest: creating schema %s: %v", schema, err)
		}
		if _, err := admin.Exec(`COMMENT ON SCHEMA ` + schema + ` IS ` + quoteLiteral(poolComment())); err != nil {
			t.Fatalf("storetest: marking schema %s: %v", schema, err)
		}
	}
	// Cleanups run last-registered first: the test's stores close before this.
	t.Cleanup(func() {
		if err := kept.release(admin, schema); err != nil {
			t.Logf("storetest: schema %s is dropped, not kept: %v", schema, err)
			if _, err := admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`); err != nil {
				t.Errorf("storetest: dropping schema %s: %v", schema, err)
			}
		}
	})
	return schemaURL(t, base, schema), schema
}

// schemaURL is base with its sessions confined to schema (search_path: pgx
// sends unknown URL parameters as run-time parameters) and named after it
// (application_name), so that what one test sees of the server's sessions
// (WaitForLockWaiters) is its own.
func schemaURL(t testing.TB, base, schema string) string {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("storetest: parsing %s: %v", EnvDatabaseURL, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	q.Set("application_name", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// migrated records what a freshly migrated schema holds, the first time
// one is seen; schema has just been migrated and nothing else written.
func (p *schemaPool) migrated(admin *sql.DB, schema string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.pristine != nil {
		return nil
	}
	pr, err := snapshot(admin, schema)
	if err != nil {
		return err
	}
	p.pristine = pr
	return nil
}

// release empties schema back to the pristine one and keeps it, or
// returns an error when it cannot be kept (the caller drops it).
func (p *schemaPool) release(admin *sql.DB, schema string) error {
	p.mu.Lock()
	pr := p.pristine
	p.mu.Unlock()
	if pr == nil {
		return errors.New("no pristine schema seen yet")
	}
	if err := sessionsEnded(admin, schema); err != nil {
		return err
	}
	shape, err := shapeOf(admin, schema)
	if err != nil {
		return err
	}
	if shape != pr.shape {
		return errors.New("its tables, indexes or grants were changed")
	}
	if err := pr.restore(admin, schema); err != nil {
		return err
	}
	p.mu.Lock()
	p.free = append(p.free, schema)
	p.mu.Unlock()
	return nil
}

// sessionsEnded waits up to two seconds for the sessions of schema's
// stores to end. A store's Close has closed its connections, but the server
// takes a moment to see each go; a session still there after that belongs
// to a handle the test left open, and the schema is not kept.
func sessionsEnded(admin *sql.DB, schema string) error {
	var sessions int
	for range 200 {
		if err := admin.QueryRow(`SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = $1`, schema).Scan(&sessions); err != nil {
			return err
		}
		if sessions == 0 {
			return nil
		}
		time.Sleep(10 * time.Millisecond) // polling the server, which says when a session has gone only by its absence
	}
	return fmt.Errorf("%d sessions still connected", sessions)
}

// restore empties every table of schema that holds rows and puts back the
// rows the migrations left and where its sequences stood, in one
// transaction. Deleting the few rows a test wrote is cheaper than
// TRUNCATE, which gives every table and index a new file (80 ms a test).
func (pr *pristine) restore(admin *sql.DB, schema string) error {
	probes := make([]string, len(pr.tables))
	for i, table := range pr.tables {
		probes[i] = fmt.Sprintf(`SELECT %s WHERE EXISTS (SELECT 1 FROM %s)`, quoteLiteral(table), qualified(schema, table))
	}
	rows, err := admin.Query(strings.Join(probes, " UNION ALL "))
	if err != nil {
		return err
	}
	full := map[string]bool{}
	for rows.Next() {
		var table string
		if err := rows.Scan(&table); err != nil {
			rows.Close()
			return err
		}
		full[table] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	// One batch, which the server runs as one transaction: rows are
	// deleted from a table before those of any table it refers to.
	var batch []string
	for _, table := range pr.tables {
		if full[table] || pr.seeds[table] != "" {
			batch = append(batch, `DELETE FROM `+qualified(schema, table))
		}
	}
	for _, table := range pr.tables {
		if seed := pr.seeds[table]; seed != "" {
			t := qualified(schema, table)
			batch = append(batch, `INSERT INTO `+t+` SELECT * FROM jsonb_populate_recordset(NULL::`+t+`, `+quoteLiteral(seed)+`::jsonb)`)
		}
	}
	for seq, at := range pr.seqs {
		last, called, _ := strings.Cut(at, ",")
		batch = append(batch, fmt.Sprintf(`SELECT setval(%s::regclass, %s, %s)`, quoteLiteral(qualified(schema, seq)), last, called))
	}
	_, err = admin.Exec(strings.Join(batch, ";\n"))
	return err
}

// snapshot reads what a freshly migrated schema holds.
func snapshot(admin *sql.DB, schema string) (*pristine, error) {
	shape, err := shapeOf(admin, schema)
	if err != nil {
		return nil, err
	}
	pr := &pristine{shape: shape, seeds: map[string]string{}, seqs: map[string]string{}}
	rows, err := admin.Query(`SELECT tablename FROM pg_tables WHERE schemaname = $1 ORDER BY tablename`, schema)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var table string
		if err := rows.Scan(&table); err != nil {
			rows.Close()
			return nil, err
		}
		pr.tables = append(pr.tables, table)
	}
	rows.Close()
	if len(pr.tables) == 0 {
		return nil, fmt.Errorf("schema %s has no tables", schema)
	}
	if pr.tables, err = referrersFirst(admin, schema, pr.tables); err != nil {
		return nil, err
	}
	for _, table := range pr.tables {
		var n int
		var all string
		t := qualified(schema, table)
		if err := admin.QueryRow(`SELECT COUNT(*), COALESCE(jsonb_agg(to_jsonb(x)), '[]')::text FROM `+t+` x`).Scan(&n, &all); err != nil {
			return nil, err
		}
		if n > 0 {
			pr.seeds[table] = all
		}
	}
	seqs, err := admin.Query(`SELECT sequencename, COALESCE(last_value, start_value), last_value IS NOT NULL FROM pg_sequences WHERE schemaname = $1`, schema)
	if err != nil {
		return nil, err
	}
	defer seqs.Close()
	for seqs.Next() {
		var name, last string
		var called bool
		if err := seqs.Scan(&name, &last, &called); err != nil {
			return nil, err
		}
		pr.seqs[name] = last + "," + strconv.FormatBool(called)
	}
	return pr, seqs.Err()
}

// referrersFirst orders tables so that each comes before every table its
// foreign keys refer to, as deleting their rows needs.
func referrersFirst(admin *sql.DB, schema string, tables []string) ([]string, error) {
	rows, err := admin.Query(`SELECT c.relname, p.relname FROM pg_constraint k
		JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid
		WHERE k.contype = 'f' AND k.connamespace = $1::regnamespace AND k.conrelid <> k.confrelid`, schema)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	referrers := map[string]int{} // table -> how many tables still to be placed refer to it
	refersTo := map[string][]string{}
	for rows.Next() {
		var child, parent string
		if err := rows.Scan(&child, &parent); err != nil {
			return nil, err
		}
		referrers[parent]++
		refersTo[child] = append(refersTo[child], parent)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var order []string
	placed := map[string]bool{}
	for len(order) < len(tables) {
		progress := false
		for _, table := range tables {
			if placed[table] || referrers[table] > 0 {
				continue
			}
			placed[table], progress = true, true
			order = append(order, table)
			for _, parent := range refersTo[table] {
				referrers[parent]--
			}
		}
		if !progress {
			return nil, fmt.Errorf("the foreign keys of schema %s refer round in a circle", schema)
		}
	}
	return order, nil
}

// shapeOf is everything about schema but its rows that a test could
// change: tables and sequences, their columns, defaults, constraints,
// indexes, row security, grants and triggers, and functions, types and
// policies, with the schema's own name taken out.
func shapeOf(admin *sql.DB, schema string) (string, error) {
	var shape sql.NullString
	err := admin.QueryRow(`SELECT md5(replace(string_agg(x, E'\n' ORDER BY x), $1::text, '<schema>')) FROM (
		SELECT 'n ' || COALESCE(n.nspacl::text, '') AS x FROM pg_namespace n WHERE n.oid = $1::regnamespace
		UNION ALL SELECT 'c ' || c.relname || ' ' || c.relkind::text || ' ' || c.relrowsecurity::text || ' ' || c.relforcerowsecurity::text || ' ' || COALESCE(c.relacl::text, '')
			FROM pg_class c WHERE c.relnamespace = $1::regnamespace
		UNION ALL SELECT 'a ' || c.relname || ' ' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || ' ' || a.attnotnull::text || ' ' || COALESCE(pg_get_expr(d.adbin, d.adrelid), '')
			FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
			WHERE c.relnamespace = $1::regnamespace AND a.attnum > 0 AND NOT a.attisdropped
		UNION ALL SELECT 'k ' || r.conname || ' ' || pg_get_constraintdef(r.oid) FROM pg_constraint r WHERE r.connamespace = $1::regnamespace
		UNION ALL SELECT 'i ' || pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relnamespace = $1::regnamespace
		UNION ALL SELECT 't ' || g.tgname || ' ' || g.tgenabled::text FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid WHERE c.relnamespace = $1::regnamespace AND NOT g.tgisinternal
		UNION ALL SELECT 'r ' || w.rulename FROM pg_rewrite w JOIN pg_class c ON c.oid = w.ev_class WHERE c.relnamespace = $1::regnamespace
		UNION ALL SELECT 'o ' || o.polname FROM pg_policy o JOIN pg_class c ON c.oid = o.polrelid WHERE c.relnamespace = $1::regnamespace
		UNION ALL SELECT 'p ' || f.oid::regprocedure::text FROM pg_proc f WHERE f.pronamespace = $1::regnamespace
		UNION ALL SELECT 'y ' || y.typname FROM pg_type y WHERE y.typnamespace = $1::regnamespace AND y.typrelid = 0 AND y.typelem = 0
	) shape`, schema).Scan(&shape)
	if err != nil {
		return "", err
	}
	if !shape.Valid {
		return "", fmt.Errorf("schema %s has nothing in it", schema)
	}
	return shape.String, nil
}

func qualified(schema, name string) string {
	return `"` + strings.ReplaceAll(schema, `"`, `""`) + `"."` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

func quoteLiteral(s string) string {
	return `'` + strings.ReplaceAll(s, `'`, `''`) + `'`
}

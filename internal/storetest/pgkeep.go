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
// back to what the migrations left in it, renamed, and handed to the next
// test of the same process that asks for one (keptSchema). It is kept only
// when nothing but rows changed (catalogState): a test that altered a
// table, added an index, a function or a grant, ran ANALYZE, grew a table
// past what the planner treats as small, or left a session connected, has
// its schema dropped as before. Schemas migrated only part way (PostgresAt
// with upTo) and empty ones (ForEachEmpty) are never kept.
var kept = &schemaPool{baselines: map[string]string{}}

type schemaPool struct {
	mu        sync.Mutex
	free      []string
	baselines map[string]string // schema -> its catalogState when it was last fresh
	pristine  *pristine         // what a freshly migrated schema holds; nil until one was seen
}

// pristine is what the migrations leave in a schema's rows.
type pristine struct {
	tables []string          // every table, each before those its foreign keys refer to
	seeds  map[string]string // table -> its rows as a JSON array, for tables the migrations fill
	seqs   map[string]seqAt  // sequence -> where it stood
}

// seqAt is where a sequence stands: its last value, and whether it was
// taken (setval's arguments).
type seqAt struct {
	last   int64
	called bool
}

// poolComment marks a kept schema with the machine, process and time that
// made it, so that a later process can drop those a killed one left
// (sweepKept).
func poolComment() string {
	return fmt.Sprintf("waymark storetest pool: %s since %d", processMark(os.Getpid()), time.Now().Unix())
}

// processMark names a process uniquely on this machine and boot: host,
// boot id, pid namespace and pid. A process of another container or pid
// namespace never has the same mark, so the sweep does not mistake it for
// a dead one of its own.
func processMark(pid int) string {
	host, _ := os.Hostname()
	boot, _ := os.ReadFile("/proc/sys/kernel/random/boot_id")
	ns, _ := os.Readlink("/proc/self/ns/pid")
	return fmt.Sprintf("host %s boot %s pidns %s pid %d", host, strings.TrimSpace(string(boot)), ns, pid)
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

// sweepKept drops the kept schemas of processes of this machine, boot and
// pid namespace that have ended (a test binary killed by -timeout or a
// signal runs no cleanup, and a finished one leaves its idle schemas), and
// any kept schema older than two days, wherever it was made.
func sweepKept(admin *sql.DB) {
	rows, err := admin.Query(`SELECT n.nspname, obj_description(n.oid, 'pg_namespace') FROM pg_namespace n
		WHERE n.nspname LIKE 't\_%' AND obj_description(n.oid, 'pg_namespace') LIKE 'waymark storetest pool: %'`)
	if err != nil {
		return
	}
	ours := strings.TrimSuffix(processMark(0), "0")
	var gone []string
	for rows.Next() {
		var schema, comment string
		if rows.Scan(&schema, &comment) != nil {
			continue
		}
		mark, since, _ := strings.Cut(strings.TrimPrefix(comment, "waymark storetest pool: "), " since ")
		if at, err := strconv.ParseInt(since, 10, 64); err == nil && time.Since(time.Unix(at, 0)) > 48*time.Hour {
			gone = append(gone, schema)
			continue
		}
		pid, err := strconv.Atoi(strings.TrimPrefix(mark, ours))
		if err == nil && strings.HasPrefix(mark, ours) && pid != os.Getpid() && errors.Is(syscall.Kill(pid, 0), syscall.ESRCH) {
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
	schema := kept.take(admin)
	if schema == "" {
		schema = "t_" + randomHex(8)
		if _, err := admin.Exec(`BEGIN; CREATE SCHEMA ` + schema + `; COMMENT ON SCHEMA ` + schema + ` IS ` + quoteLiteral(poolComment()) + `; COMMIT`); err != nil {
			t.Fatalf("storetest: creating schema %s: %v", schema, err)
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

// take hands out a kept schema, or "" when none is left. One changed while
// it waited (by a bare ANALYZE from another test process, say) is dropped.
func (p *schemaPool) take(admin *sql.DB) string {
	for {
		p.mu.Lock()
		n := len(p.free)
		if n == 0 {
			p.mu.Unlock()
			return ""
		}
		schema := p.free[n-1]
		p.free = p.free[:n-1]
		baseline := p.baselines[schema]
		p.mu.Unlock()
		if state, err := catalogState(admin, schema); err == nil && state == baseline {
			return schema
		}
		p.mu.Lock()
		delete(p.baselines, schema)
		p.mu.Unlock()
		admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
	}
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

// migrated records, for a schema just migrated or handed out kept, its
// catalogState, and the first time one is seen, what the migrations left
// in its rows.
func (p *schemaPool) migrated(admin *sql.DB, schema string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.pristine == nil {
		pr, err := snapshot(admin, schema)
		if err != nil {
			return err
		}
		p.pristine = pr
	}
	if _, ok := p.baselines[schema]; !ok {
		if err := noAutovacuum(admin, schema, p.pristine.tables); err != nil {
			return err
		}
		state, err := catalogState(admin, schema)
		if err != nil {
			return err
		}
		p.baselines[schema] = state
	}
	return nil
}

// noAutovacuum turns autovacuum off on every table of a freshly migrated
// schema (tables: every one the migrations made, as the pool's pristine
// snapshot lists them). A kept schema keeps its tables, and with them the server's count
// of rows changed since they were analysed: autovacuum would otherwise
// analyse a table during the next test, on account of the last one's
// writes, and change its plans midway (the schema would be dropped only
// when that test ended). With it off, a kept schema and a new one are
// planned alike, and the planner statistics checked at release move only
// when a test asks.
func noAutovacuum(admin *sql.DB, schema string, tables []string) error {
	batch := make([]string, len(tables))
	for i, table := range tables {
		batch[i] = `ALTER TABLE ` + qualified(schema, table) + ` SET (autovacuum_enabled = off, toast.autovacuum_enabled = off)`
	}
	_, err := admin.Exec(`BEGIN; ` + strings.Join(batch, "; ") + `; COMMIT`)
	return err
}

// release empties schema back to what the migrations left, renames it and
// keeps it, or returns an error when it cannot be kept (the caller drops
// it).
func (p *schemaPool) release(admin *sql.DB, schema string) error {
	p.mu.Lock()
	pr, baseline, ok := p.pristine, p.baselines[schema], p.baselines[schema] != ""
	delete(p.baselines, schema)
	p.mu.Unlock()
	if pr == nil || !ok {
		return errors.New("it was never seen freshly migrated")
	}
	if err := sessionsEnded(admin, schema); err != nil {
		return err
	}
	state, err := catalogState(admin, schema)
	if err != nil {
		return err
	}
	if state != baseline {
		return errors.New("its catalog changed: a table, column, index, grant, comment or function, or its planner statistics or size")
	}
	renamed := "t_" + randomHex(8)
	if err := pr.restore(admin, schema, renamed); err != nil {
		return err
	}
	if state, err = catalogState(admin, renamed); err != nil {
		admin.Exec(`DROP SCHEMA ` + renamed + ` CASCADE`)
		return nil // the caller's drop of the old name finds nothing
	}
	p.mu.Lock()
	p.baselines[renamed] = state
	p.free = append(p.free, renamed)
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

// restore empties every table of schema that holds rows, puts back the
// rows the migrations left and where its sequences stood, and renames it,
// in one transaction. Deleting the few rows a test wrote is cheaper than
// TRUNCATE, which gives every table and index a new file (80 ms a test).
// Every table is locked first, without waiting: a transaction still open
// on one (a session the test left, not named after the schema) means the
// schema is not kept. The new name makes any session that outlived its
// test fail rather than write into the next test's schema, and makes each
// test's schema name its own, as helpers that key things by it expect.
func (pr *pristine) restore(admin *sql.DB, schema, renamed string) error {
	all := make([]string, len(pr.tables))
	probes := make([]string, len(pr.tables))
	for i, table := range pr.tables {
		all[i] = qualified(schema, table)
		probes[i] = fmt.Sprintf(`SELECT %s WHERE EXISTS (SELECT 1 FROM %s)`, quoteLiteral(table), all[i])
	}
	tx, err := admin.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`LOCK TABLE ` + strings.Join(all, ", ") + ` IN ACCESS EXCLUSIVE MODE NOWAIT`); err != nil {
		return err
	}
	rows, err := tx.Query(strings.Join(probes, " UNION ALL "))
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
	// One batch: rows are deleted from a table before those of any table
	// it refers to.
	var batch []string
	for i, table := range pr.tables {
		if full[table] || pr.seeds[table] != "" {
			batch = append(batch, `DELETE FROM `+all[i])
		}
	}
	for i := len(pr.tables) - 1; i >= 0; i-- { // tables referred to first
		table := pr.tables[i]
		if seed := pr.seeds[table]; seed != "" {
			batch = append(batch, `INSERT INTO `+all[i]+` SELECT * FROM jsonb_populate_recordset(NULL::`+all[i]+`, `+quoteLiteral(seed)+`::jsonb)`)
		}
	}
	for seq, at := range pr.seqs {
		batch = append(batch, fmt.Sprintf(`SELECT setval(%s::regclass, %d, %t)`, quoteLiteral(qualified(schema, seq)), at.last, at.called))
	}
	batch = append(batch, `ALTER SCHEMA `+schema+` RENAME TO `+renamed)
	if _, err := tx.Exec(strings.Join(batch, ";\n")); err != nil {
		return err
	}
	return tx.Commit()
}

// snapshot reads what a freshly migrated schema holds.
func snapshot(admin *sql.DB, schema string) (*pristine, error) {
	pr := &pristine{seeds: map[string]string{}, seqs: map[string]seqAt{}}
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
		var name string
		var at seqAt
		if err := seqs.Scan(&name, &at.last, &at.called); err != nil {
			return nil, err
		}
		pr.seqs[name] = at
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

// catalogState is everything about schema but its rows that a test could
// change, as one hash: every catalog row that describes the schema or
// something in it, by its id and the transaction that last wrote it (so
// any DDL, grant or comment, which writes a new version of a row, changes
// it, while writing rows or taking from a sequence does not); each
// table's and index's planner statistics (ANALYZE and VACUUM set them);
// and which tables have grown to ten pages or more, past which the
// planner reads a table's size rather than assuming a small one.
func catalogState(admin *sql.DB, schema string) (string, error) {
	var state sql.NullString
	err := admin.QueryRow(`WITH ns AS (SELECT $1::regnamespace AS oid), c AS (SELECT oid FROM pg_class WHERE relnamespace = (SELECT oid FROM ns))
		SELECT md5(string_agg(x, ',' ORDER BY x)) FROM (
		SELECT 'n' || oid || ':' || xmin AS x FROM pg_namespace WHERE oid = (SELECT oid FROM ns)
		UNION ALL SELECT 'c' || oid || ':' || xmin || ':' || relpages || ':' || reltuples FROM pg_class WHERE oid IN (SELECT oid FROM c)
		UNION ALL SELECT 'w' || oid FROM pg_class WHERE oid IN (SELECT oid FROM c) AND relkind IN ('r', 'm', 't') AND pg_relation_size(oid) >= 10 * current_setting('block_size')::int
		UNION ALL SELECT 'a' || attrelid || '.' || attnum || ':' || xmin FROM pg_attribute WHERE attrelid IN (SELECT oid FROM c)
		UNION ALL SELECT 'd' || oid || ':' || xmin FROM pg_attrdef WHERE adrelid IN (SELECT oid FROM c)
		UNION ALL SELECT 'k' || oid || ':' || xmin FROM pg_constraint WHERE connamespace = (SELECT oid FROM ns) OR conrelid IN (SELECT oid FROM c)
		UNION ALL SELECT 'i' || indexrelid || ':' || xmin FROM pg_index WHERE indrelid IN (SELECT oid FROM c)
		UNION ALL SELECT 't' || oid || ':' || xmin FROM pg_trigger WHERE tgrelid IN (SELECT oid FROM c)
		UNION ALL SELECT 'r' || oid || ':' || xmin FROM pg_rewrite WHERE ev_class IN (SELECT oid FROM c)
		UNION ALL SELECT 'o' || oid || ':' || xmin FROM pg_policy WHERE polrelid IN (SELECT oid FROM c)
		UNION ALL SELECT 'h' || inhrelid || '.' || inhparent || ':' || xmin FROM pg_inherits WHERE inhrelid IN (SELECT oid FROM c) OR inhparent IN (SELECT oid FROM c)
		UNION ALL SELECT 's' || seqrelid || ':' || xmin FROM pg_sequence WHERE seqrelid IN (SELECT oid FROM c)
		UNION ALL SELECT 'm' || objoid || '.' || classoid || '.' || objsubid || ':' || xmin FROM pg_description WHERE objoid IN (SELECT oid FROM c) OR objoid = (SELECT oid FROM ns)
		UNION ALL SELECT 'x' || oid || ':' || xmin FROM pg_statistic_ext WHERE stxnamespace = (SELECT oid FROM ns)
		UNION ALL SELECT 'p' || oid || ':' || xmin FROM pg_proc WHERE pronamespace = (SELECT oid FROM ns)
		UNION ALL SELECT 'y' || oid || ':' || xmin FROM pg_type WHERE typnamespace = (SELECT oid FROM ns)
		UNION ALL SELECT 'q' || oid || ':' || xmin FROM pg_operator WHERE oprnamespace = (SELECT oid FROM ns)
		UNION ALL SELECT 'l' || oid || ':' || xmin FROM pg_collation WHERE collnamespace = (SELECT oid FROM ns)
		UNION ALL SELECT 'v' || oid || ':' || xmin FROM pg_default_acl WHERE defaclnamespace = (SELECT oid FROM ns)
		UNION ALL SELECT 'f' || oid || ':' || xmin FROM pg_opfamily WHERE opfnamespace = (SELECT oid FROM ns)
		UNION ALL SELECT 'g' || oid || ':' || xmin FROM pg_opclass WHERE opcnamespace = (SELECT oid FROM ns)
		UNION ALL SELECT 'e' || oid || ':' || xmin FROM pg_extension WHERE extnamespace = (SELECT oid FROM ns)
		UNION ALL SELECT 'z' || oid || ':' || xmin FROM pg_conversion WHERE connamespace = (SELECT oid FROM ns)
		UNION ALL SELECT 'b' || oid || ':' || xmin FROM pg_enum WHERE enumtypid IN (SELECT oid FROM pg_type WHERE typnamespace = (SELECT oid FROM ns))
		UNION ALL SELECT 'u' || oid || ':' || xmin FROM pg_publication_rel WHERE prrelid IN (SELECT oid FROM c)
		UNION ALL SELECT 'j' || oid || ':' || xmin FROM pg_ts_config WHERE cfgnamespace = (SELECT oid FROM ns)
		UNION ALL SELECT 'J' || oid || ':' || xmin FROM pg_ts_dict WHERE dictnamespace = (SELECT oid FROM ns)
		UNION ALL SELECT 'P' || oid || ':' || xmin FROM pg_ts_parser WHERE prsnamespace = (SELECT oid FROM ns)
		UNION ALL SELECT 'T' || oid || ':' || xmin FROM pg_ts_template WHERE tmplnamespace = (SELECT oid FROM ns)
	) state`, schema).Scan(&state)
	if err != nil {
		return "", err
	}
	if !state.Valid {
		return "", fmt.Errorf("schema %s has nothing in it", schema)
	}
	return state.String, nil
}

func qualified(schema, name string) string {
	return `"` + strings.ReplaceAll(schema, `"`, `""`) + `"."` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

func quoteLiteral(s string) string {
	return `'` + strings.ReplaceAll(s, `'`, `''`) + `'`
}

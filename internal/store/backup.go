package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"waymark"
	"waymark/internal/audit"
	"waymark/internal/crypt"
)

// Backups, restores and schema versions. A SQLite backup is a single file
// written by VACUUM INTO (BackupTo); a restore checks it end to end before it
// replaces anything (CopySQLite, VerifyBackup, ReplaceSQLite). PostgreSQL is backed up and restored with pg_dump and
// pg_restore (docs/operations.md) and checked afterwards with
// "waymark audit verify".

// migrationWithin reports whether version (e.g. "0003_interpreters") is at or
// before upTo ("0002" or "0002_pathway"); every version is within "".
func migrationWithin(version, upTo string) bool {
	if upTo == "" {
		return true
	}
	num := func(v string) string { n, _, _ := strings.Cut(v, "_"); return n }
	return num(version) <= num(upTo)
}

// MigrationVersions lists the versions of the migrations this build carries
// for the database's dialect, oldest first ("0001_foundation", …).
func (db *DB) MigrationVersions() ([]string, error) {
	entries, err := fs.ReadDir(migrations, path.Join("migrations", string(db.Dialect)))
	if err != nil {
		return nil, fmt.Errorf("store: reading migrations: %w", err)
	}
	var out []string
	for _, e := range entries {
		if v, ok := strings.CutSuffix(e.Name(), ".sql"); ok {
			out = append(out, v)
		}
	}
	sort.Strings(out)
	return out, nil
}

// BackupReport is what VerifyBackup found in a database.
type BackupReport struct {
	Schema       string // newest migration applied
	Cases        int
	Events       int
	Erased       int // cases lawfully erased: their events are kept unreadable
	AuditEntries int64
	// StaleReadModels lists cases whose list entry disagrees with their log:
	// nothing is lost (the log is the record), and "waymark rebuild" fixes them.
	StaleReadModels []string
}

// VerifyBackup checks that a database (a backup about to be restored, or one
// just restored) is whole: SQLite's integrity check, a schema this build
// knows, every case's log decodes and replays (with the master keys given to
// the database, when it is encrypted), and the audit chain verifies end to
// end. Case list entries that disagree with their logs are reported in
// StaleReadModels.
func (db *DB) VerifyBackup(ctx context.Context) (BackupReport, error) {
	var r BackupReport
	if db.Dialect == SQLite {
		if err := db.integrityCheck(ctx); err != nil {
			return r, err
		}
	}
	v, err := db.SchemaVersion(ctx)
	if err != nil {
		return r, fmt.Errorf("store: not a Waymark database (no schema version): %w", err)
	}
	if v == "" {
		return r, errors.New("store: not a Waymark database: no migration has been applied")
	}
	known, err := db.MigrationVersions()
	if err != nil {
		return r, err
	}
	if latest := known[len(known)-1]; !migrationWithin(v, latest) {
		return r, fmt.Errorf("store: the database is at schema %s, newer than this Waymark knows (%s): restore it with the Waymark release that made it", v, latest)
	}
	r.Schema = v
	err = db.Update(ctx, func(tx *Tx) error {
		ids, err := tx.CaseIDs()
		if err != nil {
			return err
		}
		for _, id := range ids {
			c, events, err := tx.LoadCase(id)
			if IsErased(err) {
				r.Erased++
				continue
			}
			if err != nil {
				return fmt.Errorf("store: case %s does not load: %w", id, err)
			}
			var version int
			err = tx.queryRow(`SELECT version FROM cases WHERE id = $1`, id).Scan(&version)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			if version != c.Version {
				r.StaleReadModels = append(r.StaleReadModels, id)
			}
			r.Cases++
			r.Events += len(events)
		}
		return nil
	})
	if err != nil {
		return r, err
	}
	if v[:min(4, len(v))] < "0010" { // before sealed history: the audit chain alone
		r.AuditEntries, err = db.VerifyAudit(ctx.Err)
		return r, err
	}
	// Every seal, and every case's head as the audit chain records it.
	vr, err := db.Verify(ctx, VerifyOptions{Progress: ctx.Err})
	r.AuditEntries = vr.AuditEntries
	return r, err
}

func (db *DB) integrityCheck(ctx context.Context) error {
	rows, err := db.sql.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return fmt.Errorf("store: integrity check: %w", err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return fmt.Errorf("store: integrity check: %w", err)
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: integrity check: %w", err)
	}
	if len(problems) > 0 {
		if len(problems) > 5 {
			problems = append(problems[:5], "…")
		}
		return fmt.Errorf("store: the database is damaged (SQLite integrity check): %s", strings.Join(problems, "; "))
	}
	return nil
}

// openSQLiteReadOnly opens a SQLite file without changing a byte of it
// (immutable: no locks, no journal, no write-ahead log).
func openSQLiteReadOnly(ctx context.Context, file string, ring *crypt.KeyRing) (*DB, error) {
	if _, err := os.Stat(file); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	if _, err := os.Stat(file + "-wal"); err == nil {
		return nil, fmt.Errorf("store: %s has a write-ahead log beside it, so it is a copy of a database in use rather than a backup: make backups with \"waymark backup\"", file)
	}
	abs, err := filepath.Abs(file)
	if err != nil {
		return nil, err
	}
	s, err := sql.Open("sqlite", "file:"+uriPath(abs)+"?mode=ro&immutable=1")
	if err != nil {
		return nil, fmt.Errorf("store: opening %s: %w", file, err)
	}
	s.SetMaxOpenConns(1)
	db := &DB{sql: s, Dialect: SQLite}
	if ring != nil {
		db.SetKeyRing(ring)
	}
	if err := s.PingContext(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("store: opening %s: %w", file, err)
	}
	return db, nil
}

// VerifySQLiteFile runs VerifyBackup on a SQLite file (a backup) without
// changing it. ring holds the master keys when the database is encrypted.
func VerifySQLiteFile(ctx context.Context, file string, ring *crypt.KeyRing) (BackupReport, error) {
	db, err := openSQLiteReadOnly(ctx, file, ring)
	if err != nil {
		return BackupReport{}, err
	}
	defer db.Close()
	return db.VerifyBackup(ctx)
}

// CopySQLite writes a compact copy of the SQLite backup src to dest, which
// must not exist, without changing src, after checking that src is an
// undamaged Waymark database of a schema this build knows. It returns that
// schema version. Restoring is CopySQLite, then opening dest as the service
// would (migrations, master keys) and VerifyBackup, then ReplaceSQLite.
func CopySQLite(ctx context.Context, src, dest string) (string, error) {
	db, err := openSQLiteReadOnly(ctx, src, nil)
	if err != nil {
		return "", err
	}
	defer db.Close()
	if err := db.integrityCheck(ctx); err != nil {
		return "", err
	}
	v, err := db.SchemaVersion(ctx)
	if err != nil || v == "" {
		return "", fmt.Errorf("store: %s is not a Waymark database (no schema version): %v", src, err)
	}
	known, err := db.MigrationVersions()
	if err != nil {
		return "", err
	}
	if latest := known[len(known)-1]; !migrationWithin(v, latest) {
		return "", fmt.Errorf("store: %s is at schema %s, newer than this Waymark knows (%s): restore it with the Waymark release that made it", src, v, latest)
	}
	if err := createOwnerOnly(dest); err != nil {
		return "", err
	}
	if _, err := db.sql.ExecContext(ctx, `VACUUM INTO $1`, dest); err != nil {
		return "", fmt.Errorf("store: copying %s: %w", src, err)
	}
	if err := ownerOnly(sqliteFiles(dest)...); err != nil {
		return "", err
	}
	return v, syncPath(dest)
}

// ErrInUse is returned by ReplaceSQLite when a process has the target
// database open.
var ErrInUse = &waymark.Error{Code: waymark.ECONFLICT, Message: "The database is in use: stop the Waymark service (and any other waymark command using it) before restoring. Nothing was changed."}

// SQLiteInUse reports whether another process has the SQLite database open.
func SQLiteInUse(file string) (bool, error) { return sqliteInUse(strings.TrimPrefix(file, "sqlite:")) }

// ReplaceSQLite puts the verified database file src in the place of target,
// refusing while any other process has target open. src is flushed to disk
// and renamed over target, so target is at every moment either the old
// database or the whole new one. The database it replaced is not deleted:
// it is kept, whole, at the returned path ("" when there was none).
func ReplaceSQLite(ctx context.Context, src, target string) (string, error) {
	target = strings.TrimPrefix(target, "sqlite:")
	if filepath.Dir(src) != filepath.Dir(target) {
		return "", errors.New("store: the restored file must be in the same folder as the database it replaces")
	}
	if _, err := os.Stat(src + "-wal"); err == nil {
		return "", fmt.Errorf("store: %s is still open (it has a write-ahead log)", src)
	}
	if err := syncPath(src); err != nil {
		return "", err
	}
	if inUse, err := sqliteInUse(target); err != nil {
		return "", err
	} else if inUse {
		return "", ErrInUse
	}
	kept := ""
	if _, err := os.Stat(target); err == nil {
		// Fold the old database's write-ahead log into it, so that the copy
		// kept below is whole in one file; a database too damaged to open is
		// kept together with its log instead.
		if old, err := Open(ctx, target); err == nil {
			old.sql.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
			old.Close()
		}
		if inUse, err := sqliteInUse(target); err != nil || inUse {
			return "", ErrInUse
		}
		kept = target + ".replaced-" + time.Now().UTC().Format("20060102T150405Z")
		if err := os.Link(target, kept); err != nil {
			return "", fmt.Errorf("store: keeping the database being replaced: %w", err)
		}
		if err := os.Rename(target+"-wal", kept+"-wal"); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return kept, fmt.Errorf("store: keeping the write-ahead log of the database being replaced: %w", err)
		}
		if err := os.Remove(target + "-shm"); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return kept, fmt.Errorf("store: %w", err)
		}
	}
	if err := os.Rename(src, target); err != nil {
		return kept, fmt.Errorf("store: putting the restored database in place: %w", err)
	}
	return kept, syncPath(filepath.Dir(target))
}

// syncPath flushes a file, or a folder's entries, to disk.
func syncPath(name string) error {
	f, err := os.Open(name)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("store: flushing %s: %w", name, err)
	}
	return nil
}

// Erasures lists every lawful erasure recorded in the database; a database
// from before erasures existed has none.
func (db *DB) Erasures(ctx context.Context) ([]Erasure, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT case_id, erased_at, erased_by, reason, legal_basis FROM erasures ORDER BY erased_at, case_id`)
	if err != nil {
		if s := err.Error(); strings.Contains(s, "no such table") || strings.Contains(s, "SQLSTATE 42P01") {
			return nil, nil
		}
		return nil, fmt.Errorf("store: listing erasures: %w", err)
	}
	defer rows.Close()
	var out []Erasure
	for rows.Next() {
		var e Erasure
		if err := rows.Scan(&e.CaseID, &e.At, &e.By, &e.Reason, &e.LegalBasis); err != nil {
			return nil, err
		}
		e.At = e.At.UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

// ReapplyErasures erases again every case of erasures that this database
// holds unerased, and audits it. A backup taken before a lawful erasure
// still holds the case's data key: restoring it must not bring the child's
// details back. It returns the ids of the cases erased again.
func (db *DB) ReapplyErasures(ctx context.Context, erasures []Erasure, now time.Time) ([]string, error) {
	var again []string
	err := db.Update(ctx, func(tx *Tx) error {
		for _, e := range erasures {
			if prev, err := tx.CaseErasure(e.CaseID); err != nil {
				return err
			} else if prev != nil {
				continue
			}
			err := tx.EraseCase(e)
			if waymark.ErrorCode(err) == waymark.ENOTFOUND {
				continue // the case came after the backup: nothing to erase
			}
			if err != nil {
				return fmt.Errorf("store: erasing case %s again: %w", e.CaseID, err)
			}
			if err := tx.AppendAudit(audit.Entry{At: now, ActorID: "operator", CaseID: e.CaseID, Action: "case.erased",
				Detail: fmt.Sprintf("erased again after a restore: erased on %s by %s (%s)", e.At.Format(time.RFC3339), e.By, e.LegalBasis)}); err != nil {
				return err
			}
			again = append(again, e.CaseID)
		}
		return nil
	})
	return again, err
}

// ErasuresOnRecord lists every lawful erasure this database records: its
// erasure rows, and every case its audit log says was erased that has no
// row any more (read back from the entry: when, by whom, on what basis).
// Restore re-applies them all, so deleting a row before a restore does not
// bring a child's details back.
func (db *DB) ErasuresOnRecord(ctx context.Context) ([]Erasure, error) {
	out, err := db.Erasures(ctx)
	if err != nil {
		return nil, err
	}
	have := map[string]bool{}
	for _, e := range out {
		have[e.CaseID] = true
	}
	rows, err := db.sql.QueryContext(ctx, `SELECT case_id, at, actor_id, detail FROM audit_log WHERE action = 'case.erased' AND case_id <> '' ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("store: listing erasures in the audit log: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e Erasure
		var detail string
		if err := rows.Scan(&e.CaseID, &e.At, &e.By, &detail); err != nil {
			return nil, err
		}
		if have[e.CaseID] {
			continue
		}
		have[e.CaseID] = true
		e.At = e.At.UTC()
		e.LegalBasis, e.Reason = "recorded in the audit log", detail
		if b, r, ok := strings.Cut(strings.TrimPrefix(detail, "legal basis: "), "; reason: "); ok && strings.HasPrefix(detail, "legal basis: ") {
			e.LegalBasis, e.Reason = b, r
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// AuditHead is the last audit entry's seq.
func (db *DB) AuditHead(ctx context.Context) (int64, error) {
	var seq int64
	err := db.sql.QueryRowContext(ctx, `SELECT seq FROM audit_head WHERE id = 1`).Scan(&seq)
	return seq, err
}

package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"waymark"
)

// Documents held on a case (migration 0030, docs/architecture.md
// "Documents"). A file is a row of case_files, whose metadata is sealed
// with the case's data key, and its chunks in case_file_chunks, each
// sealed by crypt.FileSealer under a key derived from the case's data key
// and the file's id. The store never sees a file's plaintext: callers seal
// and open the chunks with the key CaseFileKey gives them.

// CaseFile is one document held on a case, as its metadata says.
type CaseFile struct {
	ID      string    `json:"-"`
	CaseID  string    `json:"-"`
	Name    string    `json:"name"`           // as uploaded, cleaned of path and control characters
	What    string    `json:"what,omitempty"` // what the document is, in the uploader's words
	Type    string    `json:"type"`           // the content type its bytes show, e.g. application/pdf
	Size    int64     `json:"size"`           // bytes of plaintext
	SHA256  string    `json:"sha256"`         // of the plaintext, hex
	AddedAt time.Time `json:"addedAt"`
	AddedBy string    `json:"addedBy"`     // user id
	ByName  string    `json:"addedByName"` // as the user was named when they added it
	Chunks  int       `json:"chunks"`
}

func caseFileAAD(caseID, fileID string) string {
	return "case_files.meta\x00" + caseID + "\x00" + fileID
}

var errFilesNeedEncryption = waymark.Errorf(waymark.EFORBIDDEN, "Documents can only be kept when case data is encrypted at rest: configure a master key (docs/operations.md).")

// CaseFileKey returns the case's data key, which seals and opens the case's
// files (crypt.FileKey derives each file's own from it). It fails as every
// read of an erased case does, and without a key ring.
func (t *Tx) CaseFileKey(caseID string) ([]byte, error) {
	if t.ring() == nil {
		return nil, errFilesNeedEncryption
	}
	return t.dataKey(ownerCase, caseID, false)
}

// CountCaseFiles is how many documents the case holds. In a write
// transaction on PostgreSQL it first takes a lock of the case's documents
// until the transaction ends, so two uploads racing for the case's last
// place cannot both take it (SQLite's writers already take turns).
func (t *Tx) CountCaseFiles(caseID string) (int, error) {
	if t.dialect == Postgres && !t.readOnly {
		if _, err := t.exec(`SELECT pg_advisory_xact_lock(hashtextextended('case_files' || $1, 0))`, caseID); err != nil {
			return 0, fmt.Errorf("store: locking a case's documents: %w", err)
		}
	}
	var n int
	if err := t.queryRow(`SELECT COUNT(*) FROM case_files WHERE case_id = $1`, caseID).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: counting a case's documents: %w", err)
	}
	return n, nil
}

// AddCaseFile writes a document's metadata and its sealed chunks, which
// chunks hands to put in order, in this transaction: the file is there
// whole once it commits, or not at all.
func (t *Tx) AddCaseFile(f CaseFile, chunks func(put func(sealed []byte) error) error) error {
	if t.ring() == nil {
		return errFilesNeedEncryption
	}
	f.AddedAt = utc(f.AddedAt)
	meta, err := json.Marshal(f)
	if err != nil {
		return err
	}
	sealed, err := t.seal(ownerCase, f.CaseID, caseFileAAD(f.CaseID, f.ID), meta)
	if err != nil {
		return err
	}
	if _, err := t.exec(`INSERT INTO case_files(id, case_id, added_at, chunks, meta) VALUES ($1, $2, $3, $4, $5)`,
		f.ID, f.CaseID, f.AddedAt, f.Chunks, sealed); err != nil {
		return fmt.Errorf("store: saving a document: %w", err)
	}
	seq := 0
	err = chunks(func(data []byte) error {
		if _, err := t.exec(`INSERT INTO case_file_chunks(file_id, seq, data) VALUES ($1, $2, $3)`, f.ID, seq, data); err != nil {
			return fmt.Errorf("store: saving a document's content: %w", err)
		}
		seq++
		return nil
	})
	if err != nil {
		return err
	}
	if seq != f.Chunks {
		return fmt.Errorf("store: a document of %d chunks was given %d", f.Chunks, seq)
	}
	return nil
}

// CaseFiles lists the documents held on a case, oldest first.
func (t *Tx) CaseFiles(caseID string) ([]CaseFile, error) {
	return t.caseFiles(`SELECT id, chunks, meta FROM case_files WHERE case_id = $1 ORDER BY added_at, id`, caseID)
}

// CaseFile returns one document of the case, or a not-found error.
func (t *Tx) CaseFile(caseID, fileID string) (CaseFile, error) {
	fs, err := t.caseFiles(`SELECT id, chunks, meta FROM case_files WHERE case_id = $1 AND id = $2`, caseID, fileID)
	if err != nil {
		return CaseFile{}, err
	}
	if len(fs) == 0 {
		return CaseFile{}, waymark.Errorf(waymark.ENOTFOUND, "This case holds no such document. Go back to the case's documents.")
	}
	return fs[0], nil
}

func (t *Tx) caseFiles(q string, caseID string, args ...any) ([]CaseFile, error) {
	rows, err := t.query(q, append([]any{caseID}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("store: reading a case's documents: %w", err)
	}
	type row struct {
		id, meta string
		chunks   int
	}
	var rs []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.chunks, &r.meta); err != nil {
			rows.Close()
			return nil, err
		}
		rs = append(rs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]CaseFile, 0, len(rs))
	for _, r := range rs {
		plain, err := t.open(ownerCase, caseID, caseFileAAD(caseID, r.id), r.meta)
		if err != nil {
			return nil, err
		}
		var f CaseFile
		if err := json.Unmarshal(plain, &f); err != nil {
			return nil, fmt.Errorf("store: reading a document's metadata: %w", err)
		}
		if f.Chunks != r.chunks {
			return nil, t.tamper(caseID, 0, 0, "document "+r.id+" has a chunk count that does not match its sealed metadata")
		}
		f.ID, f.CaseID, f.AddedAt = r.id, caseID, f.AddedAt.UTC()
		out = append(out, f)
	}
	return out, nil
}

// FileChunks reads up to n sealed chunks of a file from chunk from on, in
// a short read-only transaction of its own: a download reads its file a few
// chunks at a time, holding no snapshot while the client is slow. A file
// deleted meanwhile (its case erased) has no more chunks, and the reader
// fails (crypt.ErrTruncated).
func (db *DB) FileChunks(ctx context.Context, fileID string, from, n int) ([][]byte, error) {
	var out [][]byte
	err := db.View(ctx, func(t *Tx) error {
		rows, err := t.query(`SELECT data FROM case_file_chunks WHERE file_id = $1 AND seq >= $2 AND seq < $3 ORDER BY seq`, fileID, from, from+n)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var b []byte
			if err := rows.Scan(&b); err != nil {
				return err
			}
			out = append(out, b)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("store: reading a document's content: %w", err)
	}
	return out, nil
}

// ChunkReader hands a file's sealed chunks to crypt.NewFileOpener, reading
// them batch chunks at a time (FileChunks). Indexes must be asked in order.
func (db *DB) ChunkReader(ctx context.Context, fileID string, batch int) func(index int) ([]byte, bool, error) {
	var held [][]byte
	start := 0
	return func(i int) ([]byte, bool, error) {
		if i < start || i >= start+len(held) {
			if i < start+len(held) {
				return nil, false, errors.New("store: a document's chunks were asked out of order")
			}
			var err error
			if held, err = db.FileChunks(ctx, fileID, i, batch); err != nil {
				return nil, false, err
			}
			start = i
		}
		if i-start >= len(held) {
			return nil, false, nil
		}
		return held[i-start], true, nil
	}
}

// eraseCaseFiles deletes every document of a case and its content: with
// the case's key destroyed they could not be read anyway, and erasure
// leaves nothing of them behind (EraseCase).
func (t *Tx) eraseCaseFiles(caseID string) error {
	for _, q := range []string{
		`DELETE FROM case_file_chunks WHERE file_id IN (SELECT id FROM case_files WHERE case_id = $1)`,
		`DELETE FROM case_files WHERE case_id = $1`,
	} {
		if _, err := t.exec(q, caseID); err != nil {
			return fmt.Errorf("store: erasing a case's documents: %w", err)
		}
	}
	return nil
}

// checkErasedCaseFiles is verify's check that an erased case holds no
// documents: erasure deleted them, so any there now came back by other
// means (a restore the ledger has not reached, a write behind Waymark's
// back). Chunks cannot outlive their file's row (a foreign key).
func (t *Tx) checkErasedCaseFiles(caseID string) error {
	var n int
	if err := t.queryRow(`SELECT COUNT(*) FROM case_files WHERE case_id = $1`, caseID).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return t.tamper(caseID, 0, 0, "it was erased but documents are held on it again")
	}
	return nil
}

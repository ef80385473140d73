package store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"waymark/internal/crypt"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// caseWithKey raises a case and returns its id and data key.
func caseWithKey(t *testing.T, db *store.DB) (string, []byte) {
	t.Helper()
	clock := storetest.NewClock(storetest.Start)
	p := storetest.NewPartnership(t, db, clock)
	svc := storetest.Service(t, db, clock)
	id, err := svc.RaiseConcern(context.Background(), p.Teacher, storetest.ValidConcern(clock.Now()))
	if err != nil {
		t.Fatal(err)
	}
	var key []byte
	if err := db.View(context.Background(), func(tx *store.Tx) error {
		key, err = tx.CaseFileKey(id)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return id, key
}

// sealedChunks seals plain as file id.
func sealedChunks(t *testing.T, key []byte, id string, plain []byte) [][]byte {
	t.Helper()
	var out [][]byte
	s, err := crypt.NewFileSealer(key, id, func(c []byte) error { out = append(out, bytes.Clone(c)); return nil })
	if err != nil {
		t.Fatal(err)
	}
	s.Write(plain)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return out
}

func putAll(chunks [][]byte) func(put func([]byte) error) error {
	return func(put func([]byte) error) error {
		for _, c := range chunks {
			if err := put(c); err != nil {
				return err
			}
		}
		return nil
	}
}

// A document is kept as its sealed chunks in a table of their own, read
// back a few at a time outside any long transaction, and opens as it was.
func TestADocumentIsKeptAsSealedChunksAndReadBackWhole(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		caseID, key := caseWithKey(t, db)
		plain := bytes.Repeat([]byte("a risk assessment, "), 20_000) // 380 KB: 6 chunks
		chunks := sealedChunks(t, key, "file-1", plain)
		f := store.CaseFile{ID: "file-1", CaseID: caseID, Name: "Risk assessment.pdf", Type: "application/pdf", Size: int64(len(plain)), AddedAt: storetest.Start, AddedBy: "user-sw", ByName: "Sam", Chunks: len(chunks)}
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.AddCaseFile(f, putAll(chunks)) }); err != nil {
			t.Fatal(err)
		}
		var listed []store.CaseFile
		if err := db.View(ctx, func(tx *store.Tx) (err error) { listed, err = tx.CaseFiles(caseID); return err }); err != nil {
			t.Fatal(err)
		}
		if len(listed) != 1 || listed[0].Name != f.Name || listed[0].Size != f.Size || listed[0].Chunks != len(chunks) || !listed[0].AddedAt.Equal(f.AddedAt) {
			t.Fatalf("listed %+v", listed)
		}
		// The name is sealed: the row holds no plaintext of it.
		var meta string
		if err := db.SQL().QueryRow(`SELECT meta FROM case_files WHERE id = 'file-1'`).Scan(&meta); err != nil || bytes.Contains([]byte(meta), []byte("Risk")) {
			t.Fatalf("the stored metadata shows the name, or was not read: %v", err)
		}
		o, err := crypt.NewFileOpener(key, "file-1", db.ChunkReader(ctx, "file-1", 4))
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(o)
		if err != nil || !bytes.Equal(got, plain) {
			t.Fatalf("read back %d bytes of %d: %v", len(got), len(plain), err)
		}
	})
}

// An upload that fails part way (the client went, the disk filled) leaves
// nothing: neither the document's row nor any of its chunks.
func TestADocumentCutShortLeavesNothingHalfSaved(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		caseID, key := caseWithKey(t, db)
		chunks := sealedChunks(t, key, "file-1", bytes.Repeat([]byte{7}, 3*crypt.FileChunkSize))
		cut := errors.New("the client went away")
		f := store.CaseFile{ID: "file-1", CaseID: caseID, Name: "x.pdf", Type: "application/pdf", AddedAt: storetest.Start, Chunks: len(chunks)}
		err := db.Update(ctx, func(tx *store.Tx) error {
			return tx.AddCaseFile(f, func(put func([]byte) error) error {
				if err := put(chunks[0]); err != nil {
					return err
				}
				return cut
			})
		})
		if !errors.Is(err, cut) {
			t.Fatalf("err %v", err)
		}
		for _, table := range []string{"case_files", "case_file_chunks"} {
			var n int
			if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil || n != 0 {
				t.Errorf("%s holds %d rows after a failed upload (%v)", table, n, err)
			}
		}
	})
}

// A document's metadata altered in the database does not open, and a row
// moved to another case does not either: the seal names case and file.
func TestADocumentsMetadataIsBoundToItsCase(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		caseID, key := caseWithKey(t, db)
		chunks := sealedChunks(t, key, "file-1", []byte("%PDF-1.7"))
		f := store.CaseFile{ID: "file-1", CaseID: caseID, Name: "x.pdf", Type: "application/pdf", Size: 8, AddedAt: storetest.Start, Chunks: len(chunks)}
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.AddCaseFile(f, putAll(chunks)) }); err != nil {
			t.Fatal(err)
		}
		if err := db.Update(ctx, func(tx *store.Tx) error {
			f.ID = "file-2"
			return tx.AddCaseFile(f, putAll(sealedChunks(t, key, "file-2", []byte("%PDF-1.7"))))
		}); err != nil {
			t.Fatal(err)
		}
		// file-2's row carries file-1's sealed metadata.
		if _, err := db.SQL().Exec(`UPDATE case_files SET meta = (SELECT meta FROM case_files WHERE id = 'file-1') WHERE id = 'file-2'`); err != nil {
			t.Fatal(err)
		}
		err := db.View(ctx, func(tx *store.Tx) error { _, err := tx.CaseFile(caseID, "file-2"); return err })
		if !errors.Is(err, crypt.ErrDecrypt) {
			t.Fatalf("metadata copied from another file opened: %v", err)
		}
	})
}

// Two uploads racing for a case's last place: on PostgreSQL the second
// upload's count waits for the first upload's transaction to end, so it
// sees the document the first added (SQLite's writers take turns anyway).
func TestACountOfACasesDocumentsWaitsForAnUploadUnderWay(t *testing.T) {
	if !storetest.WantPostgres(t) {
		t.Skip("PostgreSQL only: SQLite runs one write transaction at a time")
	}
	db := storetest.Postgres(t)
	ctx := context.Background()
	caseID, key := caseWithKey(t, db)
	counted := make(chan int, 1)
	err := db.Update(ctx, func(tx *store.Tx) error {
		if n, err := tx.CountCaseFiles(caseID); err != nil || n != 0 {
			return fmt.Errorf("first count %d: %v", n, err)
		}
		chunks := sealedChunks(t, key, "file-1", []byte("%PDF-1.7"))
		if err := tx.AddCaseFile(store.CaseFile{ID: "file-1", CaseID: caseID, Name: "a.pdf", Type: "application/pdf", AddedAt: storetest.Start, Chunks: len(chunks)}, putAll(chunks)); err != nil {
			return err
		}
		go func() {
			var n int
			err := db.Update(ctx, func(tx *store.Tx) (err error) { n, err = tx.CountCaseFiles(caseID); return err })
			if err != nil {
				n = -1
			}
			counted <- n
		}()
		// Until the second count is seen waiting for the lock, or has
		// counted without waiting (which fails below).
		for {
			var waiting int
			if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
				WHERE l.locktype = 'advisory' AND NOT l.granted AND a.query LIKE '%pg_advisory_xact_lock(hashtextextended(''case_files''%'`).Scan(&waiting); err != nil {
				return err
			}
			if waiting > 0 {
				return nil
			}
			select {
			case n := <-counted:
				return fmt.Errorf("the second upload counted %d documents while the first was under way", n)
			default:
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := <-counted; n != 1 {
		t.Fatalf("the second upload counted %d documents after the first committed, want 1", n)
	}
}

// An erased case holds no documents: verify names one put back on it.
func TestVerifyNamesADocumentPutBackOnAnErasedCase(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		withLedger(t, db)
		caseID, key := caseWithKey(t, db)
		chunks := sealedChunks(t, key, "file-1", []byte("%PDF-1.7"))
		f := store.CaseFile{ID: "file-1", CaseID: caseID, Name: "a.pdf", Type: "application/pdf", AddedAt: storetest.Start, Chunks: len(chunks)}
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.AddCaseFile(f, putAll(chunks)) }); err != nil {
			t.Fatal(err)
		}
		var meta string
		if err := db.SQL().QueryRow(`SELECT meta FROM case_files WHERE id = 'file-1'`).Scan(&meta); err != nil {
			t.Fatal(err)
		}
		if err := erase(t, db, caseID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Verify(ctx, store.VerifyOptions{ReadModels: true}); err != nil {
			t.Fatalf("the erased case does not verify: %v", err)
		}
		if _, err := db.SQL().Exec(`INSERT INTO case_files(id, case_id, added_at, chunks, meta) VALUES ('file-1', $1, $2, 1, $3)`, caseID, storetest.Start, meta); err != nil {
			t.Fatal(err)
		}
		_, err := db.Verify(ctx, store.VerifyOptions{ReadModels: true})
		var te *store.TamperError
		if !errors.As(err, &te) || te.CaseID != caseID || !strings.Contains(te.Reason, "documents") {
			t.Fatalf("verify says %v, want the erased case's document named", err)
		}
	})
}

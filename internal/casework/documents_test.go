package casework_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/nrm"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

var (
	aPNG = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89")
	aPDF = append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("1 0 obj << /Type /Page >> endobj\n"), 5000)...)
)

func (p *partnership) addDocument(v casework.Viewer, caseID, name string, body []byte) (casework.Document, error) {
	p.t.Helper()
	return p.svc.AddDocument(p.ctx, v, caseID, casework.DocumentUpload{Name: name, What: "Risk assessment by the school, 3 March 2026", Body: bytes.NewReader(body)})
}

func (p *partnership) download(v casework.Viewer, caseID, fileID string) ([]byte, error) {
	p.t.Helper()
	_, r, err := p.svc.OpenDocument(p.ctx, v, caseID, fileID)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(r)
}

// §6.5: the documents are the team's. No one outside the case learns
// anything of them, not even that the case exists, and the attempt is
// recorded; a referrer is told they are the team's.
func TestOnlyTheTeamSeesOrAddsTheCasesDocuments(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id := p.raise()
		doc, err := p.addDocument(p.SocialWorker, id, "scan.png", aPNG)
		if err != nil {
			t.Fatal(err)
		}
		denied := p.count(`SELECT COUNT(*) FROM audit_log WHERE action = 'case.denied'`)
		_, listErr := p.svc.Documents(p.ctx, p.GPDoctor, id)
		_, addErr := p.addDocument(p.GPDoctor, id, "scan.png", aPNG)
		_, openErr := p.download(p.GPDoctor, id, doc.ID)
		for what, err := range map[string]error{"list": listErr, "add": addErr, "download": openErr} {
			if waymark.ErrorCode(err) != waymark.ENOTFOUND || !strings.HasPrefix(waymark.ErrorMessage(err), "Case not found") {
				t.Errorf("an outsider's %s: %v, want the case's not found", what, err)
			}
		}
		if n := p.count(`SELECT COUNT(*) FROM audit_log WHERE action = 'case.denied'`); n != denied+3 {
			t.Errorf("%d refusals audited, want 3", n-denied)
		}
		_, listErr = p.svc.Documents(p.ctx, p.Teacher, id)
		_, addErr = p.addDocument(p.Teacher, id, "scan.png", aPNG)
		_, openErr = p.download(p.Teacher, id, doc.ID)
		for what, err := range map[string]error{"list": listErr, "add": addErr, "download": openErr} {
			if waymark.ErrorCode(err) != waymark.EFORBIDDEN {
				t.Errorf("the referrer's %s: %v, want forbidden", what, err)
			}
		}
		if n := p.count(`SELECT COUNT(*) FROM case_files`); n != 1 {
			t.Errorf("%d documents; the refused uploads kept some", n)
		}
		if docs, err := p.svc.Documents(p.ctx, p.CSWorker, id); err != nil || len(docs) != 1 {
			t.Errorf("Children's Services lists %d documents: %v", len(docs), err)
		}
	})
}

// Each addition and download is in the audit log by the file's id, type
// and size; the document's name, which may name the child, never is.
func TestAddingAndDownloadingADocumentIsAuditedByItsID(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id := p.raise()
		doc, err := p.addDocument(p.SocialWorker, id, "Amira passport.pdf", aPDF)
		if err != nil {
			t.Fatal(err)
		}
		if doc.Type != "application/pdf" || doc.Size != int64(len(aPDF)) || doc.FileName != "Amira passport.pdf" {
			t.Fatalf("kept as %+v", doc)
		}
		got, err := p.download(p.Manager, id, doc.ID)
		if err != nil || !bytes.Equal(got, aPDF) {
			t.Fatalf("downloaded %d bytes of %d: %v", len(got), len(aPDF), err)
		}
		for _, action := range []string{casework.ActionDocumentAdded, casework.ActionDocumentDownloaded} {
			var detail, actor string
			if err := db.SQL().QueryRow(`SELECT detail, actor_id FROM audit_log WHERE action = $1 AND case_id = $2`, action, id).Scan(&detail, &actor); err != nil {
				t.Fatalf("%s: %v", action, err)
			}
			if !strings.Contains(detail, doc.ID) || strings.Contains(detail, "Amira") || strings.Contains(detail, "passport") {
				t.Errorf("%s audited as %q", action, detail)
			}
		}
		// Nothing of the file is in the database in plain text.
		if n := p.count(`SELECT COUNT(*) FROM case_files WHERE meta LIKE '%Amira%'`); n != 0 {
			t.Error("the document's name is stored in plain text")
		}
	})
}

// §8.7: the form takes PDF, DOC, DOCX, JPG or PNG, up to 25 MB each; a
// file is known by its content, and a refused one leaves nothing behind,
// not even in the temporary folder.
func TestADocumentTheFormWouldRefuseIsNotKept(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		tmp := t.TempDir()
		t.Setenv("TMPDIR", tmp)
		p := newPartnership(t, db)
		id := p.raise()

		exe := append([]byte("MZ\x90\x00\x03\x00\x00\x00"), bytes.Repeat([]byte{0}, 5000)...)
		if _, err := p.addDocument(p.SocialWorker, id, "report.pdf", exe); !invalidFile(err, "must be a PDF, DOC, DOCX, JPG or PNG") {
			t.Errorf("a program named .pdf: %v", err)
		}
		if _, err := p.addDocument(p.SocialWorker, id, "empty.pdf", nil); !invalidFile(err, "is empty") {
			t.Errorf("an empty file: %v", err)
		}
		if _, err := p.svc.AddDocument(p.ctx, p.SocialWorker, id, casework.DocumentUpload{Name: "", Body: bytes.NewReader(aPNG)}); !invalidFile(err, "Select a file") {
			t.Errorf("no file chosen: %v", err)
		}
		// One byte over 25 MB, from a body that would go on for ever: read
		// no further than the byte that breaks the limit.
		big := &endlessPDF{}
		if _, err := p.svc.AddDocument(p.ctx, p.SocialWorker, id, casework.DocumentUpload{Name: "big.pdf", Body: big}); !invalidFile(err, "smaller than 25 MB") {
			t.Errorf("a file over 25 MB: %v", err)
		}
		if big.read != pathway.MaxDocumentBytes+1 {
			t.Errorf("read %d bytes of a file over the limit, want %d", big.read, pathway.MaxDocumentBytes+1)
		}
		if n := p.count(`SELECT COUNT(*) FROM case_files`) + p.count(`SELECT COUNT(*) FROM case_file_chunks`); n != 0 {
			t.Errorf("%d rows kept of refused files", n)
		}
		// A PNG named .pdf is kept as the PNG it is.
		doc, err := p.addDocument(p.SocialWorker, id, "scan.pdf", aPNG)
		if err != nil || doc.Type != "image/png" || doc.FileName != "scan.png" {
			t.Errorf("a PNG named .pdf: %+v %v", doc, err)
		}
		if left, _ := os.ReadDir(tmp); len(left) != 0 {
			t.Errorf("uploads left %d files in the temporary folder", len(left))
		}
	})
}

func invalidFile(err error, says string) bool {
	var e *waymark.Error
	if waymark.ErrorCode(err) != waymark.EINVALID || !errors.As(err, &e) || len(e.Fields) != 1 {
		return false
	}
	return e.Fields[0].Field == "file" && strings.Contains(e.Fields[0].Message, says)
}

// endlessPDF is a PDF that never ends, counting what is read of it.
type endlessPDF struct{ read int64 }

func (e *endlessPDF) Read(b []byte) (int, error) {
	for i := range b {
		b[i] = ' '
	}
	if e.read == 0 {
		copy(b, "%PDF-1.7\n")
	}
	e.read += int64(len(b))
	return len(b), nil
}

// §8.7: the form takes at most 100 files; the 101st is refused, even when
// two people add the 100th at the same moment.
func TestAHundredAndFirstDocumentIsRefused(t *testing.T) {
	if testing.Short() {
		t.Skip("adds 100 documents")
	}
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id := p.raise()
		for i := range pathway.MaxDocuments - 1 {
			if _, err := p.addDocument(p.SocialWorker, id, "scan.png", aPNG); err != nil {
				t.Fatalf("document %d: %v", i+1, err)
			}
		}
		errs := make(chan error, 2)
		for _, v := range []casework.Viewer{p.SocialWorker, p.Manager} {
			go func() {
				_, err := p.svc.AddDocument(p.ctx, v, id, casework.DocumentUpload{Name: "scan.pdf", Body: bytes.NewReader(aPDF)})
				errs <- err
			}()
		}
		first, second := <-errs, <-errs
		if (first == nil) == (second == nil) {
			t.Fatalf("two uploads racing for the 100th place: %v and %v; want exactly one kept", first, second)
		}
		if n := p.count(`SELECT COUNT(*) FROM case_files WHERE case_id = $1`, id); n != pathway.MaxDocuments {
			t.Fatalf("the case holds %d documents", n)
		}
		if _, err := p.addDocument(p.SocialWorker, id, "scan.png", aPNG); !invalidFile(err, "100 documents") {
			t.Fatalf("the 101st: %v", err)
		}
	})
}

// A lawful erasure leaves nothing of the case's documents: the key that
// sealed them is destroyed and their rows and content are deleted.
func TestErasingACaseErasesItsDocuments(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		lead, token := p.privacyLead()
		id := p.raise()
		other := p.raise()
		doc, err := p.addDocument(p.SocialWorker, id, "scan.pdf", aPDF)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.addDocument(p.SocialWorker, other, "scan.pdf", aPDF); err != nil {
			t.Fatal(err)
		}
		// A subject access export says what the case holds, the documents included.
		x, err := p.svc.ExportCase(p.ctx, lead, token, storetest.Password, id)
		if err != nil || len(x.Documents) != 1 || x.Documents[0].ID != doc.ID || !strings.Contains(x.Text(), "scan.pdf") {
			t.Fatalf("the export lists %+v: %v", x.Documents, err)
		}
		if err := p.svc.EraseCase(p.ctx, lead, token, storetest.Password, id, "Concern raised about the wrong child: confirmed by the school", "art17-1d"); err != nil {
			t.Fatal(err)
		}
		if n := p.count(`SELECT COUNT(*) FROM case_files WHERE case_id = $1`, id) + p.count(`SELECT COUNT(*) FROM case_file_chunks WHERE file_id = $1`, doc.ID); n != 0 {
			t.Errorf("%d rows of the erased case's documents remain", n)
		}
		if n := p.count(`SELECT COUNT(*) FROM case_files WHERE case_id = $1`, other); n != 1 {
			t.Errorf("another case's documents went too: %d left", n)
		}
		if _, err := p.download(p.SocialWorker, id, doc.ID); err == nil {
			t.Error("the erased case's document downloads")
		}
	})
}

// §8.7: the NRM draft's upload page lists the documents held on the case,
// with their types, and the description page says what each is.
func TestTheNRMDraftListsTheDocumentsToUpload(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id := p.raise()
		if _, err := p.addDocument(p.SocialWorker, id, "Risk assessment.pdf", aPDF); err != nil {
			t.Fatal(err)
		}
		view, err := p.svc.NRMDraft(p.ctx, p.SocialWorker, id, nrm.Referral, "test")
		if err != nil {
			t.Fatal(err)
		}
		upload, _ := view.Draft.Field("upload-file")
		if upload == nil || !strings.Contains(upload.Proposed, "Risk assessment.pdf (PDF, ") {
			t.Errorf("upload-file proposes %+v", upload)
		}
		what, _ := view.Draft.Field("what-evidence-you-will-submit")
		if what == nil || !strings.Contains(what.Proposed, "Risk assessment.pdf: Risk assessment by the school, 3 March 2026.") {
			t.Errorf("what-evidence-you-will-submit proposes %+v", what)
		}
	})
}

// BenchmarkDocuments measures adding and downloading a 10 MB document:
// type check, sealing, spooling and one transaction one way; an audited
// read and the chunks opened as they are copied the other. Bytes/s is
// of the document.
func BenchmarkDocuments(b *testing.B) {
	for _, st := range storetest.Stores(b) {
		clock := storetest.NewClock(storetest.Start)
		p := storetest.NewPartnership(b, st.DB, clock)
		svc := storetest.Service(b, st.DB, clock)
		ctx := context.Background()
		raise := func() string {
			id, err := svc.RaiseConcern(ctx, p.Teacher, storetest.ValidConcern(clock.Now()))
			if err != nil {
				b.Fatal(err)
			}
			return id
		}
		file := append([]byte("%PDF-1.7\n"), make([]byte, 10_000_000-9)...)
		add := func(caseID string) casework.Document {
			doc, err := svc.AddDocument(ctx, p.SocialWorker, caseID, casework.DocumentUpload{Name: "scan.pdf", Body: bytes.NewReader(file)})
			if err != nil {
				b.Fatal(err)
			}
			return doc
		}
		b.Run(st.Name+"/upload", func(b *testing.B) {
			b.SetBytes(int64(len(file)))
			id, n := raise(), 0
			for b.Loop() {
				if n++; n == pathway.MaxDocuments {
					id, n = raise(), 1
				}
				add(id)
			}
		})
		b.Run(st.Name+"/download", func(b *testing.B) {
			id := raise()
			doc := add(id)
			b.SetBytes(int64(len(file)))
			for b.Loop() {
				_, r, err := svc.OpenDocument(ctx, p.SocialWorker, id, doc.ID)
				if err != nil {
					b.Fatal(err)
				}
				if n, err := io.Copy(io.Discard, r); err != nil || n != int64(len(file)) {
					b.Fatalf("%d bytes: %v", n, err)
				}
			}
		})
	}
}

// §6.5: emergency access reads the case, its documents included, but adds
// nothing to them.
func TestEmergencyAccessReadsTheDocumentsButAddsNone(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		p.lead()
		id := p.raise()
		ref := p.contact(id)
		doc, err := p.addDocument(p.SocialWorker, id, "scan.png", aPNG)
		if err != nil {
			t.Fatal(err)
		}
		token := p.session(p.GPDoctor)
		if _, _, err := p.svc.BreakGlass(p.ctx, p.GPDoctor, token, ref, emergencyReason); err != nil {
			t.Fatal(err)
		}
		if got, err := p.download(p.GPDoctor, id, doc.ID); err != nil || !bytes.Equal(got, aPNG) {
			t.Fatalf("emergency access downloads %d bytes: %v", len(got), err)
		}
		if _, err := p.addDocument(p.GPDoctor, id, "scan.png", aPNG); waymark.ErrorCode(err) != waymark.EFORBIDDEN {
			t.Fatalf("emergency access adds a document: %v", err)
		}
	})
}

// The audit log outlives the case (an erasure destroys the case's key, not
// the log): it holds no fingerprint of a document's content, so whoever
// holds a copy of the database cannot confirm that a photo or a report they
// already have was kept about a child (§6.5).
func TestTheAuditHoldsNoFingerprintOfADocumentsContent(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id := p.raise()
		doc, err := p.addDocument(p.SocialWorker, id, "photo.png", aPNG)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.download(p.SocialWorker, id, doc.ID); err != nil {
			t.Fatal(err)
		}
		if n := p.count(`SELECT COUNT(*) FROM audit_log WHERE detail LIKE '%' || $1 || '%'`, doc.SHA256); n != 0 {
			t.Errorf("%d audit entries carry the document's SHA-256", n)
		}
	})
}

// Whoever holds a copy of the database reads nothing of a document: its
// chunks and its metadata are sealed with the case's key.
func TestADocumentsContentIsNotInTheDatabaseInPlainText(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id := p.raise()
		if _, err := p.addDocument(p.SocialWorker, id, "Amira statement.pdf", aPDF); err != nil {
			t.Fatal(err)
		}
		if n := p.count(`SELECT COUNT(*) FROM case_file_chunks`); n == 0 {
			t.Fatal("no chunks stored")
		}
		rows, err := db.SQL().Query(`SELECT data FROM case_file_chunks`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var data []byte
			if err := rows.Scan(&data); err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(data, []byte("endobj")) || bytes.Contains(data, []byte("%PDF")) {
				t.Fatal("a chunk holds the document's bytes in plain text")
			}
		}
		if n := p.count(`SELECT COUNT(*) FROM case_files WHERE meta LIKE '%statement%' OR meta LIKE '%Risk assessment%'`); n != 0 {
			t.Error("the document's name or description is stored in plain text")
		}
	})
}

package casework

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	"waymark"
	"waymark/internal/access"
	"waymark/internal/audit"
	"waymark/internal/crypt"
	"waymark/internal/pathway"
	"waymark/internal/store"
)

// Audit actions of the case's documents: each is recorded by the file's id,
// type and size, never its name (§6.5).
const (
	ActionDocumentAdded      = "case_file.added"
	ActionDocumentDownloaded = "case_file.downloaded"
	ActionDocumentsListed    = "case_file.listed"
)

// Document is one file held on a case.
type Document struct {
	store.CaseFile
	Kind     DocumentType
	FileName string // the safe name it downloads under
}

func documentOf(f store.CaseFile) Document {
	t := DocumentTypeOf(f.Type)
	return Document{CaseFile: f, Kind: t, FileName: DocumentFileName(f.Name, t)}
}

// DocumentUpload is a file being added: its name as the person's computer
// gave it, what it is in their words, and its bytes, read once, as they
// come.
type DocumentUpload struct {
	Name string
	What string
	Body io.Reader
}

// The refusals of an upload, each about the file field.
func fileProblem(msg string) error {
	return waymark.Invalid([]waymark.FieldError{{Field: "file", Message: msg}})
}

var (
	errNoFile        = fileProblem("Select a file")
	errEmptyFile     = fileProblem("The selected file is empty")
	errFileTooLarge  = fileProblem("The selected file must be smaller than 25 MB")
	errFileWrongType = fileProblem("The selected file must be a PDF, DOC, DOCX, JPG or PNG")
)

// ErrNoFile is the refusal of an upload that chose no file.
func ErrNoFile() error { return errNoFile }

// ErrFileTooLarge is the refusal of a file over the form's limit.
func ErrFileTooLarge() error { return errFileTooLarge }

// Documents lists the case's documents for a member of the team, and
// audits the read.
func (s *Service) Documents(ctx context.Context, v Viewer, caseID string) ([]Document, error) {
	if err := v.require(ScopeRead); err != nil {
		return nil, err
	}
	var out []Document
	err := s.DB.ViewAudited(ctx, func(tx *store.Tx) (audit.Entry, error) {
		if _, err := s.documentMembership(tx, v, caseID); err != nil {
			return audit.Entry{}, err
		}
		fs, err := tx.CaseFiles(caseID)
		if err != nil {
			return audit.Entry{}, err
		}
		for _, f := range fs {
			out = append(out, documentOf(f))
		}
		return s.auditEntry(v, caseID, ActionDocumentsListed, fmt.Sprintf("%d documents", len(fs))), nil
	})
	if err == errDenied {
		return nil, s.denied(ctx, v, caseID, "documents")
	}
	return out, err
}

// documentMembership loads the viewer's standing on the case and refuses
// anyone outside the team (pathway.SeesDocuments).
func (s *Service) documentMembership(tx *store.Tx, v Viewer, caseID string) (pathway.Membership, error) {
	_, _, m, err := s.load(tx, v, caseID)
	if err != nil {
		return m, err
	}
	if !pathway.SeesDocuments(m) {
		return m, pathway.ErrDocumentsTeamOnly()
	}
	return m, nil
}

// AddDocument keeps a file on the case: its type told from its content,
// at most pathway.MaxDocumentBytes, sealed with the case's key as it
// streams in, written in one transaction with its audit entry. The body is
// read at most one byte past the limit. While it is read, its sealed chunks
// wait in a temporary file (never plaintext), so the write lock is held for
// the copy into the database only, never while a slow client sends.
func (s *Service) AddDocument(ctx context.Context, v Viewer, caseID string, up DocumentUpload) (Document, error) {
	if err := v.require(ScopeWrite); err != nil {
		return Document{}, err
	}
	name := cleanDocumentName(up.Name)
	what := strings.TrimSpace(up.What)
	switch {
	case up.Body == nil || name == "":
		return Document{}, errNoFile
	case utf8.RuneCountInString(what) > 500:
		return Document{}, waymark.Invalid([]waymark.FieldError{{Field: "what", Message: "Describe the document in 500 characters or fewer"}})
	}
	var key []byte
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		m, err := s.documentMembership(tx, v, caseID)
		if err != nil {
			return err
		}
		held, err := tx.CountCaseFiles(caseID)
		if err != nil {
			return err
		}
		if err := pathway.MayAddDocument(m, held); err != nil {
			return err
		}
		key, err = tx.CaseFileKey(caseID)
		return err
	})
	if err == errDenied {
		return Document{}, s.denied(ctx, v, caseID, "add document")
	}
	if err != nil {
		return Document{}, err
	}

	spool, err := os.CreateTemp("", "waymark-upload-*")
	if err != nil {
		return Document{}, fmt.Errorf("casework: spooling an upload: %w", err)
	}
	defer os.Remove(spool.Name())
	defer spool.Close()
	f := store.CaseFile{ID: access.NewID(), CaseID: caseID, Name: name, What: what, AddedAt: s.now(), AddedBy: v.User.ID, ByName: v.User.Name}
	spooled := bufio.NewWriterSize(spool, 256<<10)
	sealer, err := crypt.NewFileSealer(key, f.ID, func(sealed []byte) error {
		if err := binary.Write(spooled, binary.BigEndian, uint32(len(sealed))); err != nil {
			return err
		}
		_, err := spooled.Write(sealed)
		return err
	})
	if err != nil {
		return Document{}, err
	}
	var sniff typeSniffer
	sum := sha256.New()
	if _, err := io.Copy(io.MultiWriter(sealer, &sniff, sum), io.LimitReader(up.Body, pathway.MaxDocumentBytes+1)); err != nil {
		return Document{}, err
	}
	switch t, ok := sniff.Type(); {
	case sealer.Size() > pathway.MaxDocumentBytes:
		return Document{}, errFileTooLarge
	case sealer.Size() == 0:
		return Document{}, errEmptyFile
	case !ok:
		return Document{}, errFileWrongType
	default:
		f.Type = t.ContentType
	}
	if err := errors.Join(sealer.Close(), spooled.Flush()); err != nil {
		return Document{}, fmt.Errorf("casework: spooling an upload: %w", err)
	}
	f.Size, f.Chunks, f.SHA256 = sealer.Size(), sealer.Chunks(), hex.EncodeToString(sum.Sum(nil))

	err = s.DB.Update(ctx, func(tx *store.Tx) error {
		// Asked again: the team or the count may have changed meanwhile.
		m, err := s.documentMembership(tx, v, caseID)
		if err != nil {
			return err
		}
		held, err := tx.CountCaseFiles(caseID)
		if err != nil {
			return err
		}
		if err := pathway.MayAddDocument(m, held); err != nil {
			return err
		}
		if err := tx.AddCaseFile(f, spooledChunks(spool)); err != nil {
			return err
		}
		// Never its SHA-256: the log outlives the case's key, and a hash
		// would confirm a file someone already has was kept on the case.
		return tx.AppendAudit(s.auditEntry(v, caseID, ActionDocumentAdded, fmt.Sprintf("file %s: %s, %d bytes", f.ID, f.Type, f.Size)))
	})
	if err == errDenied {
		return Document{}, s.denied(ctx, v, caseID, "add document")
	}
	if err != nil {
		return Document{}, err
	}
	return documentOf(f), nil
}

// spooledChunks reads back the sealed chunks an upload spooled, each
// after its length.
func spooledChunks(spool *os.File) func(put func([]byte) error) error {
	return func(put func([]byte) error) error {
		if _, err := spool.Seek(0, io.SeekStart); err != nil {
			return err
		}
		r := bufio.NewReaderSize(spool, 256<<10)
		buf := make([]byte, crypt.FileChunkSize+crypt.SealedChunkOverhead)
		for {
			var n uint32
			if err := binary.Read(r, binary.BigEndian, &n); err == io.EOF {
				return nil
			} else if err != nil {
				return err
			}
			if int(n) > len(buf) {
				return errors.New("casework: a spooled chunk is larger than a chunk can be")
			}
			if _, err := io.ReadFull(r, buf[:n]); err != nil {
				return err
			}
			if err := put(buf[:n]); err != nil {
				return err
			}
		}
	}
}

// OpenDocument audits a download and returns the document with a reader
// of its content, which reads and opens a few chunks at a time as it is
// read. The reader fails (and the download is cut) if a chunk was altered,
// is missing, or the case is erased during the download.
func (s *Service) OpenDocument(ctx context.Context, v Viewer, caseID, fileID string) (Document, io.Reader, error) {
	if err := v.require(ScopeRead); err != nil {
		return Document{}, nil, err
	}
	var f store.CaseFile
	var key []byte
	err := s.DB.ViewAudited(ctx, func(tx *store.Tx) (audit.Entry, error) {
		if _, err := s.documentMembership(tx, v, caseID); err != nil {
			return audit.Entry{}, err
		}
		var err error
		if len(fileID) > 64 {
			return audit.Entry{}, waymark.Errorf(waymark.ENOTFOUND, "This case holds no such document. Go back to the case's documents.")
		}
		if f, err = tx.CaseFile(caseID, fileID); err != nil {
			return audit.Entry{}, err
		}
		if key, err = tx.CaseFileKey(caseID); err != nil {
			return audit.Entry{}, err
		}
		return s.auditEntry(v, caseID, ActionDocumentDownloaded, fmt.Sprintf("file %s: %s, %d bytes", f.ID, f.Type, f.Size)), nil
	})
	if err == errDenied {
		return Document{}, nil, s.denied(ctx, v, caseID, "document")
	}
	if err != nil {
		return Document{}, nil, err
	}
	r, err := crypt.NewFileOpener(key, f.ID, s.DB.ChunkReader(ctx, f.ID, 16))
	if err != nil {
		return Document{}, nil, err
	}
	return documentOf(f), r, nil
}

// cleanDocumentName keeps the last part of an uploaded file's name (some
// browsers send a whole path), without control characters, at most 200
// characters.
func cleanDocumentName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.ToValidUTF8(name, "")
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if r := []rune(name); len(r) > 200 {
		name = string(r[:200])
	}
	return name
}

// ExportDocument is a document as a subject access export lists it
// (privacy.go): everything Waymark holds about it but its content.
type ExportDocument struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	What        string    `json:"what"`
	Type        string    `json:"type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	AddedAt     time.Time `json:"addedAt"`
	AddedBy     string    `json:"addedBy"`
	AddedByName string    `json:"addedByName"`
}

func exportDocuments(tx *store.Tx, caseID string) ([]ExportDocument, error) {
	fs, err := tx.CaseFiles(caseID)
	out := make([]ExportDocument, 0, len(fs))
	for _, f := range fs {
		out = append(out, ExportDocument{ID: f.ID, Name: f.Name, What: f.What, Type: f.Type, Size: f.Size, SHA256: f.SHA256, AddedAt: f.AddedAt, AddedBy: f.AddedBy, AddedByName: f.ByName})
	}
	return out, err
}

package web

import (
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/pathway"
)

// The documents held on a case (casework/documents.go): a section of the
// NRM referral's area page lists them and adds one, and the API lists,
// adds and downloads them. An upload is read part by part as it arrives
// (multipart.Reader), never parsed into memory as a whole form, and a
// download is copied from the decrypting reader as it is read.

// uploadBodyLimit bounds an upload's request body: one file at the form's
// limit, and room for its part's headers and the small fields before it.
const uploadBodyLimit = pathway.MaxDocumentBytes + 64<<10

// isUpload says whether r posts a document, whose body is larger than any
// form's and is read by its handler as it streams (streamsItsBody).
func isUpload(r *http.Request) bool {
	if r.Method != http.MethodPost {
		return false
	}
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/api/v1"), "/")
	return len(parts) == 4 && parts[0] == "" && parts[1] == "cases" && parts[2] != "" && parts[3] == "documents"
}

// bodyLimit is how much of a request's body may be read.
func (s *Server) bodyLimit(r *http.Request) int64 {
	if isUpload(r) {
		return max(s.maxBody, uploadBodyLimit)
	}
	return s.maxBody
}

// streamsItsBody: the page's POST is read by its handler, CSRF token
// included, so the middleware must not parse it into memory first.
func streamsItsBody(r *http.Request) bool { return r.Pattern == "POST /cases/{id}/documents" }

// documentsSection is the Documents section of the NRM area page.
type documentsSection struct {
	CaseID    string
	Documents []documentRow
	Full      bool   // the case holds the most the form takes
	Added     string // the name of the document just added, for the banner
	What      string // the description typed, kept when the upload was refused
}

type documentRow struct {
	ID, Name, What, Type, Size, By, When, Href string
}

func documentRows(caseID string, docs []casework.Document) []documentRow {
	out := make([]documentRow, 0, len(docs))
	for _, d := range docs {
		out = append(out, documentRow{ID: d.ID, Name: d.Name, What: d.What, Type: d.Kind.Label, Size: sizeWords(d.Size),
			By: d.ByName, When: d.AddedAt.In(pathway.London).Format("2 January 2006 at 3:04pm"),
			Href: "/cases/" + caseID + "/documents/" + d.ID})
	}
	return out
}

// sizeWords is a file's size as people read it, in the form's megabytes.
func sizeWords(n int64) string {
	switch {
	case n < 1000:
		return strconv.FormatInt(n, 10) + " bytes"
	case n < 1_000_000:
		return strconv.FormatInt((n+500)/1000, 10) + " KB"
	}
	return strconv.FormatFloat(float64(n)/1e6, 'f', 1, 64) + " MB"
}

// handleDocumentUpload adds a document from the page's form, then shows
// the section again with the document listed; a refused file is shown as
// an error on the same page.
func (s *Server) handleDocumentUpload(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	caseID := r.PathValue("id")
	doc, what, err := s.streamUpload(w, r, v, caseID, sessionFrom(r.Context()).CSRFToken)
	if errors.Is(err, errUploadCSRF) {
		s.fail(w, r, http.StatusForbidden, "This form has expired. Go back, reload the page and try again.")
		return
	}
	if waymark.ErrorCode(err) == waymark.EINVALID {
		// The rest of a file refused part way (over the limit) is read,
		// as far as the body's own limit, so the browser sees the answer
		// rather than a connection closed on it mid-upload.
		io.Copy(io.Discard, r.Body)
		var e *waymark.Error
		errors.As(err, &e)
		s.caseArea(w, r, v, "nrm", http.StatusUnprocessableEntity, e.Fields, documentsSection{What: what})
		return
	}
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	http.Redirect(w, r, "/cases/"+caseID+"/nrm?added="+doc.ID+"#documents", http.StatusSeeOther)
}

var errUploadCSRF = errors.New("web: the upload's form token is missing or wrong")

// streamUpload reads a multipart upload part by part: the form token (when
// csrf is given, before anything else), the description, then the file,
// whose bytes go straight to casework.AddDocument. It returns the
// description too, so a refused upload's page can keep it.
func (s *Server) streamUpload(w http.ResponseWriter, r *http.Request, v casework.Viewer, caseID, csrf string) (casework.Document, string, error) {
	r.Body = progressReader{r.Body, newProgress(w, true)}
	mr, err := r.MultipartReader()
	if err != nil {
		return casework.Document{}, "", waymark.Invalid([]waymark.FieldError{{Field: "file", Message: "Send the file as multipart/form-data, in a part named file"}})
	}
	var what string
	checked := csrf == ""
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return casework.Document{}, what, uploadReadError(malformedUpload{err})
		}
		switch part.FormName() {
		case "csrf_token":
			if csrf == "" { // the API's: a bearer token needs none
				continue
			}
			token, err := smallPart(part, 256)
			if err != nil || token != csrf {
				return casework.Document{}, what, errUploadCSRF
			}
			checked = true
		case "what":
			if what, err = smallPart(part, 8<<10); err != nil {
				return casework.Document{}, what, uploadReadError(err)
			}
		case "file":
			if !checked {
				return casework.Document{}, what, errUploadCSRF
			}
			doc, err := s.svc.AddDocument(r.Context(), v, caseID, casework.DocumentUpload{Name: part.FileName(), What: what, Body: partReader{part}})
			return doc, what, uploadReadError(err)
		default:
			return casework.Document{}, what, waymark.Invalid([]waymark.FieldError{{Field: "file", Message: "Send only the parts what and file (a part named " + strconv.Quote(part.FormName()) + " was sent)"}})
		}
	}
	if !checked {
		return casework.Document{}, what, errUploadCSRF
	}
	return casework.Document{}, what, casework.ErrNoFile()
}

// smallPart reads a form field's part, refusing one longer than limit.
func smallPart(p *multipart.Part, limit int64) (string, error) {
	b, err := io.ReadAll(io.LimitReader(p, limit+1))
	if err != nil {
		return "", malformedUpload{err}
	}
	if int64(len(b)) > limit {
		return "", waymark.Invalid([]waymark.FieldError{{Field: p.FormName(), Message: "This answer is too long"}})
	}
	return string(b), nil
}

// uploadReadError turns a body cut at its limit into the form's refusal,
// and a body that is not the multipart it says it is (cut short, garbled,
// a part's headers too long) into a refusal of the file, never a server
// error.
func uploadReadError(err error) error {
	var mbe *http.MaxBytesError
	var bad malformedUpload
	switch {
	case errors.As(err, &mbe):
		return casework.ErrFileTooLarge()
	case errors.As(err, &bad):
		return waymark.Invalid([]waymark.FieldError{{Field: "file", Message: "The file could not be read: the upload was cut short or is not multipart/form-data. Send it again"}})
	}
	return err
}

// malformedUpload is an error reading the request's own bytes, as opposed
// to one of keeping them.
type malformedUpload struct{ err error }

func (e malformedUpload) Error() string { return e.err.Error() }
func (e malformedUpload) Unwrap() error { return e.err }

// partReader marks the errors of reading a file's part as the upload's.
type partReader struct{ r io.Reader }

func (p partReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if err != nil && err != io.EOF {
		err = malformedUpload{err}
	}
	return n, err
}

// handleDocumentDownload sends a document as an attachment, streamed from
// its decrypting reader.
func (s *Server) handleDocumentDownload(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	doc, body, err := s.svc.OpenDocument(r.Context(), v, r.PathValue("id"), r.PathValue("file"))
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	s.sendDocument(w, r, doc, body)
}

func (s *Server) sendDocument(w http.ResponseWriter, r *http.Request, doc casework.Document, body io.Reader) {
	h := w.Header()
	h.Set("Content-Type", doc.Kind.ContentType)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": doc.FileName}))
	h.Set("Content-Length", strconv.FormatInt(doc.Size, 10))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	w.WriteHeader(http.StatusOK)
	if _, err := io.Copy(progressWriter{w, newProgress(w, false)}, body); err != nil {
		// The status has gone: the client sees a body shorter than its
		// Content-Length (the server closes the connection), and nothing
		// past a chunk that did not open.
		s.log.Error("sending a document", "err", err, "request_id", requestID(r.Context()), "path", r.URL.Path)
	}
}

// The JSON API.

type apiDocument struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	FileName    string `json:"fileName"`
	What        string `json:"what"`
	ContentType string `json:"contentType"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
	AddedAt     string `json:"addedAt"`
	AddedBy     string `json:"addedBy"`
	AddedByName string `json:"addedByName"`
	Href        string `json:"href"`
}

func documentJSON(caseID string, d casework.Document) apiDocument {
	return apiDocument{ID: d.ID, Name: d.Name, FileName: d.FileName, What: d.What, ContentType: d.Kind.ContentType, Size: d.Size, SHA256: d.SHA256,
		AddedAt: d.AddedAt.UTC().Format("2006-01-02T15:04:05.999999Z07:00"), AddedBy: d.AddedBy, AddedByName: d.ByName,
		Href: "/api/v1/cases/" + caseID + "/documents/" + d.ID}
}

func (s *Server) handleAPIDocuments(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	caseID := r.PathValue("id")
	docs, err := s.svc.Documents(r.Context(), v, caseID)
	if err != nil {
		s.problemErr(w, r, err)
		return
	}
	out := struct {
		Documents []apiDocument `json:"documents"`
		Max       int           `json:"max"`
		MaxBytes  int64         `json:"maxBytes"`
	}{Documents: []apiDocument{}, Max: pathway.MaxDocuments, MaxBytes: pathway.MaxDocumentBytes}
	for _, d := range docs {
		out.Documents = append(out.Documents, documentJSON(caseID, d))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleAPIDocumentUpload(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	caseID := r.PathValue("id")
	doc, _, err := s.streamUpload(w, r, v, caseID, "")
	if err != nil {
		s.problemErr(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/cases/"+caseID+"/documents/"+doc.ID)
	writeJSON(w, http.StatusCreated, documentJSON(caseID, doc))
}

func (s *Server) handleAPIDocumentDownload(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	doc, body, err := s.svc.OpenDocument(r.Context(), v, r.PathValue("id"), r.PathValue("file"))
	if err != nil {
		s.problemErr(w, r, err)
		return
	}
	s.sendDocument(w, r, doc, body)
}

// areaDocuments is the Documents section of the NRM referral's area page,
// for those who may see the case's documents (pathway.SeesDocuments).
func (s *Server) areaDocuments(r *http.Request, v casework.Viewer, area caseArea, view casework.CaseView, sec documentsSection) (*documentsSection, error) {
	if area.Slug != "nrm" || !pathway.SeesDocuments(view.Membership) {
		return nil, nil
	}
	docs, err := s.svc.Documents(r.Context(), v, view.Case.ID)
	if err != nil {
		return nil, err
	}
	sec.CaseID, sec.Documents, sec.Full = view.Case.ID, documentRows(view.Case.ID, docs), len(docs) >= pathway.MaxDocuments
	if added := r.URL.Query().Get("added"); added != "" {
		for _, d := range docs {
			if d.ID == added {
				sec.Added = d.Name
			}
		}
	}
	return &sec, nil
}

// A document moves more bytes than the server's timeouts allow any other
// request (30 s to read one, 60 s to answer): a transfer's deadlines are
// moved on as long as bytes keep moving, 30 seconds for every 256 KiB, so
// a 25 MB document goes through a slow connection and a stalled one still
// ends.
type progress struct {
	rc    *http.ResponseController
	read  bool
	moved int
}

func newProgress(w http.ResponseWriter, read bool) *progress {
	p := &progress{rc: http.NewResponseController(w), read: read}
	p.extend()
	return p
}

const (
	progressStep  = 256 << 10
	progressGrace = 30 * time.Second
)

func (p *progress) advance(n int) {
	if p.moved += n; p.moved >= progressStep {
		p.moved = 0
		p.extend()
	}
}

// extend moves the deadlines on; a writer without them (a test's
// recorder) has nothing to move.
func (p *progress) extend() {
	d := time.Now().Add(progressGrace)
	if p.read {
		_ = p.rc.SetReadDeadline(d)
	}
	_ = p.rc.SetWriteDeadline(d)
}

type progressReader struct {
	io.ReadCloser
	p *progress
}

func (r progressReader) Read(b []byte) (int, error) {
	n, err := r.ReadCloser.Read(b)
	r.p.advance(n)
	return n, err
}

type progressWriter struct {
	w io.Writer
	p *progress
}

func (w progressWriter) Write(b []byte) (int, error) {
	n, err := w.w.Write(b)
	w.p.advance(n)
	return n, err
}

package web

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// tinyPNG is the smallest PNG: one transparent pixel.
var tinyPNG = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\x00\x01\x00\x00\x05\x00\x01\r\n-\xb4\x00\x00\x00\x00IEND\xaeB`\x82")

// uploadBody is a multipart body with the fields, in order, then the file.
func uploadBody(fields [][2]string, name string, file []byte) (*bytes.Buffer, string) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for _, f := range fields {
		mw.WriteField(f[0], f[1])
	}
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(file)
	mw.Close()
	return &b, mw.FormDataContentType()
}

func (e *testEnv) apiUpload(token, caseID, name string, file []byte) *httptest.ResponseRecorder {
	e.t.Helper()
	body, ct := uploadBody([][2]string{{"what", "Scan of the school's notes"}}, name, file)
	r := httptest.NewRequest("POST", "/api/v1/cases/"+caseID+"/documents", body)
	r.Header.Set("Content-Type", ct)
	r.Header.Set("Authorization", "Bearer "+token)
	return e.serve(r)
}

// §8.7: the API keeps a document by what its bytes are: a PNG named .pdf is
// kept as the PNG it is, and downloads as one, never sniffed; a program
// named .pdf is refused with a problem naming the file field.
func TestTheAPIKeepsADocumentByItsContent(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := e.raiseCase()
		token := e.signInAPI("social.worker@cs.example")

		rec := e.apiUpload(token, id, "scan.pdf", tinyPNG)
		if rec.Code != http.StatusCreated {
			t.Fatalf("upload: %d %s", rec.Code, rec.Body)
		}
		var doc apiDocument
		decodeInto(t, rec, &doc)
		if doc.ContentType != "image/png" || doc.FileName != "scan.png" || doc.Size != int64(len(tinyPNG)) || rec.Header().Get("Location") != doc.Href {
			t.Errorf("kept as %+v, Location %q", doc, rec.Header().Get("Location"))
		}

		exe := append([]byte("MZ\x90\x00\x03\x00\x00\x00"), make([]byte, 4000)...)
		p := mustProblem(t, e.apiUpload(token, id, "report.pdf", exe), http.StatusUnprocessableEntity)
		if msg, ok := fieldErrorFor(p, "file"); !ok || !strings.Contains(msg, "must be a PDF, DOC, DOCX, JPG or PNG") {
			t.Errorf("a program named .pdf: %+v", p)
		}

		rec = e.api("GET", "/api/v1/cases/"+id+"/documents", token, nil)
		var list struct {
			Documents []apiDocument
			Max       int
		}
		decodeInto(t, rec, &list)
		if rec.Code != http.StatusOK || len(list.Documents) != 1 || list.Max != pathway.MaxDocuments {
			t.Fatalf("list: %d %s", rec.Code, rec.Body)
		}

		rec = e.api("GET", doc.Href, token, nil)
		if rec.Code != http.StatusOK || !bytes.Equal(rec.Body.Bytes(), tinyPNG) {
			t.Fatalf("download: %d, %d bytes", rec.Code, rec.Body.Len())
		}
		h := rec.Header()
		_, params, err := mime.ParseMediaType(h.Get("Content-Disposition"))
		if h.Get("Content-Type") != "image/png" || h.Get("X-Content-Type-Options") != "nosniff" || err != nil || params["filename"] != "scan.png" ||
			!strings.HasPrefix(h.Get("Content-Disposition"), "attachment;") {
			t.Errorf("download headers: %v", h)
		}

		// An outsider learns nothing: the same 404 as for a case that does not exist.
		gp := e.signInAPI("doctor@riverside.example")
		real := e.api("GET", doc.Href, gp, nil)
		fake := e.api("GET", "/api/v1/cases/"+strings.Repeat("0", 24)+"/documents/"+doc.ID, gp, nil)
		if real.Code != http.StatusNotFound || normalised(real, id) != normalised(fake, strings.Repeat("0", 24)) {
			t.Errorf("an outsider's download: %d %s", real.Code, real.Body)
		}
	})
}

// countingBody is a request body of a multipart upload whose file is a PDF
// over 25 MB, made as it is read, counting what the server reads of it.
type countingBody struct {
	r    io.Reader
	read int64
}

func (c *countingBody) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.read += int64(n)
	return n, err
}

// One byte over 25 MB is refused on the page, with the GOV.UK error, and
// the server reads no more of the body than its limit: the file is never
// held whole.
func TestAFileOverTwentyFiveMegabytesIsRefusedWithoutReadingItAll(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := e.raiseCase()
		b := e.browser()
		b.signIn("social.worker@cs.example")
		page := b.get("/cases/" + id + "/nrm")
		csrf := hiddenInput(page.Body.String(), "csrf_token")
		if page.Code != http.StatusOK || !strings.Contains(page.Body.String(), `enctype="multipart/form-data"`) || csrf == "" {
			t.Fatalf("the NRM page has no upload form: %d", page.Code)
		}

		for _, size := range []int64{pathway.MaxDocumentBytes + 1, 4 * pathway.MaxDocumentBytes} {
			head, ct := uploadBody([][2]string{{"csrf_token", csrf}}, "big.pdf", nil)
			// The file's bytes go between the part's header and the closing boundary.
			whole := head.String()
			closing := whole[strings.LastIndex(whole, "\r\n--"):]
			file := io.MultiReader(strings.NewReader("%PDF-1.7\n"), io.LimitReader(zeros{}, size-9))
			body := &countingBody{r: io.MultiReader(strings.NewReader(strings.TrimSuffix(whole, closing)), file, strings.NewReader(closing))}
			r := httptest.NewRequest("POST", "/cases/"+id+"/documents", body)
			r.Header.Set("Content-Type", ct)
			rec := b.do(r)
			if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "The selected file must be smaller than 25 MB") ||
				!strings.Contains(rec.Body.String(), `govuk-error-summary`) || !strings.Contains(rec.Body.String(), `href="#file"`) {
				t.Errorf("%d bytes: %d", size, rec.Code)
			}
			if limit := int64(uploadBodyLimit) + 1; body.read > limit { // MaxBytesReader reads one byte past its limit to know it was passed
				t.Errorf("%d bytes: the server read %d bytes of the body, past its limit of %d", size, body.read, limit)
			}
		}
		if n := e.count("case_files") + e.count("case_file_chunks"); n != 0 {
			t.Errorf("%d rows kept of refused files", n)
		}
	})
}

type zeros struct{}

func (zeros) Read(b []byte) (int, error) {
	clear(b)
	return len(b), nil
}

// The page's upload checks the form token before it reads the file, as
// every form does.
func TestAnUploadWithoutTheFormsTokenIsRefused(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := e.raiseCase()
		b := e.browser()
		b.signIn("social.worker@cs.example")
		for _, fields := range [][][2]string{nil, {{"csrf_token", "wrong"}}} {
			body, ct := uploadBody(fields, "scan.png", tinyPNG)
			r := httptest.NewRequest("POST", "/cases/"+id+"/documents", body)
			r.Header.Set("Content-Type", ct)
			if rec := b.do(r); rec.Code != http.StatusForbidden {
				t.Errorf("token %v: %d", fields, rec.Code)
			}
		}
		if n := e.count("case_files"); n != 0 {
			t.Errorf("%d documents kept without the form's token", n)
		}
	})
}

// The page lists what was added: name, type, size, who and when, with a
// link that downloads it.
func TestTheNRMPageListsTheCasesDocuments(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := e.raiseCase()
		b := e.browser()
		b.signIn("social.worker@cs.example")
		csrf := hiddenInput(b.get("/cases/"+id+"/nrm").Body.String(), "csrf_token")
		body, ct := uploadBody([][2]string{{"csrf_token", csrf}, {"what", "Scan of the school's notes, 2 March 2026"}}, `C:\scans\notes.png`, tinyPNG)
		r := httptest.NewRequest("POST", "/cases/"+id+"/documents", body)
		r.Header.Set("Content-Type", ct)
		rec := b.do(r)
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("upload: %d %s", rec.Code, rec.Body)
		}
		loc, _, _ := strings.Cut(rec.Header().Get("Location"), "#") // a browser sends no fragment
		page := b.get(loc).Body.String()
		for _, want := range []string{"notes.png was added to the case", "Scan of the school&#39;s notes, 2 March 2026", "PNG image", "bytes", e.p.SocialWorker.User.Name, fmt.Sprintf(`href="/cases/%s/documents/`, id)} {
			if !strings.Contains(page, want) {
				t.Errorf("the page does not show %q", want)
			}
		}
		var audit int
		db.SQL().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'case_file.added' AND case_id = $1`, id).Scan(&audit)
		if audit != 1 {
			t.Errorf("%d audit entries of the upload", audit)
		}
	})
}

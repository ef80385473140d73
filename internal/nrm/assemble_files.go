package nrm

import (
	"fmt"
	"strings"
)

// The form's upload page (§8.7): the documents held on the case are what
// the First Responder uploads, so the proposal lists them, each with its
// type and size, and the description page says what each is.

// uploadTypes names the content types the form takes as people know them.
var uploadTypes = map[string]string{
	"application/pdf":    "PDF",
	"application/msword": "DOC",
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document": "DOCX",
	"image/jpeg": "JPG",
	"image/png":  "PNG",
}

func attachmentLine(a Attachment) string {
	t := uploadTypes[a.Type]
	if t == "" {
		t = a.Type
	}
	return fmt.Sprintf("%s (%s, %s)", a.Name, t, megabytes(a.Size))
}

// megabytes writes a size as the form's limit counts it: millions of bytes.
func megabytes(n int64) string {
	if n < 100_000 {
		return fmt.Sprintf("%d KB", max(1, (n+500)/1000))
	}
	return fmt.Sprintf("%.1f MB", float64(n)/1e6)
}

// proposeUploads lists the documents held on the case; without any, the
// records of the case worth adding as documents.
func proposeUploads(f *facts) (string, string) {
	if len(f.ctx.Attachments) == 0 {
		var names []string
		for _, doc := range documents(f) {
			names = append(names, doc.name)
		}
		return strings.Join(names, "\n"), "Records the case holds that support the referral: attach each as a file."
	}
	var lines []string
	for _, a := range f.ctx.Attachments {
		lines = append(lines, attachmentLine(a))
	}
	return strings.Join(lines, "\n"), fmt.Sprintf("The %s held on the case, under Documents on its NRM referral page: upload each file here.", plural(len(lines), "document"))
}

// proposeEvidence says what each document held on the case is, in the
// words of whoever added it; without any, what the case's records are.
func proposeEvidence(f *facts) (string, string) {
	var lines []string
	if len(f.ctx.Attachments) == 0 {
		for _, doc := range documents(f) {
			lines = append(lines, doc.name+": "+doc.what)
		}
		return bullets(lines), "What each document on the case is and when it was made."
	}
	missing := 0
	for _, a := range f.ctx.Attachments {
		what := sentence(a.What)
		if what == "" {
			what = "added to the case on " + day(a.Uploaded) + "; say what it is and when it was made."
			missing++
		}
		lines = append(lines, a.Name+": "+what)
	}
	src := "What each document held on the case is, as whoever added it described it."
	if missing > 0 {
		src += fmt.Sprintf(" %s no description: say what it is and the date it was made.", plural(missing, "document has"))
	}
	return bullets(lines), src
}

func plural(n int, one string) string {
	if n == 1 {
		return "1 " + one
	}
	word, rest, _ := strings.Cut(one, " ")
	if rest != "" {
		return fmt.Sprintf("%d %ss %s", n, word, strings.Replace(rest, "has", "have", 1))
	}
	return fmt.Sprintf("%d %ss", n, word)
}

package casework

import (
	"bytes"
	"encoding/binary"
	"path"
	"strings"
)

// DocumentType is one kind of file the Home Office form takes (§8.7): PDF,
// DOC, DOCX, JPG or PNG. A file's type is told from its bytes, never from
// its name or the type the browser sent.
type DocumentType struct {
	ContentType string
	Label       string // as people name it: "PDF"
	Ext         string // the extension a download is named with
}

var documentTypes = []DocumentType{
	{"application/pdf", "PDF", ".pdf"},
	{"application/msword", "Word document (DOC)", ".doc"},
	{"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word document (DOCX)", ".docx"},
	{"image/jpeg", "JPG image", ".jpg"},
	{"image/png", "PNG image", ".png"},
}

// DocumentTypeOf returns the type of a stored content type.
func DocumentTypeOf(contentType string) DocumentType {
	for _, t := range documentTypes {
		if t.ContentType == contentType {
			return t
		}
	}
	return DocumentType{ContentType: "application/octet-stream", Label: "Unknown", Ext: ""}
}

var (
	pngMagic  = []byte("\x89PNG\r\n\x1a\n")
	jpegMagic = []byte("\xff\xd8\xff")
	pdfMagic  = []byte("%PDF-")
	zipMagic  = []byte("PK\x03\x04")
	zipEnd    = []byte("PK\x05\x06") // the end of central directory, last in a whole zip
	oleMagic  = []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
	// A Word 97–2003 file is a compound file holding a stream of this name
	// (in UTF-16, as the compound file's directory writes names).
	wordStream = []byte("W\x00o\x00r\x00d\x00D\x00o\x00c\x00u\x00m\x00e\x00n\x00t\x00")
)

// typeSniffer watches a file's bytes go past, keeping only a little of
// them, and then tells what the file is: the first bytes for the
// signatures at the start; for a zip file, the name of every entry (a DOCX is a zip
// holding "[Content_Types].xml" and entries under "word/"); for a compound
// file, whether it holds a WordDocument stream.
type typeSniffer struct {
	head             []byte
	carry, scratch   []byte
	tail             []byte // the last bytes, for a zip's end of central directory
	contentTypesSeen bool
	wordEntrySeen    bool
	wordStreamSeen   bool
}

const sniffHead = 1024

// sniffTail is how much of a file's end is kept: a zip's end of central
// directory record (22 bytes) and a short archive comment after it.
const sniffTail = 4096

// localHeaderKeep is the most of a zip entry's local header the sniffer
// needs: 30 bytes of header and the start of its name.
const localHeaderKeep = 30 + len("[Content_Types].xml")

func (s *typeSniffer) Write(p []byte) (int, error) {
	if len(s.head) < sniffHead {
		s.head = append(s.head, p[:min(len(p), sniffHead-len(s.head))]...)
	}
	if len(p) >= sniffTail {
		s.tail = append(s.tail[:0], p[len(p)-sniffTail:]...)
	} else {
		s.tail = append(s.tail, p...)
		if n := len(s.tail) - sniffTail; n > 0 {
			s.tail = append(s.tail[:0], s.tail[n:]...)
		}
	}
	buf := append(append(s.scratch[:0], s.carry...), p...)
	pending := len(buf)
	for i := 0; ; i += 4 {
		k := bytes.Index(buf[i:], zipMagic)
		if k < 0 {
			break
		}
		i += k
		if i+30 > len(buf) {
			pending = i
			break
		}
		nameLen := int(binary.LittleEndian.Uint16(buf[i+26:]))
		need := min(nameLen, len("[Content_Types].xml"))
		if i+30+need > len(buf) {
			pending = i
			break
		}
		name := buf[i+30 : i+30+need]
		switch {
		case nameLen == len("[Content_Types].xml") && string(name) == "[Content_Types].xml":
			s.contentTypesSeen = true
		case nameLen > len("word/") && bytes.HasPrefix(name, []byte("word/")):
			s.wordEntrySeen = true
		}
	}
	if bytes.Contains(buf, wordStream) {
		s.wordStreamSeen = true
	}
	// Keep what may start a match the next write completes: enough for the
	// stream name, or from an entry's header not yet read whole.
	keep := max(0, len(buf)-len(wordStream))
	if pending < keep {
		keep = pending
	}
	if len(buf)-keep > localHeaderKeep+len(wordStream) {
		keep = len(buf) - localHeaderKeep - len(wordStream)
	}
	s.carry = append(s.carry[:0], buf[keep:]...)
	s.scratch = buf
	return len(p), nil
}

// Type is the file's type, if it is one the form takes.
func (s *typeSniffer) Type() (DocumentType, bool) {
	h := s.head
	switch {
	case bytes.HasPrefix(h, pngMagic):
		return documentTypes[4], true
	case bytes.HasPrefix(h, jpegMagic):
		return documentTypes[3], true
	case bytes.HasPrefix(h, pdfMagic):
		return documentTypes[0], true
	case bytes.HasPrefix(h, zipMagic) && s.contentTypesSeen && s.wordEntrySeen && wholeZip(s.tail):
		return documentTypes[2], true
	case bytes.HasPrefix(h, oleMagic) && s.wordStreamSeen:
		return documentTypes[1], true
	}
	return DocumentType{}, false
}

// wholeZip: the end of central directory record is whole at the end of the
// file (its comment, of the length it gives, closing the file), so the zip
// was not cut short.
func wholeZip(tail []byte) bool {
	i := bytes.LastIndex(tail, zipEnd)
	return i >= 0 && len(tail)-i >= 22 && len(tail)-i-22 == int(binary.LittleEndian.Uint16(tail[i+20:]))
}

// DocumentFileName is the name a document is downloaded under: the name it
// was uploaded with, without any folder, control or quoting characters,
// with the extension of the type its content showed.
func DocumentFileName(name string, t DocumentType) string {
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.Map(func(r rune) rune {
		switch {
		case r < 0x20, r == 0x7f, r == '"', r == '/', r == '\\', r == ';', r == '%':
			return '_'
		case r >= 0x80 && r <= 0x9f, r == 0x2028, r == 0x2029, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
			return '_' // C1 controls, line separators and bidi overrides
		}
		return r
	}, name)
	base, ext := name, strings.ToLower(path.Ext(name))
	switch {
	case ext == t.Ext || t.Ext == ".jpg" && ext == ".jpeg":
		base, t.Ext = strings.TrimSuffix(name, path.Ext(name)), path.Ext(name)
	case ext == ".pdf" || ext == ".doc" || ext == ".docx" || ext == ".jpg" || ext == ".jpeg" || ext == ".png":
		base = strings.TrimSuffix(name, path.Ext(name)) // named as another type: named as what it is
	}
	base = strings.Trim(strings.TrimSpace(base), ".")
	if base == "" {
		base = "document"
	}
	if r := []rune(base); len(r) > 120 {
		base = string(r[:120])
	}
	return base + t.Ext
}

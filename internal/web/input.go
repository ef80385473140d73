package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"waymark"
	"waymark/internal/pathway"
)

// Every form and every JSON body is held, before anything reads it, to the
// one rule for text (pathway.TextProblem): no invalid UTF-8, no control
// characters, no text-direction overrides. Here every value is judged by the
// multi-line rule, since a form or body does not say which of its fields are
// one line; the pathway's own checks (and the actions' field kinds) then
// refuse line breaks in single-line answers.

// checksItsOwnText names the pages whose handler holds every answer it
// keeps to the rule itself, field by field with the question's label, and
// shows the form again with the answers and a linked error summary, instead
// of the page of its own that page() shows for any other form: the case
// actions (action.formToJSON) and the concern form's pages, where names and
// long narratives are typed and would otherwise be lost.
var checksItsOwnText = map[string]bool{
	"POST /cases/{id}/actions/{action}": true,
	"POST /concerns/{draft}/{step}":     true,
}

// formProblems lists, field by field, the values of a posted form that the
// rule refuses. url.ParseQuery decodes %-escapes to any bytes at all, so
// invalid UTF-8 arrives here as it was sent, and is refused rather than
// replaced.
func formProblems(f url.Values) []waymark.FieldError {
	var out []waymark.FieldError
	keys := make([]string, 0, len(f))
	for k := range f {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if k == "csrf_token" {
			continue
		}
		if p := pathway.TextProblem(k, false); p != "" {
			out = append(out, waymark.FieldError{Message: "The name of one of the answers sent " + p})
			continue
		}
		for _, v := range f[k] {
			if p := pathway.TextProblem(v, true); p != "" {
				out = append(out, waymark.FieldError{Field: k, Message: fieldLabel(k) + " " + p})
				break
			}
		}
	}
	return out
}

// fieldLabel turns a form or JSON name ("givenNames", "when-day",
// "child.familyName") into words for a message ("Given names").
func fieldLabel(name string) string {
	if i := strings.LastIndexAny(name, ".["); i >= 0 && i < len(name)-1 {
		name = strings.Trim(name[i+1:], "]")
	}
	var b strings.Builder
	for i, r := range name {
		switch {
		case r == '-' || r == '_':
			b.WriteByte(' ')
		case unicode.IsUpper(r) && i > 0:
			b.WriteByte(' ')
			b.WriteRune(unicode.ToLower(r))
		default:
			b.WriteRune(r)
		}
	}
	s := strings.TrimSpace(b.String())
	if s == "" {
		return "An answer"
	}
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// codeUnsupportedType is the problem code of a body that is not JSON: 415.
const codeUnsupportedType = "unsupported_media_type"

// checkJSONType refuses (415) a body that says it is anything but
// application/json in UTF-8. A body with no Content-Type at all is read as
// JSON, as before: no browser form can send one without it, so this opens
// nothing to other sites.
func checkJSONType(r *http.Request) error {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return nil
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/json" {
		return waymark.Errorf(codeUnsupportedType, "Send the body as JSON with Content-Type: application/json (got %q)", clipHeader(ct))
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return waymark.Errorf(codeUnsupportedType, "Send the body as UTF-8 JSON with Content-Type: application/json (got charset %q)", clipHeader(cs))
	}
	return nil
}

func clipHeader(s string) string {
	if len(s) > 60 {
		s = s[:60]
	}
	return strings.ToValidUTF8(s, "?")
}

// maxJSONDepth is deeper than any body Waymark takes (a concern is three
// levels); a deeper one is refused before it costs anything.
const maxJSONDepth = 32

// checkJSON walks a JSON body token by token before it is decoded, and
// refuses: a key that appears twice in one object, at any depth, compared as
// encoding/json matches keys to fields — without regard to case — since it
// would keep the last silently and two readers could see two different
// requests; a string that was not valid Unicode as sent (encoding/json
// would replace invalid UTF-8 and unpaired surrogate escapes with U+FFFD
// without a word); and any string the text rule refuses. Each problem names
// the field it is in.
func checkJSON(body []byte) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	type frame struct {
		object  bool
		keys    map[string]bool
		wantKey bool   // in an object, the next token is a key
		key     string // the key of the value being read
	}
	var stack []*frame
	var probs []waymark.FieldError
	add := func(field, msg string) {
		for _, p := range probs {
			if p.Field == field {
				return
			}
		}
		probs = append(probs, waymark.FieldError{Field: field, Message: msg})
	}
	field := func() string {
		for i := len(stack) - 1; i >= 0; i-- {
			if stack[i].object && stack[i].key != "" {
				return stack[i].key
			}
		}
		return "body"
	}
	for {
		start := dec.InputOffset()
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return jsonProblem(err)
		}
		raw := body[start:dec.InputOffset()]
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if s, ok := tok.(string); ok {
			isKey := top != nil && top.object && top.wantKey
			name := field()
			if isKey {
				name = s
			}
			switch {
			case replaced(s, raw):
				if isKey {
					add("body", "A field name is not valid Unicode text (UTF-8): check the encoding of the request")
				} else {
					add(name, fmt.Sprintf("%s is not valid Unicode text (UTF-8): send it as UTF-8 rather than letting it be replaced", name))
				}
			case isKey:
				if p := pathway.TextProblem(s, false); p != "" {
					add("body", "A field name "+p)
				} else if top.keys[foldKey(s)] {
					add(s, fmt.Sprintf("%s is sent twice in the same object: send each field once", s))
				}
			default:
				if p := pathway.TextProblem(s, true); p != "" {
					add(name, fmt.Sprintf("%s %s", name, p))
				}
			}
			if isKey {
				top.keys[foldKey(s)] = true
				top.key, top.wantKey = s, false
				continue
			}
		}
		if d, ok := tok.(json.Delim); ok && (d == '{' || d == '[') && len(stack) >= maxJSONDepth {
			return waymark.Errorf(waymark.EINVALID, "The request body is nested more than %d levels deep", maxJSONDepth)
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{object: true, keys: map[string]bool{}, wantKey: true})
			continue
		case json.Delim('['):
			stack = append(stack, &frame{})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
			if len(stack) > 0 {
				top = stack[len(stack)-1]
			} else {
				top = nil
			}
		}
		// A value ended: in an object, a key comes next.
		if top != nil && top.object {
			top.wantKey = true
		}
		if len(stack) == 0 && dec.More() {
			return waymark.Errorf(waymark.EINVALID, "The request body has data after the JSON object")
		}
	}
	if len(probs) > 0 {
		return waymark.Invalid(probs)
	}
	return nil
}

// foldKey is a key as encoding/json matches it to a field: case folded.
func foldKey(k string) string { return strings.ToLower(strings.ToUpper(k)) }

// replaced says whether decoding the string token raw into s replaced
// something that was not valid Unicode by U+FFFD: s holds U+FFFD that the
// sender did not write, either as the character or as the escape \ufffd.
func replaced(s string, raw []byte) bool {
	n := strings.Count(s, "\uFFFD")
	if n == 0 {
		return false
	}
	return n != bytes.Count(raw, []byte("\uFFFD"))+bytes.Count(bytes.ToLower(raw), []byte(`\ufffd`))
}

// decodeJSON reads exactly one JSON object into dst, refusing a body that is
// not JSON (415), duplicate keys, text the rule refuses, unknown fields,
// wrong types, trailing data and oversized bodies with a specific message.
func decodeJSON(r *http.Request, dst any) error {
	if err := checkJSONType(r); err != nil {
		return err
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return waymark.Errorf(codeTooLarge, "The request body is larger than the limit of %d bytes. Nothing was saved.", mbe.Limit)
		}
		return waymark.Errorf(waymark.EINVALID, "The request body could not be read")
	}
	return decodeJSONBytes(body, dst)
}

func decodeJSONBytes(body []byte, dst any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return waymark.Errorf(waymark.EINVALID, "The request body is empty: send a JSON object")
	}
	if err := checkJSON(body); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonProblem(err)
	}
	if dec.More() {
		return waymark.Errorf(waymark.EINVALID, "The request body has data after the JSON object")
	}
	return nil
}

package web

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// encodeAPI is the body writeJSON sends for v: exactly the bytes that
// encoding/json's Encoder, indenting by two spaces, gives for apiValue(v)
// (a test compares the two for every answer the web tests see).
//
// apiValue builds a map for every struct and encoding/json then sorts and
// encodes those maps; on a loaded server that was about a tenth of its
// processor time (docs/performance.md). encodeAPI writes the same JSON
// from the values themselves, with each struct type's API field names
// worked out once. Floats, marshalers and maps keyed by other than
// strings are encoded by encoding/json where they stand; a value
// encoding/json refuses, or one nested past maxAPINesting, is encoded
// again whole the old way.
func encodeAPI(v any) []byte {
	e := apiEncoder{buf: make([]byte, 0, 4096), pretty: true}
	if v != nil {
		e.value(reflect.ValueOf(v))
	} else {
		e.buf = append(e.buf, "null"...)
	}
	if e.failed {
		return encodeAPISlowly(v)
	}
	return append(e.buf, '\n')
}

// encodeAPISlowly is what encodeAPI must give, the old way.
func encodeAPISlowly(v any) []byte {
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetIndent("", "  ")
	enc.Encode(apiValue(v))
	return out.Bytes()
}

// maxAPINesting is how deeply encodeAPI follows values (pointers,
// interfaces, members) before it leaves a value to the old way.
const maxAPINesting = 1000

var numberType = reflect.TypeFor[json.Number]()

// zoneInRange reports whether t's offset from UTC is under a day, as
// Time.MarshalJSON requires.
func zoneInRange(t time.Time) bool {
	_, off := t.Zone()
	return off > -24*60*60 && off < 24*60*60
}

type apiEncoder struct {
	nest   int // values being written, one inside another
	buf    []byte
	failed bool // something encoding/json would refuse or treat otherwise: start again the old way
	// pretty: indented as json.Indent would indent it, by two spaces a
	// level (depth); else compact.
	pretty bool
	depth  int
}

// marshal appends json.Marshal of x, as encoding/json would write it
// inside a larger value (HTML escaped), indented when e is pretty.
func (e *apiEncoder) marshal(x any) {
	b, err := json.Marshal(x)
	if err != nil {
		e.failed = true
		return
	}
	if e.pretty && len(b) > 0 && (b[0] == '{' || b[0] == '[') {
		out := bytes.NewBuffer(e.buf)
		if err := json.Indent(out, b, strings.Repeat("  ", e.depth), "  "); err != nil {
			e.failed = true
			return
		}
		e.buf = out.Bytes()
		return
	}
	e.buf = append(e.buf, b...)
}

// open starts an object or array (c is '{' or '['); each member then
// starts with next, and close ends it (empty: "{}" or "[]").
func (e *apiEncoder) open(c byte) {
	e.buf = append(e.buf, c)
	e.depth++
}

func (e *apiEncoder) next(first bool) {
	if !first {
		e.buf = append(e.buf, ',')
	}
	if e.pretty {
		e.newline()
	}
}

func (e *apiEncoder) close(c byte, empty bool) {
	e.depth--
	if e.pretty && !empty {
		e.newline()
	}
	e.buf = append(e.buf, c)
}

func (e *apiEncoder) newline() {
	e.buf = append(e.buf, '\n')
	for range e.depth {
		e.buf = append(e.buf, "  "...)
	}
}

// colon ends an object member's name.
func (e *apiEncoder) colon() {
	if e.pretty {
		e.buf = append(e.buf, ": "...)
	} else {
		e.buf = append(e.buf, ':')
	}
}

func (e *apiEncoder) value(v reflect.Value) {
	if e.failed {
		return
	}
	// No answer nests this deep; a value that refers to itself would. The
	// old way is left to meet it as it always did.
	if e.nest++; e.nest > maxAPINesting {
		e.failed = true
	} else {
		e.write(v)
	}
	e.nest--
}

func (e *apiEncoder) write(v reflect.Value) {
	if !v.IsValid() {
		e.buf = append(e.buf, "null"...)
		return
	}
	if v.Type() == timeType {
		switch t := v.Interface().(time.Time); {
		case t.IsZero():
			e.buf = append(e.buf, "null"...)
		case t.Year() >= 0 && t.Year() <= 9999 && zoneInRange(t):
			// As Time.MarshalJSON writes it; it refuses other years and
			// zones a day or more from UTC.
			e.buf = append(e.buf, '"')
			e.buf = t.AppendFormat(e.buf, time.RFC3339Nano)
			e.buf = append(e.buf, '"')
		default:
			e.marshal(t)
		}
		return
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			e.buf = append(e.buf, "null"...)
			return
		}
		e.value(v.Elem())
		return
	}
	if v.Type() == numberType || v.Type().Implements(jsonMarshalerType) || v.Type().Implements(textMarshalerType) {
		e.marshal(v.Interface()) // a json.Number is sent as the number it holds
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		e.object(v)
	case reflect.Slice:
		if v.IsNil() {
			e.buf = append(e.buf, "null"...)
			return
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			e.marshal(v.Interface())
			return
		}
		e.array(v)
	case reflect.Array:
		e.array(v)
	case reflect.Map:
		e.mapping(v)
	case reflect.String:
		e.str(v.String())
	case reflect.Bool:
		e.buf = strconv.AppendBool(e.buf, v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		e.buf = strconv.AppendInt(e.buf, v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		e.buf = strconv.AppendUint(e.buf, v.Uint(), 10)
	default:
		e.marshal(v.Interface()) // floats, and what encoding/json refuses
	}
}

func (e *apiEncoder) array(v reflect.Value) {
	e.open('[')
	for i := range v.Len() {
		e.next(i == 0)
		e.value(v.Index(i))
	}
	e.close(']', v.Len() == 0)
}

func (e *apiEncoder) mapping(v reflect.Value) {
	if v.IsNil() {
		e.buf = append(e.buf, "null"...)
		return
	}
	if v.Type().Key().Kind() != reflect.String {
		e.marshal(apiReflect(v)) // keys as mapKey gives them
		return
	}
	keys := make([]reflect.Value, 0, v.Len())
	for it := v.MapRange(); it.Next(); {
		keys = append(keys, it.Key())
	}
	slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
	e.open('{')
	for i, k := range keys {
		e.next(i == 0)
		e.str(k.String())
		e.colon()
		e.value(v.MapIndex(k))
	}
	e.close('}', len(keys) == 0)
}

// object writes a struct as apiFields names its fields, in the sorted
// order encoding/json gives a map's keys; a later field of the same name
// (from an embedded struct) replaces an earlier one, as in apiFields.
func (e *apiEncoder) object(v reflect.Value) {
	if plan := apiPlanOf(v.Type()); plan.sorted != nil {
		e.open('{')
		first := true
		for _, f := range plan.sorted {
			fv := v.Field(f.index)
			if f.omitEmpty && isEmptyValue(fv) || f.omitZero && fv.IsZero() {
				continue
			}
			e.next(first)
			first = false
			e.field(apiOut{name: f.name, v: fv, asString: f.asString})
		}
		e.close('}', first)
		return
	}
	var fields []apiOut
	e.fields(v, &fields)
	slices.SortFunc(fields, func(a, b apiOut) int { return strings.Compare(a.name, b.name) })
	e.open('{')
	for i, f := range fields {
		e.next(i == 0)
		e.field(f)
	}
	e.close('}', len(fields) == 0)
}

// field writes one field of an object, its name and its value.
func (e *apiEncoder) field(f apiOut) {
	e.str(f.name)
	e.colon()
	if !f.asString {
		e.value(f.v)
		return
	}
	if apiNull(f.v) {
		e.buf = append(e.buf, "null"...)
		return
	}
	inner := apiEncoder{buf: make([]byte, 0, 64)} // compact: it goes inside a string
	inner.value(f.v)
	if inner.failed {
		e.failed = true
		return
	}
	e.str(string(inner.buf))
}

// apiOut is one field to write.
type apiOut struct {
	name     string
	v        reflect.Value
	asString bool
}

func (e *apiEncoder) fields(v reflect.Value, out *[]apiOut) {
	for _, f := range apiPlanOf(v.Type()).fields {
		fv := v.Field(f.index)
		if f.embedded || f.embeddedPointer {
			if fv.Kind() == reflect.Pointer {
				if fv.IsNil() {
					continue
				}
				fv = fv.Elem()
			}
			if f.embedded {
				e.fields(fv, out)
				continue
			}
		}
		if f.omitEmpty && isEmptyValue(fv) || f.omitZero && fv.IsZero() {
			continue
		}
		o := apiOut{name: f.name, v: fv, asString: f.asString}
		if i := slices.IndexFunc(*out, func(x apiOut) bool { return x.name == f.name }); i >= 0 {
			(*out)[i] = o
		} else {
			*out = append(*out, o)
		}
	}
}

// apiNull reports whether apiReflect gives nil for v.
func apiNull(v reflect.Value) bool {
	for range maxAPINesting { // a pointer to itself is not followed for ever

		if !v.IsValid() {
			return true
		}
		if v.Type() == timeType {
			return v.Interface().(time.Time).IsZero()
		}
		switch v.Kind() {
		case reflect.Pointer, reflect.Interface:
			if v.IsNil() {
				return true
			}
			v = v.Elem()
			continue
		}
		if v.Type().Implements(jsonMarshalerType) || v.Type().Implements(textMarshalerType) {
			return false
		}
		return (v.Kind() == reflect.Slice || v.Kind() == reflect.Map) && v.IsNil()
	}
	return false // then writing it fails, and the old way meets it
}

// apiFieldPlan is one field of a struct type as apiFields treats it.
type apiFieldPlan struct {
	index    int
	embedded bool // a struct (or pointer to one) whose fields are the parent's
	// embeddedPointer: an embedded pointer to another type, left out when
	// nil and otherwise sent as the value it points to (as apiFields does).
	embeddedPointer               bool
	name                          string
	omitEmpty, omitZero, asString bool
}

// apiPlan is how a struct type is written: its fields in their order,
// and, when none is embedded and no two share a name, the same sorted by
// name, to be written in that order as they are.
type apiPlan struct {
	fields, sorted []apiFieldPlan
}

var apiPlans sync.Map // reflect.Type → apiPlan

// apiPlanOf is the plan of struct type t, made once.
func apiPlanOf(t reflect.Type) apiPlan {
	if p, ok := apiPlans.Load(t); ok {
		return p.(apiPlan)
	}
	var plan []apiFieldPlan
	for i := range t.NumField() {
		f := t.Field(i)
		tag, tagged := f.Tag.Lookup("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				plan = append(plan, apiFieldPlan{index: i, embedded: true})
				continue
			}
		}
		embeddedPointer := f.Anonymous && name == "" && f.Type.Kind() == reflect.Pointer
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = apiName(f.Name)
		}
		plan = append(plan, apiFieldPlan{index: i, name: name, embeddedPointer: embeddedPointer,
			omitEmpty: tagged && hasOpt(opts, "omitempty"), omitZero: tagged && hasOpt(opts, "omitzero"), asString: hasOpt(opts, "string")})
	}
	ap := apiPlan{fields: plan}
	sorted := slices.Clone(plan)
	slices.SortFunc(sorted, func(a, b apiFieldPlan) int { return strings.Compare(a.name, b.name) })
	flat := !slices.ContainsFunc(plan, func(f apiFieldPlan) bool { return f.embedded || f.embeddedPointer })
	if flat && len(slices.CompactFunc(slices.Clone(sorted), func(a, b apiFieldPlan) bool { return a.name == b.name })) == len(sorted) {
		ap.sorted = sorted
		if ap.sorted == nil {
			ap.sorted = []apiFieldPlan{} // no fields: "{}"
		}
	}
	p, _ := apiPlans.LoadOrStore(t, ap)
	return p.(apiPlan)
}

// str writes s as a JSON string as encoding/json does (HTML escaped); a
// string of plain printable ASCII is written as it is, any other through
// encoding/json.
func (e *apiEncoder) str(s string) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= utf8.RuneSelf || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			e.marshal(s)
			return
		}
	}
	e.buf = append(e.buf, '"')
	e.buf = append(e.buf, s...)
	e.buf = append(e.buf, '"')
}

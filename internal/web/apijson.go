package web

import (
	"encoding"
	"encoding/json"
	"reflect"
	"strings"
	"time"
	"unicode"
)

// apiValue is v as the API sends it: what encoding/json would send, except
// that a field without a json tag is named in camelCase (NRMDecision →
// nrmDecision) and a zero time is null. The pathway's types are stored in
// the event log and read models under their Go names, so the API view is
// made here rather than by changing the stored JSON.
func apiValue(v any) any {
	if v == nil {
		return nil
	}
	return apiReflect(reflect.ValueOf(v))
}

var (
	jsonMarshalerType = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
)

func apiReflect(v reflect.Value) any {
	if !v.IsValid() {
		return nil
	}
	if v.Type() == timeType {
		if t := v.Interface().(time.Time); !t.IsZero() {
			return t
		}
		return nil
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return apiReflect(v.Elem())
	}
	if v.Type().Implements(jsonMarshalerType) || v.Type().Implements(textMarshalerType) {
		return v.Interface() // the type says how it is sent
	}
	switch v.Kind() {
	case reflect.Struct:
		out := map[string]any{}
		apiFields(v, out)
		return out
	case reflect.Slice:
		if v.IsNil() {
			return nil
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return v.Interface() // []byte is sent as base64
		}
		fallthrough
	case reflect.Array:
		out := make([]any, v.Len())
		for i := range out {
			out[i] = apiReflect(v.Index(i))
		}
		return out
	case reflect.Map:
		if v.IsNil() {
			return nil
		}
		// A map's keys are data (ids, field names), sent as they are.
		out := make(map[string]any, v.Len())
		for it := v.MapRange(); it.Next(); {
			k, err := mapKey(it.Key())
			if err != nil {
				return v.Interface()
			}
			out[k] = apiReflect(it.Value())
		}
		return out
	}
	return v.Interface()
}

func mapKey(k reflect.Value) (string, error) {
	if k.Kind() == reflect.String {
		return k.String(), nil
	}
	b, err := json.Marshal(k.Interface())
	if err != nil {
		return "", err
	}
	var s string
	if json.Unmarshal(b, &s) == nil {
		return s, nil
	}
	return string(b), nil
}

// apiFields adds a struct's fields to out, following embedded structs as
// encoding/json does.
func apiFields(v reflect.Value, out map[string]any) {
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		tag, tagged := f.Tag.Lookup("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		fv := v.Field(i)
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				if fv.IsNil() {
					continue
				}
				ft, fv = ft.Elem(), fv.Elem()
			}
			if ft.Kind() == reflect.Struct {
				apiFields(fv, out)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = apiName(f.Name)
		}
		if tagged && (hasOpt(opts, "omitempty") && isEmptyValue(fv) || hasOpt(opts, "omitzero") && fv.IsZero()) {
			continue
		}
		x := apiReflect(fv)
		if hasOpt(opts, "string") && x != nil {
			b, _ := json.Marshal(x)
			x = string(b)
		}
		out[name] = x
	}
}

func hasOpt(opts, o string) bool {
	for opts != "" {
		var cur string
		cur, opts, _ = strings.Cut(opts, ",")
		if cur == o {
			return true
		}
	}
	return false
}

func isEmptyValue(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}

// apiName is a Go field name in camelCase, an initialism written as a word
// (NRMDecision → nrmDecision, ID → id, ClockID → clockId).
func apiName(goName string) string {
	r := []rune(goName)
	var b strings.Builder
	for i := 0; i < len(r); {
		// A word is a run of capitals (an initialism, less the capital
		// starting the next word) or one capital and the small letters after it.
		j := i + 1
		for j < len(r) && unicode.IsUpper(r[j]) && (j+1 == len(r) || unicode.IsUpper(r[j+1]) || unicode.IsDigit(r[j+1])) {
			j++
		}
		if j == i+1 || j == len(r) || !unicode.IsUpper(r[j]) {
			for j < len(r) && !unicode.IsUpper(r[j]) {
				j++
			}
		}
		word := strings.ToLower(string(r[i:j]))
		if i > 0 {
			word = strings.ToUpper(word[:1]) + word[1:]
		}
		b.WriteString(word)
		i = j
	}
	return b.String()
}

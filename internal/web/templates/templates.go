// Package templates holds Waymark's html/template files: the GOV.UK Design
// System components rewritten as small partials (partials.tmpl), and the
// functions those partials need.
package templates

import (
	"embed"
	"errors"
	"fmt"
	"html/template"
	"reflect"
)

// FS holds every *.tmpl file of this package.
//
//go:embed *.tmpl
var FS embed.FS

// Funcs returns the functions the partials call. Register them before parsing.
func Funcs() template.FuncMap {
	return template.FuncMap{
		"dict":   dict,
		"list":   list,
		"errFor": errFor,
		"hasErr": hasErr,
	}
}

// dict builds a partial's argument from key/value pairs: dict "Name" "email" "Label" "Email address".
func dict(pairs ...any) (map[string]any, error) {
	if len(pairs)%2 != 0 {
		return nil, errors.New("dict: odd number of arguments")
	}
	m := make(map[string]any, len(pairs)/2)
	for i := 0; i < len(pairs); i += 2 {
		key, ok := pairs[i].(string)
		if !ok {
			return nil, fmt.Errorf("dict: key %v is a %T, not a string", pairs[i], pairs[i])
		}
		m[key] = pairs[i+1]
	}
	return m, nil
}

// list builds a slice, for the Items and Rows of a partial.
func list(items ...any) []any {
	return items
}

// errFor returns the error message for field, or "" when it has none.
// errs is a page's Errors: a slice of structs (or maps) with string fields
// Field and Message, or a map from field name to message. Nil gives "".
func errFor(errs any, field any) string {
	name := fmt.Sprint(field)
	if errs == nil || field == nil || name == "" {
		return ""
	}
	v := reflect.ValueOf(errs)
	switch v.Kind() {
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String {
			return ""
		}
		if m := v.MapIndex(reflect.ValueOf(name).Convert(v.Type().Key())); m.IsValid() {
			return stringOf(m)
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			e := v.Index(i)
			if stringOf(member(e, "Field")) == name {
				return stringOf(member(e, "Message"))
			}
		}
	}
	return ""
}

// hasErr reports whether field has an error message in errs (see errFor).
func hasErr(errs any, field any) bool {
	return errFor(errs, field) != ""
}

// member reads a struct field or a string-keyed map entry by name; the zero Value if there is none.
func member(v reflect.Value, name string) reflect.Value {
	for v.Kind() == reflect.Interface || v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return reflect.Value{}
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.Struct:
		return v.FieldByName(name)
	case reflect.Map:
		if v.Type().Key().Kind() == reflect.String {
			return v.MapIndex(reflect.ValueOf(name).Convert(v.Type().Key()))
		}
	}
	return reflect.Value{}
}

// stringOf renders v as text, "" for an invalid or nil value.
func stringOf(v reflect.Value) string {
	for v.IsValid() && (v.Kind() == reflect.Interface || v.Kind() == reflect.Pointer) {
		if v.IsNil() {
			return ""
		}
		v = v.Elem()
	}
	if !v.IsValid() {
		return ""
	}
	if v.Kind() == reflect.String {
		return v.String()
	}
	if v.CanInterface() {
		return fmt.Sprint(v.Interface())
	}
	return ""
}

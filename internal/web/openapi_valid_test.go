package web

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The document keeps the rules of OpenAPI 3.1 a generator or validator
// would trip on, checked here without a dependency: each path's template
// parameters declared as required path parameters, each response described,
// each body with content, and each schema's type, required and enum sound.
func TestOpenAPIDocumentIsStructurallyValid(t *testing.T) {
	d := loadOpenAPI(t)
	for _, key := range []string{"openapi", "info", "paths"} {
		if d[key] == nil {
			t.Errorf("the document has no %s", key)
		}
	}
	if info := obj(d["info"]); info["title"] == nil || info["version"] == nil {
		t.Errorf("info needs title and version: %v", info)
	}
	template := regexp.MustCompile(`\{([^}]+)\}`)
	for op, o := range d.operations() {
		_, path, _ := strings.Cut(op, " ")
		var declared []string
		for _, p := range anySlice(o["parameters"]) {
			p := d.deref(obj(p))
			name, _ := p["name"].(string)
			switch p["in"] {
			case "path":
				declared = append(declared, name)
				if p["required"] != true {
					t.Errorf("%s: path parameter %s must be required", op, name)
				}
			case "query", "header", "cookie":
			default:
				t.Errorf("%s: parameter %s is in %v", op, name, p["in"])
			}
			if p["schema"] == nil && p["content"] == nil {
				t.Errorf("%s: parameter %s has no schema", op, name)
			}
		}
		for _, m := range template.FindAllStringSubmatch(path, -1) {
			if !slices.Contains(declared, m[1]) {
				t.Errorf("%s: the path parameter {%s} is not declared", op, m[1])
			}
		}
		if len(obj(o["responses"])) == 0 {
			t.Errorf("%s has no responses", op)
		}
		for code, r := range obj(o["responses"]) {
			if !regexp.MustCompile(`^([1-5][0-9][0-9]|[1-5]XX|default)$`).MatchString(code) {
				t.Errorf("%s: %q is not a response code", op, code)
			}
			if r := d.deref(obj(r)); r["description"] == nil {
				t.Errorf("%s %s: a response needs a description", op, code)
			}
		}
		if body := obj(o["requestBody"]); body != nil && len(obj(body["content"])) == 0 {
			t.Errorf("%s: the request body has no content", op)
		}
	}
	var walk func(s map[string]any, at string)
	walk = func(s map[string]any, at string) {
		if s == nil {
			return
		}
		types := anySlice(s["type"])
		if ty, ok := s["type"].(string); ok {
			types = []any{ty}
		}
		for _, ty := range types {
			if !slices.Contains([]any{"object", "array", "string", "integer", "number", "boolean", "null"}, ty) {
				t.Errorf("%s: type %v is not a JSON Schema type", at, ty)
			}
		}
		props := obj(s["properties"])
		for _, r := range anySlice(s["required"]) {
			if _, ok := props[r.(string)]; !ok && s["additionalProperties"] == false {
				t.Errorf("%s: requires %v, which is not one of its properties", at, r)
			}
		}
		if enum, ok := s["enum"]; ok && len(anySlice(enum)) == 0 {
			t.Errorf("%s: an enum with no values", at)
		}
		for k, p := range props {
			walk(obj(p), at+".properties."+k)
		}
		walk(obj(s["items"]), at+".items")
		if ap, ok := s["additionalProperties"].(map[string]any); ok {
			walk(ap, at+".additionalProperties")
		}
		for _, k := range []string{"oneOf", "anyOf", "allOf"} {
			for i, sub := range anySlice(s[k]) {
				walk(obj(sub), fmt.Sprintf("%s.%s[%d]", at, k, i))
			}
		}
	}
	for name, s := range obj(obj(d["components"])["schemas"]) {
		walk(obj(s), "#/components/schemas/"+name)
	}
	for op, o := range d.operations() {
		for ct, m := range obj(obj(o["requestBody"])["content"]) {
			walk(obj(obj(m)["schema"]), op+" body "+ct)
		}
		for code, r := range obj(o["responses"]) {
			for ct, m := range obj(obj(r)["content"]) {
				walk(obj(obj(m)["schema"]), op+" "+code+" "+ct)
			}
		}
	}
}

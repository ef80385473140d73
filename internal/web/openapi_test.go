package web

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/catalog"
	"waymark/internal/pathway"
	"waymark/internal/storetest"
)

// oaDoc is the parsed openapi.json.
type oaDoc map[string]any

// loadOpenAPI returns the document as GET /api/v1/openapi.json serves it:
// openapi.json with the operations the server adds (one per case action).
func loadOpenAPI(t *testing.T) oaDoc {
	t.Helper()
	srv, err := NewServer(Config{Catalog: storetest.Catalog()})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/openapi.json", nil))
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("GET /api/v1/openapi.json: %d %q %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
	var d oaDoc
	if err := json.Unmarshal(rec.Body.Bytes(), &d); err != nil {
		t.Fatalf("the served OpenAPI document is not JSON: %v", err)
	}
	return d
}

// loadOpenAPIFile returns openapi.json as written.
func loadOpenAPIFile(t *testing.T) oaDoc {
	t.Helper()
	var d oaDoc
	if err := json.Unmarshal(openAPIDoc, &d); err != nil {
		t.Fatalf("openapi.json is not JSON: %v", err)
	}
	return d
}

// patternMatches reports whether a documented path is served by a mux
// pattern's path: a {wildcard} segment of the pattern matches any segment.
func patternMatches(pattern, path string) bool {
	ps, xs := strings.Split(pattern, "/"), strings.Split(path, "/")
	if len(ps) != len(xs) {
		return false
	}
	for i := range ps {
		if !strings.HasPrefix(ps[i], "{") && ps[i] != xs[i] {
			return false
		}
	}
	return true
}

func obj(v any) map[string]any { m, _ := v.(map[string]any); return m }

// pointer follows a local JSON pointer such as #/components/schemas/Case.
func (d oaDoc) pointer(ref string) (map[string]any, bool) {
	rest, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil, false
	}
	var cur any = map[string]any(d)
	for _, part := range strings.Split(rest, "/") {
		part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
		m := obj(cur)
		if m == nil {
			return nil, false
		}
		if cur, ok = m[part]; !ok {
			return nil, false
		}
	}
	return obj(cur), obj(cur) != nil
}

func (d oaDoc) schema(name string) map[string]any {
	s, _ := d.pointer("#/components/schemas/" + name)
	return s
}

// deref follows $ref until it reaches an object without one.
func (d oaDoc) deref(m map[string]any) map[string]any {
	for i := 0; m != nil && i < 10; i++ {
		ref, ok := m["$ref"].(string)
		if !ok {
			return m
		}
		m, _ = d.pointer(ref)
	}
	return m
}

// operations lists "METHOD /path" → operation object.
func (d oaDoc) operations() map[string]map[string]any {
	ops := map[string]map[string]any{}
	for path, item := range obj(d["paths"]) {
		for method, op := range obj(item) {
			switch method {
			case "get", "put", "post", "delete", "patch", "head", "options", "trace":
				ops[strings.ToUpper(method)+" "+path] = obj(op)
			}
		}
	}
	return ops
}

// validate checks v (decoded JSON) against a schema, for the subset of JSON
// Schema 2020-12 the document uses. It returns every mismatch.
func (d oaDoc) validate(schema map[string]any, v any, at string) []string {
	if ref, ok := schema["$ref"].(string); ok {
		target, found := d.pointer(ref)
		if !found {
			return []string{at + ": unresolved $ref " + ref}
		}
		return d.validate(target, v, at)
	}
	var errs []string
	fail := func(format string, args ...any) { errs = append(errs, at+": "+fmt.Sprintf(format, args...)) }
	if t, ok := schema["type"]; ok && !typeMatches(t, v) {
		fail("%s is not of type %v", jsonKindOf(v), t)
		return errs
	}
	if enum, ok := schema["enum"].([]any); ok && !slices.ContainsFunc(enum, func(x any) bool { return reflect.DeepEqual(x, v) }) {
		fail("%v is not one of %v", v, enum)
	}
	if c, ok := schema["const"]; ok && !reflect.DeepEqual(c, v) {
		fail("%v is not %v", v, c)
	}
	for _, sub := range anySlice(schema["allOf"]) {
		errs = append(errs, d.validate(obj(sub), v, at)...)
	}
	if alts := anySlice(schema["anyOf"]); len(alts) > 0 && !slices.ContainsFunc(alts, func(sub any) bool { return len(d.validate(obj(sub), v, at)) == 0 }) {
		fail("matches none of anyOf")
	}
	if alts := anySlice(schema["oneOf"]); len(alts) > 0 {
		n := 0
		for _, sub := range alts {
			if len(d.validate(obj(sub), v, at)) == 0 {
				n++
			}
		}
		if n != 1 {
			fail("matches %d of oneOf, want exactly 1", n)
		}
	}
	if cond, ok := schema["if"]; ok && len(d.validate(obj(cond), v, at)) == 0 {
		if then, ok := schema["then"]; ok {
			errs = append(errs, d.validate(obj(then), v, at)...)
		}
	}
	switch v := v.(type) {
	case map[string]any:
		props := obj(schema["properties"])
		for _, r := range anySlice(schema["required"]) {
			if _, ok := v[r.(string)]; !ok {
				fail("required property %q is missing", r)
			}
		}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if ps, ok := props[k]; ok {
				errs = append(errs, d.validate(obj(ps), v[k], at+"."+k)...)
			} else if schema["additionalProperties"] == false {
				fail("property %q is not in the schema", k)
			}
		}
	case []any:
		if items := obj(schema["items"]); items != nil {
			for i, x := range v {
				errs = append(errs, d.validate(items, x, fmt.Sprintf("%s[%d]", at, i))...)
			}
		}
		if n, ok := schema["minItems"].(float64); ok && float64(len(v)) < n {
			fail("%d items, fewer than %v", len(v), n)
		}
	case string:
		if n, ok := schema["minLength"].(float64); ok && float64(len(v)) < n {
			fail("shorter than %v", n)
		}
		switch schema["format"] {
		case "date-time":
			if _, err := time.Parse(time.RFC3339, v); err != nil {
				fail("%q is not an RFC 3339 date-time", v)
			}
		case "date":
			if _, err := time.Parse("2006-01-02", v); err != nil {
				fail("%q is not a date", v)
			}
		}
	case float64:
		if n, ok := schema["minimum"].(float64); ok && v < n {
			fail("%v is below the minimum %v", v, n)
		}
		if n, ok := schema["maximum"].(float64); ok && v > n {
			fail("%v is above the maximum %v", v, n)
		}
	}
	return errs
}

func anySlice(v any) []any { s, _ := v.([]any); return s }

func typeMatches(t any, v any) bool {
	if ts, ok := t.([]any); ok {
		return slices.ContainsFunc(ts, func(x any) bool { return typeMatches(x, v) })
	}
	switch t {
	case "object":
		_, ok := v.(map[string]any)
		return ok
	case "array":
		_, ok := v.([]any)
		return ok
	case "string":
		_, ok := v.(string)
		return ok
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "number":
		_, ok := v.(float64)
		return ok
	case "integer":
		f, ok := v.(float64)
		return ok && f == math.Trunc(f)
	case "null":
		return v == nil
	}
	return false
}

func jsonKindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case bool:
		return "boolean"
	}
	return "number"
}

// checkDocumentedResponse checks that rec's status is documented for the
// operation, and that its body matches the documented schema.
func checkDocumentedResponse(t *testing.T, d oaDoc, op string, rec *httptest.ResponseRecorder) {
	t.Helper()
	o := d.operations()[op]
	if o == nil {
		t.Fatalf("openapi.json does not document %s", op)
	}
	resp := d.deref(obj(obj(o["responses"])[fmt.Sprint(rec.Code)]))
	if resp == nil {
		t.Fatalf("%s answered %d, which openapi.json does not document for it: %s", op, rec.Code, rec.Body)
	}
	content := obj(resp["content"])
	if len(content) == 0 {
		if rec.Body.Len() != 0 {
			t.Errorf("%s %d: documented with no body, but sent %s", op, rec.Code, rec.Body)
		}
		return
	}
	ct, _, _ := strings.Cut(rec.Header().Get("Content-Type"), ";")
	media := obj(content[ct])
	if media == nil {
		t.Fatalf("%s %d: Content-Type %q is not documented (documented: %v)", op, rec.Code, ct, content)
	}
	var v any
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("%s %d: body is not JSON: %v", op, rec.Code, err)
	}
	for _, e := range d.validate(obj(media["schema"]), v, op) {
		t.Errorf("%s %d does not match its documented schema: %s", op, rec.Code, e)
	}
}

// apiRoutePattern finds the API routes registered in routes.go.
var apiRoutePattern = regexp.MustCompile(`mux\.Handle\("([A-Z]+) (/api/v1/[^"]*)"`)

// A documented operation must be routed, a routed operation documented, and
// any other method or path under /api/ must answer the catch-all problem.
func TestOpenAPIDocumentCoversEveryAPIRoute(t *testing.T) {
	d := loadOpenAPI(t)
	documented := d.operations()

	src, err := os.ReadFile("routes.go")
	if err != nil {
		t.Fatal(err)
	}
	registered := map[string]bool{}
	for _, m := range apiRoutePattern.FindAllStringSubmatch(string(src), -1) {
		registered[m[1]+" "+m[2]] = true
	}
	if len(registered) < 10 {
		t.Fatalf("found only %d API routes in routes.go: has the way routes are registered changed?", len(registered))
	}
	// A pattern with a wildcard the document spells out (one operation per
	// case action) is covered by those operations.
	servedBy := func(docOp, routeOp string) bool {
		dm, dp, _ := strings.Cut(docOp, " ")
		rm, rp, _ := strings.Cut(routeOp, " ")
		return dm == rm && (dp == rp || patternMatches(rp, dp))
	}
	for route := range registered {
		if !slices.ContainsFunc(slices.Collect(maps.Keys(documented)), func(op string) bool { return servedBy(op, route) }) {
			t.Errorf("routes.go registers %s but the OpenAPI document does not document it", route)
		}
	}
	for op := range documented {
		if !slices.ContainsFunc(slices.Collect(maps.Keys(registered)), func(route string) bool { return servedBy(op, route) }) {
			t.Errorf("the OpenAPI document documents %s but routes.go registers no such route", op)
		}
	}

	// Ask the server itself: the catch-all answers only what is not routed.
	env := newEnv(t, storetest.SQLite(t))
	isCatchAll := func(rec *httptest.ResponseRecorder, method, path string) bool {
		if rec.Code != http.StatusNotFound || rec.Header().Get("Content-Type") != "application/problem+json" {
			return false
		}
		var p problemDoc
		json.Unmarshal(rec.Body.Bytes(), &p)
		return strings.HasPrefix(p.Detail, "There is no API operation at "+method+" "+path+".")
	}
	concrete := func(path string) string { return strings.ReplaceAll(path, "{id}", "0123456789abcdef01234567") }
	for op, o := range documented {
		method, path, _ := strings.Cut(op, " ")
		rec := env.api(method, concrete(path), "", nil)
		if isCatchAll(rec, method, concrete(path)) {
			t.Errorf("%s is documented but the server has no such operation", op)
			continue
		}
		// Without a token (and without a body) the answer must still be a documented one.
		if _, ok := obj(o["responses"])[fmt.Sprint(rec.Code)]; !ok {
			t.Errorf("%s without a token answered %d, which is not documented: %s", op, rec.Code, rec.Body)
		}
	}
	for path, item := range obj(d["paths"]) {
		for _, method := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
			if obj(item)[strings.ToLower(method)] != nil {
				continue
			}
			rec := env.api(method, concrete(path), "", nil)
			if !isCatchAll(rec, method, concrete(path)) {
				t.Errorf("%s %s is not documented, but answered %d %s instead of the catch-all 404 problem", method, path, rec.Code, rec.Body)
			}
			mustProblem(t, rec, http.StatusNotFound)
		}
	}
	for _, path := range []string{"/api/v1/nothing", "/api/v2/cases", "/api/v1/cases/x/y/z", "/api/"} {
		rec := env.api("GET", path, "", nil)
		if !isCatchAll(rec, "GET", path) {
			t.Errorf("GET %s answered %d %s, want the catch-all 404 problem", path, rec.Code, rec.Body)
		}
	}

	// The document served keeps everything openapi.json says, and needs no token.
	file := loadOpenAPIFile(t)
	for path, item := range obj(file["paths"]) {
		if !reflect.DeepEqual(item, obj(d["paths"])[path]) {
			t.Errorf("the served document changed the path %s of openapi.json", path)
		}
	}
	if !reflect.DeepEqual(file["components"], d["components"]) || !reflect.DeepEqual(file["info"], d["info"]) {
		t.Errorf("the served document changed the components or info of openapi.json")
	}
}

// Every operation is described well enough to use without reading the code.
func TestOpenAPIDocumentIsCompleteAndConsistent(t *testing.T) {
	d := loadOpenAPI(t)
	if d["openapi"] != "3.1.0" {
		t.Errorf("openapi = %v, want 3.1.0", d["openapi"])
	}
	bearer := obj(obj(obj(d["components"])["securitySchemes"])["bearerAuth"])
	if bearer["type"] != "http" || bearer["scheme"] != "bearer" {
		t.Errorf("bearerAuth security scheme = %v, want http bearer", bearer)
	}
	if !reflect.DeepEqual(d["security"], []any{map[string]any{"bearerAuth": []any{}}}) {
		t.Errorf("the document's default security = %v, want bearerAuth", d["security"])
	}
	desc, _ := obj(d["info"])["description"].(string)
	for _, must := range []string{"expectedVersion", "409", "application/problem+json", "Bearer", "413"} {
		if !strings.Contains(desc, must) {
			t.Errorf("info.description does not mention %s", must)
		}
	}

	// Every $ref anywhere in the document resolves.
	var walk func(v any, at string)
	walk = func(v any, at string) {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"].(string); ok {
				if _, found := d.pointer(ref); !found {
					t.Errorf("%s: $ref %s does not resolve", at, ref)
				}
			}
			for k, x := range v {
				walk(x, at+"/"+k)
			}
		case []any:
			for i, x := range v {
				walk(x, fmt.Sprintf("%s/%d", at, i))
			}
		}
	}
	walk(map[string]any(d), "#")

	ids := map[string]string{}
	for op, o := range d.operations() {
		id, _ := o["operationId"].(string)
		if id == "" {
			t.Errorf("%s has no operationId", op)
		} else if other, dup := ids[id]; dup {
			t.Errorf("operationId %s is used by %s and %s", id, op, other)
		}
		ids[id] = op
		if s, _ := o["summary"].(string); len(s) < 8 || strings.HasSuffix(s, ".") {
			t.Errorf("%s: summary %q should be a short phrase in plain English", op, s)
		}
		responses := obj(o["responses"])
		success := false
		for code, r := range responses {
			r := d.deref(obj(r))
			if strings.HasPrefix(code, "2") {
				success = true
				continue
			}
			content := obj(r["content"])
			if len(content) != 1 || obj(obj(content["application/problem+json"])["schema"])["$ref"] != "#/components/schemas/Problem" {
				t.Errorf("%s %s: a refusal must be documented as application/problem+json with the Problem schema", op, code)
			}
		}
		if !success {
			t.Errorf("%s documents no success response", op)
		}
		secured := o["security"] == nil || len(anySlice(o["security"])) > 0 // [] means no token
		if _, ok := responses["401"]; secured && !ok {
			t.Errorf("%s needs a token but does not document 401", op)
		}
		if body := obj(o["requestBody"]); body != nil {
			for _, code := range []string{"413", "422"} {
				if _, ok := responses[code]; !ok {
					t.Errorf("%s takes a body but does not document %s", op, code)
				}
			}
			top := d.deref(obj(obj(obj(body["content"])["application/json"])["schema"]))
			schemas := []map[string]any{top}
			if alts := anySlice(top["oneOf"]); len(alts) > 0 {
				schemas = nil
				for _, a := range alts {
					schemas = append(schemas, d.deref(obj(a)))
				}
			}
			for _, schema := range schemas {
				if schema == nil || schema["additionalProperties"] != false {
					t.Errorf("%s: the request body schema must exist and refuse unknown properties, as the server does", op)
					continue
				}
				if _, ok := obj(schema["properties"])["expectedVersion"]; ok {
					if _, ok := responses["409"]; !ok {
						t.Errorf("%s takes expectedVersion but does not document 409", op)
					}
					if !slices.Contains(anySlice(schema["required"]), "expectedVersion") {
						t.Errorf("%s: expectedVersion must be required", op)
					}
				}
			}
		}
	}
	created := obj(obj(obj(d.operations()["POST /api/v1/cases"]["responses"])["201"])["headers"])
	if created["Location"] == nil {
		t.Errorf("POST /api/v1/cases 201 does not document the Location header")
	}
	if obj(d.deref(obj(obj(d.operations()["GET /api/v1/cases/{id}"]["responses"])["401"]))["headers"])["WWW-Authenticate"] == nil {
		t.Errorf("the 401 response does not document WWW-Authenticate")
	}
}

// jsonFields lists the JSON property names of a struct type and which are
// always present (no omitempty or omitzero), following embedded structs.
func jsonFields(t reflect.Type) (names []string, always []string) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag, hasTag := f.Tag.Lookup("json")
		if f.Anonymous && !hasTag {
			n, a := jsonFields(f.Type)
			names, always = append(names, n...), append(always, a...)
			continue
		}
		if !f.IsExported() || tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = apiName(f.Name)
		}
		names = append(names, name)
		if !strings.Contains(opts, "omitempty") && !strings.Contains(opts, "omitzero") {
			always = append(always, name)
		}
	}
	sort.Strings(names)
	sort.Strings(always)
	return names, always
}

func schemaProps(s map[string]any) (names []string, required []string) {
	for k := range obj(s["properties"]) {
		names = append(names, k)
	}
	for _, r := range anySlice(s["required"]) {
		required = append(required, r.(string))
	}
	sort.Strings(names)
	sort.Strings(required)
	return names, required
}

func enumOf(s map[string]any) []string {
	var out []string
	for _, v := range anySlice(s["enum"]) {
		out = append(out, v.(string))
	}
	sort.Strings(out)
	return out
}

func stringsOf[T ~string](xs []T) []string {
	var out []string
	for _, x := range xs {
		out = append(out, string(x))
	}
	return out
}

func optionValues(opts []struct{ Value, Text string }) []string {
	var out []string
	for _, o := range opts {
		out = append(out, o.Value)
	}
	sort.Strings(out)
	return out
}

// The schemas are the Go types' JSON shapes: a renamed or added json tag,
// or a new answer to a question, must be documented.
func TestOpenAPISchemasMatchTheGoJSONShapes(t *testing.T) {
	d := loadOpenAPI(t)
	catalogItems := func(prop string) map[string]any {
		return obj(obj(obj(d.schema("Catalog")["properties"])[prop])["items"])
	}
	shapes := []struct {
		name       string
		schema     map[string]any
		goType     any
		checkAlway bool // responses: the always-present fields are the required ones
	}{
		{"Concern", d.schema("Concern"), pathway.Concern{}, false},
		{"Child", d.schema("Child"), pathway.Child{}, false},
		{"ObservedIndicator", d.schema("ObservedIndicator"), pathway.ObservedIndicator{}, true},
		{"Case", d.schema("Case"), apiCase{}, true},
		{"CaseSummary", d.schema("CaseSummary"), apiCaseSummary{}, true},
		{"Clock", d.schema("Clock"), apiClock{}, true},
		{"Event", d.schema("Event"), apiEvent{}, true},
		{"Party", d.schema("Party"), pathway.Party{}, true},
		{"Contact", d.schema("Contact"), pathway.Contact{}, true},
		{"Outcome", d.schema("Outcome"), pathway.Outcome{}, true},
		{"Warning", d.schema("Warning"), pathway.Warning{}, true},
		{"Problem", d.schema("Problem"), problemDoc{}, false},
		{"FieldError", d.schema("FieldError"), waymark.FieldError{}, true},
		{"WorkItem", d.schema("WorkItem"), apiWorkItem{}, true},
		{"APIToken", d.schema("APIToken"), apiToken{}, true},
		{"MachineClient", d.schema("MachineClient"), apiMachineClient{}, true},
		{"StaffMember", d.schema("StaffMember"), apiStaffMember{}, true},
		{"WorkDetails", d.schema("WorkDetails"), casework.Profile{}, true},
		{"Organisation", d.schema("Organisation"), apiOrganisation{}, true},
		{"Interpreter", d.schema("Interpreter"), apiInterpreter{}, true},
		{"OpenEscalation", d.schema("OpenEscalation"), apiEscalation{}, true},
		{"EscalatedCase", d.schema("EscalatedCase"), apiEscalatedCase{}, true},
		{"Catalog.indicatorGroups", catalogItems("indicatorGroups"), catalog.IndicatorGroup{}, true},
		{"Catalog.indicators", catalogItems("indicators"), catalog.Indicator{}, true},
		{"Catalog.exploitationTypes", catalogItems("exploitationTypes"), catalog.ExploitationType{}, true},
		{"Catalog.immediateActions", catalogItems("immediateActions"), catalog.ImmediateAction{}, true},
	}
	for _, sh := range shapes {
		if sh.schema == nil {
			t.Errorf("openapi.json has no schema for %s", sh.name)
			continue
		}
		goNames, goAlways := jsonFields(reflect.TypeOf(sh.goType))
		docNames, docRequired := schemaProps(sh.schema)
		if !slices.Equal(goNames, docNames) {
			t.Errorf("%s: Go has JSON properties %v, openapi.json documents %v", sh.name, goNames, docNames)
		}
		if sh.checkAlway && !slices.Equal(goAlways, docRequired) {
			t.Errorf("%s: Go always sends %v, openapi.json requires %v", sh.name, goAlways, docRequired)
		}
		if sh.schema["additionalProperties"] != false {
			t.Errorf("%s: the schema should say additionalProperties: false", sh.name)
		}
	}

	// The concern's required answers are those the validators insist on.
	_, req := schemaProps(d.schema("Concern"))
	if want := []string{"child", "identifiedAt", "identifiedWhere", "indicators", "summary"}; !slices.Equal(req, want) {
		t.Errorf("Concern requires %v, want %v", req, want)
	}
	_, req = schemaProps(d.schema("Child"))
	if want := []string{"currentLocation", "gender"}; !slices.Equal(req, want) {
		t.Errorf("Child requires %v, want %v", req, want)
	}

	// The lists of answers are the pathway's.
	enums := []struct {
		name string
		doc  []string
		want []string
	}{
		{"Child.gender", enumOf(obj(obj(d.schema("Child")["properties"])["gender"])), optionValues(pathway.Genders())},
		{"ContactMethod", enumOf(d.schema("ContactMethod")), optionValues(pathway.ContactMethods())},
		{"Decision", enumOf(d.schema("Decision")), optionValues(pathway.Outcomes())},
		{"Role", enumOf(d.schema("Role")), slices.Sorted(slices.Values(pathway.Roles))},
		{"Scope", enumOf(d.schema("Scope")), []string{casework.ScopeRead, casework.ScopeWrite}},
		{"Organisation.kind", enumOf(obj(obj(d.schema("Organisation")["properties"])["kind"])), slices.Sorted(slices.Values(pathway.OrganisationKinds))},
		{"InterpreterGender", enumOf(d.schema("InterpreterGender")), optionValues(pathway.InterpreterGenders())},
		{"Warning.kind", enumOf(obj(obj(d.schema("Warning")["properties"])["kind"])), slices.Sorted(slices.Values(pathway.WarningKinds()))},
		{"Clock.kind", enumOf(obj(obj(d.schema("Clock")["properties"])["kind"])), slices.Sorted(slices.Values(stringsOf(pathway.ClockKinds())))},
		{"Stage", enumOf(d.schema("Stage")), slices.Sorted(slices.Values(stringsOf(pathway.Stages())))},
	}
	for _, e := range enums {
		if !slices.Equal(e.doc, e.want) {
			t.Errorf("%s: openapi.json lists %v, the code accepts %v", e.name, e.doc, e.want)
		}
	}

	// A valid concern is valid by the document too.
	var c any
	data, _ := json.Marshal(storetest.ValidConcern(storetest.Start))
	json.Unmarshal(data, &c)
	for _, e := range d.validate(d.schema("Concern"), c, "ValidConcern") {
		t.Errorf("a concern the pathway accepts does not match the Concern schema: %s", e)
	}
}

// Each registered action is its own documented operation with exactly its
// command's answers, so an action added to the pathway cannot go undocumented.
func TestOpenAPIDocumentsEveryActionAndItsAnswers(t *testing.T) {
	d := loadOpenAPI(t)
	ops := d.operations()
	if len(testActions.order) == 0 {
		t.Fatal("no case actions are registered")
	}
	for _, slug := range testActions.order {
		op := ops["POST /api/v1/cases/{id}/actions/"+slug]
		if op == nil {
			t.Errorf("action %s is not documented", slug)
			continue
		}
		s := d.deref(obj(obj(obj(obj(op["requestBody"])["content"])["application/json"])["schema"]))
		names, _ := jsonFields(reflect.TypeOf(testActions.bySlug[slug].example))
		want := slices.Sorted(slices.Values(append(names, "expectedVersion")))
		got, required := schemaProps(s)
		if !slices.Equal(got, want) {
			t.Errorf("action %s: the command takes %v, the document says %v", slug, want, got)
		}
		if !slices.Contains(required, "expectedVersion") || s["additionalProperties"] != false {
			t.Errorf("action %s: expectedVersion must be required and unknown answers refused", slug)
		}
	}
	for op := range ops {
		if slug, ok := strings.CutPrefix(op, "POST /api/v1/cases/{id}/actions/"); ok && testActions.bySlug[slug] == nil {
			t.Errorf("%s is documented but there is no such action", op)
		}
	}
}

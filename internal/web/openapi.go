package web

import (
	_ "embed"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"time"

	"waymark/internal/pathway"
)

// openAPIDoc describes the JSON API (OpenAPI 3.1). The case actions are added
// to it from the action registry, so every action is documented with the
// schema of the command it decodes into.
//
//go:embed openapi.json
var openAPIDoc []byte

var (
	openAPIOnce  sync.Once
	openAPIBytes []byte
	openAPIErr   error
)

func (s *Server) handleOpenAPI() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		openAPIOnce.Do(func() { openAPIBytes, openAPIErr = buildOpenAPI(s.actions) })
		if openAPIErr != nil {
			s.problemErr(w, r, openAPIErr)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(openAPIBytes)
	})
}

func buildOpenAPI(set *actionSet) ([]byte, error) {
	var doc map[string]any
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		return nil, err
	}
	paths, _ := doc["paths"].(map[string]any)
	if paths == nil {
		paths = map[string]any{}
		doc["paths"] = paths
	}
	problem := map[string]any{"description": "A problem document saying what to fix", "content": map[string]any{"application/problem+json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Problem"}}}}
	if comps, ok := doc["components"].(map[string]any); !ok || comps["schemas"] == nil {
		problem["content"] = map[string]any{"application/problem+json": map[string]any{"schema": map[string]any{"type": "object"}}}
	}
	for _, slug := range set.order {
		a := set.bySlug[slug]
		body := schemaOf(reflect.TypeOf(a.example))
		props := body["properties"].(map[string]any)
		props["expectedVersion"] = map[string]any{"type": "integer", "description": "The case version you last read; a stale version gets 409 and nothing is saved."}
		describeChoices(props, a.example)
		required, _ := pathway.RequiredAnswers(a.example.(pathway.Command))
		body["required"] = append([]string{"expectedVersion"}, required...)
		summary := a.Title
		if a.Section != "" {
			summary += " (" + a.Section + ")"
		}
		paths["/api/v1/cases/{id}/actions/"+slug] = map[string]any{
			"post": map[string]any{
				"operationId": "action_" + strings.ReplaceAll(slug, "-", "_"),
				"summary":     summary,
				"description": a.Intro,
				"tags":        []string{"Case actions"},
				"security":    []any{map[string]any{"bearerAuth": []any{}}},
				"parameters":  []any{map[string]any{"name": "id", "in": "path", "required": true, "schema": map[string]any{"type": "string"}, "description": "The case id"}},
				"requestBody": map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": body}}},
				"responses": map[string]any{
					"200": map[string]any{"description": "The case after the action", "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"type": "object"}}}},
					"401": problem, "403": problem, "404": problem, "409": problem, "413": problem, "415": problem, "422": problem,
				},
			},
		}
	}
	return json.MarshalIndent(doc, "", "  ")
}

// describeChoices gives each answer of cmd that must come from a closed list
// its values (pathway.Choices), with their meanings.
func describeChoices(props map[string]any, cmd any) {
	for _, c := range pathway.Choices() {
		if reflect.TypeOf(c.Command) != reflect.TypeOf(cmd) {
			continue
		}
		prop, _ := props[c.Field].(map[string]any)
		if prop == nil {
			continue // TestOpenAPIListsEveryChoice reports it
		}
		values, meanings := choiceValues(c)
		prop["description"] = "One of: " + strings.Join(meanings, "; ") + "."
		if c.Each {
			prop = prop["items"].(map[string]any)
		}
		prop["enum"] = values
	}
}

func choiceValues(c pathway.Choice) (values []any, meanings []string) {
	for _, o := range c.Options {
		values = append(values, o.Value)
		meanings = append(meanings, "`"+o.Value+"` ("+o.Text+")")
	}
	if c.Optional {
		values = append(values, "")
		meanings = append(meanings, "empty when it does not apply")
	}
	return values, meanings
}

var timeType = reflect.TypeOf(time.Time{})

// schemaOf describes a Go type as a JSON Schema, following its json tags.
// Pointers, slices and maps may be null, as encoding/json sends them.
func schemaOf(t reflect.Type) map[string]any {
	if t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
		inner := t
		if t.Kind() == reflect.Pointer {
			inner = t.Elem()
		}
		sc := schemaOfValue(inner)
		if ty, ok := sc["type"].(string); ok {
			sc["type"] = []any{ty, "null"}
		}
		return sc
	}
	return schemaOfValue(t)
}

func schemaOfValue(t reflect.Type) map[string]any {
	switch {
	case t == timeType: // a zero time is sent as null (apiValue)
		return map[string]any{"type": []any{"string", "null"}, "format": "date-time"}
	case t.Kind() == reflect.String:
		return map[string]any{"type": "string"}
	case t.Kind() == reflect.Bool:
		return map[string]any{"type": "boolean"}
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Uint64:
		return map[string]any{"type": "integer"}
	case t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64:
		return map[string]any{"type": "number"}
	case t.Kind() == reflect.Slice:
		return map[string]any{"type": "array", "items": schemaOf(t.Elem())}
	case t.Kind() == reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": schemaOf(t.Elem())}
	case t.Kind() == reflect.Struct:
		props := map[string]any{}
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if name == "" {
				name = apiName(f.Name)
			}
			props[name] = schemaOf(f.Type)
		}
		return map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	}
	return map[string]any{}
}

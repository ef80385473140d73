package web

import (
	"encoding/json"
	"flag"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"waymark/internal/pathway"
)

var updateOpenAPI = flag.Bool("update-openapi", false, "rewrite the case areas' schemas in openapi.json from the Go types")

// caseAreas are the parts of the case JSON described straight from Go types.
var caseAreas = []string{"progress", "flags", "workers", "notes", "strategy", "meetings", "nrm", "support", "safety", "family", "immediateActions", "household"}

// TestOpenAPIDescribesTheCaseAreasAsTheGoTypesEncodeThem keeps the
// schemas of the pathway's areas in openapi.json equal to what encoding/json
// sends; run with -update-openapi after changing an area's state.
func TestOpenAPIDescribesTheCaseAreasAsTheGoTypesEncodeThem(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatal(err)
	}
	c := doc["components"].(map[string]any)["schemas"].(map[string]any)["Case"].(map[string]any)
	props := c["properties"].(map[string]any)
	changed := false
	for _, name := range caseAreas {
		want := caseAreaSchema(name)
		if want == nil {
			t.Fatalf("apiCase has no %q field", name)
		}
		wantJSON, _ := json.Marshal(want)
		var wantNorm any
		json.Unmarshal(wantJSON, &wantNorm)
		if !reflect.DeepEqual(props[name], wantNorm) {
			changed = true
			props[name] = wantNorm
			if !*updateOpenAPI {
				t.Errorf("openapi.json's Case.%s does not match the Go type: run go test ./internal/web -run TestOpenAPIDescribesTheCaseAreas -update-openapi", name)
			}
		}
	}
	req, _ := c["required"].([]any)
	for _, r := range []string{"progress", "flags"} {
		if !slices.Contains(req, any(r)) {
			req = append(req, r)
			changed = true
			if !*updateOpenAPI {
				t.Errorf("openapi.json's Case does not require %q", r)
			}
		}
	}
	c["required"] = req
	if changed && *updateOpenAPI {
		out, err := json.MarshalIndent(doc, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile("openapi.json", append(out, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// caseAreaSchema describes the Case's property name from its Go type.
func caseAreaSchema(name string) map[string]any {
	caseType := reflect.TypeOf(apiCase{})
	var want map[string]any
	for i := range caseType.NumField() {
		f := caseType.Field(i)
		if jn, _, _ := strings.Cut(f.Tag.Get("json"), ","); jn == name {
			want = schemaOf(f.Type)
		}
	}
	switch {
	case want == nil:
	case name == "progress":
		want["description"] = "Where the case stands on the whole pathway, in words to show as they are: the furthest step reached, closure first. The values are listed furthest first."
		want["enum"] = pathway.Progresses()
	case name == "immediateActions":
		want["description"] = "The immediate actions of §6.4, each with where it stands: `taken-on-concern`, `done`, `not-needed` or `outstanding`. Every item not ticked on the concern stays outstanding until recorded with the action `immediate-action`."
	case name != "flags":
		want["description"] = "Shown only to those who work the case (§6.5)"
	}
	return want
}

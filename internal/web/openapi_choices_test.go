package web

import (
	"reflect"
	"slices"
	"testing"

	"waymark/internal/pathway"
)

// choiceOperations are the operations whose body is a command not given as a
// case action.
var choiceOperations = map[reflect.Type]string{
	reflect.TypeFor[pathway.RecordContact](): "POST /api/v1/cases/{id}/contact",
	reflect.TypeFor[pathway.RecordOutcome](): "POST /api/v1/cases/{id}/outcome",
	// The local decision panel (panel.go).
	reflect.TypeFor[pathway.RecordPanelDecision]():        "POST /api/v1/panel/cases/{id}/decisions",
	reflect.TypeFor[pathway.RecordPanelReconsideration](): "POST /api/v1/panel/cases/{id}/reconsiderations",
}

// requestSchema is the schema of an operation's JSON body, $refs followed.
func (d oaDoc) requestSchema(op string) map[string]any {
	o := d.operations()[op]
	return d.deref(obj(obj(obj(obj(o["requestBody"])["content"])["application/json"])["schema"]))
}

// Every answer the pathway checks against a closed list is documented with
// exactly that list's values (§ by command), so a script can be written
// from the document alone.
func TestOpenAPIListsEveryChoice(t *testing.T) {
	d := loadOpenAPI(t)
	set := newActionSet()
	for _, c := range pathway.Choices() {
		ct := reflect.TypeOf(c.Command)
		op := choiceOperations[ct]
		for _, slug := range set.order {
			if reflect.TypeOf(set.bySlug[slug].example) == ct {
				op = "POST /api/v1/cases/{id}/actions/" + slug
			}
		}
		if op == "" {
			t.Errorf("%s.%s: no operation takes this command", ct.Name(), c.Field)
			continue
		}
		prop := d.deref(obj(obj(d.requestSchema(op)["properties"])[c.Field]))
		if prop == nil {
			t.Errorf("%s: the body has no %s", op, c.Field)
			continue
		}
		if c.Each {
			prop = d.deref(obj(prop["items"]))
		}
		want, _ := choiceValues(c)
		got := anySlice(prop["enum"])
		if !slices.EqualFunc(sortedStrings(got), sortedStrings(want), func(a, b string) bool { return a == b }) {
			t.Errorf("%s %s: documented %v, the pathway accepts %v", op, c.Field, got, want)
		}
	}
}

// Every action's body requires exactly expectedVersion and the answers the
// pathway refuses the command without.
func TestOpenAPIRequiresEveryRequiredAnswer(t *testing.T) {
	d := loadOpenAPI(t)
	set := newActionSet()
	for _, slug := range set.order {
		cmd := set.bySlug[slug].example.(pathway.Command)
		required, ok := pathway.RequiredAnswers(cmd)
		if !ok {
			t.Errorf("action %s: pathway.RequiredAnswers does not know %T", slug, cmd)
			continue
		}
		body := d.requestSchema("POST /api/v1/cases/{id}/actions/" + slug)
		want := sortedStrings(append([]any{"expectedVersion"}, toAny(required)...))
		if got := sortedStrings(anySlice(body["required"])); !slices.Equal(got, want) {
			t.Errorf("action %s: requires %v, want %v", slug, got, want)
		}
		for _, r := range required {
			if obj(body["properties"])[r] == nil {
				t.Errorf("action %s: requires %s, which is not one of its answers", slug, r)
			}
		}
	}
	for cmdType, op := range choiceOperations {
		required, _ := pathway.RequiredAnswers(reflect.New(cmdType).Elem().Interface().(pathway.Command))
		got := sortedStrings(anySlice(d.requestSchema(op)["required"]))
		for _, r := range required {
			if !slices.Contains(got, r) {
				t.Errorf("%s does not require %s", op, r)
			}
		}
	}
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func sortedStrings(xs []any) []string {
	var out []string
	for _, x := range xs {
		s, _ := x.(string)
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

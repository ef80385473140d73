package pathway_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"waymark/internal/pathway"
)

// Every closed list of answers the pathway offers is an answer the API
// describes with its values (Choices), unless it is not a command's answer.
func TestEveryClosedListOfAnswersIsAChoice(t *testing.T) {
	notACommandsAnswer := map[string]string{
		"Genders":            "the concern's child.gender: described in the Concern schema",
		"InterpreterGenders": "the interpreter register's entry, not a case command",
		"DisruptionPowers":   "listed with its sections; Choices takes its values and labels",
		"LetterAudiences":    "who a panel decision letter is for: a download's query, not a command's answer",
	}
	lists := exportedOptionLists(t)
	if len(lists) < 15 {
		t.Fatalf("found only %d exported lists of answers: has their shape changed?", len(lists))
	}
	used := map[string]bool{}
	choices := pathway.Choices()
	for name, values := range lists {
		for _, c := range choices {
			if slices.Equal(optionValues(c.Options), values) {
				used[name] = true
			}
		}
		if !used[name] && notACommandsAnswer[name] == "" {
			t.Errorf("pathway.%s() is a closed list of answers, but no Choice uses it: add the command's answer to Choices", name)
		}
	}
}

// Each choice names a real answer of its command, of the right type.
func TestEachChoiceIsAnAnswerOfItsCommand(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range pathway.Choices() {
		ct := reflect.TypeOf(c.Command)
		key := ct.Name() + "." + c.Field
		if seen[key] {
			t.Errorf("%s is listed twice", key)
		}
		seen[key] = true
		f, ok := fieldByJSONName(ct, c.Field)
		if !ok {
			t.Errorf("%s: the command has no answer %q", ct.Name(), c.Field)
			continue
		}
		want := reflect.TypeOf("")
		if c.Each {
			want = reflect.TypeOf([]string(nil))
		}
		if f.Type != want {
			t.Errorf("%s: %s is %v, want %v", ct.Name(), c.Field, f.Type, want)
		}
		if len(c.Options) < 2 {
			t.Errorf("%s: %d options is not a choice", key, len(c.Options))
		}
		for _, o := range c.Options {
			if o.Value == "" || o.Text == "" {
				t.Errorf("%s: option %+v needs a value and a label", key, o)
			}
		}
	}
}

// A reconsideration can be asked of either NRM decision, and of no other.
func TestReconsiderationIsOfAnNRMDecision(t *testing.T) {
	if got := optionValues(pathway.NRMGrounds()); !slices.Equal(got, []string{pathway.ConclusiveGrounds, pathway.ReasonableGrounds}) {
		t.Errorf("NRMGrounds = %v", got)
	}
}

func fieldByJSONName(t reflect.Type, name string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if tag == name || tag == "" && strings.EqualFold(f.Name, name) {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

func optionValues(opts []struct{ Value, Text string }) []string {
	var out []string
	for _, o := range opts {
		out = append(out, o.Value)
	}
	slices.Sort(out)
	return out
}

// exportedOptionLists finds the package's exported functions that return a
// list of answers ([]struct{ Value, Text ... }) and calls each.
func exportedOptionLists(t *testing.T) map[string][]string {
	t.Helper()
	fset := token.NewFileSet()
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, e.Name(), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		{
			for _, d := range file.Decls {
				fn, ok := d.(*ast.FuncDecl)
				if !ok || fn.Recv != nil || !fn.Name.IsExported() || fn.Type.Params.NumFields() != 0 || fn.Type.Results.NumFields() != 1 {
					continue
				}
				arr, ok := fn.Type.Results.List[0].Type.(*ast.ArrayType)
				if !ok {
					continue
				}
				st, ok := arr.Elt.(*ast.StructType)
				if !ok || len(st.Fields.List) == 0 || st.Fields.List[0].Names[0].Name != "Value" {
					continue
				}
				out[fn.Name.Name] = optionsOf(t, fn.Name.Name)
			}
		}
	}
	return out
}

// optionsOf calls the exported list function name.
func optionsOf(t *testing.T, name string) []string {
	v := reflect.ValueOf(listFuncs[name])
	if !v.IsValid() {
		t.Errorf("pathway.%s is a list of answers the test does not know: add it to listFuncs", name)
		return nil
	}
	var out []string
	list := v.Call(nil)[0]
	for i := range list.Len() {
		out = append(out, list.Index(i).FieldByName("Value").String())
	}
	slices.Sort(out)
	return out
}

var listFuncs = map[string]any{
	"FamilySuspicionAnswers":  pathway.FamilySuspicionAnswers,  // family.go
	"ImmediateActionOutcomes": pathway.ImmediateActionOutcomes, // immediate_actions.go
	"ConsultedParties":        pathway.ConsultedParties,        // outcome_consulted.go
	"HouseholdAnswers":        pathway.HouseholdAnswers,        // household.go
	"EntityKinds":             pathway.EntityKinds,             // entities.go
	"EntityRoles":             pathway.EntityRoles,             // entities.go
	"Genders":                 pathway.Genders, "ContactMethods": pathway.ContactMethods, "Outcomes": pathway.Outcomes,
	"MeetingKinds": pathway.MeetingKinds, "MeetingNRMDecisions": pathway.MeetingNRMDecisions,
	"DisruptionPowers": pathway.DisruptionPowers, "PowerOutcomes": pathway.PowerOutcomes,
	"EscalationOutcomes": pathway.EscalationOutcomes, "NRMRoutes": pathway.NRMRoutes,
	"DecisionOutcomes": pathway.DecisionOutcomes, "ReconsiderationOutcomes": pathway.ReconsiderationOutcomes,
	"NRMGrounds": pathway.NRMGrounds, "Relationships": pathway.Relationships,
	"InterpreterGenders": pathway.InterpreterGenders, "GenderPreferences": pathway.GenderPreferences,
	"AccommodationBases": pathway.AccommodationBases, "ImmigrationOptions": pathway.ImmigrationOptions,
	"AgeOutcomes": pathway.AgeOutcomes, "SupportKinds": pathway.SupportKinds, "SupportStatuses": pathway.SupportStatuses,
	"NRMExplainedToChild": pathway.NRMExplainedToChild, "NRMExplainedToCarer": pathway.NRMExplainedToCarer,
	"ConsentGivers": pathway.ConsentGivers, "VisitorOffers": pathway.VisitorOffers, "PlacementTypes": pathway.PlacementTypes,
	"LearntAtOptions": pathway.LearntAtOptions, "LastContactOptions": pathway.LastContactOptions,
	"ExploitersWhereabouts": pathway.ExploitersWhereabouts, "YesNo": pathway.YesNo, "YesNoNotSure": pathway.YesNoNotSure,
	"ScheduleFourChoices": pathway.ScheduleFourChoices, // support_criminal.go
	"PoliceSharingTopics": pathway.PoliceSharingTopics, "AgeDecisions": pathway.AgeDecisions, "DocumentKinds": pathway.DocumentKinds,
	"Genuineness": pathway.Genuineness, "ToldWhom": pathway.ToldWhom,
	"Section47Outcomes": pathway.Section47Outcomes,
	"DecisionMakers":    pathway.DecisionMakers, "LetterAudiences": pathway.LetterAudiences,
}

// Progress only ever says one of Progresses, and every literal it builds
// from begins one of them.
func TestProgressIsOneOfTheListedValues(t *testing.T) {
	all := pathway.Progresses()
	for i, c := range casesAtEveryStep(t) {
		if p := c.Progress(); !slices.Contains(all, p) {
			t.Errorf("case %d: Progress() = %q, not one of %q", i, p, all)
		}
	}
	file, err := parser.ParseFile(token.NewFileSet(), "progress.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	ast.Inspect(file, func(n ast.Node) bool {
		lit, ok := n.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return true
		}
		s, _ := strconv.Unquote(lit.Value)
		if !slices.ContainsFunc(all, func(p string) bool { return strings.HasPrefix(p, s) }) {
			t.Errorf("progress.go says %q, which begins none of Progresses()", s)
		}
		return true
	})
}

// Every kind of warning the pathway gives is listed by WarningKinds.
func TestEveryWarningKindIsListed(t *testing.T) {
	var found []string
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		file, err := parser.ParseFile(token.NewFileSet(), e.Name(), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			lit, ok := n.(*ast.CompositeLit)
			if !ok {
				return true
			}
			if id, isIdent := lit.Type.(*ast.Ident); isIdent && id.Name == "Warning" && len(lit.Elts) > 0 {
				kind, isString := lit.Elts[0].(*ast.BasicLit)
				if kv, isKV := lit.Elts[0].(*ast.KeyValueExpr); isKV {
					kind, isString = kv.Value.(*ast.BasicLit)
				}
				if !isString {
					t.Errorf("%s: a Warning whose kind is not written out", e.Name())
					return true
				}
				s, _ := strconv.Unquote(kind.Value)
				found = append(found, s)
			}
			return true
		})
	}
	slices.Sort(found)
	if want := slices.Sorted(slices.Values(pathway.WarningKinds())); !slices.Equal(slices.Compact(found), want) {
		t.Errorf("the pathway gives warnings of kinds %v; WarningKinds lists %v", found, want)
	}
}

// ClockKinds and Stages list every constant of their type in the package.
func TestEveryClockKindAndStageIsListed(t *testing.T) {
	declared := map[string][]string{}
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		file, err := parser.ParseFile(token.NewFileSet(), e.Name(), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range file.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				id, ok := vs.Type.(*ast.Ident)
				if !ok || id.Name != "ClockKind" && id.Name != "Stage" {
					continue
				}
				for _, v := range vs.Values {
					if lit, ok := v.(*ast.BasicLit); ok {
						s, _ := strconv.Unquote(lit.Value)
						declared[id.Name] = append(declared[id.Name], s)
					}
				}
			}
		}
	}
	var kinds, stages []string
	for _, k := range pathway.ClockKinds() {
		kinds = append(kinds, string(k))
	}
	for _, s := range pathway.Stages() {
		stages = append(stages, string(s))
	}
	for name, listed := range map[string][]string{"ClockKind": kinds, "Stage": stages} {
		got, want := slices.Sorted(slices.Values(declared[name])), slices.Sorted(slices.Values(listed))
		if len(got) == 0 || !slices.Equal(got, want) {
			t.Errorf("the package declares %s values %v; the list has %v", name, got, want)
		}
	}
}

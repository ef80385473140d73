package pathway_test

import (
	"strings"
	"testing"
	"time"

	"waymark"
	"waymark/internal/catalog"
	"waymark/internal/pathway"
)

// now is when every command in these tests is given, unless a test says otherwise.
var now = time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)

var cat = catalog.MustLoad()

var (
	teacher = pathway.Actor{
		Party: pathway.Party{UserID: "user-teacher", Name: "Tara Teacher", OrgID: "org-school", OrgName: "Northfield Academy"},
		Role:  pathway.RolePractitioner,
	}
	frontDoor = pathway.Actor{
		Party:               pathway.Party{UserID: "user-cs", Name: "Fola Front", OrgID: "org-cs", OrgName: "Northshire Children's Services"},
		Role:                pathway.RoleChildrensServices,
		InChildrensServices: true,
		InFirstResponderOrg: true,
	}
	policeLead = pathway.Actor{
		Party:               pathway.Party{UserID: "user-police", Name: "Pat Police", OrgID: "org-police", OrgName: "Northshire Police"},
		Role:                pathway.RoleFirstResponder,
		InFirstResponderOrg: true,
	}
)

// validConcern passes every rule at now; each test changes one answer.
func validConcern() pathway.Concern {
	return pathway.Concern{
		Child: pathway.Child{
			GivenNames:      "Amira",
			FamilyName:      "Example",
			DateOfBirth:     "2011-09-01", // 14 on now
			Gender:          "female",
			Nationality:     "Albanian",
			CurrentLocation: "School medical room with the school nurse",
		},
		IdentifiedAt:      now.Add(-2 * time.Hour),
		IdentifiedWhere:   "Northfield Academy, Year 9 classroom",
		Summary:           "Arrived with an older man who is not a relative and answered questions for her.",
		ExploitationTypes: []string{cat.ExploitationTypes[0].ID},
		Indicators:        []pathway.ObservedIndicator{{ID: cat.Indicators[0].ID, Evidence: "Collected by different adults."}},
		ImmediateActions:  []string{cat.ImmediateActions[0].ID},
	}
}

// raise asks the pathway to open a case for the concern at now.
func raise(c pathway.Concern) ([]pathway.Event, error) {
	return pathway.New(cat).Decide(pathway.Case{}, teacher, pathway.RaiseConcern{CaseID: "case-1", Concern: c, ChildrensServicesOrg: "org-cs"}, now)
}

// mustDecide gives cmd at `at` and applies the one event it produces.
func mustDecide(t *testing.T, c pathway.Case, actor pathway.Actor, cmd pathway.Command, at time.Time) (pathway.Case, pathway.Event) {
	t.Helper()
	events, err := pathway.New(cat).Decide(c, actor, cmd, at)
	if err != nil {
		t.Fatalf("%T refused: %v", cmd, err)
	}
	if len(events) != 1 {
		t.Fatalf("%T gave %d events, want 1", cmd, len(events))
	}
	return pathway.Apply(c, events[0]), events[0]
}

// raisedCase is a case whose concern was raised at now.
func raisedCase(t *testing.T) pathway.Case {
	t.Helper()
	c, _ := mustDecide(t, pathway.Case{}, teacher, pathway.RaiseConcern{CaseID: "case-1", Concern: validConcern(), ChildrensServicesOrg: "org-cs"}, now)
	return c
}

// contactedCase is a raised case whose contact was recorded an hour later.
func contactedCase(t *testing.T) pathway.Case {
	t.Helper()
	c, _ := mustDecide(t, raisedCase(t), frontDoor, pathway.RecordContact{Reference: "CS-2026-000001", Method: "phone"}, now.Add(time.Hour))
	return c
}

// wantRefused checks err is a refusal with code, and that field (when not
// empty) is named with a message containing every one of says.
func wantRefused(t *testing.T, err error, code, field string, says ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("accepted; want %s refusal on %q", code, field)
	}
	if got := waymark.ErrorCode(err); got != code {
		t.Fatalf("error code %q (%v), want %q", got, err, code)
	}
	msg := waymark.ErrorMessage(err)
	if field != "" {
		msg = ""
		for _, f := range waymark.ErrorFields(err) {
			if f.Field == field {
				msg = f.Message
				break
			}
		}
		if msg == "" {
			t.Fatalf("no problem named for %q; problems: %+v", field, waymark.ErrorFields(err))
		}
	}
	for _, s := range says {
		if !strings.Contains(msg, s) {
			t.Errorf("message %q does not say %q", msg, s)
		}
	}
}

// wantNoProblemWith checks that err, if any, names no problem for field.
func wantNoProblemWith(t *testing.T, err error, field string) {
	t.Helper()
	if err != nil && waymark.ErrorCode(err) != waymark.EINVALID {
		t.Fatalf("unexpected error: %v", err)
	}
	for _, f := range waymark.ErrorFields(err) {
		if f.Field == field {
			t.Fatalf("%s refused: %s", field, f.Message)
		}
	}
}

func TestAValidConcernOpensACase(t *testing.T) {
	events, err := raise(validConcern())
	if err != nil {
		t.Fatalf("a valid concern was refused: %v", err)
	}
	if len(events) != 1 || events[0].Type != pathway.EventConcernRaised || events[0].CaseID != "case-1" || events[0].Seq != 1 {
		t.Fatalf("events = %+v, want one concern_raised for case-1 at seq 1", events)
	}
	c := pathway.Apply(pathway.Case{}, events[0])
	if c.Stage != pathway.StageConcernRaised || c.Referrer.UserID != teacher.UserID || c.ChildrensServicesOrg != "org-cs" || c.Version != 1 {
		t.Fatalf("case = %+v", c)
	}
	// §5: a screening always records which catalogue version it used.
	if c.Concern.CatalogVersion != cat.Version {
		t.Fatalf("catalogue version %q recorded, want %q", c.Concern.CatalogVersion, cat.Version)
	}
}

func TestAConcernIsRaisedOnlyOnce(t *testing.T) {
	_, err := pathway.New(cat).Decide(raisedCase(t), teacher, pathway.RaiseConcern{CaseID: "case-1", Concern: validConcern(), ChildrensServicesOrg: "org-cs"}, now)
	wantRefused(t, err, waymark.ECONFLICT, "")
}

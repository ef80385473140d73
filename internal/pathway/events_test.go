package pathway_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"waymark/internal/pathway"
)

// history is the log of a case taken through concern, contact and outcome,
// with every answer filled in so that the round trip has something to lose.
func history(t *testing.T) []pathway.Event {
	t.Helper()
	concern := validConcern()
	concern.Child.Aliases = []string{"Mimi", "A."}
	concern.Child.AgeUncertain = true
	concern.Child.Languages = []string{"Albanian"}
	concern.Child.Dialect = "Gheg"
	concern.ImmediateRisk, concern.PoliceInformed, concern.PoliceReference = true, true, "NP-1"
	concern.FamilySuspected = true
	var events []pathway.Event
	c := pathway.Case{}
	for _, step := range []struct {
		actor pathway.Actor
		cmd   pathway.Command
		at    time.Time
	}{
		{teacher, pathway.RaiseConcern{CaseID: "case-1", Concern: concern, ChildrensServicesOrg: "org-cs"}, now},
		{frontDoor, pathway.RecordContact{Reference: "CS-2026-000001", Method: "phone", Note: "Called by the DSL"}, now.Add(time.Hour)},
		{frontDoor, pathway.RecordOutcome{Decision: "strategy-discussion", NextStep: "Strategy discussion at 2pm"}, now.Add(3 * time.Hour)},
	} {
		var e pathway.Event
		c, e = mustDecide(t, c, step.actor, step.cmd, step.at)
		events = append(events, e)
	}
	return events
}

// What is stored is what was decided: nothing lost or changed in the log (§7.5).
func TestEventPayloadRoundTrips(t *testing.T) {
	for _, e := range history(t) {
		t.Run(e.Type, func(t *testing.T) {
			payload, err := pathway.EncodePayload(e)
			if err != nil {
				t.Fatal(err)
			}
			back := pathway.Event{CaseID: e.CaseID, Seq: e.Seq, Type: e.Type, At: e.At, Actor: e.Actor}
			if err := pathway.DecodePayload(&back, payload); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(back, e) {
				t.Fatalf("round trip changed the event:\n got %+v\nwant %+v", back, e)
			}
		})
	}
}

// An event is stored as the very bytes it was before the payload was
// encoded in one pass: its data encoded on its own, then wrapped with its
// clock changes. Logs written before and after read alike.
func TestAnEventIsStoredAsTheSameBytesAsWhenItsDataWasEncodedApart(t *testing.T) {
	for _, e := range history(t) {
		data, err := json.Marshal(e.Data)
		if err != nil {
			t.Fatal(err)
		}
		apart, err := json.Marshal(struct {
			Data   json.RawMessage       `json:"data"`
			Clocks []pathway.ClockChange `json:"clocks,omitempty"`
		}{data, e.Clocks})
		if err != nil {
			t.Fatal(err)
		}
		stored, err := pathway.EncodePayload(e)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(stored, apart) {
			t.Errorf("%s is stored as\n %s\nnot as before\n %s", e.Type, stored, apart)
		}
	}
}

func TestUnknownEventTypeDoesNotDecode(t *testing.T) {
	payload, err := pathway.EncodePayload(history(t)[0])
	if err != nil {
		t.Fatal(err)
	}
	e := pathway.Event{Type: "rumour_heard"}
	if err := pathway.DecodePayload(&e, payload); err == nil {
		t.Fatal("an unknown event type decoded")
	}
}

// Read models can be rebuilt from the log at any time: folding the whole log
// gives the state that was built step by step.
func TestReplayEqualsStepwiseApply(t *testing.T) {
	events := history(t)
	var stepwise pathway.Case
	for i, e := range events {
		stepwise = pathway.Apply(stepwise, e)
		if stepwise.Version != i+1 {
			t.Fatalf("version after event %d = %d", i+1, stepwise.Version)
		}
		if got := pathway.Replay(events[:i+1]); !reflect.DeepEqual(got, stepwise) {
			t.Fatalf("replay of %d events differs from stepwise apply:\n got %+v\nwant %+v", i+1, got, stepwise)
		}
	}
	if stepwise.Stage != pathway.StageOutcomeGiven || stepwise.Reference() != "CS-2026-000001" {
		t.Fatalf("final case: stage %s, reference %q", stepwise.Stage, stepwise.Reference())
	}
}

// Apply is pure: folding an event into a case leaves the earlier state as it
// was, so a state kept from before a save still tells the truth about then.
func TestApplyLeavesTheEarlierStateUnchanged(t *testing.T) {
	events := history(t)
	contacted := pathway.Replay(events[:2])
	before := pathway.Replay(events[:2]) // an independent copy to compare with
	_ = pathway.Apply(contacted, events[2])
	if !reflect.DeepEqual(contacted, before) {
		t.Errorf("applying the outcome changed the earlier state:\n got %+v\nwant %+v", contacted.Clocks, before.Clocks)
	}

	// Two different futures from one state must not overwrite each other.
	raised := pathway.Replay(events[:1])
	raised.Clocks = append(make([]pathway.Clock, 0, 8), raised.Clocks...) // room to grow in place
	a := pathway.Apply(raised, events[1])
	other := events[1]
	other.Clocks = []pathway.ClockChange{{Start: &pathway.Clock{ID: "other-1", Kind: pathway.ClockOutcomeToReferrer}}}
	_ = pathway.Apply(raised, other)
	if got := a.Clocks[len(a.Clocks)-1].ID; got != "outcome-1" {
		t.Fatalf("a second Apply from the same state overwrote the first one's clock: last clock %q", got)
	}
}

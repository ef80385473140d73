package pathway_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"waymark"
	"waymark/internal/pathway"
)

// FuzzStoredEvent: any payload stored for any event type. DecodePayload must
// not panic and must say which type it could not read; a payload it accepts
// encodes back to a payload that decodes to the same event; and a case whose
// log holds the event replays, and shows (flags, warnings, progress,
// members, summary, what each viewer may see) without panicking, since a
// case page must open whatever its log holds.
func FuzzStoredEvent(f *testing.F) {
	events, err := raise(validConcern())
	if err != nil {
		f.Fatal(err)
	}
	raised := pathway.Replay(events)
	types := pathway.EventTypes()
	contact, _ := json.Marshal(map[string]any{"data": map[string]any{"contact": map[string]any{"reference": "CS-2026-000001", "method": "phone"}}})
	for i := range types {
		f.Add(uint(i), []byte(`{"data":{}}`))
	}
	f.Add(uint(0), contact)
	f.Add(uint(1), []byte(`{"data":{"outcome":{"decision":"assessment"}},"clocks":[{"start":{"id":"x","kind":"outcome","dueAt":"2026-03-11T09:00:00Z"}}]}`))
	f.Add(uint(2), []byte(`{"data":null}`))
	f.Add(uint(3), []byte(`{"data":[]}`))
	f.Add(uint(4), []byte(`not json`))
	f.Fuzz(func(t *testing.T, n uint, payload []byte) {
		typ := types[n%uint(len(types))]
		e := pathway.Event{CaseID: raised.ID, Seq: raised.Version + 1, Type: typ, At: now, Actor: frontDoor.Party}
		if err := pathway.DecodePayload(&e, payload); err != nil {
			if !strings.Contains(err.Error(), typ) {
				t.Fatalf("refusal does not name the event type %s: %v", typ, err)
			}
			return
		}
		stored, err := pathway.EncodePayload(e)
		if err != nil {
			t.Fatalf("%s: an accepted payload does not encode again: %v", typ, err)
		}
		again := pathway.Event{CaseID: e.CaseID, Seq: e.Seq, Type: typ, At: e.At, Actor: e.Actor}
		if err := pathway.DecodePayload(&again, stored); err != nil {
			t.Fatalf("%s: %s, encoded from an accepted payload, is refused: %v", typ, stored, err)
		}
		if stored2, _ := pathway.EncodePayload(again); !bytes.Equal(stored, stored2) {
			t.Fatalf("%s: the event changes when stored again:\n %s\n %s", typ, stored, stored2)
		}
		c := pathway.Apply(raised, e)
		at := now.Add(time.Hour)
		c.Flags(at)
		c.WarningsAt(at)
		c.Progress()
		pathway.Members(c)
		e.Summary()
		for _, viewer := range []string{teacher.UserID, frontDoor.UserID, "someone-else"} {
			c.Redacted(viewer)
			e.Redacted(c, viewer)
		}
		if !c.Flags(at).Closed { // a command on top of it is decided without panicking
			pathway.New(cat).Decide(c, frontDoor, pathway.AddNote{Text: "Still here."}, at)
		}
	})
}

// FuzzConcernJSON: a concern as an API client sends it (after the JSON is
// read). The pathway normalises and checks it without panicking, refuses it
// with field problems that each have a message, or raises a case whose
// event is stored and read back unchanged.
func FuzzConcernJSON(f *testing.F) {
	valid, _ := json.Marshal(validConcern())
	f.Add(valid)
	for _, s := range []string{`{}`, `{"child":{"dateOfBirth":"2011-02-30"}}`, `{"child":{"dateOfBirth":"9999-12-31","estimatedAge":-3}}`,
		`{"child":{"estimatedAge":200,"ageUncertain":true},"identifiedAt":"2999-01-01T00:00:00Z"}`, `{"indicators":[{"id":""},{"id":""}]}`,
		`{"exploitationTypes":["nope"],"immediateActions":[""]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var c pathway.Concern
		if json.Unmarshal(body, &c) != nil {
			return
		}
		p := pathway.New(cat)
		events, err := p.Decide(pathway.Case{}, teacher, pathway.RaiseConcern{CaseID: "case-1", Concern: c, ChildrensServicesOrg: "org-cs"}, now)
		if err != nil {
			var we *waymark.Error
			if !errors.As(err, &we) || strings.TrimSpace(we.Message) == "" {
				t.Fatalf("refused with %T %v: want a *waymark.Error with a message", err, err)
			}
			for _, fe := range we.Fields {
				if strings.TrimSpace(fe.Message) == "" {
					t.Fatalf("field problem without a message: %+v", fe)
				}
			}
			return
		}
		for _, e := range events {
			stored, err := pathway.EncodePayload(e)
			if err != nil {
				t.Fatal(err)
			}
			back := pathway.Event{CaseID: e.CaseID, Seq: e.Seq, Type: e.Type, At: e.At, Actor: e.Actor}
			if err := pathway.DecodePayload(&back, stored); err != nil {
				t.Fatalf("a raised concern's event does not read back: %v", err)
			}
			if c1, c2 := pathway.Replay([]pathway.Event{e}), pathway.Replay([]pathway.Event{back}); !jsonEqual(c1, c2) {
				t.Fatalf("a raised concern reads back different:\n %+v\n %+v", c1, c2)
			}
		}
	})
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

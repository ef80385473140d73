package casework_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/nrm"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// nrmCase is a raised concern with the contact recorded and the social
// worker assigned: a case whose team can draft the referral.
func (p *partnership) nrmCase() (id, ref string) {
	p.t.Helper()
	id = p.raise()
	ref = p.contact(id)
	p.nrmAct(p.CSWorker, id, pathway.AssignWorker{WorkerEmail: p.SocialWorker.User.Email})
	return id, ref
}

func (p *partnership) draftField(v casework.Viewer, id string, kind nrm.Kind, field string) nrm.Field {
	p.t.Helper()
	view, err := p.svc.NRMDraft(p.ctx, v, id, kind, "test")
	if err != nil {
		p.t.Fatalf("opening the %s draft: %v", kind, err)
	}
	f, ok := view.Draft.Field(field)
	if !ok {
		p.t.Fatalf("no field %s", field)
	}
	return *f
}

// The team opens the referral with every field proposed from the case, and
// the read is audited.
func TestTheTeamOpensTheNRMReferralDraftedFromTheCase(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id, ref := p.nrmCase()
		head := p.auditHead()
		view, err := p.svc.NRMDraft(p.ctx, p.SocialWorker, id, nrm.Referral, "task list")
		if err != nil {
			t.Fatal(err)
		}
		d := view.Draft
		if d.CaseReference != ref || d.Kind != nrm.Referral {
			t.Fatalf("draft of %q (%s), want %q", d.CaseReference, d.Kind, ref)
		}
		for field, want := range map[string]string{"reference": ref, "pv-name-first-name": "Amira", "pv-name-last-name": "Example",
			"pv-nationality": "Albanian"} {
			if f, _ := d.Field(field); f.Value != want || f.Edited {
				t.Errorf("%s = %q (edited %v), want %q proposed from the case", field, f.Value, f.Edited, want)
			}
		}
		// Children's Services' name is not an entry of the form's list of
		// local authorities: until an administrator maps it, it is kept as a
		// suggestion, never offered as the answer.
		if f, _ := d.Field("local-authority-contacted-about-child-local-authority-name"); f.Value != "" || f.Suggestion != p.ChildrensServices.Name {
			t.Errorf("local authority = %q, suggestion %q: want no answer and %q as the suggestion", f.Value, f.Suggestion, p.ChildrensServices.Name)
		}
		if len(view.Tasks) != len(d.Sections) || len(view.Problems) == 0 {
			t.Errorf("%d tasks for %d sections, %d problems", len(view.Tasks), len(d.Sections), len(view.Problems))
		}
		entries := p.auditSince(head)
		if len(entries) != 1 || entries[0].Action != casework.ActionNRMDraftViewed || entries[0].CaseID != id || entries[0].ActorID != p.SocialWorker.User.ID {
			t.Fatalf("audit entries %+v, want one nrm_draft.viewed", entries)
		}
	})
}

// §6.5: the draft draws on the team's whole record. The referrer and an
// invitee are told to ask the team; anyone else sees no case at all, and
// the attempt is audited.
func TestOnlyTheTeamWorkingTheCaseOpensTheDraft(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id, _ := p.nrmCase()
		_, err := p.svc.NRMDraft(p.ctx, p.Teacher, id, nrm.Referral, "task list")
		wantCode(t, err, waymark.EFORBIDDEN)
		for _, outsider := range []casework.Viewer{p.GPDoctor, p.Colleague, p.CSAdmin} {
			head := p.auditHead()
			_, err := p.svc.NRMDraft(p.ctx, outsider, id, nrm.Referral, "task list")
			wantCode(t, err, waymark.ENOTFOUND)
			_, err = p.svc.NRMDraftDocument(p.ctx, outsider, id, nrm.Referral, casework.NRMFormatPDF, false)
			wantCode(t, err, waymark.ENOTFOUND)
			_, err = p.svc.SaveNRMDraft(p.ctx, outsider, id, nrm.Referral, []casework.NRMFieldSave{{Field: "birthplace", Value: "Tirana"}})
			wantCode(t, err, waymark.ENOTFOUND)
			for _, e := range p.auditSince(head) {
				if e.Action != "case.denied" {
					t.Errorf("%s: audit %+v, want only case.denied", outsider.User.Name, e)
				}
			}
		}
		if n := p.count(`SELECT COUNT(*) FROM nrm_drafts`); n != 0 {
			t.Fatalf("%d answers saved by people outside the team", n)
		}
	})
}

// Every saved answer is a new version laid over the proposal; a save from a
// page read before someone else's save is a conflict and saves nothing.
func TestSavedAnswersAreVersionedAndNeverOverwritten(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id, _ := p.nrmCase()
		_, err := p.svc.SaveNRMDraft(p.ctx, p.SocialWorker, id, nrm.Referral, []casework.NRMFieldSave{
			{Field: "birthplace", Value: "Shkodër, Albania", ExpectedVersion: 0},
			{Field: "pv-gender", Value: "female", ExpectedVersion: 0}, // the proposal already: nothing new
		})
		if err != nil {
			t.Fatal(err)
		}
		p.clock.Advance(time.Minute)
		if _, err := p.svc.SaveNRMDraft(p.ctx, p.SocialWorker, id, nrm.Referral, []casework.NRMFieldSave{{Field: "birthplace", Value: "Shkodër, northern Albania\r\n", ExpectedVersion: 1}}); err != nil {
			t.Fatal(err)
		}
		if n := p.count(`SELECT COUNT(*) FROM nrm_drafts WHERE case_id = $1`, id); n != 2 {
			t.Fatalf("%d versions stored, want 2 (an unchanged proposal is not saved)", n)
		}

		// A colleague still on version 1 is refused, whatever else they send.
		before := p.count(`SELECT COUNT(*) FROM nrm_drafts`)
		_, err = p.svc.SaveNRMDraft(p.ctx, p.Manager, id, nrm.Referral, []casework.NRMFieldSave{
			{Field: "family", Value: "Lives with her aunt.", ExpectedVersion: 0},
			{Field: "birthplace", Value: "Albania", ExpectedVersion: 1},
		})
		wantClash(t, err)
		if f := waymark.ErrorFields(err); len(f) != 1 || f[0].Field != "birthplace" {
			t.Fatalf("conflict names %+v, want birthplace", f)
		}
		if after := p.count(`SELECT COUNT(*) FROM nrm_drafts`); after != before {
			t.Fatalf("a refused save stored %d answers", after-before)
		}

		f := p.draftField(p.SocialWorker, id, nrm.Referral, "birthplace")
		if f.Value != "Shkodër, northern Albania" || f.Version != 2 || len(f.History) != 2 || f.History[0].Value != "Shkodër, Albania" || f.History[1].SavedByName != "Sam Social" {
			t.Fatalf("birthplace = %+v", f)
		}
		if !f.History[1].SavedAt.Equal(storetest.Start.Add(time.Minute)) {
			t.Errorf("saved at %v", f.History[1].SavedAt)
		}
		// At rest the answer is sealed with the case's key (docs/security.md).
		var raw string
		if err := db.SQL().QueryRow(`SELECT value FROM nrm_drafts WHERE case_id = $1 AND version = 2`, id).Scan(&raw); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(raw, "Albania") {
			t.Errorf("the answer is stored in plain text: %q", raw)
		}
		last := p.auditSince(0)
		if a := last[len(last)-1]; a.Action != casework.ActionNRMDraftViewed {
			t.Errorf("last audit %+v", a)
		}
		saves := 0
		for _, e := range last {
			if e.Action == casework.ActionNRMDraftSaved && strings.Contains(e.Detail, "birthplace v") {
				saves++
			}
		}
		if saves != 2 {
			t.Errorf("%d saves audited, want 2", saves)
		}
	})
}

func TestAnswersTheFormCannotTakeAreRefused(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id, _ := p.nrmCase()
		for _, sv := range []casework.NRMFieldSave{
			{Field: "no-such-question", Value: "x"},
			{Field: "pv-gender", Value: "boy"},
			{Field: "types-of-exploitation", Value: "child-exploitation\ncounty-lines"},
			{Field: "pv-dob", Value: "2012-02-30"},
			{Field: "pv-want-to-submit-nrm", Value: "yes"},
			{Field: "professional-insight", Value: strings.Repeat("x", 30001)},
		} {
			_, err := p.svc.SaveNRMDraft(p.ctx, p.SocialWorker, id, nrm.Referral, []casework.NRMFieldSave{sv})
			wantCode(t, err, waymark.EINVALID)
			if f := waymark.ErrorFields(err); len(f) != 1 || f[0].Field != sv.Field {
				t.Errorf("%s: refusal names %+v", sv.Field, f)
			}
		}
		// An answer over the form's limit but within reach of it is kept, and reported.
		long := strings.Repeat("word ", 3100)
		view, err := p.svc.SaveNRMDraft(p.ctx, p.SocialWorker, id, nrm.Referral, []casework.NRMFieldSave{{Field: "professional-insight", Value: long}})
		if err != nil {
			t.Fatal(err)
		}
		over := false
		for _, pr := range view.Problems {
			over = over || (pr.Field == "professional-insight" && pr.Kind == nrm.ProblemOverLimit)
		}
		if !over {
			t.Error("a saved answer over the limit is not reported")
		}
	})
}

// Documents carry the case reference, never the child's name, and every
// download and print is audited with the document's hash.
func TestDocumentsAreNamedByTheReferenceAndAudited(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id, ref := p.nrmCase()
		for _, c := range []struct {
			format, name, ctype, action string
			print                       bool
		}{
			{casework.NRMFormatPDF, "nrm-referral-" + ref + ".pdf", "application/pdf", casework.ActionNRMDraftExported, false},
			{casework.NRMFormatPDF, "nrm-referral-" + ref + ".pdf", "application/pdf", casework.ActionNRMDraftPrinted, true},
			{casework.NRMFormatText, "nrm-referral-" + ref + ".txt", "text/plain; charset=utf-8", casework.ActionNRMDraftExported, false},
		} {
			head := p.auditHead()
			doc, err := p.svc.NRMDraftDocument(p.ctx, p.SocialWorker, id, nrm.Referral, c.format, c.print)
			if err != nil {
				t.Fatal(err)
			}
			if doc.Name != c.name || doc.ContentType != c.ctype || strings.Contains(doc.Name, "Amira") {
				t.Errorf("document %q %q, want %q %q", doc.Name, doc.ContentType, c.name, c.ctype)
			}
			if !bytes.Contains(doc.Body, []byte(nrm.Marking)) && c.format == casework.NRMFormatText {
				t.Error("the text has no protective marking")
			}
			entries := p.auditSince(head)
			if len(entries) != 1 || entries[0].Action != c.action || !strings.Contains(entries[0].Detail, doc.Name) || !strings.Contains(entries[0].Detail, "sha256 ") {
				t.Errorf("audit %+v, want one %s naming the document and its hash", entries, c.action)
			}
		}
	})
}

// §8.9: a reconsideration can only be drafted after a negative decision.
func TestAReconsiderationIsDraftedOnlyAfterANegativeDecision(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id, _ := p.nrmCase()
		_, err := p.svc.NRMDraft(p.ctx, p.SocialWorker, id, nrm.Reconsideration, "task list")
		wantCode(t, err, waymark.ENOTFOUND)

		p.nrmAct(p.SocialWorker, id, pathway.SubmitNRMReferral{SubmittedAt: p.clock.Now(), Via: "online-form", DeclarationMade: true, ExplainedToChild: pathway.ExplainedYes, ExplainedToCarer: pathway.ExplainedYes, ReasonWithoutMeeting: "The child is to be moved tonight."})
		p.clock.Advance(72 * time.Hour)
		p.nrmAct(p.SocialWorker, id, pathway.RecordHomeOfficeReference{Reference: "NRM-2026-000777", ReceivedOn: p.clock.Now().Format("2006-01-02")})
		p.nrmAct(p.SocialWorker, id, pathway.RecordReasonableGrounds{Outcome: pathway.DecisionNegative, DecidedOn: p.clock.Now().Format("2006-01-02")})
		view, err := p.svc.NRMDraft(p.ctx, p.SocialWorker, id, nrm.Reconsideration, "task list")
		if err != nil {
			t.Fatal(err)
		}
		if !view.ReconsiderationOpen {
			t.Error("ReconsiderationOpen is false after a negative decision")
		}
		for field, want := range map[string]string{"decision-grounds": pathway.ReasonableGrounds, "home-office-reference": "NRM-2026-000777"} {
			if f, _ := view.Draft.Field(field); f.Value != want {
				t.Errorf("%s = %q, want %q", field, f.Value, want)
			}
		}
		doc, err := p.svc.NRMDraftDocument(p.ctx, p.SocialWorker, id, nrm.Reconsideration, casework.NRMFormatPDF, false)
		if err != nil || !strings.HasPrefix(doc.Name, "nrm-reconsideration-CS-") || !bytes.HasPrefix(doc.Body, []byte("%PDF")) {
			t.Fatalf("reconsideration PDF %q: %v", doc.Name, err)
		}
	})
}

// WCAG 3.3.7, §8.2: the police First Responder opening the referral draft
// finds themselves proposed as the person referring, not the social worker.
func TestTheSignedInFirstResponderIsProposedAsThePersonReferring(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id, _ := p.nrmCase()
		p.nrmAct(p.CSWorker, id, pathway.AssignWorker{WorkerEmail: p.PoliceLead.User.Email})
		first := p.draftField(p.PoliceLead, id, nrm.Referral, "fr-details-first-name")
		last := p.draftField(p.PoliceLead, id, nrm.Referral, "fr-details-last-name")
		if got := first.Value + " " + last.Value; got != p.PoliceLead.User.Name {
			t.Fatalf("the police lead's draft proposes %q as the person referring, want %q", got, p.PoliceLead.User.Name)
		}
	})
}

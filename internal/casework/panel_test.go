package casework_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// pilotPanel makes the partnership a pilot site from 1 January 2026 with a
// panel: the teacher's colleague in the chair (on no case), the front door
// for the local authority, the police lead and the GP (on no case).
func (p *partnership) pilotPanel() {
	p.t.Helper()
	for _, c := range []pathway.SettingChange{
		{Key: pathway.SettingDDMPilot, Value: "yes", From: "2026-01-01"},
		{Key: pathway.SettingDDMPanelName, Value: "Northshire Child Decision Panel", From: "2026-01-01"},
	} {
		if _, err := p.svc.RecordSetting(p.ctx, p.CSAdmin, c); err != nil {
			p.t.Fatal(err)
		}
	}
	for email, seat := range map[string]string{p.Colleague.User.Email: pathway.PanelChair, p.CSWorker.User.Email: pathway.PanelLocalAuthority,
		p.PoliceLead.User.Email: pathway.PanelPolice, p.GPDoctor.User.Email: pathway.PanelHealth} {
		if err := p.svc.SeatPanelMember(p.ctx, p.CSAdmin, email, seat); err != nil {
			p.t.Fatal(err)
		}
	}
}

// submitNRM has the police, assigned to the case, submit its referral.
func (p *partnership) submitNRM(id string) {
	p.t.Helper()
	p.nrmAct(p.CSWorker, id, pathway.AssignWorker{WorkerEmail: p.PoliceLead.User.Email})
	p.nrmAct(p.PoliceLead, id, pathway.SubmitNRMReferral{SubmittedAt: p.clock.Now(), Via: "online-form", DeclarationMade: true,
		ExplainedToChild: pathway.ExplainedYes, ExplainedToCarer: pathway.ExplainedYes, ReasonWithoutMeeting: "The child is to be moved tonight."})
}

var present = []string{"user-colleague", "user-cs-worker", "user-police", "user-gp"}

func TestPilotSiteReferralGoesToThePanelAndIsListedForIt(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		p.pilotPanel()
		id := p.raise()
		p.submitNRM(id)
		if r := p.loadCase(id).NRM.DecisionRouting(); !r.ByPanel() || r.PanelName != "Northshire Child Decision Panel" {
			t.Fatalf("routing %+v", r)
		}
		list, err := p.svc.PanelCases(p.ctx, p.GPDoctor)
		if err != nil || len(list) != 1 || list[0].CaseID != id || list[0].Next != pathway.ReasonableGrounds {
			t.Fatalf("the panel's list: %+v, %v", list, err)
		}
		if _, err := p.svc.PanelCases(p.ctx, p.Teacher); waymark.ErrorCode(err) != waymark.EFORBIDDEN {
			t.Fatalf("someone not on the panel listed its referrals: %v", err)
		}
	})
}

func TestChildNear18GoesToTheSingleCompetentAuthority(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		p.pilotPanel()
		id := p.raise(func(c *pathway.Concern) { c.Child.DateOfBirth = "2008-05-01" }) // 18 on 1 May 2026
		p.submitNRM(id)
		if r := p.loadCase(id).NRM.DecisionRouting(); r.Maker != pathway.MakerSCA || !strings.Contains(r.Reason, "turns 18") {
			t.Fatalf("routing %+v", r)
		}
		if list, _ := p.svc.PanelCases(p.ctx, p.GPDoctor); len(list) != 0 {
			t.Fatalf("the panel lists a Single Competent Authority referral: %+v", list)
		}
		if _, _, err := p.svc.PanelEvidence(p.ctx, p.GPDoctor, id); waymark.ErrorCode(err) != waymark.ENOTFOUND {
			t.Fatalf("a panel member read a case the panel does not decide: %v", err)
		}
	})
}

// Need to know (§6.5): a panel member not on the case reads the evidence
// pack, audited, and gains no access to the case itself; someone not on
// the panel learns nothing, not even that the case exists.
func TestPanelMemberSeesOnlyTheEvidencePack(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		p.pilotPanel()
		id := p.raise()
		p.submitNRM(id)
		before := p.auditHead()
		e, panel, err := p.svc.PanelEvidence(p.ctx, p.GPDoctor, id)
		if err != nil || e.ChildName == "" || len(e.Indicators) == 0 || len(panel) != 4 {
			t.Fatalf("evidence pack %+v, %d members, %v", e, len(panel), err)
		}
		a := p.auditSince(before)
		if len(a) != 1 || a[0].Action != casework.ActionPanelEvidenceRead || a[0].CaseID != id || a[0].ActorID != p.GPDoctor.User.ID {
			t.Fatalf("audit %+v", a)
		}
		if _, err := p.svc.Case(p.ctx, p.GPDoctor, id); waymark.ErrorCode(err) != waymark.ENOTFOUND {
			t.Fatalf("a panel member opened the whole case: %v", err)
		}
		_, _, err = p.svc.PanelEvidence(p.ctx, p.Teacher, id)
		_, _, errNone := p.svc.PanelEvidence(p.ctx, p.Teacher, "case-that-does-not-exist")
		if waymark.ErrorCode(err) != waymark.ENOTFOUND || !sameError(err, errNone) {
			t.Fatalf("someone not on the panel: %v, for no case: %v", err, errNone)
		}
	})
}

// The panel decides on the national clocks, with a quorum, its reasons and
// the guidance versions, and writes the letters; the chair records it.
func TestPanelDecidesAndWritesTheLetters(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		p.pilotPanel()
		id := p.raise()
		p.submitNRM(id)
		p.clock.Advance(48 * time.Hour)
		day := p.clock.Now().In(pathway.London).Format(time.DateOnly)
		d := casework.PanelDecision{Grounds: pathway.ReasonableGrounds, Outcome: pathway.DecisionPositive, DecidedOn: day,
			Reasons: "The indicators and the account give a founded suspicion of criminal exploitation.", Present: present}
		wantCode(t, p.svc.RecordPanelDecision(p.ctx, p.GPDoctor, id, d), waymark.EFORBIDDEN) // not the chair
		short := d
		short.Present = present[:3]
		wantCode(t, p.svc.RecordPanelDecision(p.ctx, p.Colleague, id, short), waymark.EINVALID) // TestPanelNeedsQuorum, in the store
		if err := p.svc.RecordPanelDecision(p.ctx, p.Colleague, id, d); err != nil {
			t.Fatal(err)
		}
		rg := p.loadCase(id).NRM.ReasonableGrounds
		if rg == nil || rg.Maker != pathway.MakerPanel || len(rg.Present) != 4 || rg.GuidanceVersion == "" {
			t.Fatalf("decision %+v", rg)
		}
		for _, who := range []string{pathway.LetterFirstResponder, pathway.LetterChild, pathway.LetterGuardian} {
			txt, err := p.svc.PanelLetter(p.ctx, p.Colleague, id, rg.Seq, who, casework.LetterText)
			if err != nil || !strings.Contains(string(txt), "Northshire Child Decision Panel") {
				t.Fatalf("letter for %s: %s %v", who, txt, err)
			}
		}
		pdf, err := p.svc.PanelLetter(p.ctx, p.PoliceLead, id, rg.Seq, pathway.LetterFirstResponder, casework.LetterPDF)
		if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF")) {
			t.Fatalf("PDF letter: %v", err)
		}
		if _, err := p.svc.PanelLetter(p.ctx, p.Teacher, id, rg.Seq, pathway.LetterChild, casework.LetterText); waymark.ErrorCode(err) != waymark.ENOTFOUND {
			t.Fatalf("the referrer, outside the team, had the letter: %v", err)
		}
	})
}

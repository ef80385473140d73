package casework_test

import (
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

const contribWords = "She told me she sleeps on the floor of a flat above a shop with four other girls."

// contributed is an NRM case to which the teacher who raised the concern
// has given what she knows about the child's living conditions (§8.5).
func (p *partnership) contributed() (id string, seq int) {
	p.t.Helper()
	id, _ = p.nrmCase()
	p.nrmAct(p.Teacher, id, pathway.ContributeToNRM{Topic: "living-conditions", Text: contribWords})
	c := p.loadCase(id)
	return id, c.NRM.Contributions[0].Seq
}

// §8.5, annex: the referrer's words reach the lead First Responder's draft
// beside the question they answer, with who gave them and when; the
// referrer sees their own words only, never the draft.
func TestTheReferrersContributionReachesTheDraftAndNothingElseReachesThem(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id, seq := p.contributed()
		view, err := p.svc.NRMDraft(p.ctx, p.SocialWorker, id, nrm.Referral, "test")
		if err != nil {
			t.Fatal(err)
		}
		got := pathway.NRMState{Contributions: view.Contributions}.ContributionsFor("living-conditions")
		if len(got) != 1 || got[0].Seq != seq || got[0].Text != contribWords || got[0].By.UserID != p.Teacher.User.ID || got[0].By.OrgName == "" {
			t.Fatalf("the draft shows %+v", got)
		}
		// The referrer's case: their own words, nothing of the team's NRM work.
		p.nrmAct(p.SocialWorker, id, pathway.AddNote{Text: "Team note: police interview on Friday."})
		cv, err := p.svc.Case(p.ctx, p.Teacher, id)
		if err != nil {
			t.Fatal(err)
		}
		if own := cv.Case.NRM.Contributions; len(own) != 1 || own[0].Text != contribWords || own[0].Seq != 0 {
			t.Fatalf("the referrer sees %+v", own)
		}
		if len(cv.Case.Notes) != 0 || len(cv.Case.Workers) != 0 {
			t.Fatalf("the referrer sees the team's work: %+v %+v", cv.Case.Notes, cv.Case.Workers)
		}
		_, err = p.svc.NRMDraft(p.ctx, p.Teacher, id, nrm.Referral, "test")
		wantCode(t, err, waymark.EFORBIDDEN)
		// Someone outside the case can neither give nor see one.
		err = p.svc.Act(p.ctx, p.GPDoctor, id, 1, pathway.ContributeToNRM{Topic: "living-conditions", Text: "x"})
		wantCode(t, err, waymark.ENOTFOUND)
	})
}

// §8.5: "Use this answer" adds the contributor's words to the draft's answer
// as a new version, and records on the case which contribution went where;
// both are audited.
func TestTheTeamUsesAContributionInTheDraftAsANewVersion(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id, seq := p.contributed()
		if _, err := p.svc.SaveNRMDraft(p.ctx, p.SocialWorker, id, nrm.Referral, []casework.NRMFieldSave{{Field: "living-conditions", Value: "Placed with foster carers since Monday."}}); err != nil {
			t.Fatal(err)
		}
		p.clock.Advance(time.Minute)
		head := p.auditHead()
		if err := p.svc.UseNRMContribution(p.ctx, p.SocialWorker, id, casework.NRMContributionUse{Contribution: seq, Field: "living-conditions", ExpectedVersion: 1}); err != nil {
			t.Fatal(err)
		}
		f := p.draftField(p.SocialWorker, id, nrm.Referral, "living-conditions")
		if f.Version != 2 || f.Value != "Placed with foster carers since Monday.\n\n"+contribWords {
			t.Fatalf("living-conditions v%d = %q", f.Version, f.Value)
		}
		used, _ := p.loadCase(id).NRM.Contribution(seq)
		if !used.Used() || used.Uses[0].FieldVersion != 2 || used.Uses[0].Edited || used.Uses[0].By.UserID != p.SocialWorker.User.ID {
			t.Fatalf("recorded use %+v", used.Uses)
		}
		var actions []string
		for _, e := range p.auditSince(head) {
			actions = append(actions, e.Action)
		}
		if got := strings.Join(actions, ","); !strings.Contains(got, casework.ActionNRMDraftSaved) || !strings.Contains(got, casework.ActionNRMContributionUsed) {
			t.Errorf("audited %s", got)
		}

		// A page read before that save is stale: nothing more is written.
		err := p.svc.UseNRMContribution(p.ctx, p.Manager, id, casework.NRMContributionUse{Contribution: seq, Field: "living-conditions", ExpectedVersion: 1, Value: "Edited words"})
		wantCode(t, err, waymark.ECONFLICT)
		if n := p.count(`SELECT COUNT(*) FROM nrm_drafts WHERE case_id = $1`, id); n != 2 {
			t.Fatalf("%d versions after a stale use, want 2", n)
		}
		// Edited, then used: the edited words are the answer.
		if err := p.svc.UseNRMContribution(p.ctx, p.Manager, id, casework.NRMContributionUse{Contribution: seq, Field: "living-conditions", ExpectedVersion: 2, Value: "She sleeps on the floor of a flat above a shop with four other girls (her teacher)."}); err != nil {
			t.Fatal(err)
		}
		if f := p.draftField(p.SocialWorker, id, nrm.Referral, "living-conditions"); f.Version != 3 || !strings.Contains(f.Value, "(her teacher)") {
			t.Fatalf("after the edit: v%d %q", f.Version, f.Value)
		}
		if used, _ := p.loadCase(id).NRM.Contribution(seq); len(used.Uses) != 2 || !used.Uses[1].Edited {
			t.Fatalf("uses %+v", used.Uses)
		}
	})
}

// §6.5: the referrer cannot put anything into the draft, and a stranger
// learns nothing; neither writes a thing but the stranger's audited attempt.
func TestOnlyTheTeamUsesAContribution(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id, seq := p.contributed()
		before := p.rowCounts()
		use := casework.NRMContributionUse{Contribution: seq, Field: "living-conditions"}
		wantCode(t, p.svc.UseNRMContribution(p.ctx, p.Teacher, id, use), waymark.ENOTFOUND)
		p.wantNothingWritten(before)
		head := p.auditHead()
		wantCode(t, p.svc.UseNRMContribution(p.ctx, p.GPDoctor, id, use), waymark.ENOTFOUND)
		if e := p.auditSince(head); len(e) != 1 || e[0].Action != "case.denied" {
			t.Fatalf("the stranger's attempt audited as %+v", e)
		}
		if n := p.count(`SELECT COUNT(*) FROM nrm_drafts`); n != 0 {
			t.Fatalf("%d answers saved", n)
		}
	})
}

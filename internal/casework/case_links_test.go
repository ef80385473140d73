package casework_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// linkWorld is a child raised in the first area (Northshire) and raised
// again in the second (Southshire) under an alias (§4.3, §4.8, §7.1): two
// teams, each a member only of its own case.
type linkWorld struct {
	*partnership
	south          casework.Viewer
	first, again   string
	firstReference string
}

func newLinkWorld(t *testing.T, db *store.DB) *linkWorld {
	t.Helper()
	p := newPartnership(t, db)
	w := &linkWorld{partnership: p, south: p.secondArea()}
	w.first = p.raise(bornOnAmirasBirthday)
	w.firstReference = p.contact(w.first)
	p.clock.Advance(21 * 24 * 3600e9)
	db.SetChildrensServicesOrg("org-cs2")
	w.again = p.raise(raisedAgainUnderAlias)
	return w
}

// ask has the second area's front door ask to link its case to the one
// earlier record it is shown.
func (w *linkWorld) ask() string {
	w.t.Helper()
	recs := earlier(w.t, w.partnership, w.south, w.again)
	if len(recs) != 1 {
		w.t.Fatalf("earlier records: %+v", recs)
	}
	if err := w.svc.RequestLink(w.ctx, w.south, w.again, recs[0].Handle, "Same date of birth and the same scar on her left hand"); err != nil {
		w.t.Fatalf("asking to link: %v", err)
	}
	links, err := w.svc.CaseLinks(w.ctx, w.CSWorker, w.first)
	if err != nil || len(links.Received) != 1 {
		w.t.Fatalf("the earlier team's requests: %+v, %v", links.Received, err)
	}
	return links.Received[0].ID
}

func wantCodeOf(t *testing.T, what string, err error, code string) {
	t.Helper()
	if waymark.ErrorCode(err) != code {
		t.Errorf("%s: %v, want %s", what, err, code)
	}
}

// TestAConfirmedLinkLetsTheNewTeamSeeTheEarlierHistory: the request goes
// to the earlier case's team; once they confirm, the new team is a member
// of the earlier case and sees its history, and the earlier team the new
// case; both timelines name the other reference (issue 14 §1, §4.3, §7.1).
func TestAConfirmedLinkLetsTheNewTeamSeeTheEarlierHistory(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		w := newLinkWorld(t, db)
		_, err := w.svc.Case(w.ctx, w.south, w.first)
		wantCodeOf(t, "the new team opening the earlier case before a link", err, waymark.ENOTFOUND)
		from := w.auditHead()
		id := w.ask()
		// Asked on both cases, audited on both.
		var onNew, onEarlier bool
		for _, e := range w.auditSince(from) {
			onNew = onNew || (e.CaseID == w.again && e.Action == "case.link_requested" && e.ActorID == w.south.User.ID)
			onEarlier = onEarlier || (e.CaseID == w.first && e.Action == "case.link_request_received" && e.ActorID == w.south.User.ID)
		}
		if !onNew || !onEarlier {
			t.Errorf("request audited on the new case %t, on the earlier %t", onNew, onEarlier)
		}
		_, err = w.svc.Case(w.ctx, w.south, w.first)
		wantCodeOf(t, "the new team opening the earlier case while the request waits", err, waymark.ENOTFOUND)

		if err := w.svc.ConfirmLink(w.ctx, w.SocialWorker, w.first, id); err != nil {
			t.Fatalf("confirming: %v", err)
		}
		view, err := w.svc.Case(w.ctx, w.south, w.first)
		if err != nil {
			t.Fatalf("the new team opening the earlier case once linked: %v", err)
		}
		if !view.Membership.Is(pathway.MemberLinkedCase) {
			t.Errorf("the new team's standing on the earlier case: %v", view.Membership.Roles)
		}
		var sawContact bool
		for _, e := range view.Events {
			sawContact = sawContact || e.Type == pathway.EventContactRecorded
		}
		if !sawContact || len(view.Events) < w.version(w.first) {
			t.Errorf("the new team sees %d of the earlier case's %d entries", len(view.Events), w.version(w.first))
		}
		if _, err := w.svc.Case(w.ctx, w.CSWorker, w.again); err != nil {
			t.Errorf("the earlier team opening the new case once linked: %v", err)
		}
		newCase := w.loadCase(w.again)
		last := newCase.Links.Active()
		if len(last) != 1 || last[0].OtherReference != w.firstReference {
			t.Errorf("the new case's links: %+v", last)
		}
	})
}

// TestANonMemberSeesOnlyThatAnEarlierRecordExists: before a link, the new
// team's view of its links names the team to ask and nothing of the
// earlier case (§6.5).
func TestANonMemberSeesOnlyThatAnEarlierRecordExists(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		w := newLinkWorld(t, db)
		w.ask()
		links, err := w.svc.CaseLinks(w.ctx, w.south, w.again)
		if err != nil {
			t.Fatal(err)
		}
		if len(links.Earlier) != 1 || links.Earlier[0].AskOrg != w.ChildrensServices.Name {
			t.Errorf("the new team's earlier records: %+v", links.Earlier)
		}
		shown, _ := json.Marshal(struct {
			E []casework.EarlierRecord
			L []pathway.CaseLink
			S []string
		}{links.Earlier, links.Links, summaries(links.Asked)})
		for _, secret := range []string{w.first, w.firstReference, "Amira"} {
			if strings.Contains(string(shown), secret) {
				t.Errorf("the new team is shown %q of the earlier case: %s", secret, shown)
			}
		}
	})
}

func summaries(rs []pathway.LinkRequest) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.OtherOrgName, r.Reason, r.Status)
	}
	return out
}

// TestALinkIsAskedOnlyByTheCasesTeamWithAHandleItWasShown: a non-member
// gets not-found whatever handle they send; a member outside the team is
// refused; a handle from elsewhere is not one of this case's records.
func TestALinkIsAskedOnlyByTheCasesTeamWithAHandleItWasShown(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		w := newLinkWorld(t, db)
		recs := earlier(t, w.partnership, w.south, w.again)
		if len(recs) != 1 {
			t.Fatalf("earlier records: %+v", recs)
		}
		before := w.rowCounts()
		wantCodeOf(t, "a GP outside both cases", w.svc.RequestLink(w.ctx, w.GPDoctor, w.again, recs[0].Handle, "x"), waymark.ENOTFOUND)
		wantCodeOf(t, "the earlier team, not on the new case", w.svc.RequestLink(w.ctx, w.CSWorker, w.again, recs[0].Handle, "x"), waymark.ENOTFOUND)
		wantCodeOf(t, "the referrer", w.svc.RequestLink(w.ctx, w.Teacher, w.again, recs[0].Handle, "x"), waymark.EFORBIDDEN)
		wantCodeOf(t, "a forged handle", w.svc.RequestLink(w.ctx, w.south, w.again, "earlier-record-forged", "x"), waymark.EINVALID)
		wantCodeOf(t, "the earlier case's id as a handle", w.svc.RequestLink(w.ctx, w.south, w.again, w.first, "x"), waymark.EINVALID)
		wantCodeOf(t, "no reason", w.svc.RequestLink(w.ctx, w.south, w.again, recs[0].Handle, " "), waymark.EINVALID)
		// Only the refusals are written: each audited (§6.5), nothing else.
		after := w.rowCounts()
		delete(before, "audit_log")
		delete(after, "audit_log")
		if !reflect.DeepEqual(before, after) {
			t.Errorf("a refused request wrote:\n before %v\n after %v", before, after)
		}
	})
}

// TestADeclinedRequestOpensNothingAndTeachesTheModelNothing: the earlier
// team declines with a reason kept on its case; no one becomes a member,
// and the match is weighed as before: nothing said about a case by anyone
// outside it reaches the model (issue 14 §1).
func TestADeclinedRequestOpensNothingAndTeachesTheModelNothing(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		w := newLinkWorld(t, db)
		weighed := earlier(t, w.partnership, w.south, w.again)[0].Probability
		id := w.ask()
		wantCodeOf(t, "the new team answering its own request", w.svc.DeclineLink(w.ctx, w.south, w.again, id, "no"), waymark.ENOTFOUND)
		wantCodeOf(t, "declining without a reason", w.svc.DeclineLink(w.ctx, w.CSWorker, w.first, id, ""), waymark.EINVALID)
		if err := w.svc.DeclineLink(w.ctx, w.CSWorker, w.first, id, "Our child was in placement with us that day"); err != nil {
			t.Fatal(err)
		}
		_, err := w.svc.Case(w.ctx, w.south, w.first)
		wantCodeOf(t, "the new team after a decline", err, waymark.ENOTFOUND)
		r, _ := w.loadCase(w.again).Links.Request(id)
		if r.Status != pathway.LinkDeclinedStatus || r.DeclineReason != "" {
			t.Errorf("the new case's request after the decline: %+v", r)
		}
		if again := earlier(t, w.partnership, w.south, w.again); len(again) != 1 || again[0].Probability != weighed {
			t.Errorf("after a decline the match is weighed %+v, was %v", again, weighed)
		}
		wantCodeOf(t, "confirming after a decline", w.svc.ConfirmLink(w.ctx, w.CSWorker, w.first, id), waymark.ECONFLICT)
	})
}

// TestUnlinkingEndsTheOtherTeamsAccessFromThenOn: either side undoes a wrong
// link with a reason; the other team no longer opens the case, and both
// logs keep what happened (§6.5, §7.5).
func TestUnlinkingEndsTheOtherTeamsAccessFromThenOn(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		w := newLinkWorld(t, db)
		id := w.ask()
		if err := w.svc.ConfirmLink(w.ctx, w.CSWorker, w.first, id); err == nil {
			t.Log("the front door confirmed (it did not ask)")
		} else {
			t.Fatal(err)
		}
		wantCodeOf(t, "unlinking without a reason", w.svc.Unlink(w.ctx, w.south, w.again, id, ""), waymark.EINVALID)
		wantCodeOf(t, "the referrer unlinking", w.svc.Unlink(w.ctx, w.Teacher, w.again, id, "wrong"), waymark.EFORBIDDEN)
		versionBefore := w.version(w.first)
		if err := w.svc.Unlink(w.ctx, w.CSWorker, w.first, id, "The DNA result shows a different child"); err != nil {
			t.Fatal(err)
		}
		_, err := w.svc.Case(w.ctx, w.south, w.first)
		wantCodeOf(t, "the new team after the unlink", err, waymark.ENOTFOUND)
		_, err = w.svc.Case(w.ctx, w.CSWorker, w.again)
		wantCodeOf(t, "the earlier team after the unlink", err, waymark.ENOTFOUND)
		c := w.loadCase(w.first)
		if c.Version != versionBefore+1 {
			t.Errorf("the unlink rewrote history: version %d, want %d", c.Version, versionBefore+1)
		}
		if l, _ := c.Links.Link(id); !l.Unlinked || l.UnlinkReason == "" {
			t.Errorf("the earlier case's link after the unlink: %+v", l)
		}
	})
}

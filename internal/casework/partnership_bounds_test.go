package casework_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// The partnership boundary (§4.3, §7.1): one deployment serves several
// partnerships, and nobody of one learns anything of another's cases
// except through a hand-over. These tests use the three partnerships of
// handovers_test.go: the case is Northshire's.

// signInPerson adds a person of org who can re-authenticate (password and
// authenticator) and returns them as a viewer.
func signInPerson(w *handOverWorld, id, org, role string) casework.Viewer {
	w.t.Helper()
	return casework.Viewer{User: w.personWhoSignsIn(id, org, id+"@example.org", "Person "+id, role)}
}

// A lead of another partnership can neither find a case by its reference,
// nor export it, nor erase it: each is answered as for a case that does
// not exist. The case's own lead can.
func TestALeadOfAnotherPartnershipCannotFindExportOrEraseACase(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		w := newHandOverWorld(t, db)
		west := signInPerson(w, "wes", "org-west", pathway.RolePartnershipLead)
		north := signInPerson(w, "nia", w.ChildrensServices.ID, pathway.RolePartnershipLead)
		westToken, northToken := w.session(west), w.session(north)
		ref := w.loadCase(w.caseID).Reference()

		_, madeUp := w.svc.ResolveCase(w.ctx, west, "CS-2026-999999")
		_, real := w.svc.ResolveCase(w.ctx, west, ref)
		if waymark.ErrorCode(real) != waymark.ENOTFOUND || real.Error() != madeUp.Error() {
			t.Errorf("looking up another partnership's case: %v; a made-up reference: %v", real, madeUp)
		}
		_, madeUp = w.svc.ExportCase(w.ctx, west, westToken, storetest.Password, "no-such-case")
		x, real := w.svc.ExportCase(w.ctx, west, westToken, storetest.Password, w.caseID)
		if waymark.ErrorCode(real) != waymark.ENOTFOUND || real.Error() != madeUp.Error() || x.Child.FullName() != "" {
			t.Errorf("exporting another partnership's case: %q, %v; a made-up id: %v", x.Child.FullName(), real, madeUp)
		}
		second := w.raise()
		madeUp = w.svc.EraseCase(w.ctx, west, westToken, storetest.Password, "no-such-case", "Erased at the request of the family", "art17-1a")
		real = w.svc.EraseCase(w.ctx, west, westToken, storetest.Password, second, "Erased at the request of the family", "art17-1a")
		if waymark.ErrorCode(real) != waymark.ENOTFOUND || real.Error() != madeUp.Error() {
			t.Errorf("erasing another partnership's case: %v; a made-up id: %v", real, madeUp)
		}
		if _, err := w.svc.Case(w.ctx, w.SocialWorker, second); err != nil {
			t.Errorf("the case's own team after another partnership's lead tried to erase it: %v", err)
		}

		if row, err := w.svc.ResolveCase(w.ctx, north, ref); err != nil || row.ID != w.caseID {
			t.Errorf("the case's own lead looking it up: %+v, %v", row, err)
		}
		if x, err := w.svc.ExportCase(w.ctx, north, northToken, storetest.Password, w.caseID); err != nil || x.Child.FullName() == "" {
			t.Errorf("the case's own lead exporting it: %v", err)
		}
	})
}

// A machine client is told to the leads of its own partnership only:
// another partnership's leads learn nothing of its organisation, name or
// custodian.
func TestAMachineClientIsToldOnlyToItsOwnPartnershipsLeads(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		w := newHandOverWorld(t, db)
		sess := w.session(w.CSAdmin)
		if err := w.svc.Reauthenticate(w.ctx, w.CSAdmin, sess, storetest.Password); err != nil {
			t.Fatal(err)
		}
		_, err := w.svc.CreateMachineClient(w.ctx, w.CSAdmin, sess, casework.NewMachineClient{OrgID: w.ChildrensServices.ID, Name: "Northshire case system link",
			Scopes: []string{casework.ScopeRead}, TTL: 24 * time.Hour, CustodianEmail: w.CSWorker.User.Email})
		if err != nil {
			t.Fatal(err)
		}
		for _, lead := range []casework.Viewer{w.northLead, w.southLead, w.westLead} {
			alerts, _, err := w.svc.AlertsPage(w.ctx, lead, nil)
			if err != nil {
				t.Fatal(err)
			}
			if own := lead.User.ID == w.northLead.User.ID; own != (len(alerts) == 1) {
				t.Errorf("%s (own partnership %v) has %d alerts: %+v", lead.User.Name, own, len(alerts), alerts)
			}
		}
	})
}

// Emergency access reaches the cases of the viewer's own partnership only:
// another partnership's case is answered as a reference that does not
// exist, no grant is made and no lead is alerted.
func TestBreakGlassDoesNotReachAnotherPartnershipsCase(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		w := newHandOverWorld(t, db)
		south := signInPerson(w, "sam", "org-south-cs", pathway.RoleSocialWorker)
		tok := w.session(south)
		if err := w.svc.Reauthenticate(w.ctx, south, tok, storetest.Password); err != nil {
			t.Fatal(err)
		}
		ref := w.loadCase(w.caseID).Reference()
		const why = "The child came to our hospital overnight and we need their history"
		_, _, madeUp := w.svc.BreakGlass(w.ctx, south, tok, "CS-2026-999999", why)
		_, g, real := w.svc.BreakGlass(w.ctx, south, tok, ref, why)
		if real == nil || madeUp == nil || real.Error() != madeUp.Error() || g.ID != "" {
			t.Fatalf("breaking glass into another partnership's case: grant %q, %v; a made-up reference: %v", g.ID, real, madeUp)
		}
		if _, err := w.svc.Case(w.ctx, south, w.caseID); waymark.ErrorCode(err) != waymark.ENOTFOUND {
			t.Errorf("the other partnership's worker opens the case: %v", err)
		}
		if alerts, _, err := w.svc.AlertsPage(w.ctx, w.northLead, nil); err != nil || len(alerts) != 0 {
			t.Errorf("the case's lead was alerted of a grant never made: %+v, %v", alerts, err)
		}
	})
}

// The retention review lists a partnership's own closed cases and unsent
// drafts only, and its reviewer can keep or delete only those: another
// partnership's are answered as ids that are not due.
func TestTheRetentionReviewKeepsToTheReviewersPartnership(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		w := newHandOverWorld(t, db)
		w.svc.Retention = casework.RetentionPolicy{ClosedCaseYears: 1, UnsentDraftDays: 10, AuditYears: 50}
		w.outcome(w.caseID)
		w.closeCase(w.caseID)
		d, err := w.svc.NewDraft(w.ctx, w.Colleague)
		if err != nil {
			t.Fatal(err)
		}
		w.clock.Advance(400 * 24 * time.Hour)
		for _, lead := range []casework.Viewer{w.southLead, w.westLead} {
			items, err := w.svc.RetentionReview(w.ctx, lead)
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range items {
				if it.Kind != casework.ReviewAuditLog {
					t.Errorf("%s, of another partnership, is shown %s %s (%q)", lead.User.Name, it.Kind, it.ID, it.Owner)
				}
			}
			if err := w.svc.KeepRecord(w.ctx, lead, casework.ReviewClosedCase, w.caseID, "Kept by another partnership"); waymark.ErrorCode(err) != waymark.ENOTFOUND {
				t.Errorf("%s keeps another partnership's case: %v", lead.User.Name, err)
			}
			if err := w.svc.DeleteUnsentDraft(w.ctx, lead, d.ID); waymark.ErrorCode(err) != waymark.ENOTFOUND {
				t.Errorf("%s deletes another partnership's draft: %v", lead.User.Name, err)
			}
		}
		items, err := w.svc.RetentionReview(w.ctx, w.northLead)
		if err != nil {
			t.Fatal(err)
		}
		var cases, drafts int
		for _, it := range items {
			switch {
			case it.Kind == casework.ReviewClosedCase && it.ID == w.caseID:
				cases++
			case it.Kind == casework.ReviewUnsentDraft && it.ID == d.ID:
				drafts++
			}
		}
		if cases != 1 || drafts != 1 {
			t.Errorf("the case's own lead is shown %+v", items)
		}
		if err := w.svc.DeleteUnsentDraft(w.ctx, w.northLead, d.ID); err != nil {
			t.Errorf("the own lead deletes the draft: %v", err)
		}
	})
}

// A case names only people and organisations of its own partnership (and
// of a partnership it is shared with): another partnership's person is
// answered as an address nobody has, whether invited to a meeting, named
// as an action's owner or as attending, and another partnership's
// organisations are neither offered nor accepted as the meeting's lead.
func TestACaseNamesOnlyItsOwnPartnershipsPeopleAndOrganisations(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		w := newHandOverWorld(t, db)
		err := db.Update(w.ctx, func(tx *store.Tx) error {
			if err := tx.InsertOrganisation(store.Organisation{ID: "org-south-police", Name: "Southshire Police", Kind: "police", FirstResponderDesignation: "police", CreatedAt: w.clock.Now()}); err != nil {
				return err
			}
			return tx.SetOrganisationPartnership("org-south-police", "southshire")
		})
		if err != nil {
			t.Fatal(err)
		}
		id := meetingCase(w.partnership)
		invite := func(email string) error {
			return w.meetingAct(w.SocialWorker, id, pathway.ConveneMeeting{Kind: pathway.MeetingStrategy, ScheduledFor: w.clock.Now().Add(time.Hour), InviteeEmails: []string{email}})
		}
		madeUp, other := invite("nobody@example.org"), invite(w.southWorker.User.Email)
		if other == nil || strings.ReplaceAll(other.Error(), w.southWorker.User.Email, "X") != strings.ReplaceAll(madeUp.Error(), "nobody@example.org", "X") {
			t.Fatalf("inviting another partnership's person: %v; an address nobody has: %v", other, madeUp)
		}
		orgs, err := w.svc.MeetingLeadOrganisations(w.ctx, w.loadCase(id))
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range orgs {
			if o.ID == "org-south-police" {
				t.Errorf("another partnership's police are offered as the meeting's lead: %+v", orgs)
			}
		}
		if len(orgs) == 0 {
			t.Error("no lead organisation is offered")
		}
		if err := invite("first.responder@police.example"); err != nil {
			t.Fatalf("inviting the case's own partnership's police: %v", err)
		}
		w.clock.Advance(2 * time.Hour) // the meeting has happened
		held := recordHeld(pathway.NRMSubmit, "org-south-police")
		// Answered as an organisation that is not on the list at all.
		f := waymark.ErrorFields(w.meetingAct(w.SocialWorker, id, held))
		if len(f) != 1 || f[0].Field != "leadOrgId" || !strings.Contains(f[0].Message, "Select an organisation from the list") {
			t.Errorf("another partnership's police as the meeting's lead: %+v", f)
		}
		if _, err := w.svc.Case(w.ctx, w.southWorker, id); waymark.ErrorCode(err) != waymark.ENOTFOUND {
			t.Errorf("another partnership's worker opens the case: %v", err)
		}
	})
}

// A case shared by an agreed hand-over may name the people of the
// partnership it is shared with: both teams work it (§4.3, §7.1).
func TestASharedCaseMayNameThePeopleOfThePartnershipItIsSharedWith(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		w := newHandOverWorld(t, db)
		id := meetingCase(w.partnership)
		invite := pathway.ConveneMeeting{Kind: pathway.MeetingStrategy, ScheduledFor: w.clock.Now().Add(time.Hour), InviteeEmails: []string{w.southWorker.User.Email}}
		if err := w.meetingAct(w.SocialWorker, id, invite); err == nil {
			t.Fatal("another partnership's worker was invited before any share")
		}
		if err := w.svc.AgreeHandOver(w.ctx, w.southLead, w.proposeCase(id, pathway.HandOverShare), "org-south-cs"); err != nil {
			t.Fatal(err)
		}
		if err := w.meetingAct(w.SocialWorker, id, invite); err != nil {
			t.Errorf("inviting the worker of the partnership the case is shared with: %v", err)
		}
	})
}

// Where a case's entities recur is told within its partnership only: a
// case of another partnership that shares a phone number is neither named
// nor counted (§4.3, §7.1), and the network page counts within the lead's
// partnership.
func TestRecurrenceIsToldWithinTheCasesPartnershipOnly(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		w := newHandOverWorld(t, db)
		a, b, _ := entityCases(w.partnership)
		recordPhone(w.partnership, a, "07700 900123")
		recordPhone(w.partnership, b, "07700 900123")
		south := w.southCase()
		w.southRecordsPhone(south, "+44 7700 900123")
		rec, err := w.svc.EntityRecurrence(w.ctx, w.SocialWorker, a)
		if err != nil {
			t.Fatal(err)
		}
		if len(rec) != 1 {
			t.Fatalf("recurrence %+v, want the phone in one other case", rec)
		}
		for _, r := range rec {
			if r.Others != 1 || len(r.Cases) != 1 || r.Cases[0].CaseID != b {
				t.Errorf("the phone is told as in %d other cases: %+v (want only Northshire's %s)", r.Others, r.Cases, b)
			}
		}
		network, _, err := w.svc.Network(w.ctx, w.northLead, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(network) != 1 || network[0].Count != 2 || len(network[0].Cases) != 2 {
			t.Errorf("Northshire's network: %+v, want the phone in its 2 cases", network)
		}
		for _, c := range network[0].Cases {
			if c.CaseID == south {
				t.Errorf("Northshire's network names Southshire's case")
			}
		}
	})
}

// Each partnership has a decision panel of its own people: another
// partnership's lead neither sees Northshire's panel nor can seat anyone on
// it, and a panel member they seat from their own partnership reads none of
// Northshire's referrals.
func TestEachPartnershipsPanelDecidesItsOwnReferralsOnly(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		w := newHandOverWorld(t, db)
		w.pilotPanel()
		id := w.raise()
		w.submitNRM(id)
		roster, err := w.svc.PanelRoster(w.ctx, w.westLead)
		if err != nil || len(roster) != 0 {
			t.Fatalf("Westshire's lead sees the panel %+v, %v", roster, err)
		}
		if err := w.svc.SeatPanelMember(w.ctx, w.westLead, w.SocialWorker.User.Email, pathway.PanelLocalAuthority); waymark.ErrorCode(err) != waymark.EINVALID {
			t.Errorf("Westshire's lead seats a Northshire worker: %v", err)
		}
		west := signInPerson(w, "wil", "org-west", pathway.RoleSocialWorker)
		if err := w.svc.SeatPanelMember(w.ctx, w.westLead, west.User.Email, pathway.PanelLocalAuthority); err != nil {
			t.Fatalf("Westshire's lead seats their own worker: %v", err)
		}
		if list, err := w.svc.PanelCases(w.ctx, west); err != nil || len(list) != 0 {
			t.Errorf("Westshire's panel member lists %d referrals (%v)", len(list), err)
		}
		if _, _, err := w.svc.PanelEvidence(w.ctx, west, id); waymark.ErrorCode(err) != waymark.ENOTFOUND {
			t.Errorf("Westshire's panel member reads Northshire's evidence pack: %v", err)
		}
		if roster, err := w.svc.PanelRoster(w.ctx, w.northLead); err != nil || len(roster) != 4 {
			t.Errorf("Northshire's lead sees %d panel members (%v), want its 4", len(roster), err)
		}
		if list, err := w.svc.PanelCases(w.ctx, w.Colleague); err != nil || len(list) != 1 {
			t.Errorf("Northshire's chair lists %d referrals (%v), want 1", len(list), err)
		}
	})
}

// A case's commands name only people and machine clients of the
// partnerships the case may name: another partnership's worker cannot be
// assigned or given the child's whereabouts, and its machine client cannot
// be given access, each answered as someone or something that does not
// exist. Recurrence on a case shared with another partnership tells each
// viewer of their own partnership's cases only: a share opens one case,
// not the rest of the other partnership's.
func TestACasesCommandsNameNobodyOfAnotherPartnership(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		w := newHandOverWorld(t, db)
		act := func(v casework.Viewer, cmd pathway.Command) error {
			return w.svc.Act(w.ctx, v, w.caseID, w.version(w.caseID), cmd)
		}
		south := w.southWorker.User.Email
		madeUp := act(w.CSWorker, pathway.AssignWorker{WorkerEmail: "nobody@example.org"})
		other := act(w.CSWorker, pathway.AssignWorker{WorkerEmail: south})
		if other == nil || other.Error() != madeUp.Error() {
			t.Errorf("assigning another partnership's worker: %v; an address nobody has: %v", other, madeUp)
		}
		const why = "Officer in the case needs to know where the child is"
		madeUp = act(w.SocialWorker, pathway.GrantWhereaboutsAccess{Email: "nobody@example.org", Reason: why})
		other = act(w.SocialWorker, pathway.GrantWhereaboutsAccess{Email: south, Reason: why})
		if other == nil || other.Error() != madeUp.Error() {
			t.Errorf("giving another partnership's worker the whereabouts: %v; an address nobody has: %v", other, madeUp)
		}
		sess := w.session(w.CSAdmin)
		if err := w.svc.Reauthenticate(w.ctx, w.CSAdmin, sess, storetest.Password); err != nil {
			t.Fatal(err)
		}
		mc, err := w.svc.CreateMachineClient(w.ctx, w.CSAdmin, sess, casework.NewMachineClient{OrgID: "org-south-cs", Name: "Southshire case system link",
			Scopes: []string{casework.ScopeRead}, TTL: 24 * time.Hour, CustodianEmail: south})
		if err != nil {
			t.Fatal(err)
		}
		const reason = "Copies the referral into the council's case management system"
		madeUp = act(w.SocialWorker, pathway.GiveClientAccess{ClientID: "client-nobody", Reason: reason})
		other = act(w.SocialWorker, pathway.GiveClientAccess{ClientID: mc.ID, Reason: reason})
		if other == nil || strings.ReplaceAll(other.Error(), mc.ID, "X") != strings.ReplaceAll(madeUp.Error(), "client-nobody", "X") {
			t.Errorf("giving another partnership's machine client access: %v; a client that does not exist: %v", other, madeUp)
		}
		if _, err := w.svc.Case(w.ctx, w.southWorker, w.caseID); waymark.ErrorCode(err) != waymark.ENOTFOUND {
			t.Errorf("another partnership's worker opens the case: %v", err)
		}

		a, b, _ := entityCases(w.partnership)
		recordPhone(w.partnership, a, "07700 900123")
		recordPhone(w.partnership, b, "07700 900123")
		theirs, err := w.svc.RaiseConcern(w.ctx, w.southWorker, storetest.ValidConcern(w.clock.Now()))
		if err != nil {
			t.Fatal(err)
		}
		if err := w.svc.Act(w.ctx, w.southWorker, theirs, w.version(theirs), pathway.RecordEntity{Kind: pathway.EntityPhone, Value: "07700 900123", Role: pathway.EntityRoleContact}); err != nil {
			t.Fatal(err)
		}
		if err := w.svc.AgreeHandOver(w.ctx, w.southLead, w.proposeCase(a, pathway.HandOverShare), "org-south-cs"); err != nil {
			t.Fatal(err)
		}
		rec, err := w.svc.EntityRecurrence(w.ctx, w.SocialWorker, a)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rec {
			if r.Others != 1 || len(r.Cases) != 1 || r.Cases[0].CaseID != b {
				t.Errorf("on the shared case, Northshire is told of %d other cases: %+v (want only its own %s)", r.Others, r.Cases, b)
			}
		}
	})
}

// Each partnership keeps its own dated settings: another partnership's
// lead neither reads Northshire's nor changes them, and a change they
// record for their own does not move where Northshire's NRM decisions go.
func TestEachPartnershipKeepsItsOwnSettings(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		w := newHandOverWorld(t, db)
		w.pilotPanel() // Northshire: a pilot site with a panel from 1 January 2026
		if h, err := w.svc.SettingHistory(w.ctx, w.westLead); err != nil || len(h) != 0 {
			t.Fatalf("Westshire's lead reads the settings %+v, %v", h, err)
		}
		if _, err := w.svc.RecordSetting(w.ctx, w.westLead, pathway.SettingChange{Key: pathway.SettingDDMPilot, Value: "no", From: "2026-01-01", Reason: "Westshire is not a pilot site"}); err != nil {
			t.Fatalf("Westshire's lead records their own setting: %v", err)
		}
		north, err := w.svc.SettingHistory(w.ctx, w.CSAdmin)
		if err != nil || len(north) != 2 {
			t.Fatalf("Northshire's settings after Westshire's change: %+v, %v", north, err)
		}
		id := w.raise()
		w.submitNRM(id)
		if !w.loadCase(id).NRM.DecisionRouting().ByPanel() {
			t.Error("Westshire's setting moved Northshire's NRM decision away from its panel")
		}
	})
}

// The network is counted, ordered and paged among the lead's own
// partnership's cases (§6.8; migration 0042): a phone in two Northshire
// cases and many Southshire ones is not put first, or told apart, because
// of Southshire's, and Southshire's recurring entities, however many, do
// not push Northshire's off its first page.
func TestTheNetworkIsCountedAndPagedWithinTheLeadsPartnership(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		w := newHandOverWorld(t, db)
		a, b, c := entityCases(w.partnership)
		recordPhone(w.partnership, a, "07700 900111") // in two Northshire cases, and in Southshire's below
		recordPhone(w.partnership, b, "07700 900111")
		for _, id := range []string{a, b, c} { // in three Northshire cases
			recordPhone(w.partnership, id, "07700 900333")
		}
		// Two Southshire cases that share the first phone and 30 more.
		for range 2 {
			south := w.southCase()
			w.southRecordsPhone(south, "07700 900111")
			for i := range 30 {
				w.southRecordsPhone(south, fmt.Sprintf("07700 9%05d", 50000+i))
			}
		}
		network, page, err := w.svc.Network(w.ctx, w.northLead, nil)
		if err != nil {
			t.Fatal(err)
		}
		var counts []int
		for _, r := range network {
			counts = append(counts, r.Count)
			for _, c := range r.Cases {
				if c.TeamOrgID == "org-south-cs" {
					t.Errorf("Northshire's network names Southshire's case %s", c.CaseID)
				}
			}
		}
		if !slices.Equal(counts, []int{3, 2}) || page.Next != nil {
			t.Errorf("Northshire's network: counts %v, next page %v; want the phone in 3 of its cases, then the one in 2, on one page", counts, page.Next)
		}
		south, page, err := w.svc.Network(w.ctx, w.southLead, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(south) != casework.NetworkPageSize || page.Next == nil {
			t.Fatalf("Southshire's network: %d entities, next page %v; want a full page and another", len(south), page.Next)
		}
		for _, r := range south {
			if r.Count != 2 {
				t.Errorf("Southshire's network counts %d cases for %s, want its own 2", r.Count, r.Fingerprint())
			}
		}
		rest, page, err := w.svc.Network(w.ctx, w.southLead, page.Next)
		if err != nil || len(rest) != 31-casework.NetworkPageSize || page.Next != nil {
			t.Errorf("Southshire's second page: %d entities, next %v, %v; want the last %d", len(rest), page.Next, err, 31-casework.NetworkPageSize)
		}
		// Southshire's team joins the first partnership: its cases' entities
		// and counts go with it.
		if err := db.Update(w.ctx, func(tx *store.Tx) error {
			return tx.SetOrganisationPartnership("org-south-cs", pathway.DefaultPartnership)
		}); err != nil {
			t.Fatal(err)
		}
		if network, _, err = w.svc.Network(w.ctx, w.northLead, nil); err != nil || len(network) != casework.NetworkPageSize || network[0].Count != 4 {
			t.Errorf("the first partnership's network once Southshire's team joined it: %d entities, first %+v, %v; want a full page, the shared phone in 4 cases first", len(network), network[:min(1, len(network))], err)
		}
		if south, _, err = w.svc.Network(w.ctx, w.southLead, nil); err != nil || len(south) == 0 || south[0].Count != 4 {
			t.Errorf("Southshire's lead, whose team moved with it: %d entities, %v; want the first partnership's network", len(south), err)
		}
		if west, _, err := w.svc.Network(w.ctx, w.westLead, nil); err != nil || len(west) != 0 {
			t.Errorf("Westshire's network: %d entities, %v; want none", len(west), err)
		}
	})
}

// On PostgreSQL a team may record an entity, or a case be erased, while an
// administrator moves its organisation to another partnership. Each save
// waits for the move and works on the rows as the move left them, so the
// network is counted where the cases now are, an erased case is not
// counted, and verify finds nothing amiss. (SQLite lets one writer in at a
// time, so the two cannot overlap there.)
func TestEntitiesSavedDuringAnOrganisationsMoveAreCountedWhereTheCasesAreNow(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		if db.Dialect != store.Postgres {
			t.Skip("SQLite writers take turns")
		}
		w := newHandOverWorld(t, db)
		a, _, _ := entityCases(w.partnership)
		recordPhone(w.partnership, a, "07700 900777")
		recording, erased := w.southCase(), w.southCase()
		w.southRecordsPhone(recording, "07700 900777") // filed in Southshire before the move
		w.southRecordsPhone(erased, "07700 900777")
		version := w.southVersion(recording)
		commit := holdOrganisationMove(t, w, "org-south-cs", pathway.DefaultPartnership)
		saved := make(chan error, 2)
		go func() {
			saved <- w.svc.Act(w.ctx, w.southWorker, recording, version, pathway.RecordEntity{Kind: pathway.EntityPhone, Value: "07700 900778", Role: pathway.EntityRoleContact})
		}()
		go func() {
			saved <- db.Update(w.ctx, func(tx *store.Tx) error {
				return tx.EraseCase(store.Erasure{CaseID: erased, At: w.clock.Now(), By: w.southLead.User.ID, Reason: "Raised about the wrong child", LegalBasis: "Article 17(1)(d)"})
			})
		}()
		waitForLockWaiters(t, w, 2) // both saves wait for the move
		if err := commit(); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if err := <-saved; err != nil {
				t.Fatal(err)
			}
		}
		rows, err := db.SQL().QueryContext(w.ctx, `SELECT partnership_id FROM entity_keys WHERE case_id = $1`, recording)
		if err != nil {
			t.Fatal(err)
		}
		var filed []string
		for rows.Next() {
			var p string
			if err := rows.Scan(&p); err != nil {
				t.Fatal(err)
			}
			filed = append(filed, p)
		}
		rows.Close()
		if !slices.Equal(filed, []string{pathway.DefaultPartnership, pathway.DefaultPartnership}) {
			t.Errorf("the recording case's entities are filed under %q, want both where its team moved to", filed)
		}
		network, _, err := w.svc.Network(w.ctx, w.northLead, nil)
		if err != nil || len(network) != 1 || network[0].Count != 2 || len(network[0].Cases) != 2 {
			t.Errorf("the network where the cases are now: %+v, %v; want the phone in 2 cases (the erased one not counted)", network, err)
		}
		if _, err := db.Verify(w.ctx, store.VerifyOptions{ReadModels: true}); err != nil {
			t.Errorf("verify after the move: %v", err)
		}
	})
}

// southCase raises a concern as Southshire's worker and returns its id.
func (w *handOverWorld) southCase() string {
	w.t.Helper()
	id, err := w.svc.RaiseConcern(w.ctx, w.southWorker, storetest.ValidConcern(w.clock.Now()))
	if err != nil {
		w.t.Fatal(err)
	}
	return id
}

// southVersion is the version of Southshire's case as its worker sees it.
func (w *handOverWorld) southVersion(id string) int {
	w.t.Helper()
	v, err := w.svc.Case(w.ctx, w.southWorker, id)
	if err != nil {
		w.t.Fatal(err)
	}
	return v.Case.Version
}

// southRecordsPhone has Southshire's worker record a phone number on its case.
func (w *handOverWorld) southRecordsPhone(id, number string) {
	w.t.Helper()
	if err := w.svc.Act(w.ctx, w.southWorker, id, w.southVersion(id), pathway.RecordEntity{Kind: pathway.EntityPhone, Value: number, Role: pathway.EntityRoleContact}); err != nil {
		w.t.Fatalf("Southshire records a phone: %v", err)
	}
}

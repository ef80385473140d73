package casework_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/notify"
	"waymark/internal/notify/notifytest"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

const emergencyReason = "Police called at 02:10: the child was found at a bus station and we need the safety plan now"

// lead adds the partnership lead, who is told of every break-glass grant.
func (p *partnership) lead() casework.Viewer {
	p.t.Helper()
	u := store.User{ID: "user-lead", OrgID: p.ChildrensServices.ID, Email: "lead@partnership.example", Name: "Lee Lead", Role: pathway.RolePartnershipLead, CreatedAt: p.clock.Now()}
	err := p.db.Update(p.ctx, func(tx *store.Tx) error {
		if err := tx.InsertUser(u); err != nil {
			return err
		}
		return casework.EnrolTOTP(tx, u.ID, storetest.TOTPSecret, p.clock.Now())
	})
	if err != nil {
		p.t.Fatal(err)
	}
	var stored store.User
	p.db.Update(p.ctx, func(tx *store.Tx) error { stored, err = tx.UserByID(u.ID); return err })
	return casework.Viewer{User: stored}
}

// session signs v in and returns the session token.
func (p *partnership) session(v casework.Viewer) string {
	p.t.Helper()
	token, _, _, err := p.svc.SignIn(p.ctx, v.User.Email, storetest.Password, p.code(v.User.Email))
	if err != nil {
		p.t.Fatalf("signing in %s: %v", v.User.Email, err)
	}
	return token
}

// §6.5: someone outside a case gets emergency access at once with a written
// reason, after proving who they are again; it is audited, alerted to the
// partnership lead in Waymark and by an email that says nothing, and ends
// by itself.
func TestBreakGlassGivesTimeLimitedAccessAndTellsTheLead(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		relay := notifytest.New(t)
		p.svc.Access.Mailer = &notify.Mailer{Addr: relay.Addr, From: "waymark@partnership.example"}
		p.svc.Access.PublicURL = "https://waymark.partnership.example"
		lead := p.lead()
		id := p.raise()
		ref := p.contact(id)

		if _, err := p.svc.Case(p.ctx, p.GPDoctor, id); waymark.ErrorCode(err) != waymark.ENOTFOUND {
			t.Fatalf("the GP sees a case they are not on: %v", err)
		}
		token := p.session(p.GPDoctor)
		p.clock.Advance(p.svc.Access.ReauthWithin + time.Minute)
		if _, _, err := p.svc.BreakGlass(p.ctx, p.GPDoctor, token, ref, emergencyReason); !errors.Is(err, casework.ErrReauthenticate) {
			t.Fatalf("break-glass without re-authenticating: %v", err)
		}
		if err := p.svc.Reauthenticate(p.ctx, p.GPDoctor, token, storetest.Password); err != nil {
			t.Fatal(err)
		}
		from := p.auditHead()
		caseID, grant, err := p.svc.BreakGlass(p.ctx, p.GPDoctor, token, strings.ToLower(ref), emergencyReason)
		if err != nil || caseID != id || grant.ID == "" {
			t.Fatalf("break-glass: %q %+v %v", caseID, grant, err)
		}
		if want := p.clock.Now().Add(4 * time.Hour); !grant.ExpiresAt.Equal(want) {
			t.Errorf("grant lasts until %v, want %v (4 hours)", grant.ExpiresAt, want)
		}
		entries := p.auditSince(from)
		if len(entries) == 0 || entries[len(entries)-1].Action != casework.ActionBreakGlass || entries[len(entries)-1].CaseID != id || strings.Contains(entries[len(entries)-1].Detail, "bus station") {
			t.Fatalf("audit %+v: want case.break_glass on the case, without the reason", entries)
		}

		view, err := p.svc.Case(p.ctx, p.GPDoctor, id)
		if err != nil || !view.Membership.Team() || view.EmergencyUntil == nil || !view.EmergencyUntil.Equal(grant.ExpiresAt) {
			t.Fatalf("with emergency access: %+v %v", view.Membership, err)
		}
		team, _ := p.svc.Case(p.ctx, p.CSWorker, id)
		if len(view.Events) != len(team.Events) {
			t.Errorf("emergency access shows %d events, the team sees %d", len(view.Events), len(team.Events))
		}

		alerts, _, err := p.svc.AlertsPage(p.ctx, lead, nil)
		if err != nil || len(alerts) != 1 || alerts[0].Grant.Reason != emergencyReason || alerts[0].Grant.UserName != p.GPDoctor.User.Name || alerts[0].Grant.CaseReference != ref {
			t.Fatalf("the lead's alerts: %+v %v", alerts, err)
		}
		if _, _, err := p.svc.AlertsPage(p.ctx, p.CSWorker, nil); waymark.ErrorCode(err) != waymark.EFORBIDDEN {
			t.Fatalf("a worker reading the leads' alerts: %v", err)
		}

		if n, err := p.svc.DeliverAlertEmails(p.ctx); n != 1 || err != nil {
			t.Fatalf("emails sent %d, %v", n, err)
		}
		mails := relay.Wait(1, 5*time.Second)
		if len(mails) != 1 || mails[0].To[0] != lead.User.Email || !strings.Contains(mails[0].Data, "https://waymark.partnership.example/alerts") {
			t.Fatalf("emails %+v", mails)
		}
		for _, secret := range []string{"Amira", "Example", ref, "bus station", p.GPDoctor.User.Name, id} {
			if strings.Contains(mails[0].Data, secret) {
				t.Errorf("the email gives away %q:\n%s", secret, mails[0].Data)
			}
		}
		if n, _ := p.svc.DeliverAlertEmails(p.ctx); n != 0 {
			t.Fatalf("the alert was emailed again (%d)", n)
		}

		p.clock.Set(grant.ExpiresAt)
		if _, err := p.svc.Case(p.ctx, p.GPDoctor, id); waymark.ErrorCode(err) != waymark.ENOTFOUND {
			t.Fatalf("emergency access outlived its time: %v", err)
		}
	})
}

func TestBreakGlassRefusals(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id := p.raise()
		token := p.session(p.GPDoctor)
		for _, tc := range []struct {
			name, ref, reason, field string
		}{
			{"no reason", id, "", "reason"},
			{"a reason too short to mean anything", id, "urgent", "reason"},
			{"no such case", "CS-2026-999999", emergencyReason, "case"},
			{"no case named", "", emergencyReason, "case"},
		} {
			_, _, err := p.svc.BreakGlass(p.ctx, p.GPDoctor, token, tc.ref, tc.reason)
			if waymark.ErrorCode(err) != waymark.EINVALID || fieldOf(err) != tc.field {
				t.Errorf("%s: %v (field %q)", tc.name, err, fieldOf(err))
			}
		}
		if n := p.count(`SELECT COUNT(*) FROM break_glass_grants`); n != 0 {
			t.Fatalf("%d grants after refusals", n)
		}
		admin := p.session(p.CSAdmin)
		if _, _, err := p.svc.BreakGlass(p.ctx, p.CSAdmin, admin, id, emergencyReason); waymark.ErrorCode(err) != waymark.EFORBIDDEN {
			t.Fatalf("an administrator breaking the glass: %v", err)
		}
		teacher := p.session(p.Teacher)
		caseID, grant, err := p.svc.BreakGlass(p.ctx, p.Teacher, teacher, id, emergencyReason)
		if err != nil || caseID != id || grant.ID != "" {
			t.Fatalf("a member asking: %q %+v %v", caseID, grant, err)
		}
		if n := p.count(`SELECT COUNT(*) FROM break_glass_grants`); n != 0 {
			t.Fatal("a member was given a grant they do not need")
		}
	})
}

// An email that could not be sent is tried again, and never sent twice.
func TestAlertEmailsAreRetriedUntilSent(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		relay := notifytest.New(t)
		p.svc.Access.Mailer = &notify.Mailer{Addr: relay.Addr, From: "waymark@partnership.example"}
		p.lead()
		id := p.raise()
		if _, _, err := p.svc.BreakGlass(p.ctx, p.GPDoctor, p.session(p.GPDoctor), id, emergencyReason); err != nil {
			t.Fatal(err)
		}
		relay.SetFailing(true)
		if n, err := p.svc.DeliverAlertEmails(p.ctx); n != 0 || err != nil {
			t.Fatalf("sent %d to a failing relay, %v", n, err)
		}
		relay.SetFailing(false)
		if n, err := p.svc.DeliverAlertEmails(p.ctx); n != 1 || err != nil {
			t.Fatalf("retry sent %d, %v", n, err)
		}
		p.clock.Advance(time.Hour) // long after any claim on it has lapsed
		if n, _ := p.svc.DeliverAlertEmails(p.ctx); n != 0 || len(relay.Mails()) != 1 {
			t.Fatalf("sent twice: %d", len(relay.Mails()))
		}
		var action string
		db.SQL().QueryRow(`SELECT action FROM audit_log WHERE action = $1`, casework.ActionBreakGlass).Scan(&action)
		if action != casework.ActionBreakGlass {
			t.Fatal("no case.break_glass audit entry")
		}
	})
}

// Emergency access cannot be hidden from the partnership lead: deleting the
// alert, or the grant with it, leaves the keyed `case.break_glass` entry,
// and verify names the access.
func TestHiddenBreakGlassUseIsNamedByVerify(t *testing.T) {
	for _, tc := range []struct {
		name string
		sql  []string
		want string
	}{
		{"the alert deleted", []string{`DELETE FROM alerts`}, "alerts were deleted"},
		{"the alert and the grant deleted", []string{`DELETE FROM alerts`, `DELETE FROM break_glass_grants`}, "the grant is gone"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
				p := newPartnership(t, db)
				p.lead()
				id := p.raise()
				ref := p.contact(id)
				token := p.session(p.GPDoctor)
				if _, _, err := p.svc.BreakGlass(p.ctx, p.GPDoctor, token, ref, emergencyReason); err != nil {
					t.Fatal(err)
				}
				if _, err := db.Verify(p.ctx, store.VerifyOptions{ReadModels: true}); err != nil {
					t.Fatalf("untouched: %v", err)
				}
				for _, q := range tc.sql {
					if _, err := db.SQL().Exec(q); err != nil {
						t.Fatal(err)
					}
				}
				_, err := db.Verify(p.ctx, store.VerifyOptions{ReadModels: true})
				var te *store.TamperError
				if !errors.As(err, &te) || te.CaseID != id || !strings.Contains(te.Reason, tc.want) {
					t.Fatalf("verify after %s: %v", tc.name, err)
				}
			})
		})
	}
}

// Alerts name cases and carry the reasons given, and they come a page at a
// time: the entry of a reading records which alerts, and which cases, the
// lead was shown, as the case lists record the cases they showed.
func TestReadingTheAlertsRecordsWhichAlertsAndCasesWereShown(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		lead := p.lead()
		token := p.session(p.GPDoctor)
		var cases []string
		for range 2 {
			id := p.raise()
			ref := p.contact(id)
			if _, _, err := p.svc.BreakGlass(p.ctx, p.GPDoctor, token, ref, emergencyReason); err != nil {
				t.Fatal(err)
			}
			cases = append(cases, id)
		}
		from := p.auditHead()
		alerts, _, err := p.svc.AlertsPage(p.ctx, lead, nil)
		if err != nil || len(alerts) != 2 {
			t.Fatalf("the lead's alerts: %+v %v", alerts, err)
		}
		entries := p.auditSince(from)
		if len(entries) != 1 || entries[0].Action != casework.ActionAlertsViewed {
			t.Fatalf("audit %+v: want one alerts.viewed entry", entries)
		}
		for _, a := range alerts {
			if !strings.Contains(entries[0].Detail, a.ID+" case "+a.Grant.CaseID) {
				t.Errorf("the entry %q does not say alert %s on case %s was shown", entries[0].Detail, a.ID, a.Grant.CaseID)
			}
		}
		for _, id := range cases {
			if !strings.Contains(entries[0].Detail, id) {
				t.Errorf("the entry %q does not name case %s", entries[0].Detail, id)
			}
		}
		if strings.Contains(entries[0].Detail, "bus station") {
			t.Errorf("the entry %q carries the reason given", entries[0].Detail)
		}
	})
}

// Confirming who one is before a change is not the change: its write does
// not count as the request's change saved (store.NoteCommits), so a
// break-glass refused as busy after it is not told it was saved.
func TestReauthenticatingIsNotCountedAsTheRequestsChange(t *testing.T) {
	p := newPartnership(t, storetest.SQLite(t))
	token := p.session(p.GPDoctor)
	ctx := store.NoteCommits(p.ctx)
	if err := p.svc.Reauthenticate(ctx, p.GPDoctor, token, storetest.Password); err != nil {
		t.Fatal(err)
	}
	if store.Committed(ctx) {
		t.Error("re-authenticating counted as the request's change")
	}
}

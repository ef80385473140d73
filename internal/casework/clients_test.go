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

const clientReason = "Copies the referral and outcome into the council's case management system"

// custodianOf is the person of org who collects its machine clients' tokens.
func (p *partnership) custodianOf(org string) casework.Viewer {
	switch org {
	case p.Police.ID:
		return p.PoliceLead
	case p.School.ID:
		return p.Teacher
	}
	return p.CSWorker
}

// machineClient has the administrator, signed in and confirmed, make a
// machine client owned by org, and its custodian collect the token; it
// returns the client and its token.
func (p *partnership) machineClient(org string, scopes ...string) (store.MachineClient, string) {
	p.t.Helper()
	sess := p.session(p.CSAdmin)
	custodian := p.custodianOf(org)
	c, err := p.svc.CreateMachineClient(p.ctx, p.CSAdmin, sess, casework.NewMachineClient{OrgID: org, Name: "Case system link", Scopes: scopes, TTL: 90 * 24 * time.Hour,
		CustodianEmail: custodian.User.Email})
	if err != nil {
		p.t.Fatalf("making a machine client: %v", err)
	}
	tok, c, err := p.svc.IssueMachineClientToken(p.ctx, custodian, p.session(custodian), c.ID)
	if err != nil {
		p.t.Fatalf("collecting a machine client's token: %v", err)
	}
	return c, tok
}

// bearer is who a bearer token is, or the refusal.
func (p *partnership) bearer(token string) (casework.Viewer, error) {
	return p.svc.AuthenticateAPIToken(p.ctx, token)
}

func (p *partnership) mustBearer(token string) casework.Viewer {
	p.t.Helper()
	v, err := p.bearer(token)
	if err != nil {
		p.t.Fatalf("a good token was refused: %v", err)
	}
	return v
}

// Finding 1 of issue 8: an administrator could make a token for another
// person's email and read every case that person could see. No credential
// acts as anyone but the person who made it: an administrator's token is
// the administrator, who sees no case data.
func TestAnAdministratorCannotMintATokenThatActsAsSomeoneElse(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id := p.raise()
		sess := p.session(p.CSAdmin)
		tok, a, err := p.svc.CreateAPIToken(p.ctx, p.CSAdmin, sess, "Admin's own", []string{casework.ScopeRead}, 24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if a.UserID != p.CSAdmin.User.ID || p.count(`SELECT COUNT(*) FROM api_tokens WHERE user_id <> $1`, p.CSAdmin.User.ID) != 0 {
			t.Fatalf("a token for someone other than its maker: %+v", a)
		}
		v := p.mustBearer(tok)
		if v.User.ID != p.CSAdmin.User.ID {
			t.Fatalf("the administrator's token acts as %s", v.User.ID)
		}
		if _, err := p.svc.Case(p.ctx, v, id); waymark.ErrorCode(err) != waymark.ENOTFOUND {
			t.Fatalf("the administrator's token reads a case: %v", err)
		}
		if _, _, err := p.svc.MyCasesPage(p.ctx, v, nil); waymark.ErrorCode(err) != waymark.EFORBIDDEN {
			t.Fatalf("the administrator's token lists cases: %v", err)
		}
		// A token cannot make tokens, and a machine client is never a person.
		if _, _, err := p.svc.CreateAPIToken(p.ctx, v, tok, "Another", []string{casework.ScopeRead}, time.Hour); waymark.ErrorCode(err) != waymark.EFORBIDDEN {
			t.Fatalf("a token made a token: %v", err)
		}
		_, ctok := p.machineClient(p.ChildrensServices.ID, casework.ScopeWrite)
		client := p.mustBearer(ctok)
		if _, _, err := p.svc.CreateAPIToken(p.ctx, client, ctok, "Mine", []string{casework.ScopeRead}, time.Hour); waymark.ErrorCode(err) != waymark.EFORBIDDEN {
			t.Fatalf("a machine client made a personal token: %v", err)
		}
	})
}

// A machine client owned by Children's Services is not a member of
// Children's Services' cases: it sees a case only once the case's team gave
// it access, an event in the case's log, and no longer once withdrawn.
func TestAMachineClientSeesOnlyCasesItIsAMemberOf(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		given, other := p.raise(), p.raise(func(c *pathway.Concern) { c.Child.GivenNames = "Bora" })
		p.contact(given)
		p.contact(other)
		mc, tok := p.machineClient(p.ChildrensServices.ID, casework.ScopeWrite)
		client := p.mustBearer(tok)
		if !strings.HasPrefix(client.User.ID, store.MachineClientIDPrefix) || client.User.OrgID != "" || !client.IsMachineClient() {
			t.Fatalf("the client's viewer %+v: want its own id and no organisation membership", client.User)
		}

		if cs, _, err := p.svc.MyCasesPage(p.ctx, client, nil); err != nil || len(cs) != 0 {
			t.Fatalf("before any access, the client lists %v (%v)", ids(cs), err)
		}
		if cs, _, err := p.svc.SearchPage(p.ctx, client, "Amira", nil); err != nil || len(cs) != 0 {
			t.Fatalf("before any access, the client finds %v (%v)", ids(cs), err)
		}
		if _, err := p.svc.Case(p.ctx, client, given); waymark.ErrorCode(err) != waymark.ENOTFOUND {
			t.Fatalf("before any access, the client reads the case: %v", err)
		}

		give := pathway.GiveClientAccess{ClientID: mc.ID, Reason: clientReason}
		// Who may not give access: the referrer, the administrator, the client itself.
		for name, v := range map[string]casework.Viewer{"the referrer": p.Teacher, "the administrator": p.CSAdmin, "the client": client} {
			before := p.version(given)
			err := p.svc.Act(p.ctx, v, given, before, give)
			if code := waymark.ErrorCode(err); code != waymark.EFORBIDDEN && code != waymark.ENOTFOUND {
				t.Errorf("%s gave a machine client access: %v", name, err)
			}
			if p.version(given) != before {
				t.Errorf("%s's refused command changed the case", name)
			}
		}
		if err := p.svc.Act(p.ctx, p.SocialWorker, given, p.version(given), pathway.GiveClientAccess{ClientID: "client-nobody", Reason: clientReason}); fieldOf(err) != "clientId" {
			t.Fatalf("access for an unknown client: %v", err)
		}
		if err := p.svc.Act(p.ctx, p.SocialWorker, given, p.version(given), give); err != nil {
			t.Fatalf("the social worker giving access: %v", err)
		}

		cs, _, err := p.svc.MyCasesPage(p.ctx, client, nil)
		if err != nil || len(cs) != 1 || cs[0].ID != given {
			t.Fatalf("the client lists %v (%v), want only the case it was given", ids(cs), err)
		}
		if cs, _, err := p.svc.SearchPage(p.ctx, client, "Amira", nil); err != nil || len(cs) != 1 || cs[0].ID != given {
			t.Fatalf("the client finds %v (%v), want only the case it was given", ids(cs), err)
		}
		view, err := p.svc.Case(p.ctx, client, given)
		if err != nil || !view.Membership.Is(pathway.MemberMachineClient) || view.Membership.Team() {
			t.Fatalf("the client reading its case: %+v %v", view.Membership, err)
		}
		if _, err := p.svc.Case(p.ctx, client, other); waymark.ErrorCode(err) != waymark.ENOTFOUND {
			t.Fatalf("the client reads a case of its organisation's team it was not given: %v", err)
		}
		// Write scope: a note, never a decision.
		if err := p.svc.Act(p.ctx, client, given, p.versionFor(client, given), pathway.AddNote{Text: "Copied to case system record 4471"}); err != nil {
			t.Fatalf("the client adding a note: %v", err)
		}
		before := p.rowCounts()
		if err := p.svc.RecordOutcome(p.ctx, client, given, p.versionFor(client, given), "assessment", "Assess"); waymark.ErrorCode(err) != waymark.EFORBIDDEN {
			t.Fatalf("the client recorded the outcome: %v", err)
		}
		p.wantNothingWritten(before)

		// Membership comes from the log: rebuilt read models keep it.
		if _, err := p.svc.RebuildReadModels(p.ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := p.svc.Case(p.ctx, client, given); err != nil {
			t.Fatalf("after a rebuild the client lost the case: %v", err)
		}

		if err := p.svc.Act(p.ctx, p.CSWorker, given, p.version(given), pathway.WithdrawClientAccess{ClientID: mc.ID}); err != nil {
			t.Fatalf("withdrawing access: %v", err)
		}
		if _, err := p.svc.Case(p.ctx, client, given); waymark.ErrorCode(err) != waymark.ENOTFOUND {
			t.Fatalf("after withdrawal the client still reads the case: %v", err)
		}
		if cs, _, _ := p.svc.MyCasesPage(p.ctx, client, nil); len(cs) != 0 {
			t.Fatalf("after withdrawal the client lists %v", ids(cs))
		}
		// Nor does its search find the case, from the same moment.
		if cs, _, err := p.svc.SearchPage(p.ctx, client, "Amira", nil); err != nil || len(cs) != 0 {
			t.Fatalf("after withdrawal the client finds %v (%v)", ids(cs), err)
		}
	})
}

// Every read and write of a machine client is recorded under the client's
// own id and its owning organisation, never a person's.
func TestAMachineClientIsAuditedAsItself(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id := p.raise()
		mc, tok := p.machineClient(p.Police.ID, casework.ScopeWrite)
		if err := p.svc.Act(p.ctx, p.SocialWorker, id, p.version(id), pathway.GiveClientAccess{ClientID: mc.ID, Reason: clientReason}); err != nil {
			t.Fatal(err)
		}
		client := p.mustBearer(tok)
		from := p.auditHead()
		if _, err := p.svc.Case(p.ctx, client, id); err != nil {
			t.Fatal(err)
		}
		if _, _, err := p.svc.MyCasesPage(p.ctx, client, nil); err != nil {
			t.Fatal(err)
		}
		if err := p.svc.Act(p.ctx, client, id, p.versionFor(client, id), pathway.AddNote{Text: "Synced"}); err != nil {
			t.Fatal(err)
		}
		_, _ = p.svc.Case(p.ctx, client, p.raise()) // refused: audited as a denial, still as the client
		entries := p.auditSince(from)
		if len(entries) < 4 {
			t.Fatalf("audit %+v", entries)
		}
		for _, e := range entries {
			if e.ActorID == mc.ID {
				if e.OrgID != p.Police.ID {
					t.Errorf("%s by the client recorded for organisation %q, want its owner %q", e.Action, e.OrgID, p.Police.ID)
				}
				continue
			}
			if e.Action != "concern.raised" && e.ActorID != "system" { // the teacher's concern in the middle, and Waymark's comparing it
				t.Errorf("%s recorded as %q, not as the machine client", e.Action, e.ActorID)
			}
		}
		c := p.loadCase(id)
		if n := c.Notes[len(c.Notes)-1]; n.By.UserID != mc.ID || n.By.Name != mc.Name {
			t.Errorf("the client's note is recorded as by %+v", n.By)
		}
	})
}

// A person's own token and a machine client stop working at the very next
// request once revoked — by its owner, by signing out with it, or by an
// administrator — and so does a token past its expiry.
func TestRevokedTokenStopsAtTheNextRequest(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		sess := p.session(p.SocialWorker)
		tok, a, err := p.svc.CreateAPIToken(p.ctx, p.SocialWorker, sess, "Laptop script", []string{casework.ScopeRead}, 30*24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		p.mustBearer(tok)
		list, err := p.svc.APITokens(p.ctx, p.SocialWorker)
		if err != nil || len(list) != 1 || list[0].ID != a.ID || list[0].TokenHash == tok {
			t.Fatalf("the worker's tokens: %+v %v", list, err)
		}
		// Someone else cannot revoke it, nor learn that it exists.
		if err := p.svc.RevokeAPIToken(p.ctx, p.CSWorker, a.ID); waymark.ErrorCode(err) != waymark.ENOTFOUND {
			t.Fatalf("a colleague revoking the worker's token: %v", err)
		}
		p.mustBearer(tok)
		if err := p.svc.RevokeAPIToken(p.ctx, p.SocialWorker, a.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := p.bearer(tok); waymark.ErrorCode(err) != waymark.EUNAUTHORIZED {
			t.Fatalf("a revoked token still works: %v", err)
		}

		// Signing out with a token (DELETE /api/v1/sessions/current) ends that token.
		tok2, _, err := p.svc.CreateAPIToken(p.ctx, p.SocialWorker, sess, "Second", []string{casework.ScopeRead}, 30*24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.svc.SignOut(p.ctx, p.mustBearer(tok2), tok2); err != nil {
			t.Fatal(err)
		}
		if _, err := p.bearer(tok2); waymark.ErrorCode(err) != waymark.EUNAUTHORIZED {
			t.Fatalf("a token survived signing out with it: %v", err)
		}

		// A machine client revoked by an administrator.
		mc, ctok := p.machineClient(p.ChildrensServices.ID, casework.ScopeRead)
		p.mustBearer(ctok)
		if err := p.svc.RevokeMachineClient(p.ctx, p.CSAdmin, p.session(p.CSAdmin), mc.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := p.bearer(ctok); waymark.ErrorCode(err) != waymark.EUNAUTHORIZED {
			t.Fatalf("a revoked machine client still works: %v", err)
		}

		// Expiry.
		tok3, _, err := p.svc.CreateAPIToken(p.ctx, p.SocialWorker, sess, "Short", []string{casework.ScopeRead}, 24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		p.clock.Advance(24 * time.Hour)
		if _, err := p.bearer(tok3); waymark.ErrorCode(err) != waymark.EUNAUTHORIZED {
			t.Fatalf("an expired token still works: %v", err)
		}
	})
}

// A disabled person's sessions and tokens are refused at the next request,
// however the account came to be disabled.
func TestDisabledUsersTokensStopWorking(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		sess := p.session(p.SocialWorker)
		tok, _, err := p.svc.CreateAPIToken(p.ctx, p.SocialWorker, sess, "Laptop script", []string{casework.ScopeRead}, 30*24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		p.mustBearer(tok)
		p.mustBearer(sess)
		// Straight in the table, without the store's SetDisabled (which also revokes).
		if _, err := db.SQL().Exec(`UPDATE users SET disabled = TRUE WHERE id = '` + p.SocialWorker.User.ID + `'`); err != nil {
			t.Fatal(err)
		}
		if _, err := p.bearer(tok); waymark.ErrorCode(err) != waymark.EUNAUTHORIZED {
			t.Fatalf("a disabled person's token works: %v", err)
		}
		if _, err := p.bearer(sess); waymark.ErrorCode(err) != waymark.EUNAUTHORIZED {
			t.Fatalf("a disabled person's session works: %v", err)
		}
		if _, _, err := p.svc.CreateAPIToken(p.ctx, p.SocialWorker, sess, "After", []string{casework.ScopeRead}, time.Hour); err == nil {
			t.Fatal("a disabled person made a token")
		}
	})
}

// Making, listing and revoking machine clients need a fresh confirmation
// of who the administrator is; making and revoking tell every partnership
// lead, in Waymark and by an email that says nothing.
func TestMachineClientAdministrationNeedsReauthenticationAndAlertsTheLead(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		relay := notifytest.New(t)
		p.svc.Access.Mailer = &notify.Mailer{Addr: relay.Addr, From: "waymark@partnership.example"}
		p.svc.Access.PublicURL = "https://waymark.partnership.example"
		lead := p.lead()
		in := casework.NewMachineClient{OrgID: p.ChildrensServices.ID, Name: "Case system link", Scopes: []string{casework.ScopeRead}, TTL: 30 * 24 * time.Hour,
			CustodianEmail: p.CSWorker.User.Email}

		sess := p.session(p.CSAdmin)
		p.clock.Advance(p.svc.Access.ReauthWithin + time.Minute)
		before := p.rowCounts()
		if _, err := p.svc.CreateMachineClient(p.ctx, p.CSAdmin, sess, in); !errors.Is(err, casework.ErrReauthenticate) {
			t.Fatalf("making a client without confirming: %v", err)
		}
		if _, err := p.svc.MachineClients(p.ctx, p.CSAdmin, sess); !errors.Is(err, casework.ErrReauthenticate) {
			t.Fatalf("listing clients without confirming: %v", err)
		}
		p.wantNothingWritten(before)
		// Not an administrator, or not in person: refused whatever the confirmation.
		workerSess := p.session(p.CSWorker)
		if _, err := p.svc.CreateMachineClient(p.ctx, p.CSWorker, workerSess, in); waymark.ErrorCode(err) != waymark.EFORBIDDEN {
			t.Fatalf("a worker making a client: %v", err)
		}

		if err := p.svc.Reauthenticate(p.ctx, p.CSAdmin, sess, storetest.Password); err != nil {
			t.Fatal(err)
		}
		mc, err := p.svc.CreateMachineClient(p.ctx, p.CSAdmin, sess, in)
		if err != nil || mc.TokenIssuedAt != nil || mc.CustodianID != p.CSWorker.User.ID {
			t.Fatalf("making a client: %+v %v", mc, err)
		}
		list, err := p.svc.MachineClients(p.ctx, p.CSAdmin, sess)
		if err != nil || len(list) != 1 || list[0].ID != mc.ID || list[0].OrgName != p.ChildrensServices.Name {
			t.Fatalf("the list: %+v %v", list, err)
		}
		adminTok, _, err := p.svc.CreateAPIToken(p.ctx, p.CSAdmin, sess, "Admin's own", []string{casework.ScopeWrite}, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.svc.MachineClients(p.ctx, p.mustBearer(adminTok), adminTok); waymark.ErrorCode(err) != waymark.EFORBIDDEN {
			t.Fatalf("an administrator's API token manages clients: %v", err)
		}

		alerts, _, err := p.svc.AlertsPage(p.ctx, lead, nil)
		if err != nil || len(alerts) != 1 || alerts[0].Kind != store.AlertMachineClientCreated || alerts[0].Client.ID != mc.ID || alerts[0].Client.CreatedByName != p.CSAdmin.User.Name {
			t.Fatalf("the lead's alerts: %+v %v", alerts, err)
		}
		if n, err := p.svc.DeliverAlertEmails(p.ctx); n != 1 || err != nil {
			t.Fatalf("emails sent %d, %v", n, err)
		}
		mails := relay.Wait(1, 5*time.Second)
		if len(mails) != 1 || mails[0].To[0] != lead.User.Email || strings.Contains(mails[0].Data, mc.Name) {
			t.Fatalf("emails %+v", mails)
		}
		tok, _, err := p.svc.IssueMachineClientToken(p.ctx, p.CSWorker, p.session(p.CSWorker), mc.ID)
		if err != nil {
			t.Fatal(err)
		}

		p.clock.Advance(p.svc.Access.ReauthWithin + time.Minute)
		if err := p.svc.RevokeMachineClient(p.ctx, p.CSAdmin, sess, mc.ID); !errors.Is(err, casework.ErrReauthenticate) {
			t.Fatalf("revoking without confirming: %v", err)
		}
		p.mustBearer(tok)
		if err := p.svc.Reauthenticate(p.ctx, p.CSAdmin, sess, storetest.Password); err != nil {
			t.Fatal(err)
		}
		if err := p.svc.RevokeMachineClient(p.ctx, p.CSAdmin, sess, mc.ID); err != nil {
			t.Fatal(err)
		}
		alerts, _, _ = p.svc.AlertsPage(p.ctx, lead, nil)
		if len(alerts) != 3 || alerts[0].Kind != store.AlertMachineClientRevoked || alerts[0].RevokedByName != p.CSAdmin.User.Name {
			t.Fatalf("after revoking, the lead's alerts: %+v", alerts)
		}
		entries := p.auditSince(0)
		var made, revoked bool
		for _, e := range entries {
			made = made || (e.Action == casework.ActionMachineClientCreated && e.ActorID == p.CSAdmin.User.ID && strings.HasPrefix(e.Detail, mc.ID))
			revoked = revoked || (e.Action == casework.ActionMachineClientRevoked && e.ActorID == p.CSAdmin.User.ID && e.Detail == mc.ID)
		}
		if !made || !revoked {
			t.Errorf("audit lacks the making (%v) or revoking (%v) of the client", made, revoked)
		}
	})
}

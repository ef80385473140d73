package casework

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"waymark"
	"waymark/internal/access"
	"waymark/internal/audit"
	"waymark/internal/notify"
	"waymark/internal/pathway"
	"waymark/internal/store"
)

// Break-glass (§6.5): someone outside a case who needs it in an emergency
// asks for it with a written reason. Access is granted at once — an
// emergency cannot wait for an approval — but only after they prove who they
// are again, only for a few hours, and the partnership leads are told at
// once, in Waymark and by email.

// Limits of the written reason.
const (
	BreakGlassReasonMin = 20
	BreakGlassReasonMax = 2000
)

// BreakGlass grants the viewer emergency access to the case with this
// reference or id, until Access.BreakGlassFor from now. The viewer's session
// must have re-authenticated within Access.ReauthWithin (Reauthenticate).
// It returns the case id and the grant; someone already working on the case
// gets no grant and the case id.
func (s *Service) BreakGlass(ctx context.Context, v Viewer, sessionToken, caseRef, reason string) (string, store.BreakGlassGrant, error) {
	if !v.seesCases() {
		return "", store.BreakGlassGrant{}, waymark.Errorf(waymark.EFORBIDDEN, "Administrators manage Waymark and analysts count it: neither sees case data, even in an emergency.")
	}
	if v.Client != nil {
		return "", store.BreakGlassGrant{}, waymark.Errorf(waymark.EFORBIDDEN, "Emergency access is for people: a machine client sees only the cases whose team gave it access.")
	}
	reason = strings.TrimSpace(reason)
	caseRef = strings.TrimSpace(caseRef)
	var probs waymark.Problems
	if caseRef == "" {
		probs.Add("case", "Enter the case's reference or the case id from its link")
	} else if len(caseRef) > 64 {
		probs.Add("case", "Enter a case reference, like CS-2026-000123, or the case id from its link")
	}
	switch n := len([]rune(reason)); {
	case n == 0:
		probs.Add("reason", "Explain why you need to see this case now")
	case n < BreakGlassReasonMin:
		probs.Add("reason", "Explain in at least %d characters why you need to see this case now", BreakGlassReasonMin)
	case n > BreakGlassReasonMax:
		probs.Add("reason", "Keep the reason to %d characters or fewer", BreakGlassReasonMax)
	}
	if err := probs.Err(); err != nil {
		return "", store.BreakGlassGrant{}, err
	}
	if err := s.RequireRecentAuth(ctx, sessionToken, s.Access.ReauthWithin); err != nil {
		return "", store.BreakGlassGrant{}, err
	}
	now := s.now()
	var caseID string
	var grant store.BreakGlassGrant
	var unknown bool
	err := s.DB.Update(ctx, func(tx *store.Tx) error {
		var err error
		if caseID, err = tx.CaseIDFor(caseRef); err != nil {
			return err
		}
		if caseID == "" {
			unknown = true
			return tx.AppendAudit(s.auditEntry(v, "", audit.ActionCaseDenied, "break-glass: no case "+caseRef))
		}
		m, err := tx.Membership(caseID, v.User.ID, v.User.OrgID)
		if err != nil {
			return err
		}
		if len(m.Roles) > 0 {
			return nil // they work on it already: no emergency access needed
		}
		// Emergency access reaches only the cases of the viewer's own
		// partnership: to anyone else a case of another partnership is
		// answered as a reference that does not exist, and the try is
		// audited against the case. A child who turns up in another area
		// reaches that area's team by a hand-over (§4.3, §7.1).
		c, _, err := tx.LoadCase(caseID)
		if err != nil {
			return err
		}
		part, err := tx.CasePartnership(c)
		if err != nil {
			return err
		}
		mine, err := viewerPartnership(tx, v)
		if err != nil {
			return err
		}
		if part == "" || part != mine {
			unknown = true
			return tx.AppendAudit(s.auditEntry(v, caseID, audit.ActionCaseDenied, "break-glass: a case of another partnership"))
		}
		grant = store.BreakGlassGrant{ID: access.NewID(), CaseID: caseID, UserID: v.User.ID, OrgID: v.User.OrgID, Reason: reason,
			GrantedAt: now, ExpiresAt: now.Add(s.Access.BreakGlassFor)}
		if err := tx.InsertBreakGlassGrant(grant); err != nil {
			return err
		}
		// The leads of the case's own partnership are alerted: a lead of
		// another partnership must not learn the case exists (§6.5).
		leads, err := tx.PartnershipLeadsOf(part)
		if err != nil {
			return err
		}
		for _, l := range leads {
			if err := tx.InsertAlert(store.Alert{ID: access.NewID(), Kind: store.AlertBreakGlass, RecipientUserID: l.ID, GrantID: grant.ID, CreatedAt: now}); err != nil {
				return err
			}
		}
		// The reason stays in the grant (shown to the leads); the audit says who, which case and until when.
		// The keyed entry says how many leads were alerted: verify matches
		// it to the grant and its alerts (store.verifyBreakGlassUse).
		return tx.AppendAudit(s.auditEntry(v, caseID, ActionBreakGlass, fmt.Sprintf("grant %s until %s; alerted %d", grant.ID, grant.ExpiresAt.Format(time.RFC3339), len(leads))))
	})
	if err != nil {
		return "", store.BreakGlassGrant{}, err
	}
	if unknown {
		return "", store.BreakGlassGrant{}, &waymark.Error{Code: waymark.EINVALID, Message: "No case has that reference or id. Check it and try again.",
			Fields: []waymark.FieldError{{Field: "case", Message: "No case has that reference or id. Check it and try again."}}}
	}
	if grant.ID != "" {
		s.wakeAlertMailer()
	}
	return caseID, grant, nil
}

// breakGlassMembership adds the viewer's unexpired break-glass grant, if
// any, to their membership of the case: they see it as its team does.
func breakGlassMembership(tx *store.Tx, m pathway.Membership, caseID, userID string, now time.Time) (pathway.Membership, *time.Time, error) {
	g, ok, err := tx.ActiveBreakGlass(caseID, userID, now)
	if err != nil || !ok {
		return m, nil, err
	}
	m.Roles = append(m.Roles, pathway.MemberBreakGlass)
	return m, &g.ExpiresAt, nil
}

// EmergencyAccess lists the viewer's unexpired break-glass grants.
func (s *Service) EmergencyAccess(ctx context.Context, v Viewer) ([]store.BreakGlassGrant, error) {
	var out []store.BreakGlassGrant
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.ActiveBreakGlassFor(v.User.ID, s.now())
		return err
	})
	return out, err
}

// SeesAlerts: the partnership leads are told of every break-glass grant (§6.5).
func (v Viewer) SeesAlerts() bool { return v.User.Role == pathway.RolePartnershipLead }

// AlertsPage lists one page of the viewer's alerts, newest first: the first
// when at is nil, else the page after (or before) the cursor, with the
// cursors either side. It audits the reading: alerts name cases and carry
// the reasons given.
func (s *Service) AlertsPage(ctx context.Context, v Viewer, at *store.Cursor) ([]store.Alert, store.Page, error) {
	if !v.SeesAlerts() {
		return nil, store.Page{}, waymark.Errorf(waymark.EFORBIDDEN, "Alerts of emergency access go to the partnership leads.")
	}
	if err := v.require(ScopeRead); err != nil {
		return nil, store.Page{}, err
	}
	var out []store.Alert
	var page store.Page
	err := s.DB.ViewAudited(ctx, func(tx *store.Tx) (audit.Entry, error) {
		var err error
		if out, page, err = tx.AlertsPage(v.User.ID, at, alertsPageSize); err != nil {
			return audit.Entry{}, err
		}
		return s.auditEntry(v, "", ActionAlertsViewed, alertsShown(out)), nil
	})
	return out, page, err
}

// alertsShown is the audit detail of a page of alerts: each alert's id and
// the case (or machine client) it names, as the case lists record the ids
// they showed, so the log says which grants and cases a lead read on which
// page.
func alertsShown(as []store.Alert) string {
	shown := make([]string, len(as))
	for i, a := range as {
		switch {
		case a.Grant.CaseID != "":
			shown[i] = a.ID + " case " + a.Grant.CaseID
		case a.MachineClientID != "":
			shown[i] = a.ID + " client " + a.MachineClientID
		default:
			shown[i] = a.ID
		}
	}
	return strconv.Itoa(len(as)) + " alerts: " + strings.Join(shown, ",")
}

// alertsPageSize is how many alerts a page shows.
const alertsPageSize = 100

func (s *Service) wakeAlertMailer() {
	select {
	case s.Access.wake <- struct{}{}:
	default: // already woken, or no mailer running
	}
}

// AlertEmailLease is how long a replica's claim on an alert's email keeps
// every other replica from sending it: twice the longest a send can take
// (notify.Mailer.SendTimeout, the connection's deadline). A claim that old
// belongs to a sender that has either recorded the outcome or is gone
// (killed mid-send, say), so another replica takes it over. The second
// timeout's worth is room for the claim and the record to commit.
func (s *Service) AlertEmailLease() time.Duration {
	return 2 * s.Access.Mailer.SendTimeout()
}

// alertEmailsPerRound bounds the emails one round of the mailer sends.
const alertEmailsPerRound = 50

// DeliverAlertEmails sends the emails of alerts not yet emailed: a nudge
// with no details and a link to the alerts page. It claims each alert just
// before sending it, one at a time, so several replicas never send one
// twice and no claim waits behind other sends until its lease runs out; a
// failed send is tried again later, up to 10 times. It returns how many
// were sent.
//
// What "never twice" rests on, and where it stops (docs/operations.md
// "Running highly available"): a send is marked done as soon as the relay
// has accepted the message (notify.Mailer.Send does not wait for QUIT). A
// sender killed before the relay accepted it sent nothing, and another
// replica sends it once the claim's lease (AlertEmailLease) has passed. A
// sender killed in the moment between the relay's acceptance and the
// commit of the mark leaves an email that is sent again: the second copy
// carries the same Message-ID (the alert's id).
func (s *Service) DeliverAlertEmails(ctx context.Context) (int, error) {
	m := s.Access.Mailer
	if m == nil {
		return 0, nil
	}
	link := strings.TrimSuffix(s.Access.PublicURL, "/") + "/alerts"
	sent := 0
	var failed []string // released at the end of the round, so this round does not take them again
	defer func() {
		for _, id := range failed {
			// A claim left standing (the database went away) lapses after its lease.
			s.DB.Update(context.WithoutCancel(ctx), func(tx *store.Tx) error { return tx.ReleaseAlertEmail(id) })
		}
	}()
	for range alertEmailsPerRound {
		var batch []store.AlertEmail
		err := s.DB.Update(ctx, func(tx *store.Tx) error {
			var err error
			batch, err = tx.ClaimAlertEmails(s.now(), s.AlertEmailLease(), 1, store.AlertEmailAttempts)
			return err
		})
		if err != nil {
			return sent, err
		}
		if len(batch) == 0 {
			return sent, nil
		}
		a := batch[0]
		if a.To == "" { // claimed for a disabled recipient: nothing to send
			continue
		}
		msg := notify.AlertMessage(link)
		msg.ID = a.AlertID
		if err := m.Send(ctx, a.To, msg); err != nil {
			s.logUnsent(a, err)
			failed = append(failed, a.AlertID)
			continue
		}
		// The relay has it: record that even if the service is stopping.
		if err := s.DB.Update(context.WithoutCancel(ctx), func(tx *store.Tx) error { return tx.MarkAlertEmailed(a.AlertID, s.now()) }); err != nil {
			return sent, err
		}
		s.Log.Info("alert email sent", "alert", a.AlertID, "attempts", a.Attempts)
		sent++
	}
	return sent, nil
}

// RunAlertMailer delivers alert emails until ctx ends: at once when a grant
// wakes it, and every interval to retry failures and take over from a
// replica that stopped mid-send.
func (s *Service) RunAlertMailer(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	s.Workers.Expect(WorkerAlertMailer)
	for {
		if _, err := s.DeliverAlertEmails(ctx); err != nil && ctx.Err() == nil {
			s.Log.Error("delivering alert emails", "err", err)
		} else if err == nil {
			s.Workers.Ran(WorkerAlertMailer, s.now())
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.Access.wake:
		}
	}
}

// logUnsent logs an alert email that failed: a warning while it will be
// tried again, an error when that was its last try and it is given up (it
// then counts in waymark_mail_failed). The log names the alert, the tries
// and the error, and of the recipient (a member of staff) only the domain:
// their address is taken out of the error too.
func (s *Service) logUnsent(a store.AlertEmail, err error) {
	msg := strings.ReplaceAll(err.Error(), a.To, "<recipient>")
	domain := ""
	if at := strings.LastIndex(a.To, "@"); at >= 0 {
		domain = a.To[at+1:]
	}
	if a.Attempts >= store.AlertEmailAttempts {
		s.Log.Error("alert email given up: it will not be tried again; the alert is still on the recipient's alerts page",
			"alert", a.AlertID, "attempts", a.Attempts, "last_error", msg, "recipient_domain", domain)
		return
	}
	s.Log.Warn("alert email not sent; will retry", "alert", a.AlertID, "attempts", a.Attempts, "err", msg, "recipient_domain", domain)
}

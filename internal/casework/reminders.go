package casework

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"waymark"
	"waymark/internal/catalog"
	"waymark/internal/notify"
	"waymark/internal/pathway"
	"waymark/internal/store"
)

// Email reminders (issue 15 §2): deadlines reach people who are not
// signed in. Two halves, both safe to run on every replica at once:
//
//   - ScanReminders looks at the running deadlines (the clocks read model)
//     and writes one row per reminder into the reminders outbox, keyed by
//     clock, kind, recipient and due time (or person and day for the
//     digest), so a reminder is written once however many replicas scan
//     and however often;
//   - DeliverReminders claims one row at a time with a lease, sends it
//     through the same notify.Mailer as the alert emails, with a
//     Message-ID made from the row's key, and records it sent; a failed
//     send is tried again after a backoff, up to store.ReminderAttempts.
//
// Whether a reminder may go at night, how long before a deadline "due
// soon" is and which kinds a person may turn off are pathway's rules
// (pathway/reminders.go). Emails say how many things and link to My work:
// no child, case or reference.

// ReminderEmailsPerRound bounds the reminders one round sends.
const reminderEmailsPerRound = 50

// reminderID is the outbox key's hash: the row's id and its Message-ID.
func reminderID(parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(sum[:16])
}

func (s *Service) reminderConfig() pathway.ReminderConfig {
	if len(s.Reminders.Leads) == 0 {
		return pathway.DefaultReminders
	}
	return s.Reminders
}

// ScanReminders writes the reminders now calls for into the outbox and
// returns how many it added. It reads the clocks read model and who owns
// each deadline, never a case's events or a child's details; nobody reads
// anything through it, so it writes no audit entry.
func (s *Service) ScanReminders(ctx context.Context) (int, error) {
	rc := s.reminderConfig()
	cal := s.Catalog.Holidays
	now := s.now().UTC()
	// What is due is worked out in a read transaction, and only the rows
	// are written, in a short one: a scan over many clocks never holds the
	// database's write lock while it reads (SQLite has one writer).
	var due []store.Reminder
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		due = due[:0]
		clocks, err := tx.ReminderClocks(now.Add(-rc.OverdueLookback), now.Add(rc.MaxLead()))
		if err != nil {
			return err
		}
		add := func(r store.Reminder) error {
			due = append(due, r)
			return nil
		}
		for _, c := range clocks {
			emergency := pathway.EmergencyClock(c.Kind, c.ImmediateRisk)
			due := c.DueAt.Format(time.RFC3339)
			reminder := func(kind pathway.ReminderKind, user string) store.Reminder {
				return store.Reminder{ID: reminderID(string(kind), user, c.CaseID, c.ClockID, due), Kind: kind, RecipientUserID: user,
					CaseID: c.CaseID, ClockID: c.ClockID, Count: 1, Emergency: emergency, CreatedAt: now, NotBefore: rc.SendAt(cal, now, emergency)}
			}
			lead := rc.LeadFor(c.DueAt.Sub(c.StartedAt))
			overdue := now.After(c.DueAt) // as pathway.Clock.Status counts it
			if !overdue && now.Before(c.DueAt.Add(-lead)) {
				continue
			}
			owners, err := s.deadlineOwners(tx, c)
			if err != nil {
				return err
			}
			if !overdue {
				for _, u := range owners {
					if err := add(reminder(pathway.ReminderDueSoon, u)); err != nil {
						return err
					}
				}
				continue
			}
			managers, err := tx.ManagerIDs(c.OwnerOrgID)
			if err != nil {
				return err
			}
			for _, u := range owners {
				if contains(managers, u) {
					continue // told as a manager, which they cannot turn off
				}
				if err := add(reminder(pathway.ReminderOverdue, u)); err != nil {
					return err
				}
			}
			for _, u := range managers {
				if err := add(reminder(pathway.ReminderOverdueManager, u)); err != nil {
					return err
				}
			}
		}
		if !rc.InWorkingHours(cal, now) {
			return nil // the digest goes in the working morning
		}
		local := now.In(catalog.London())
		day := local.Format(time.DateOnly)
		y, m, d := local.Date()
		done, err := tx.RemindedSince(pathway.ReminderDigest, time.Date(y, m, d, 0, 0, 0, 0, catalog.London()))
		if err != nil {
			return err
		}
		users, err := tx.CaseworkUsers()
		if err != nil {
			return err
		}
		for _, u := range users {
			if u.Role == pathway.RoleAdministrator || done[u.ID] {
				continue // administrators see no cases, so have no work list; the others have today's
			}
			if err := add(store.Reminder{ID: reminderID(string(pathway.ReminderDigest), u.ID, day), Kind: pathway.ReminderDigest,
				RecipientUserID: u.ID, CreatedAt: now, NotBefore: now}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil || len(due) == 0 {
		return 0, err
	}
	added := 0
	err = s.DB.Update(ctx, func(tx *store.Tx) error {
		added = 0
		for _, r := range due {
			ok, err := tx.EnqueueReminder(r)
			if err != nil {
				return err
			}
			if ok {
				added++
			}
		}
		return nil
	})
	return added, err
}

func contains(ids []string, id string) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// deadlineOwners are who a deadline's reminders go to: the person who owns
// it, or for a deadline the team owns, the workers assigned to the case in
// that team (§6.7), or its managers when nobody is assigned.
func (s *Service) deadlineOwners(tx *store.Tx, c store.ReminderClock) ([]string, error) {
	if c.OwnerUserID != "" {
		return []string{c.OwnerUserID}, nil
	}
	if c.OwnerOrgID == "" {
		return nil, nil
	}
	workers, err := tx.AssignedWorkerIDs(c.CaseID, c.OwnerOrgID)
	if err != nil || len(workers) > 0 {
		return workers, err
	}
	return tx.ManagerIDs(c.OwnerOrgID)
}

// DeliverReminders sends the reminders that are due, one claim at a time,
// and returns how many it sent. Like DeliverAlertEmails it claims a
// reminder for AlertEmailLease before sending it, so that replicas never
// send one at the same time, and records it sent as soon as the relay has
// accepted it. The window where a copy can be sent twice is the same
// (docs/operations.md "Email reminders"): a sender that dies after the
// relay's 250 and before its record commits leaves the row claimed, and
// after the lease another replica sends it again, with the same
// Message-ID.
func (s *Service) DeliverReminders(ctx context.Context) (int, error) {
	m := s.Access.Mailer
	if m == nil {
		return 0, nil
	}
	rc := s.reminderConfig()
	cal := s.Catalog.Holidays
	link := strings.TrimSuffix(s.Access.PublicURL, "/") + "/my-work"
	sent := 0
	for range reminderEmailsPerRound {
		var r store.Reminder
		var to string
		claimed := false
		err := s.DB.Update(ctx, func(tx *store.Tx) error {
			claimed, to = false, ""
			now := s.now()
			batch, err := tx.ClaimReminders(now, s.AlertEmailLease(), 1)
			if err != nil || len(batch) == 0 {
				return err
			}
			claimed, r = true, batch[0]
			outcome, addr, count, err := s.reminderReady(tx, r, now)
			if err != nil {
				return err
			}
			if outcome != "" {
				return tx.FinishReminder(r.ID, outcome, now)
			}
			to, r.Count = addr, count
			return nil
		})
		if err != nil {
			return sent, err
		}
		if !claimed {
			return sent, nil
		}
		if to == "" {
			continue // finished without sending
		}
		msg := notify.ReminderMessage(string(r.Kind), r.Count, link)
		msg.ID = "reminder-" + r.ID
		if err := m.Send(ctx, to, msg); err != nil {
			s.logUnsentReminder(r, to, err)
			err := s.DB.Update(context.WithoutCancel(ctx), func(tx *store.Tx) error {
				now := s.now()
				if r.Attempts >= store.ReminderAttempts {
					return tx.FinishReminder(r.ID, store.ReminderGivenUp, now)
				}
				return tx.RetryReminder(r.ID, rc.SendAt(cal, now.Add(pathway.ReminderBackoff(r.Attempts)), r.Emergency))
			})
			if err != nil {
				return sent, err // the claim lapses after its lease
			}
			continue
		}
		// The relay has it: record that even if the service is stopping.
		if err := s.DB.Update(context.WithoutCancel(ctx), func(tx *store.Tx) error {
			return tx.FinishReminder(r.ID, store.ReminderSent, s.now())
		}); err != nil {
			return sent, err
		}
		s.Log.Info("reminder sent", "reminder", r.ID, "kind", string(r.Kind), "attempts", r.Attempts)
		sent++
	}
	return sent, nil
}

// reminderReady decides, as a claimed reminder is about to go, whether it
// still should: its recipient enabled and wanting the kind, its clock still
// running (and a due-soon not yet overdue), a digest with something in it.
// It returns the outcome that ends it without an email, or the address and
// the count to send.
func (s *Service) reminderReady(tx *store.Tx, r store.Reminder, now time.Time) (outcome, to string, count int, err error) {
	u, err := tx.UserByID(r.RecipientUserID)
	if err != nil {
		if waymark.ErrorCode(err) == waymark.ENOTFOUND {
			return store.ReminderDisabled, "", 0, nil
		}
		return "", "", 0, err
	}
	if u.Disabled {
		return store.ReminderDisabled, "", 0, nil
	}
	prefs, err := tx.ReminderPreferencesOf(u.ID)
	if err != nil {
		return "", "", 0, err
	}
	if !prefs.Receives(r.Kind) {
		return store.ReminderOptedOut, "", 0, nil
	}
	count = r.Count
	switch r.Kind {
	case pathway.ReminderDigest:
		if count, err = tx.WorkCount(u.ID, u.OrgID, u.Role == pathway.RoleManager, now); err != nil {
			return "", "", 0, err
		}
		if count == 0 {
			return store.ReminderStale, "", 0, nil // nothing on their list today
		}
	default:
		due, running, err := tx.ClockDue(r.CaseID, r.ClockID)
		if err != nil {
			return "", "", 0, err
		}
		if !running || r.Kind == pathway.ReminderDueSoon && now.After(due) {
			return store.ReminderStale, "", 0, nil // met, or overdue now: its overdue reminder says so
		}
	}
	return "", u.Email, count, nil
}

// RunReminders scans and delivers reminders every interval until ctx ends.
func (s *Service) RunReminders(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	s.Workers.Expect(WorkerReminders)
	for {
		_, err := s.ScanReminders(ctx)
		if err == nil {
			_, err = s.DeliverReminders(ctx)
		}
		if err != nil && ctx.Err() == nil {
			s.Log.Error("email reminders", "err", err)
		} else if err == nil {
			s.Workers.Ran(WorkerReminders, s.now())
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// logUnsentReminder logs a failed reminder as logUnsent does an alert's:
// of the recipient only their domain.
func (s *Service) logUnsentReminder(r store.Reminder, to string, err error) {
	msg := strings.ReplaceAll(err.Error(), to, "<recipient>")
	domain := ""
	if at := strings.LastIndex(to, "@"); at >= 0 {
		domain = to[at+1:]
	}
	if r.Attempts >= store.ReminderAttempts {
		s.Log.Error("reminder email given up: it will not be tried again; the work is still on My work",
			"reminder", r.ID, "attempts", r.Attempts, "last_error", msg, "recipient_domain", domain)
		return
	}
	s.Log.Warn("reminder email not sent; will retry", "reminder", r.ID, "attempts", r.Attempts, "err", msg, "recipient_domain", domain)
}

// ActionReminderPreferences is the audit action of a person's change to
// which reminders they receive.
const ActionReminderPreferences = "user.reminders_changed"

// ReminderPreferences returns which reminders the viewer receives.
func (s *Service) ReminderPreferences(ctx context.Context, v Viewer) (store.ReminderPreferences, error) {
	if v.Client != nil {
		return store.ReminderPreferences{}, waymark.Errorf(waymark.EFORBIDDEN, "Reminders are for people, not machine clients.")
	}
	var p store.ReminderPreferences
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		var err error
		p, err = tx.ReminderPreferencesOf(v.User.ID)
		return err
	})
	return p, err
}

// SetReminderPreferences stores which reminders the viewer receives. A
// manager's overdue alerts are not among the choices: they always go.
func (s *Service) SetReminderPreferences(ctx context.Context, v Viewer, p store.ReminderPreferences) error {
	if v.Client != nil {
		return waymark.Errorf(waymark.EFORBIDDEN, "Reminders are for people, not machine clients.")
	}
	return s.DB.Update(ctx, func(tx *store.Tx) error {
		if err := tx.SetReminderPreferences(v.User.ID, p, s.now()); err != nil {
			return err
		}
		return tx.AppendAudit(s.auditEntry(v, "", ActionReminderPreferences, fmt.Sprintf("due soon %t, overdue %t, digest %t", p.DueSoon, p.Overdue, p.Digest)))
	})
}

package casework

import (
	"context"
	"crypto/rand"
	"fmt"
	"time"

	"waymark"

	"waymark/internal/audit"
	"waymark/internal/store"
)

// Audit actions of the answers kept across signing in again (web/answers.go):
// keeping a form's answers and giving them back read and write case data
// like any other form, so each is recorded against the form's case (§6.5).
const (
	ActionAnswersSaved     = "answers.saved"     // a form posted after its session ended was kept, sealed
	ActionAnswersRestored  = "answers.restored"  // given back to the person who signed in, not saved to the case
	ActionAnswersDiscarded = "answers.discarded" // offered to someone else, or too late: deleted unseen
	ActionAnswersExpired   = "answers.expired"   // nobody signed in for them in time: deleted unseen
)

// KeptAnswers is a form's answers kept across signing in again.
type KeptAnswers struct {
	UserID string // whose session ended, "" when the browser no longer named one
	CaseID string // the case the form is about, "" for none
	Form   string // the form's path, for the audit log
	Data   []byte // the form's path and answers, sealed by the store
}

// KeepAnswers keeps a form's answers for SavedAnswersFor, and returns the
// unguessable id the sign-in page carries to find them again. Answers kept
// longer than that are purged first.
func (s *Service) KeepAnswers(ctx context.Context, k KeptAnswers) (string, error) {
	now := s.now()
	id := rand.Text()
	err := s.DB.Update(ctx, func(tx *store.Tx) error {
		if err := s.purgeAnswers(tx); err != nil {
			return err
		}
		if err := tx.InsertSavedAnswers(store.SavedAnswers{ID: id, UserID: k.UserID, CaseID: k.CaseID, Data: k.Data, CreatedAt: now, ExpiresAt: now.Add(s.savedAnswersFor())}); err != nil {
			return err
		}
		orgID := ""
		if k.UserID != "" {
			if u, err := tx.UserByID(k.UserID); err == nil {
				orgID = u.OrgID
			}
		}
		return tx.AppendAudit(audit.Entry{At: now, ActorID: k.UserID, OrgID: orgID, CaseID: k.CaseID, Action: ActionAnswersSaved,
			Detail: fmt.Sprintf("%s: kept %s after the session ended", k.Form, idTail(id))})
	})
	return id, err
}

// ErrNoKeptAnswers: no answers with that id are kept for this person (never
// kept, already restored, expired, or someone else's).
var ErrNoKeptAnswers = &waymark.Error{Code: waymark.ENOTFOUND, Message: "The answers you typed before signing in again are no longer kept."}

// TakeAnswers gives the answers kept under id to the signed-in viewer, once.
// Answers kept for someone else, or expired, are deleted unseen and
// answered ErrNoKeptAnswers.
func (s *Service) TakeAnswers(ctx context.Context, v Viewer, id string) ([]byte, error) {
	var data []byte
	err := s.DB.Update(ctx, func(tx *store.Tx) error {
		if err := s.purgeAnswers(tx); err != nil {
			return err
		}
		a, found, yours, err := tx.TakeSavedAnswers(id, v.User.ID, s.now())
		switch {
		case err != nil || !found:
			return err
		case !yours: // committed: the deletion stands
			return tx.AppendAudit(s.auditEntry(v, a.CaseID, ActionAnswersDiscarded, "kept "+idTail(id)+" for another person, or too long: deleted unseen"))
		}
		data = a.Data
		return tx.AppendAudit(s.auditEntry(v, a.CaseID, ActionAnswersRestored, "kept "+idTail(id)+": shown on the form again, not saved"))
	})
	if err == nil && data == nil {
		err = ErrNoKeptAnswers
	}
	return data, err
}

// purgeAnswers deletes the kept answers past their time, auditing each.
func (s *Service) purgeAnswers(tx *store.Tx) error {
	now := s.now()
	gone, err := tx.PurgeSavedAnswers(now)
	if err != nil {
		return err
	}
	for _, a := range gone {
		if err := tx.AppendAudit(audit.Entry{At: now, ActorID: a.UserID, CaseID: a.CaseID, Action: ActionAnswersExpired,
			Detail: "kept " + idTail(a.ID) + ": nobody signed in for them in time"}); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) savedAnswersFor() time.Duration {
	if s.SavedAnswersFor > 0 {
		return s.SavedAnswersFor
	}
	return DefaultSavedAnswersFor
}

// idTail names kept answers in the audit log by the end of their id only:
// the whole id finds them, and the log is read by more people than the form.
func idTail(id string) string {
	if len(id) > 6 {
		return "…" + id[len(id)-6:]
	}
	return id
}

// The defaults of the session's warning and of the kept answers
// (docs/operations.md "Sessions").
const (
	DefaultSessionWarning  = 5 * time.Minute
	DefaultSavedAnswersFor = 24 * time.Hour
)

// SessionEnds is when the session read by Authenticate at the service's
// now will end unless the person does something: its idle time-out from
// the last activity (Authenticate has just touched a session last seen over
// a minute ago), or its absolute lifetime, whichever is sooner.
func (s *Service) SessionEnds(sess store.Session) time.Time {
	now, seen := s.now(), sess.LastSeenAt
	if now.Sub(seen) > time.Minute {
		seen = now
	}
	end := seen.Add(s.SessionIdle)
	if sess.ExpiresAt.Before(end) {
		end = sess.ExpiresAt
	}
	return end
}

// KeptAnswersOwner is whose answers are kept under id (unexpired), or "":
// a browser that posts a second form after its session ended names the
// person by the answers it kept first (web/answers.go).
func (s *Service) KeptAnswersOwner(ctx context.Context, id string) (string, error) {
	var user string
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		var err error
		user, err = tx.SavedAnswersOwner(id, s.now())
		return err
	})
	return user, err
}

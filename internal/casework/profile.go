package casework

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"

	"waymark"
	"waymark/internal/nrm"
	"waymark/internal/pathway"
	"waymark/internal/store"
)

// ActionProfileChanged is the audit action of a change to a person's work details.
const ActionProfileChanged = "user.profile_changed"

// Profile is a person's work details: what the NRM referral asks of the
// First Responder who submits it (§8.7), kept once on their profile rather
// than typed into every referral.
type Profile struct {
	JobTitle  string `json:"jobTitle"`
	WorkPhone string `json:"workPhone"`
	AwayEmail string `json:"awayEmail"` // a manager's, a colleague's or the team's shared inbox
}

// Valid checks the details and returns them cleaned, as they are stored.
func (p Profile) Valid() (Profile, error) {
	p.JobTitle = strings.Join(strings.Fields(p.JobTitle), " ")
	p.WorkPhone = strings.Join(strings.Fields(p.WorkPhone), " ")
	p.AwayEmail = strings.TrimSpace(p.AwayEmail)
	var probs waymark.Problems
	if utf8.RuneCountInString(p.JobTitle) > pathway.MaxShortText {
		probs.Add("jobTitle", "Job title must be %d characters or fewer", pathway.MaxShortText)
	} else if msg := pathway.TextProblem(p.JobTitle, false); msg != "" {
		probs.Add("jobTitle", "Job title %s", msg)
	}
	if p.WorkPhone != "" && !workPhone(p.WorkPhone) {
		probs.Add("workPhone", "Enter a work phone number, like 01632 960 001 or +44 1632 960 001")
	}
	if p.AwayEmail != "" {
		e, ok := CleanEmail(p.AwayEmail)
		if !ok {
			probs.Add("awayEmail", "Enter an email address in the correct format, like team@council.example")
		}
		p.AwayEmail = e
	}
	return p, probs.Err()
}

// workPhone: digits with the spaces, brackets, dashes and leading plus
// people write them with; between 7 and 20 digits.
func workPhone(s string) bool {
	digits := 0
	for i, r := range s {
		switch {
		case unicode.IsDigit(r) && r < 128:
			digits++
		case r == '+' && i == 0, r == ' ', r == '(', r == ')', r == '-':
		default:
			return false
		}
	}
	return digits >= 7 && digits <= 20
}

// MyProfile is the signed-in person's own work details.
func (s *Service) MyProfile(ctx context.Context, v Viewer) (Profile, error) {
	if v.Client != nil || v.User.ID == "" {
		return Profile{}, waymark.Errorf(waymark.EFORBIDDEN, "Only a person signed in has a profile.")
	}
	var p Profile
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		sp, err := tx.StaffProfile(v.User.ID)
		p = profileOf(sp)
		return err
	})
	return p, err
}

// SetMyProfile changes the signed-in person's own work details. Audited.
func (s *Service) SetMyProfile(ctx context.Context, v Viewer, in Profile) error {
	if v.Client != nil || v.User.ID == "" {
		return waymark.Errorf(waymark.EFORBIDDEN, "Only a person signed in has a profile.")
	}
	return s.setProfile(ctx, v, v.User.ID, in)
}

// StaffProfile is a staff member's work details, for an administrator.
func (s *Service) StaffProfile(ctx context.Context, v Viewer, userID string) (Profile, error) {
	if !v.ManagesStaff() {
		return Profile{}, ErrStaffAdmin
	}
	var p Profile
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		if _, err := tx.UserByID(userID); err != nil {
			return err
		}
		sp, err := tx.StaffProfile(userID)
		p = profileOf(sp)
		return err
	})
	return p, err
}

// SetStaffProfile changes a staff member's work details as an administrator
// who re-authenticated recently, as for every change to staff. Audited.
func (s *Service) SetStaffProfile(ctx context.Context, v Viewer, sessionToken, userID string, in Profile) error {
	if _, err := in.Valid(); err != nil {
		return err
	}
	if err := s.staffAdmin(ctx, v, sessionToken); err != nil {
		return err
	}
	return s.setProfile(ctx, v, userID, in)
}

func (s *Service) setProfile(ctx context.Context, v Viewer, userID string, in Profile) error {
	p, err := in.Valid()
	if err != nil {
		return err
	}
	return s.DB.Update(ctx, func(tx *store.Tx) error {
		u, err := tx.UserByID(userID)
		if err != nil {
			return err
		}
		if err := tx.SetStaffProfile(store.StaffProfile{UserID: u.ID, JobTitle: p.JobTitle, WorkPhone: p.WorkPhone, AwayEmail: p.AwayEmail,
			UpdatedAt: s.now(), UpdatedBy: v.User.ID}); err != nil {
			return err
		}
		e := s.auditEntry(v, "", ActionProfileChanged, "for "+u.ID)
		e.OrgID = u.OrgID
		return tx.AppendAudit(e)
	})
}

func profileOf(sp store.StaffProfile) Profile {
	return Profile{JobTitle: sp.JobTitle, WorkPhone: sp.WorkPhone, AwayEmail: sp.AwayEmail}
}

// staffOnTheCase reads the work details (profile.go) of the people the
// draft may name: the drafter, the referrer, the Children's Services worker
// who took the contact, the assigned workers and whoever recorded the
// submission (§8.7: the form asks the First Responder's job title, phone
// and an address for when they are away).
func staffOnTheCase(tx *store.Tx, v Viewer, c pathway.Case) (map[string]nrm.StaffProfile, error) {
	ids := []string{v.User.ID, c.Referrer.UserID}
	if c.Contact != nil {
		ids = append(ids, c.Contact.By.UserID)
	}
	for _, w := range c.Workers {
		ids = append(ids, w.UserID)
	}
	if s := c.NRM.Submission; s != nil {
		ids = append(ids, s.By.UserID)
	}
	out := map[string]nrm.StaffProfile{}
	for _, id := range ids {
		if _, done := out[id]; done || id == "" {
			continue
		}
		p, err := tx.StaffProfile(id)
		if err != nil {
			return nil, err
		}
		if p.JobTitle != "" || p.WorkPhone != "" || p.AwayEmail != "" {
			out[id] = nrm.StaffProfile{JobTitle: p.JobTitle, Phone: p.WorkPhone, AwayEmail: p.AwayEmail}
		}
	}
	return out, nil
}

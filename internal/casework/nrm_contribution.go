package casework

import (
	"context"
	"fmt"
	"strings"

	"waymark"
	"waymark/internal/nrm"
	"waymark/internal/pathway"
	"waymark/internal/store"
)

// ActionNRMContributionUsed is the audit action of a contribution put into
// the NRM draft (§8.5); the draft's save is audited as any other save.
const ActionNRMContributionUsed = "case.use_nrm_contribution"

// NRMContributionUse is the team's choice to put a contribution into the
// NRM referral draft: into which question, over which version of it, and,
// when edited, the answer as they edited it.
type NRMContributionUse struct {
	Contribution int    // the contribution's entry (its seq)
	Field        string // the draft's question
	// ExpectedVersion is the version of the answer the person edited (0 for
	// Waymark's proposal). Used as given, their words are added after the
	// answer as it is now, which loses nothing anyone saved meanwhile.
	ExpectedVersion int
	// Value is the whole answer as edited; empty to use the contribution as
	// given, after what the answer already says.
	Value string
}

// UseNRMContribution saves a contribution into the NRM referral draft and
// records its use on the case, in one transaction: the field's new version
// through the draft's own saves (a newer answer saved meanwhile is a
// conflict), and an entry naming the contribution, the field and its version
// (§8.5). Only the team, who can open the draft, may.
func (s *Service) UseNRMContribution(ctx context.Context, v Viewer, caseID string, u NRMContributionUse) error {
	if err := v.require(ScopeWrite); err != nil {
		return err
	}
	cmd := pathway.UseNRMContribution{Contribution: u.Contribution, Field: u.Field, Edited: strings.TrimSpace(u.Value) != ""}
	err := s.updateCase(ctx, func(tx *store.Tx, writing *bool) error {
		c, _, m, err := s.load(tx, v, caseID)
		if err != nil {
			return err
		}
		actor := v.actorOn(s.Catalog, m)
		// §6.5: refused as an action that does not exist before anything else.
		if err := pathway.MayGive(m, actor, cmd); err != nil {
			return err
		}
		// The pathway's answer first, so a refusal writes nothing.
		if _, err := s.Pathway.DecideFor(c, m, actor, cmd, s.now()); err != nil {
			return err
		}
		before, err := s.nrmDraft(tx, v, caseID, nrm.Referral)
		if err != nil {
			return err
		}
		f, ok := before.Draft.Field(u.Field)
		if !ok {
			return waymark.Invalid([]waymark.FieldError{{Field: "field", Message: "There is no such question on the draft"}})
		}
		given, _ := c.NRM.Contribution(u.Contribution)
		value := u.Value
		if !cmd.Edited {
			value, u.ExpectedVersion = AnswerWithContribution(f.Value, given.Text), f.Version
		}
		if err := validNRMSaves(before.Draft, []NRMFieldSave{{Field: f.ID, Value: value, ExpectedVersion: u.ExpectedVersion}}); err != nil {
			return err
		}
		value = normaliseNRMAnswer(value)
		cmd.FieldVersion = f.Version
		if value != f.Value || u.ExpectedVersion != f.Version {
			e := store.NRMDraftEdit{CaseID: caseID, Kind: string(nrm.Referral), FieldID: f.ID, Value: value, SavedAt: s.now(), SavedBy: v.User.ID, SavedByName: v.User.Name}
			version, err := tx.AppendNRMDraftEdit(e, u.ExpectedVersion)
			if waymark.ErrorCode(err) == waymark.ECONFLICT {
				return nrmConflict(*f)
			}
			if err != nil {
				return err
			}
			cmd.FieldVersion = version
			if err := tx.AppendAudit(s.auditEntry(v, caseID, ActionNRMDraftSaved, fmt.Sprintf("%s: %s v%d from contribution #%d", nrm.Referral, f.ID, version, u.Contribution))); err != nil {
				return err
			}
		}
		decided, err := s.Pathway.DecideFor(c, m, actor, cmd, s.now())
		if err != nil {
			return err
		}
		*writing = true
		return s.commit(tx, v, c, decided, ActionNRMContributionUsed)
	})
	if err == errDenied {
		return s.denied(ctx, v, caseID, pathway.CommandName(cmd))
	}
	return err
}

// AnswerWithContribution is the answer with the contributor's words after what
// it already says, so nothing the team wrote is lost.
func AnswerWithContribution(answer, words string) string {
	answer, words = strings.TrimSpace(answer), strings.TrimSpace(words)
	switch {
	case answer == "":
		return words
	case strings.Contains(answer, words):
		return answer
	}
	return answer + "\n\n" + words
}

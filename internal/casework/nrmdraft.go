package casework

import (
	"context"
	"crypto/sha256"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"waymark"
	"waymark/internal/audit"
	"waymark/internal/nrm"
	"waymark/internal/pathway"
	"waymark/internal/store"
)

// Audit actions of the NRM referral and reconsideration drafts: every view,
// saved answer, download and print is recorded (§6.5).
const (
	ActionNRMDraftViewed   = "nrm_draft.viewed"
	ActionNRMDraftSaved    = "nrm_draft.saved"
	ActionNRMDraftExported = "nrm_draft.exported"
	ActionNRMDraftPrinted  = "nrm_draft.printed"
)

// NRMDraftView is a draft as its page or the API shows it: the document
// with the team's saved answers over Waymark's proposals, what is still
// missing, and each section's status.
type NRMDraftView struct {
	Draft    nrm.Draft
	Problems []nrm.Problem
	Tasks    []nrm.Task
	// ReconsiderationOpen: a decision on the case was negative, so a
	// reconsideration request can be drafted (§8.9).
	ReconsiderationOpen bool
	// Contributions are what those outside the team gave for the referral
	// (§8.5): who said what, and where the team used it.
	Contributions []pathway.NRMContribution
	// ContributionsOpen: the viewer may use a contribution in the draft now
	// (pathway.UseNRMContribution).
	ContributionsOpen bool
	// Warnings are the case's, which every view of it shows first (§1.2, §7.4, §8.5).
	Warnings []pathway.Warning
}

// NRMFieldSave is one answer to save over the draft, with the version of
// the answer the person last read (0 for Waymark's proposal).
type NRMFieldSave struct {
	Field           string
	Value           string
	ExpectedVersion int
}

// NRMDocument is a draft rendered for download.
type NRMDocument struct {
	Name        string // never holds the child's name
	ContentType string
	Body        []byte
}

// Formats a draft downloads in.
const (
	NRMFormatPDF  = "pdf"
	NRMFormatText = "text"
)

var errNRMDraftTeamOnly = waymark.Errorf(waymark.EFORBIDDEN, "The NRM draft draws on the team's whole record of the case, so only those working the case can open it (§6.5). Ask the child's social worker for what you need, or tell them what you know.")

// NRMDraft returns the case's draft of kind for the viewer, and audits the
// read; what names the view (the task list, a section, the copy view).
func (s *Service) NRMDraft(ctx context.Context, v Viewer, caseID string, kind nrm.Kind, what string) (NRMDraftView, error) {
	if err := v.require(ScopeRead); err != nil {
		return NRMDraftView{}, err
	}
	var view NRMDraftView
	err := s.DB.ViewAudited(ctx, func(tx *store.Tx) (audit.Entry, error) {
		var err error
		if view, err = s.nrmDraft(tx, v, caseID, kind); err != nil {
			return audit.Entry{}, err
		}
		return s.auditEntry(v, caseID, ActionNRMDraftViewed, string(kind)+": "+what), nil
	})
	if err == errDenied {
		return NRMDraftView{}, s.denied(ctx, v, caseID, "nrm "+string(kind)+" draft")
	}
	return view, err
}

// SaveNRMDraft saves answers over the draft, each as a new version of its
// field, in one transaction: an answer someone else saved since the version
// the viewer read is a conflict, and then nothing is saved. Answers that are
// the same as the draft's already are not saved again. Over-long or
// otherwise unready answers are saved (nothing typed is lost) and reported
// by the draft's problems.
func (s *Service) SaveNRMDraft(ctx context.Context, v Viewer, caseID string, kind nrm.Kind, saves []NRMFieldSave) (NRMDraftView, error) {
	if err := v.require(ScopeWrite); err != nil {
		return NRMDraftView{}, err
	}
	var view NRMDraftView
	err := s.DB.Update(ctx, func(tx *store.Tx) error {
		before, err := s.nrmDraft(tx, v, caseID, kind)
		if err != nil {
			return err
		}
		if err := validNRMSaves(before.Draft, saves); err != nil {
			return err
		}
		var saved []string
		var edits []nrm.Edit
		for _, sv := range saves {
			f, _ := before.Draft.Field(sv.Field)
			value := normaliseNRMAnswer(sv.Value)
			if value == f.Value {
				continue // nothing new to keep
			}
			e := store.NRMDraftEdit{CaseID: caseID, Kind: string(kind), FieldID: f.ID, Value: value, SavedAt: s.now(), SavedBy: v.User.ID, SavedByName: v.User.Name}
			version, err := tx.AppendNRMDraftEdit(e, sv.ExpectedVersion)
			if waymark.ErrorCode(err) == waymark.ECONFLICT {
				return nrmConflict(*f)
			}
			if err != nil {
				return err
			}
			edits = append(edits, nrm.Edit{Field: f.ID, Version: version, Value: value, SavedAt: e.SavedAt, SavedBy: e.SavedBy, SavedByName: e.SavedByName})
			saved = append(saved, fmt.Sprintf("%s v%d", f.ID, version))
		}
		if len(saved) == 0 {
			saved = []string{"no change"}
		}
		// The draft as it is now: every earlier edit plus the new ones.
		all := slices.Clone(editsOf(before.Draft))
		view = viewOf(nrm.ApplyEdits(before.Draft, append(all, edits...)), before.ReconsiderationOpen)
		view.Contributions, view.ContributionsOpen = before.Contributions, before.ContributionsOpen
		return tx.AppendAudit(s.auditEntry(v, caseID, ActionNRMDraftSaved, string(kind)+": "+strings.Join(saved, ", ")))
	})
	if err == errDenied {
		return NRMDraftView{}, s.denied(ctx, v, caseID, "save nrm "+string(kind)+" draft")
	}
	return view, err
}

// NRMDraftDocument renders the draft as a PDF or plain text and audits the
// export (or, with print, the print), naming the document by its hash so the
// record says exactly what left Waymark.
func (s *Service) NRMDraftDocument(ctx context.Context, v Viewer, caseID string, kind nrm.Kind, format string, print bool) (NRMDocument, error) {
	if err := v.require(ScopeRead); err != nil {
		return NRMDocument{}, err
	}
	if format != NRMFormatPDF && format != NRMFormatText {
		return NRMDocument{}, waymark.Errorf(waymark.EINVALID, "Choose a PDF or a plain-text document.")
	}
	var doc NRMDocument
	err := s.DB.ViewAudited(ctx, func(tx *store.Tx) (audit.Entry, error) {
		view, err := s.nrmDraft(tx, v, caseID, kind)
		if err != nil {
			return audit.Entry{}, err
		}
		name := "nrm-" + string(kind) + "-" + fileSafe(view.Draft.CaseReference)
		switch format {
		case NRMFormatPDF:
			body, err := nrm.PDF(view.Draft)
			if err != nil {
				return audit.Entry{}, err
			}
			doc = NRMDocument{Name: name + ".pdf", ContentType: "application/pdf", Body: body}
		default:
			doc = NRMDocument{Name: name + ".txt", ContentType: "text/plain; charset=utf-8", Body: nrm.Text(view.Draft)}
		}
		action := ActionNRMDraftExported
		if print {
			action = ActionNRMDraftPrinted
		}
		return s.auditEntry(v, caseID, action, fmt.Sprintf("%s: %s, %d bytes, sha256 %x", kind, doc.Name, len(doc.Body), sha256.Sum256(doc.Body))), nil
	})
	if err == errDenied {
		return NRMDocument{}, s.denied(ctx, v, caseID, "nrm "+string(kind)+" document")
	}
	return doc, err
}

// nrmDraft assembles the draft for a member of the team, in the caller's
// transaction, without auditing.
func (s *Service) nrmDraft(tx *store.Tx, v Viewer, caseID string, kind nrm.Kind) (NRMDraftView, error) {
	c, _, m, err := s.load(tx, v, caseID)
	if err != nil {
		return NRMDraftView{}, err
	}
	if !m.Team() {
		return NRMDraftView{}, errNRMDraftTeamOnly
	}
	open := nrm.ReconsiderationOpen(c)
	switch {
	case !kind.Valid():
		return NRMDraftView{}, notFound
	case kind == nrm.Reconsideration && !open:
		return NRMDraftView{}, waymark.Errorf(waymark.ENOTFOUND, "There is no reconsideration to draft: one can only be asked for after a negative Reasonable or Conclusive Grounds decision (§8.9).")
	}
	stored, err := tx.NRMDraftEdits(caseID, string(kind))
	if err != nil {
		return NRMDraftView{}, err
	}
	edits := make([]nrm.Edit, len(stored))
	for i, e := range stored {
		edits[i] = nrm.Edit{Field: e.FieldID, Version: e.Version, Value: e.Value, SavedAt: e.SavedAt, SavedBy: e.SavedBy, SavedByName: e.SavedByName}
	}
	// §7.6: the case as this viewer may see it; the draft never carries a placement's address anyway.
	nc, err := s.nrmContext(tx, v, c)
	if err != nil {
		return NRMDraftView{}, err
	}
	d := nrm.AssembleWith(kind, c.Redacted(v.User.ID), s.Catalog, s.now(), nc)
	view := viewOf(nrm.ApplyEdits(d, edits), open)
	view.Warnings = c.WarningsAt(s.now())
	if kind == nrm.Referral {
		view.Contributions = c.NRM.Contributions
		view.ContributionsOpen = s.Pathway.Allows(c, v.actorOn(s.Catalog, m), pathway.UseNRMContribution{}, s.now()) == nil
	}
	return view, nil
}

func viewOf(d nrm.Draft, reconsiderationOpen bool) NRMDraftView {
	problems := nrm.Check(d)
	return NRMDraftView{Draft: d, Problems: problems, Tasks: nrm.Tasks(d, problems), ReconsiderationOpen: reconsiderationOpen}
}

func editsOf(d nrm.Draft) []nrm.Edit {
	var out []nrm.Edit
	for _, f := range d.Fields() {
		out = append(out, f.History...)
	}
	return out
}

// The most an answer may hold to be saved: twice the form's limit, so a
// long answer is kept while it is cut down, and the database stays bounded.
const nrmSaveCap = 30000

// validNRMSaves refuses what could not be an answer to the form at all:
// an unknown field, a choice the form does not offer, a date that is not a
// date, or far more text than any box takes.
func validNRMSaves(d nrm.Draft, saves []NRMFieldSave) error {
	var probs waymark.Problems
	for _, sv := range saves {
		f, ok := d.Field(sv.Field)
		if !ok || !f.Counts() {
			probs.Add(sv.Field, "There is no question %q on this draft", clipField(sv.Field))
			continue
		}
		v := normaliseNRMAnswer(sv.Value)
		switch {
		case sv.ExpectedVersion < 0:
			probs.Add(f.ID, "The expected version of %s must be 0 or more", f.Label)
		case utf8.RuneCountInString(v) > nrmSaveCap:
			probs.Add(f.ID, "%s is too long to save: the form takes %d characters. Shorten it and save again", f.Label, f.Limit)
		case f.Type == nrm.TypeRadio && v != "" && f.OptionText(v) == v:
			probs.Add(f.ID, "Select one of the answers to '%s'", f.Label)
		case f.Type == nrm.TypeCheckboxGroup && slices.ContainsFunc(strings.Split(v, "\n"), func(c string) bool { return c != "" && f.OptionText(c) == c }):
			probs.Add(f.ID, "Tick only the form's boxes for '%s'", f.Label)
		case f.Type == nrm.TypeDate && v != "" && !realDay(v):
			probs.Add(f.ID, "%s must be a real date, for example 27 3 2012", f.Label)
		}
	}
	return probs.Err()
}

func realDay(s string) bool {
	_, err := time.Parse("2006-01-02", s)
	return err == nil
}

// normaliseNRMAnswer keeps line breaks as the form's boxes send them, one
// character each here, and drops spaces at the ends.
func normaliseNRMAnswer(s string) string {
	return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
}

func nrmConflict(f nrm.Field) error {
	msg := fmt.Sprintf("Someone else saved an answer to '%s' after you opened this page. Nothing has been saved: read their answer, then save yours again if it should replace it.", f.Label)
	return &waymark.Error{Code: waymark.ECONFLICT, Message: msg, Clash: true, Fields: []waymark.FieldError{{Field: f.ID, Message: msg}}}
}

func clipField(s string) string {
	if len(s) > 60 {
		return s[:60]
	}
	return s
}

// fileSafe keeps letters, digits and dashes: a reference like
// CS-2026-000123 passes unchanged into a file name.
func fileSafe(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r == '-' || (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "case"
	}
	return b.String()
}

// ReconsiderationOpen reports whether the case can have a reconsideration
// drafted, for the case page's link (§8.9).
func ReconsiderationOpen(c pathway.Case) bool { return nrm.ReconsiderationOpen(c) }

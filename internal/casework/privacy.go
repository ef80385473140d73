package casework

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"waymark"
	"waymark/internal/audit"
	"waymark/internal/crypt"
	"waymark/internal/pathway"
	"waymark/internal/store"
)

// Retention and data-subject rights (docs/security.md, docs/operations.md):
// records past their retention period are listed for a person to review,
// never deleted by themselves; a partnership lead may export everything held
// about a child's case, and erase a case lawfully by destroying its data key.

// Audit actions of this file.
const (
	ActionRetentionReviewed = "retention.reviewed"
	ActionRetentionKept     = "retention.kept"
	ActionDraftDeleted      = "draft.deleted"
	ActionSubjectExported   = "case.exported"
	ActionCaseResolved      = "case.resolved"       // a partnership lead looked a case up for a subject-rights request
	ActionCaseResolveMissed = "case.resolve_missed" // the same look-up found nothing
	ActionCaseErased        = "case.erased"
)

// RetentionPolicy says when each kind of record is due for review.
type RetentionPolicy struct {
	ClosedCaseYears int // a closed case, this many years after it was closed
	UnsentDraftDays int // a concern draft never sent, this many days after it was last saved
	AuditYears      int // audit entries older than this many years
}

// DefaultRetention is a starting point; each partnership sets its own
// retention schedule (docs/operations.md).
var DefaultRetention = RetentionPolicy{ClosedCaseYears: 7, UnsentDraftDays: 30, AuditYears: 7}

// Validate checks the policy's periods are sensible.
func (p RetentionPolicy) Validate() error {
	if p.ClosedCaseYears < 1 || p.ClosedCaseYears > 100 {
		return fmt.Errorf("retention of closed cases must be 1 to 100 years, not %d", p.ClosedCaseYears)
	}
	if p.UnsentDraftDays < 1 || p.UnsentDraftDays > 3650 {
		return fmt.Errorf("retention of unsent drafts must be 1 to 3650 days, not %d", p.UnsentDraftDays)
	}
	if p.AuditYears < 1 || p.AuditYears > 100 {
		return fmt.Errorf("retention of the audit log must be 1 to 100 years, not %d", p.AuditYears)
	}
	return nil
}

// Kinds of review item.
const (
	ReviewClosedCase  = "closed-case"
	ReviewUnsentDraft = "unsent-draft"
	ReviewAuditLog    = "audit-log"
)

// ReviewItem is one record due for review. It names no child: administrators
// see the list too.
type ReviewItem struct {
	Kind      string     `json:"kind"`
	ID        string     `json:"id,omitempty"`        // case or draft id
	Reference string     `json:"reference,omitempty"` // the case's reference
	Since     time.Time  `json:"since"`               // closed, last saved, or the oldest entry
	DueSince  time.Time  `json:"dueSince"`            // when the retention period ended
	Owner     string     `json:"owner,omitempty"`     // who wrote the draft
	Count     int        `json:"count,omitempty"`     // audit entries
	Oldest    *time.Time `json:"-"`
}

func (v Viewer) reviewsRetention() bool {
	return v.User.Role == pathway.RolePartnershipLead || v.User.Role == pathway.RoleAdministrator
}

var errNotRetention = waymark.Errorf(waymark.EFORBIDDEN, "Retention reviews are for partnership leads and administrators.")

// RetentionReview lists what is past its retention period and waits for a
// person's decision: keep it for longer, or delete or erase it. It is the
// first page of each list (RetentionReviewPage).
func (s *Service) RetentionReview(ctx context.Context, v Viewer) ([]ReviewItem, error) {
	r, err := s.RetentionReviewPage(ctx, v, nil, nil)
	return r.Items, err
}

// RetentionPage is one page of the retention review: a page of the closed
// cases due (store.PageSize of them, oldest closure first), a page of the
// concerns never sent (oldest first), each with the cursors of the pages
// either side, and the audit log's entry.
type RetentionPage struct {
	Items  []ReviewItem // the closed cases, then the drafts, then the audit log
	Cases  store.Page
	Drafts store.Page
}

// RetentionReviewPage lists one page of the retention review: the closed
// cases from casesAt and the drafts from draftsAt (nil: the first page of
// each). Each list is a walk of its index from the cursor that stops after
// a page, and the audit entries are counted by two index probes, so the
// review costs the same however many cases and entries there are. A cursor
// only moves within the lists; everything listed is due at now.
func (s *Service) RetentionReviewPage(ctx context.Context, v Viewer, casesAt, draftsAt *store.Cursor) (RetentionPage, error) {
	if !v.reviewsRetention() {
		return RetentionPage{}, errNotRetention
	}
	if err := v.require(ScopeRead); err != nil {
		return RetentionPage{}, err
	}
	p, now := s.Retention, s.now()
	var out RetentionPage
	err := s.DB.ViewAudited(ctx, func(tx *store.Tx) (audit.Entry, error) {
		out = RetentionPage{}
		// The reviewer's own partnership's records only (§4.3).
		mine, err := viewerPartnership(tx, v)
		if err != nil {
			return audit.Entry{}, err
		}
		cases, page, err := tx.ClosedCasesDuePage(mine, now.AddDate(-p.ClosedCaseYears, 0, 0), now, casesAt, store.PageSize)
		if err != nil {
			return audit.Entry{}, err
		}
		out.Cases = page
		for _, c := range cases {
			out.Items = append(out.Items, ReviewItem{Kind: ReviewClosedCase, ID: c.CaseID, Reference: c.Reference, Since: c.ClosedAt, DueSince: c.ClosedAt.AddDate(p.ClosedCaseYears, 0, 0)})
		}
		drafts, page, err := tx.UnsentDraftsDuePage(mine, now.AddDate(0, 0, -p.UnsentDraftDays), now, draftsAt, store.PageSize)
		if err != nil {
			return audit.Entry{}, err
		}
		out.Drafts = page
		for _, d := range drafts {
			out.Items = append(out.Items, ReviewItem{Kind: ReviewUnsentDraft, ID: d.DraftID, Owner: d.UserName, Since: d.UpdatedAt, DueSince: d.UpdatedAt.AddDate(0, 0, p.UnsentDraftDays)})
		}
		n, oldest, err := tx.AuditEntriesBefore(now.AddDate(-p.AuditYears, 0, 0))
		if err != nil {
			return audit.Entry{}, err
		}
		if n > 0 {
			out.Items = append(out.Items, ReviewItem{Kind: ReviewAuditLog, Count: n, Since: *oldest, DueSince: oldest.AddDate(p.AuditYears, 0, 0), Oldest: oldest})
		}
		return s.auditEntry(v, "", ActionRetentionReviewed, fmt.Sprintf("%d items due", len(out.Items))), nil
	})
	return out, err
}

// KeepRecord takes a closed case or an unsent draft off the review list for
// one more retention period, with the reason it is kept.
func (s *Service) KeepRecord(ctx context.Context, v Viewer, kind, id, note string) error {
	if !v.reviewsRetention() {
		return errNotRetention
	}
	if err := v.require(ScopeWrite); err != nil {
		return err
	}
	note = strings.TrimSpace(note)
	var probs []waymark.FieldError
	if note == "" {
		probs = append(probs, waymark.FieldError{Field: "note", Message: "Enter why the record is kept for longer"})
	} else if len(note) > 1000 {
		probs = append(probs, waymark.FieldError{Field: "note", Message: "Write 1000 characters or fewer"})
	}
	now := s.now()
	var until time.Time
	switch kind {
	case ReviewClosedCase:
		until = now.AddDate(s.Retention.ClosedCaseYears, 0, 0)
	case ReviewUnsentDraft:
		until = now.AddDate(0, 0, s.Retention.UnsentDraftDays)
	default:
		probs = append(probs, waymark.FieldError{Field: "kind", Message: "Only closed cases and unsent drafts can be kept for longer"})
	}
	if len(probs) > 0 {
		return waymark.Invalid(probs)
	}
	return s.DB.Update(ctx, func(tx *store.Tx) error {
		// Only what is on the review list can be kept: anything else answers as
		// an id that does not exist, so the reviewer (an administrator, who
		// sees no case data) learns nothing of open cases or of drafts still
		// being written (§6.5).
		notDue := waymark.Errorf(waymark.ENOTFOUND, "There is nothing due for review with that id.")
		mine, err := viewerPartnership(tx, v) // and another partnership's records are not theirs
		if err != nil {
			return err
		}
		caseID := ""
		if kind == ReviewClosedCase {
			due, err := tx.ClosedCaseIsDue(mine, id, now.AddDate(-s.Retention.ClosedCaseYears, 0, 0), now)
			if err != nil {
				return err
			}
			if !due {
				return notDue
			}
			caseID = id
		} else {
			d, err := tx.UnsentDraft(mine, id)
			if waymark.ErrorCode(err) == waymark.ENOTFOUND || (err == nil && now.Before(d.UpdatedAt.AddDate(0, 0, s.Retention.UnsentDraftDays))) {
				return notDue
			}
			if err != nil {
				return err
			}
		}
		if err := tx.RecordRetentionDecision(store.RetentionDecision{Kind: kind, ItemID: id, DecidedAt: now, DecidedBy: v.User.ID, KeepUntil: until, Note: note}); err != nil {
			return err
		}
		// The note stays in retention_decisions; the audit says what and until when.
		return tx.AppendAudit(s.auditEntry(v, caseID, ActionRetentionKept, fmt.Sprintf("%s %s kept until %s", kind, id, until.Format("2006-01-02"))))
	})
}

// DeleteUnsentDraft deletes a draft that was never sent and is past its
// retention period, after a person's review. Its data key is destroyed.
func (s *Service) DeleteUnsentDraft(ctx context.Context, v Viewer, id string) error {
	if !v.reviewsRetention() {
		return errNotRetention
	}
	if err := v.require(ScopeWrite); err != nil {
		return err
	}
	now := s.now()
	err := s.DB.Update(ctx, func(tx *store.Tx) error {
		mine, err := viewerPartnership(tx, v)
		if err != nil {
			return err
		}
		d, err := tx.UnsentDraft(mine, id)
		// A draft not yet due answers as one that does not exist: the
		// reviewer may not learn that someone is writing a concern (§6.5).
		if waymark.ErrorCode(err) == waymark.ENOTFOUND || (err == nil && now.Before(d.UpdatedAt.AddDate(0, 0, s.Retention.UnsentDraftDays))) {
			return waymark.Errorf(waymark.ENOTFOUND, "There is no unsent draft due for review with that id.")
		}
		if err != nil {
			return err
		}
		if err := tx.DeleteUnsentDraft(id, now); err != nil {
			return err
		}
		return tx.AppendAudit(s.auditEntry(v, "", ActionDraftDeleted, "unsent draft "+id+" of "+d.UserID+" deleted after retention review"))
	})
	if err != nil {
		return err
	}
	if err := s.DB.Scrub(ctx); err != nil {
		s.Log.Warn("scrubbing after deleting a draft", "draft", id, "err", err)
	}
	return nil
}

// confirmIdentity asks the viewer to prove who they are again before a
// grave action: their password or a code from their authenticator app,
// checked by Reauthenticate (wrong answers are audited and count towards
// the lockout). An API token, having no session, cannot.
func (s *Service) confirmIdentity(ctx context.Context, v Viewer, sessionToken, confirm string) error {
	if confirm == "" {
		return &waymark.Error{Code: waymark.EINVALID, Message: "Enter your password or a code from your authenticator app to confirm it is you",
			Fields: []waymark.FieldError{{Field: "confirm", Message: "Enter your password or a code from your authenticator app to confirm it is you"}}}
	}
	return s.Reauthenticate(ctx, v, sessionToken, confirm)
}

// Legal bases for erasing a case (UK GDPR Article 17 and its exceptions).
var LegalBases = []struct{ Code, Label string }{
	{"art17-1a", "UK GDPR Article 17(1)(a): no longer necessary for the purpose it was collected for"},
	{"art17-1d", "UK GDPR Article 17(1)(d): processed unlawfully (for example, a concern raised about the wrong child)"},
	{"art17-1e", "UK GDPR Article 17(1)(e): erasure required to comply with a legal obligation"},
	{"court-order", "An order of a court or tribunal"},
	{"retention-schedule", "End of the retention period in the partnership's retention schedule"},
}

func legalBasisLabel(code string) (string, bool) {
	for _, b := range LegalBases {
		if b.Code == code {
			return b.Label, true
		}
	}
	return "", false
}

func (v Viewer) handlesSubjectRights() bool { return v.User.Role == pathway.RolePartnershipLead }

var errNotSubjectRights = waymark.Errorf(waymark.EFORBIDDEN, "Only a partnership lead can export or erase a case.")

// errNoSuchCase is what the store answers for a case id that does not
// exist (store.CaseRowByID).
var errNoSuchCase = waymark.Errorf(waymark.ENOTFOUND, "Case not found")

// leadsCasesPartnership lets a partnership lead act on the rights of a
// case's child only when the case is their own partnership's (the
// partnership of its Children's Services organisation): a case of another
// partnership is answered as one that does not exist, so its lead learns
// neither what it holds nor that it is there. The organisation comes from
// the case's sealed history, not its cases row (row), which someone with
// write access to the database could point at another partnership's
// organisation; an erased case's history cannot be read, so its erasure
// record's sealed copy of the row gives it. Only a case erased before that
// copy was kept is taken from its row.
func (s *Service) leadsCasesPartnership(tx *store.Tx, v Viewer, row store.CaseRow) error {
	csOrgID := row.CSOrgID
	c, _, err := tx.LoadCase(row.ID)
	switch {
	case err == nil:
		csOrgID = c.ChildrensServicesOrg
	case store.IsErased(err):
		org, found, err := tx.ErasedCaseTeam(row.ID)
		if err != nil {
			return err
		}
		erased, err := tx.CaseErasure(row.ID)
		if err != nil {
			return err
		}
		switch {
		case found:
			csOrgID = org
		case erased == nil:
			// Its keys were destroyed with no erasure recorded: not a
			// case anyone may act on.
			return errNoSuchCase
		}
	default:
		return err
	}
	mine, err := viewerPartnership(tx, v)
	if err != nil {
		return err
	}
	theirs, err := tx.OrganisationPartnership(csOrgID)
	if err != nil {
		return err
	}
	if !pathway.LeadsPartnership(v.Actor(s.Catalog), mine, theirs) {
		return errNoSuchCase
	}
	return nil
}

// ResolveCase finds a case by its id or its reference, for a partnership lead
// answering a request about a child.
func (s *Service) ResolveCase(ctx context.Context, v Viewer, idOrReference string) (store.CaseRow, error) {
	if !v.handlesSubjectRights() {
		return store.CaseRow{}, errNotSubjectRights
	}
	var row store.CaseRow
	var missed error
	err := s.DB.ViewAudited(ctx, func(tx *store.Tx) (audit.Entry, error) {
		id := strings.TrimSpace(idOrReference)
		var err error
		if strings.HasPrefix(strings.ToUpper(id), "CS-") {
			id, err = tx.CaseIDByReference(strings.ToUpper(id))
		}
		if err == nil {
			row, err = tx.CaseRowByID(id)
		}
		if err == nil {
			err = s.leadsCasesPartnership(tx, v, row)
			if err == errNoSuchCase {
				// Audited against the case, for its own partnership to see.
				missed = waymark.Errorf(waymark.ENOTFOUND, "There is no case with that reference or id")
				return s.auditEntry(v, row.ID, ActionCaseResolveMissed, "a case of another partnership"), nil
			}
		}
		if waymark.ErrorCode(err) == waymark.ENOTFOUND {
			// A look-up that finds nothing is recorded too (without what was
			// typed, which may not be a reference), so walking references one by
			// one shows in the audit. A case of another partnership is
			// answered the same way.
			missed = waymark.Errorf(waymark.ENOTFOUND, "There is no case with that reference or id")
			return s.auditEntry(v, "", ActionCaseResolveMissed, "no case with that id or reference"), nil
		}
		if err != nil {
			return audit.Entry{}, err
		}
		row.ChildName = "" // the lead sees the child's details only in the audited export
		return s.auditEntry(v, row.ID, ActionCaseResolved, "subject access look-up"), nil
	})
	if err == nil && missed != nil {
		err = missed
	}
	return row, err
}

// ExportEvent is one event of a case's log, decoded.
type ExportEvent struct {
	Seq      int             `json:"seq"`
	Type     string          `json:"type"`
	At       time.Time       `json:"at"`
	Actor    pathway.Party   `json:"actor"`
	Corrects int             `json:"corrects,omitempty"`
	Summary  string          `json:"summary"`
	Data     json.RawMessage `json:"data"`
}

// SubjectExport is everything Waymark holds about one child's case.
type SubjectExport struct {
	GeneratedAt time.Time       `json:"generatedAt"`
	GeneratedBy pathway.Party   `json:"generatedBy"`
	CaseID      string          `json:"caseId"`
	Reference   string          `json:"reference,omitempty"`
	Erasure     *store.Erasure  `json:"erasure,omitempty"`
	Child       pathway.Child   `json:"child"`
	ReadModel   store.CaseRow   `json:"readModel"`
	Members     [][3]string     `json:"members"`
	Clocks      []pathway.Clock `json:"clocks"`
	Events      []ExportEvent   `json:"events"`
	Audit       []audit.Entry   `json:"audit"`

	// Documents says what each file held on the case is; the files
	// themselves stay on the case, sealed (documents.go).
	Documents []ExportDocument `json:"documents"`
}

// ExportCase gathers everything held about a case for a subject access
// request: every event decoded, the read model, the members and clocks, and
// every audit entry about the case. Only a partnership lead may, after
// confirming who they are again; the export is audited. Nothing is redacted:
// the lead decides what to disclose (a confidential address, third parties).
func (s *Service) ExportCase(ctx context.Context, v Viewer, sessionToken, confirm, caseID string) (SubjectExport, error) {
	if !v.handlesSubjectRights() {
		return SubjectExport{}, errNotSubjectRights
	}
	if err := v.require(ScopeRead); err != nil {
		return SubjectExport{}, err
	}
	if err := s.confirmIdentity(ctx, v, sessionToken, confirm); err != nil {
		return SubjectExport{}, err
	}
	x := SubjectExport{GeneratedAt: s.now(), GeneratedBy: v.Actor(s.Catalog).Party, CaseID: caseID}
	err := s.DB.Update(ctx, func(tx *store.Tx) error {
		var err error
		var hide otherCases
		if x.ReadModel, err = tx.CaseRowByID(caseID); err != nil {
			return err
		}
		if err := s.leadsCasesPartnership(tx, v, x.ReadModel); err != nil {
			return err
		}
		x.Reference = x.ReadModel.Reference
		if x.Erasure, err = tx.CaseErasure(caseID); err != nil {
			return err
		}
		if x.Members, err = tx.CaseMembers(caseID); err != nil {
			return err
		}
		if x.Erasure == nil {
			c, events, err := tx.LoadCase(caseID)
			if err != nil {
				return err
			}
			x.Child, x.Clocks = c.Concern.Child, c.Clocks
			hide = unlinkedCases(c) // export_links.go
			for _, e := range events {
				data, err := json.Marshal(e.Data)
				if err != nil {
					return err
				}
				x.Events = append(x.Events, ExportEvent{Seq: e.Seq, Type: e.Type, At: e.At, Actor: e.Actor, Corrects: e.Corrects, Summary: hide.text(e.Summary()), Data: hide.json(data)})
			}
			if x.Documents, err = exportDocuments(tx, caseID); err != nil {
				return err
			}
		}
		// The export's own entry is written first, so the export lists it too.
		if err := tx.AppendAudit(s.auditEntry(v, caseID, ActionSubjectExported, "subject access export")); err != nil {
			return err
		}
		x.Audit, err = tx.AuditForCase(caseID)
		hide.audit(x.Audit)
		return err
	})
	return x, err
}

// Text is the export as plain text, for reading and printing.
func (x SubjectExport) Text() string {
	var b strings.Builder
	london := func(t time.Time) string { return t.In(pathway.London).Format("2 January 2006 15:04") }
	fmt.Fprintf(&b, "WAYMARK – EVERYTHING HELD ABOUT CASE %s\n", firstNonEmpty(x.Reference, x.CaseID))
	fmt.Fprintf(&b, "Generated %s by %s (%s). OFFICIAL-SENSITIVE: check before disclosing (third parties, confidential addresses).\n\n", london(x.GeneratedAt), x.GeneratedBy.Name, x.GeneratedBy.OrgName)
	if x.Erasure != nil {
		fmt.Fprintf(&b, "ERASED on %s: %s (legal basis: %s). The case's events are held only as ciphertext that cannot be read.\n\n", london(x.Erasure.At), x.Erasure.Reason, x.Erasure.LegalBasis)
	}
	fmt.Fprintf(&b, "Case id: %s\nReference: %s\nStage: %s\nRaised: %s\nLast updated: %s\n", x.CaseID, x.Reference, x.ReadModel.Stage, london(x.ReadModel.RaisedAt), london(x.ReadModel.UpdatedAt))
	if x.ReadModel.ClosedAt != nil {
		fmt.Fprintf(&b, "Closed: %s\n", london(*x.ReadModel.ClosedAt))
	}
	if x.Erasure == nil {
		c := x.Child
		fmt.Fprintf(&b, "\nCHILD\nName: %s\nAliases: %s\nDate of birth: %s\nGender: %s\nNationality: %s\nLanguages: %s\nWhere they were: %s\n",
			c.FullName(), strings.Join(c.Aliases, ", "), firstNonEmpty(c.DateOfBirth, "not known"), c.Gender, c.Nationality, strings.Join(c.Languages, ", "), c.CurrentLocation)
	}
	fmt.Fprintf(&b, "\nMEMBERS (who has need to know)\n")
	for _, m := range x.Members {
		fmt.Fprintf(&b, "- %s %s: %s\n", m[0], m[1], m[2])
	}
	fmt.Fprintf(&b, "\nCLOCKS\n")
	for _, c := range x.Clocks {
		state := "running"
		if c.StoppedAt != nil {
			state = "stopped " + london(*c.StoppedAt)
		}
		fmt.Fprintf(&b, "- %s: started %s, due %s, %s\n", c.Label, london(c.StartedAt), london(c.DueAt), state)
	}
	fmt.Fprintf(&b, "\nEVENTS (%d, oldest first; each with everything it recorded)\n", len(x.Events))
	for _, e := range x.Events {
		fmt.Fprintf(&b, "\n#%d %s – %s by %s (%s)\n  %s\n", e.Seq, london(e.At), e.Type, e.Actor.Name, e.Actor.OrgName, e.Summary)
		var pretty strings.Builder
		var v any
		if json.Unmarshal(e.Data, &v) == nil {
			out, _ := json.MarshalIndent(v, "  ", "  ")
			pretty.Write(out)
		}
		fmt.Fprintf(&b, "  %s\n", pretty.String())
	}
	if len(x.Documents) > 0 {
		fmt.Fprintf(&b, "\nDOCUMENTS (%d; the files themselves are kept on the case, sealed)\n", len(x.Documents))
		for _, d := range x.Documents {
			fmt.Fprintf(&b, "- %s: %s, %s, %d bytes, sha256 %s, added %s by %s. %s\n", d.ID, d.Name, d.Type, d.Size, d.SHA256, london(d.AddedAt), d.AddedByName, d.What)
		}
	}
	fmt.Fprintf(&b, "\nAUDIT ENTRIES ABOUT THE CASE (%d)\n", len(x.Audit))
	for _, a := range x.Audit {
		fmt.Fprintf(&b, "- #%d %s %s by %s (%s): %s\n", a.Seq, london(a.At), a.Action, a.ActorID, a.OrgID, a.Detail)
	}
	return b.String()
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// EraseCase erases a case lawfully: its data key is destroyed, so its events
// stay in the log (history is not rewritten) but can never be read again;
// the child's name and search tokens leave the read model. Only a partnership
// lead may, after confirming who they are again, with a written reason that
// does not itself name the child, and a legal basis. The erasure is audited
// with both; members then see the case as "erased on … (reason)".
func (s *Service) EraseCase(ctx context.Context, v Viewer, sessionToken, confirm, caseID, reason, legalBasis string) error {
	if !v.handlesSubjectRights() {
		return errNotSubjectRights
	}
	if err := v.require(ScopeWrite); err != nil {
		return err
	}
	reason = strings.TrimSpace(reason)
	var probs []waymark.FieldError
	switch {
	case len(reason) < 10:
		probs = append(probs, waymark.FieldError{Field: "reason", Message: "Enter why the case is erased, in a sentence or more"})
	case len(reason) > 1000:
		probs = append(probs, waymark.FieldError{Field: "reason", Message: "Write 1000 characters or fewer"})
	}
	basis, ok := legalBasisLabel(legalBasis)
	if !ok {
		probs = append(probs, waymark.FieldError{Field: "legalBasis", Message: "Select the legal basis for erasing the case"})
	}
	if len(probs) > 0 {
		return waymark.Invalid(probs)
	}
	if err := s.confirmIdentity(ctx, v, sessionToken, confirm); err != nil {
		return err
	}
	err := s.DB.Update(ctx, func(tx *store.Tx) error {
		row, err := tx.CaseRowByID(caseID)
		if err != nil {
			return err
		}
		if err := s.leadsCasesPartnership(tx, v, row); err != nil {
			return err
		}
		c, _, err := tx.LoadCase(caseID)
		if store.IsErased(err) {
			return waymark.Errorf(waymark.ECONFLICT, "This case was erased already.")
		}
		if err != nil {
			return err
		}
		// The reason is kept in plain text and shown to members: it must not
		// carry what the erasure removes.
		if mentionsChild(reason, c.Concern.Child) {
			return waymark.Invalid([]waymark.FieldError{{Field: "reason", Message: "Do not name the child or give their date of birth in the reason: it is kept after the erasure"}})
		}
		if err := tx.EraseCase(store.Erasure{CaseID: caseID, At: s.now(), By: v.User.ID, Reason: reason, LegalBasis: basis}); err != nil {
			return err
		}
		return tx.AppendAudit(s.auditEntry(v, caseID, ActionCaseErased, "legal basis: "+legalBasis+"; reason: "+reason))
	})
	if err != nil {
		return err
	}
	// The erasure is committed; leave no copy of the key in the files.
	if err := s.DB.Scrub(ctx); err != nil {
		s.Log.Warn("scrubbing after an erasure", "case", caseID, "err", err)
	}
	return nil
}

// mentionsChild reports whether text names the child (any of their names or
// aliases, accents and case aside) or gives their date of birth.
func mentionsChild(text string, ch pathway.Child) bool {
	words := crypt.Normalise(text)
	for _, n := range append([]string{ch.GivenNames, ch.FamilyName}, ch.Aliases...) {
		for _, tok := range crypt.Normalise(n) {
			if len(tok) >= 2 && slices.Contains(words, tok) {
				return true
			}
		}
	}
	if dob := ch.DateOfBirth; dob != "" {
		if strings.Contains(text, dob) {
			return true
		}
		if d, err := time.Parse("2006-01-02", dob); err == nil {
			for _, f := range []string{"2/1/2006", "02/01/2006", "2 January 2006", "2 Jan 2006"} {
				if strings.Contains(strings.ToLower(text), strings.ToLower(d.Format(f))) {
					return true
				}
			}
		}
	}
	return false
}

package casework

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"waymark"
	"waymark/internal/access"
	"waymark/internal/audit"
	"waymark/internal/pathway"
	"waymark/internal/store"
)

// notFound is the one answer for a case that does not exist and for a case
// the viewer has no need to know about: the two must be indistinguishable (§6.5).
var notFound = &waymark.Error{Code: waymark.ENOTFOUND, Message: "Case not found. Check the link, or search your cases."}

// CaseView is a case as one viewer may see it.
type CaseView struct {
	Case       pathway.Case
	Events     []pathway.Event // only those visible to the viewer
	Membership pathway.Membership
	Warnings   []pathway.Warning
	Flags      pathway.Flags // from the whole case, whatever the viewer may see of it
	// EmergencyUntil is when the viewer's break-glass access ends, if that is how they see the case.
	EmergencyUntil *time.Time
	// Actions is every case command with whether the viewer may give it now,
	// and why not (pathway.Available); NextStep the one the procedure
	// expects next from them, when HasNextStep (pathway.NextStep).
	Actions     []pathway.Availability
	NextStep    pathway.Availability
	HasNextStep bool
	// ICTG asks the team to refer the child to the ICTG service (ictg.go).
	ICTG *pathway.ICTGPrompt
}

// Action is the viewer's availability of the command named name.
func (v CaseView) Action(name string) pathway.Availability {
	for _, a := range v.Actions {
		if a.Name == name {
			return a
		}
	}
	return pathway.Availability{Name: name, Reason: "There is no such action on this case."}
}

// NewDraft starts a concern draft for the viewer.
func (s *Service) NewDraft(ctx context.Context, v Viewer) (store.Draft, error) {
	if !v.CanRaiseConcern() {
		return store.Draft{}, waymark.Errorf(waymark.EFORBIDDEN, "Your role cannot raise concerns. Ask a colleague who works with the child to raise it.")
	}
	d := store.Draft{ID: access.NewDatedID(s.now()), UserID: v.User.ID, Data: []byte(`{}`), Version: 1, CreatedAt: s.now(), UpdatedAt: s.now()}
	err := s.DB.Update(ctx, func(tx *store.Tx) error {
		if err := tx.InsertDraft(d); err != nil {
			return err
		}
		return tx.AppendAudit(s.auditEntry(v, "", audit.ActionDraftSaved, "draft "+d.ID+" started"))
	})
	return d, err
}

// DraftAnswers is what a concern draft holds: the concern as entered so far,
// and the raw text of answers that could not yet be parsed (a half-typed
// date), so the form shows exactly what was typed.
type DraftAnswers struct {
	Concern pathway.Concern   `json:"concern"`
	Raw     map[string]string `json:"raw,omitempty"`
}

// Draft returns the viewer's draft and the concern entered so far.
func (s *Service) Draft(ctx context.Context, v Viewer, id string) (store.Draft, DraftAnswers, error) {
	var d store.Draft
	var a DraftAnswers
	err := s.DB.ViewAudited(ctx, func(tx *store.Tx) (audit.Entry, error) {
		var err error
		d, err = tx.DraftFor(id, v.User.ID)
		if err != nil {
			return audit.Entry{}, err
		}
		if err := json.Unmarshal(d.Data, &a); err != nil {
			return audit.Entry{}, fmt.Errorf("casework: decoding draft %s: %w", id, err)
		}
		return s.auditEntry(v, "", audit.ActionDraftViewed, "draft "+id), nil
	})
	return d, a, err
}

// OpenDrafts lists the viewer's unsent concerns.
func (s *Service) OpenDrafts(ctx context.Context, v Viewer) ([]store.Draft, error) {
	var ds []store.Draft
	err := s.DB.ViewAudited(ctx, func(tx *store.Tx) (audit.Entry, error) {
		var err error
		if ds, err = tx.OpenDrafts(v.User.ID); err != nil || len(ds) == 0 {
			return audit.Entry{}, err // none: nothing was shown
		}
		ids := make([]string, len(ds))
		for i, d := range ds {
			ids[i] = d.ID
		}
		// The drafts hold a child's details: reading them is audited too.
		return s.auditEntry(v, "", audit.ActionDraftViewed, "drafts listed: "+strings.Join(ids, ",")), nil
	})
	return ds, err
}

// SaveDraft stores the concern as entered so far, if nobody (another tab)
// saved it since expectedVersion. It returns the new version.
func (s *Service) SaveDraft(ctx context.Context, v Viewer, id string, expectedVersion int, a DraftAnswers) (int, error) {
	if err := draftWithinLimits(a); err != nil {
		return 0, err
	}
	data, err := json.Marshal(a)
	if err != nil {
		return 0, err
	}
	var version int
	err = s.DB.Update(ctx, func(tx *store.Tx) error {
		var err error
		version, err = tx.UpdateDraft(id, v.User.ID, expectedVersion, data, s.now())
		if err != nil {
			return err
		}
		return tx.AppendAudit(s.auditEntry(v, "", audit.ActionDraftSaved, fmt.Sprintf("draft %s version %d", id, version)))
	})
	return version, err
}

// draftWithinLimits refuses a draft far beyond any answer's limit, so a
// draft cannot grow without bound; ordinary mistakes are kept and reported
// when the concern is sent.
func draftWithinLimits(a DraftAnswers) error {
	data, _ := json.Marshal(a)
	if len(data) > 512<<10 {
		return waymark.Errorf(waymark.EINVALID, "These answers are too long to save. Shorten the longest answers and try again.")
	}
	return nil
}

// SubmitDraft validates the whole concern and raises it: the draft becomes a case.
func (s *Service) SubmitDraft(ctx context.Context, v Viewer, id string, expectedVersion int) (string, error) {
	// As RaiseConcern: the child's too common keys are found in a snapshot
	// first, only for a draft the write would send (unsent, and at the
	// version the sender saw). A draft changed in between has other keys,
	// which the write walks.
	var common commonKeys
	var draft DraftAnswers
	if s.DB.View(ctx, func(tx *store.Tx) error {
		d, err := tx.DraftFor(id, v.User.ID)
		if err != nil || d.SubmittedCaseID != "" || d.Version != expectedVersion {
			return errNotToBeSent
		}
		return json.Unmarshal(d.Data, &draft)
	}) == nil {
		common = s.findCommonKeys(ctx, v, draft.Concern)
	}
	if s.afterCommonKeys != nil {
		s.afterCommonKeys()
	}
	var caseID string
	err := s.DB.Update(ctx, func(tx *store.Tx) error {
		d, err := tx.DraftFor(id, v.User.ID)
		if err != nil {
			return err
		}
		if d.SubmittedCaseID != "" {
			caseID = d.SubmittedCaseID
			return nil // sent already (a double click): show the case, raise nothing twice
		}
		if d.Version != expectedVersion {
			return &waymark.Error{Code: waymark.ECONFLICT, Message: "This draft was changed in another tab or window. Check your answers again before sending.", Clash: true}
		}
		var a DraftAnswers
		if err := json.Unmarshal(d.Data, &a); err != nil {
			return fmt.Errorf("casework: decoding draft %s: %w", id, err)
		}
		caseID, err = s.raise(tx, v, a.Concern, common)
		if err != nil {
			return err
		}
		return tx.MarkDraftSubmitted(id, caseID)
	})
	return caseID, err
}

// RaiseConcern raises a complete concern in one step (the API's way).
func (s *Service) RaiseConcern(ctx context.Context, v Viewer, c pathway.Concern) (string, error) {
	// The child's too common keys are found in a snapshot first, so that
	// the write does not walk them (earlier_hints.go).
	common := s.findCommonKeys(ctx, v, c)
	if s.afterCommonKeys != nil {
		s.afterCommonKeys()
	}
	var caseID string
	err := s.DB.Update(ctx, func(tx *store.Tx) error {
		var err error
		caseID, err = s.raise(tx, v, c, common)
		return err
	})
	return caseID, err
}

func (s *Service) raise(tx *store.Tx, v Viewer, c pathway.Concern, common commonKeys) (string, error) {
	if !v.CanRaiseConcern() {
		return "", waymark.Errorf(waymark.EFORBIDDEN, "Your role cannot raise concerns. Ask a colleague who works with the child to raise it.")
	}
	// The concern goes to the Children's Services team of the referrer's
	// partnership (partnerships.go); one partnership behaves as before.
	p, err := viewerPartnership(tx, v)
	if err != nil {
		return "", err
	}
	cs, err := tx.ChildrensServicesOrgFor(p)
	if err != nil {
		return "", err
	}
	id := access.NewDatedID(s.now()) // a day's new cases are filed together
	events, err := s.Pathway.Decide(pathway.Case{}, v.Actor(s.Catalog), pathway.RaiseConcern{CaseID: id, Concern: c, ChildrensServicesOrg: cs.ID}, s.now())
	if err != nil {
		return "", err
	}
	if err := s.commitCompared(tx, v, pathway.Case{}, events, audit.ActionConcernRaised, common); err != nil {
		return "", err
	}
	return id, nil
}

// commit appends events with the version check, updates read models and
// audits the write — all in the caller's transaction.
func (s *Service) commit(tx *store.Tx, v Viewer, before pathway.Case, events []pathway.Event, action string) error {
	return s.commitCompared(tx, v, before, events, action, nil)
}

// commitCompared is commit with the child's keys found too common before
// the write began, if any (findCommonKeys).
func (s *Service) commitCompared(tx *store.Tx, v Viewer, before pathway.Case, events []pathway.Event, action string, common commonKeys) error {
	if len(events) == 0 {
		return nil
	}
	caseID := events[0].CaseID
	if s.beforeAppend != nil {
		s.beforeAppend()
	}
	if err := tx.AppendEvents(caseID, before.Version, events); err != nil {
		return err
	}
	after := before
	for _, e := range events {
		after = pathway.Apply(after, e)
	}
	// The read models are as of the last event, so that rebuilding them
	// from the log, and `waymark verify`, give exactly the same rows.
	if err := tx.SaveProjectionFrom(before, after, events[len(events)-1].At); err != nil {
		return err
	}
	if err := s.refreshEarlierHint(tx, v, before, after, common); err != nil { // earlier_hints.go
		return err
	}
	if err := indexPanelCase(tx, before, after); err != nil { // panel.go
		return err
	}
	types := make([]string, len(events))
	for i, e := range events {
		types[i] = fmt.Sprintf("%s#%d", e.Type, e.Seq)
	}
	return tx.AppendAudit(s.auditEntry(v, caseID, action, strings.Join(types, ",")))
}

// load returns the case if the viewer has need to know; otherwise it audits
// the attempt and answers "not found" (§6.5).
func (s *Service) load(tx *store.Tx, v Viewer, caseID string) (pathway.Case, []pathway.Event, pathway.Membership, error) {
	if caseID == "" || len(caseID) > 64 {
		return pathway.Case{}, nil, pathway.Membership{}, notFound
	}
	if !v.seesCases() {
		return pathway.Case{}, nil, pathway.Membership{}, errDenied
	}
	m, err := tx.Membership(caseID, v.User.ID, v.User.OrgID)
	if err != nil {
		return pathway.Case{}, nil, m, err
	}
	if len(m.Roles) == 0 { // §6.5: emergency access, while it lasts
		if m, _, err = breakGlassMembership(tx, m, caseID, v.User.ID, s.now()); err != nil {
			return pathway.Case{}, nil, m, err
		}
	}
	if len(m.Roles) == 0 {
		return pathway.Case{}, nil, m, errDenied
	}
	c, events, err := tx.LoadCase(caseID)
	if waymark.ErrorCode(err) == waymark.ENOTFOUND {
		return c, nil, m, errDenied
	}
	if err != nil {
		return c, events, m, err
	}
	// Need to know comes from the sealed events, not from the read model
	// alone: a member row written behind Waymark's back opens nothing.
	if !s.eventsGrant(c, m, v) {
		s.Log.Error("a case's member rows grant what its sealed events do not: run `waymark verify`", "case", caseID, "user", v.User.ID)
		return pathway.Case{}, nil, pathway.Membership{}, errDenied
	}
	return c, events, m, nil
}

// eventsGrant reports whether every role the read model gave the viewer
// (break-glass apart, which is a grant of its own) is one the case's events
// give them.
func (s *Service) eventsGrant(c pathway.Case, m pathway.Membership, v Viewer) bool {
	given := map[string]bool{}
	for _, mb := range pathway.Members(c) {
		if mb.Covers(v.User.ID, v.User.OrgID) {
			given[mb.Role] = true
		}
	}
	for _, r := range m.Roles {
		if r != pathway.MemberBreakGlass && !given[r] {
			return false
		}
	}
	return true
}

// errDenied marks a refused look-up; it is turned into notFound after the
// refusal has been audited in its own transaction.
var errDenied = &waymark.Error{Code: waymark.ENOTFOUND, Message: notFound.Message}

func (s *Service) denied(ctx context.Context, v Viewer, caseID, what string) error {
	if len(caseID) > 64 {
		caseID = caseID[:64]
	}
	if err := s.DB.RecordAudit(ctx, s.auditEntry(v, caseID, audit.ActionCaseDenied, what)); err != nil {
		return err
	}
	return notFound
}

// Case returns the case as the viewer may see it, and audits the read.
func (s *Service) Case(ctx context.Context, v Viewer, caseID string) (CaseView, error) {
	if err := v.require(ScopeRead); err != nil {
		return CaseView{}, err
	}
	var view CaseView
	// A read-only snapshot, then the entry through the group-commit writer:
	// the answer waits for its entry to be durable, not for the write lock.
	err := s.DB.ViewAudited(ctx, func(tx *store.Tx) (audit.Entry, error) {
		c, events, m, err := s.load(tx, v, caseID)
		if err != nil {
			return audit.Entry{}, err
		}
		// §7.6: a confidential placement's address reaches only those granted it.
		view = CaseView{Case: c.Redacted(v.User.ID), Membership: m, Warnings: c.WarningsAt(s.now()), Flags: c.Flags(s.now())}
		if m.Team() { // interpreters, attendance, Section 47: the team's arrangements (§6.5, §6.7, §6.8)
			view.Warnings = append(view.Warnings, c.TeamWarnings(s.now())...)
		}
		// What the viewer may do next is the pathway's answer, on the whole case.
		view.Actions = s.Pathway.Available(c, v.actorOn(s.Catalog, m), s.now())
		view.NextStep, view.HasNextStep = s.Pathway.NextStep(c, v.actorOn(s.Catalog, m), s.now())
		if !m.Team() {
			view.Case = view.Case.ForOutsider(v.User.ID) // §6.5: the team's work is theirs to know
		} else if view.ICTG, err = ictgPrompt(tx, c); err != nil {
			return audit.Entry{}, err
		}
		if m.Is(pathway.MemberBreakGlass) {
			if _, view.EmergencyUntil, err = breakGlassMembership(tx, pathway.Membership{}, caseID, v.User.ID, s.now()); err != nil {
				return audit.Entry{}, err
			}
		}
		// §6.5: a viewer outside the team gets their own numbering and
		// version, which count none of the team's entries (pathway.History).
		h := pathway.HistoryFor(c, events, m, v.User.ID)
		view.Case.Version = h.Version
		for _, e := range h.Events {
			view.Events = append(view.Events, e.Redacted(c, v.User.ID))
		}
		return s.auditEntry(v, caseID, audit.ActionCaseViewed, strings.Join(m.Roles, ",")), nil
	})
	if err == errDenied {
		return CaseView{}, s.denied(ctx, v, caseID, "view")
	}
	return view, err
}

// RecordContact is Children's Services acknowledging a concern: it issues the
// unique reference and starts the 24-hour outcome clock (annex step 1).
func (s *Service) RecordContact(ctx context.Context, v Viewer, caseID string, expectedVersion int, method, note string) (string, error) {
	if err := v.require(ScopeWrite); err != nil {
		return "", err
	}
	var ref string
	err := s.updateCase(ctx, func(tx *store.Tx, writing *bool) error {
		c, logged, m, err := s.load(tx, v, caseID)
		if err != nil {
			return err
		}
		if err := pathway.MayGive(m, v.Actor(s.Catalog), pathway.RecordContact{}); err != nil {
			return err // §6.5: refused alike whatever the case holds
		}
		// The viewer's own version, as in Act: checked against the whole
		// log's, a referrer could find the team's version by its answer.
		if pathway.HistoryFor(c, logged, m, v.User.ID).Version != expectedVersion {
			return staleVersion()
		}
		// Check the rules before taking a number, so refused commands leave no gap.
		if _, err := s.Pathway.DecideFor(c, m, v.actorOn(s.Catalog, m), pathway.RecordContact{Reference: "pending", Method: method, Note: strings.TrimSpace(note)}, s.now()); err != nil {
			return err
		}
		*writing = true
		n, err := tx.NextNumber("contact-reference")
		if err != nil {
			return err
		}
		ref = fmt.Sprintf("CS-%d-%06d", s.now().In(pathway.London).Year(), n)
		events, err := s.Pathway.DecideFor(c, m, v.actorOn(s.Catalog, m), pathway.RecordContact{Reference: ref, Method: method, Note: strings.TrimSpace(note)}, s.now())
		if err != nil {
			return err
		}
		return s.commit(tx, v, c, events, audit.ActionContactRecorded)
	})
	if err == errDenied {
		return "", s.denied(ctx, v, caseID, "record contact")
	}
	return ref, err
}

// RecordOutcome tells the referrer what Children's Services decided.
func (s *Service) RecordOutcome(ctx context.Context, v Viewer, caseID string, expectedVersion int, decision, nextStep string) error {
	return s.RecordOutcomeWith(ctx, v, caseID, expectedVersion, pathway.RecordOutcome{Decision: decision, NextStep: nextStep})
}

// RecordOutcomeWith records the outcome with every answer, who was consulted
// among them (§6.2).
func (s *Service) RecordOutcomeWith(ctx context.Context, v Viewer, caseID string, expectedVersion int, cmd pathway.RecordOutcome) error {
	if err := v.require(ScopeWrite); err != nil {
		return err
	}
	err := s.updateCase(ctx, func(tx *store.Tx, writing *bool) error {
		c, logged, m, err := s.load(tx, v, caseID)
		if err != nil {
			return err
		}
		cmd.NextStep = strings.TrimSpace(cmd.NextStep)
		if err := pathway.MayGive(m, v.Actor(s.Catalog), cmd); err != nil {
			return err // §6.5: refused alike whatever the case holds
		}
		// The viewer's own version, as in Act: checked against the whole
		// log's, a referrer could find the team's version by its answer.
		if pathway.HistoryFor(c, logged, m, v.User.ID).Version != expectedVersion {
			return staleVersion()
		}
		events, err := s.Pathway.DecideFor(c, m, v.actorOn(s.Catalog, m), cmd, s.now())
		if err != nil {
			return err
		}
		*writing = true
		return s.commit(tx, v, c, events, audit.ActionOutcomeRecorded)
	})
	if err == errDenied {
		return s.denied(ctx, v, caseID, "record outcome")
	}
	return err
}

func staleVersion() error {
	return &waymark.Error{Code: waymark.ECONFLICT, Message: "Someone else updated this case after you opened it. Your change has not been saved: check the case as it is now, then make your change again.", Clash: true}
}

// PageSize is how many cases or deadlines a page of the inbox or of my
// work shows.
const PageSize = 50

// InboxPage lists one page of the concerns waiting on the viewer's
// Children's Services team, oldest clock first, and audits the listing. A
// cursor that is not one a page gave is EINVALID.
func (s *Service) InboxPage(ctx context.Context, v Viewer, at *store.Cursor) ([]store.CaseSummary, store.Page, error) {
	if !v.WorksInbox() {
		return nil, store.Page{}, waymark.Errorf(waymark.EFORBIDDEN, "The inbox is for the Children's Services team. Your cases are listed under 'Your cases'.")
	}
	if err := v.require(ScopeRead); err != nil {
		return nil, store.Page{}, err
	}
	return s.list(ctx, v, audit.ActionCaseListed, "inbox", func(tx *store.Tx) ([]store.CaseSummary, store.Page, error) {
		return tx.InboxPage(v.User.ID, v.User.OrgID, s.now(), at, PageSize)
	})
}

// MyCasesPage lists one page of the cases the viewer may know about, newest
// activity first: the first page when at is nil, else the page after (or
// before) the cursor.
func (s *Service) MyCasesPage(ctx context.Context, v Viewer, at *store.Cursor) ([]store.CaseSummary, store.Page, error) {
	if !v.seesCases() {
		return nil, store.Page{}, errAdministratorNoCases
	}
	if err := v.require(ScopeRead); err != nil {
		return nil, store.Page{}, err
	}
	return s.list(ctx, v, audit.ActionCaseListed, "cases", func(tx *store.Tx) ([]store.CaseSummary, store.Page, error) {
		return tx.CasesPage(v.User.ID, v.User.OrgID, at, store.PageSize)
	})
}

// SearchPage finds one page of the viewer's cases by child's name, alias or
// reference, newest activity first.
func (s *Service) SearchPage(ctx context.Context, v Viewer, q string, at *store.Cursor) ([]store.CaseSummary, store.Page, error) {
	if !v.seesCases() {
		return nil, store.Page{}, errAdministratorNoCases
	}
	if err := v.require(ScopeRead); err != nil {
		return nil, store.Page{}, err
	}
	q = strings.TrimSpace(q)
	if len(q) > 200 {
		return nil, store.Page{}, waymark.Invalid([]waymark.FieldError{{Field: "q", Message: "Search for 200 characters or fewer"}})
	}
	if q == "" {
		return nil, store.Page{}, waymark.Invalid([]waymark.FieldError{{Field: "q", Message: "Enter a name or reference to search for"}})
	}
	return s.list(ctx, v, audit.ActionCaseSearched, "search", func(tx *store.Tx) ([]store.CaseSummary, store.Page, error) {
		return tx.SearchPage(v.User.ID, v.User.OrgID, q, at, store.PageSize)
	})
}

// list reads one page of a case list and audits the cases it shows.
func (s *Service) list(ctx context.Context, v Viewer, action, what string, fn func(*store.Tx) ([]store.CaseSummary, store.Page, error)) ([]store.CaseSummary, store.Page, error) {
	var out []store.CaseSummary
	var page store.Page
	err := s.DB.ViewAudited(ctx, func(tx *store.Tx) (audit.Entry, error) {
		var err error
		out, page, err = fn(tx)
		if err != nil {
			return audit.Entry{}, err
		}
		ids := make([]string, len(out))
		for i, c := range out {
			ids[i] = c.ID
		}
		return s.auditEntry(v, "", action, what+": "+strings.Join(ids, ",")), nil
	})
	return out, page, err
}

// RebuildReadModels recomputes every read model from the case logs, after
// proving the logs' seals (a forged history is refused, not projected). The
// case rows are rewritten in place rather than deleted, so records that
// hang off a case (NRM drafts, break-glass grants, erasures, retention
// decisions, alerts) keep what they point at.
func (s *Service) RebuildReadModels(ctx context.Context) (int, error) {
	if _, err := s.DB.Verify(ctx, store.VerifyOptions{Progress: ctx.Err}); err != nil {
		return 0, fmt.Errorf("the case history does not verify, so the read models were not rebuilt from it: %w", err)
	}
	var n int
	err := s.DB.Update(ctx, func(tx *store.Tx) error {
		ids, err := tx.CaseIDs()
		if err != nil {
			return err
		}
		// SaveProjection writes a case's open escalations only when it has
		// ever been escalated: start from none, so a row left on any other
		// case goes.
		if err := tx.ClearOpenEscalations(); err != nil {
			return err
		}
		if err := tx.ClearClosedCases(); err != nil { // the same for the retention review's rows
			return err
		}
		if err := tx.RefileDrafts(); err != nil { // and its drafts' filing
			return err
		}
		if err := tx.ClearAllStatistics(); err != nil { // and the statistics, whose rows name no case
			return err
		}
		for _, id := range ids {
			c, events, err := tx.LoadCase(id)
			if err != nil {
				return err
			}
			if err := tx.SaveProjection(c, events[len(events)-1].At); err != nil {
				return err
			}
		}
		if err := tx.DeleteOrphanReadModels(); err != nil {
			return err
		}
		if err := tx.RebuildEntityCounts(); err != nil { // store/entities.go
			return err
		}
		// Search by viewer is the cross of two read models just rebuilt.
		if err := tx.RebuildSearchIndex(); err != nil {
			return err
		}
		n = len(ids)
		return tx.AppendAudit(audit.Entry{At: s.now(), ActorID: "system", Action: audit.ActionReadModelRebuilt, Detail: fmt.Sprintf("%d cases", n)})
	})
	return n, err
}

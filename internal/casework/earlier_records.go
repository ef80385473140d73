package casework

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"

	"waymark"
	"waymark/internal/audit"
	"waymark/internal/match"
	"waymark/internal/pathway"
	"waymark/internal/store"
)

// Earlier records of the same child (issue 14): a trafficked child is given
// false names and dates of birth (§4.8, §5.1), goes missing and turns up
// elsewhere under another name (§4.3, §7.1). The team working a case asks
// whether the child has been recorded before; the case system looks up the
// cases filed under the same keyed blocking keys (store.MatchCandidates),
// opens only those few to compare them with the matching model, and tells
// the team only what they need to know (§6.5): how strong each match is,
// which details agree and disagree, and whom to ask. A case they are not a
// member of stays closed to them: no id, reference, name or any other of its
// contents reaches them, only an opaque handle a link request can name it by.
//
// Closed cases are kept in the search: a child whose case was closed and who
// is found again is exactly the child §4.3 and §7.1 warn of, and the team to
// ask is the same. Erased cases are not: erasure removes their keys, and
// their details can no longer be read.

// EarlierRecord is one likely earlier record of a case's child, as one viewer
// may see it.
type EarlierRecord struct {
	// Handle names the earlier record to a link request without its id:
	// opaque, unguessable, and good only for this case, this record and
	// this viewer (ResolveEarlierRecord).
	Handle string
	// Strength is the match probability in words (match.Result.Strength).
	Strength            string
	Probability, Weight float64
	// Agrees and Disagrees are the compared details, in words a social
	// worker understands (match.Detail.Words).
	Agrees, Disagrees []string
	// Member says the viewer is a member of the earlier record's case;
	// only then are its id and reference given.
	Member            bool
	CaseID, Reference string
	// AskOrg is who to ask: the name of the earlier case's Children's
	// Services organisation.
	AskOrg string
	// AskLeads are the leads of the earlier case's partnership, who may
	// answer a request to link it too ("Name (Organisation)").
	AskLeads []string
	// OtherPartnership names the earlier case's partnership when it is not
	// this case's: once the cases are linked, the two partnership leads can
	// agree to share or transfer a case (handovers.go; §4.3, §7.1).
	OtherPartnership string
}

const (
	// earlierRecordThreshold is the least match probability shown: the
	// model's "possible" (match.Result.Strength).
	earlierRecordThreshold = 0.5
	// earlierRecordsShown is how many earlier records are shown at most.
	earlierRecordsShown = 5
	// earlierRecordsCompared is how many candidates, most keys shared
	// first, are opened and compared at most: the only cases whose details
	// are decrypted for the search.
	earlierRecordsCompared = 20
)

// EarlierRecords returns the likely earlier records of the case's child,
// strongest first, at most five, each at or above the "possible" match
// probability. Only the team of the case may ask; anyone who cannot see the
// case gets the same not-found as for any case they cannot see. The search
// is audited on the case, and every candidate case opened to be compared is
// audited as read ("compared for matching"), on that case.
func (s *Service) EarlierRecords(ctx context.Context, v Viewer, caseID string) ([]EarlierRecord, error) {
	if err := v.require(ScopeRead); err != nil {
		return nil, err
	}
	var out []EarlierRecord
	var entries []audit.Entry
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		var err error
		out, entries, err = s.earlierRecords(tx, v, caseID)
		return err
	})
	if err == errDenied {
		return nil, s.denied(ctx, v, caseID, "earlier records")
	}
	if err != nil {
		return nil, err
	}
	// Shown only once every entry is durable: the reads of the candidates
	// and the search go through the group-commit writer together.
	if err := s.recordAudits(ctx, entries); err != nil {
		return nil, err
	}
	return out, nil
}

// earlierRecords is EarlierRecords in a transaction: the records, and the
// audit entries of the reads it made.
func (s *Service) earlierRecords(tx *store.Tx, v Viewer, caseID string) ([]EarlierRecord, []audit.Entry, error) {
	c, person, candidates, err := s.earlierCandidates(tx, v, caseID, earlierRecordsCompared)
	if err != nil {
		return nil, nil, err
	}
	if err := s.heldToday(tx, caseID); err != nil { // earlier_hints.go: the probing limit
		return nil, nil, err
	}
	var entries []audit.Entry
	var out []EarlierRecord
	model := match.DefaultModel()
	orgNames := map[string]string{}
	type asking struct {
		leads []string
		other string
	}
	asks := map[string]asking{} // by the earlier case's organisation: records often share one
	ids := make([]string, len(candidates))
	for i, cand := range candidates {
		ids[i] = cand.CaseID
	}
	// Each candidate is opened from its sealed match record alone (what the
	// engine compares of the child), never its whole history.
	records, err := tx.MatchRecords(ids, v.User.ID, v.User.OrgID)
	if err != nil {
		return nil, nil, err
	}
	for _, id := range ids {
		rec, ok := records[id]
		if !ok {
			// Recorded before migration 0034 and not filed since: its log.
			cc, err := tx.MatchCase(id)
			if waymark.ErrorCode(err) == waymark.ENOTFOUND {
				continue // filed but with no history: verify reports it
			}
			if err != nil {
				return nil, nil, err
			}
			rec = store.MatchRecord{CaseID: id, Reference: cc.Reference(), ChildrensServicesOrg: cc.ChildrensServicesOrg, Person: pathway.MatchPerson(cc)}
			for _, mb := range pathway.Members(cc) {
				if mb.Covers(v.User.ID, v.User.OrgID) {
					rec.Roles = append(rec.Roles, mb.Role)
				}
			}
		}
		entries = append(entries, s.auditEntry(v, id, audit.ActionCaseViewed, "compared for matching with case "+caseID))
		r := model.Compare(person, rec.Person)
		if r.Probability < earlierRecordThreshold {
			continue
		}
		er := EarlierRecord{Strength: r.Strength(), Probability: r.Probability, Weight: r.Weight}
		for _, d := range r.Details {
			if d.Agrees {
				er.Agrees = append(er.Agrees, d.Words)
			} else {
				er.Disagrees = append(er.Disagrees, d.Words)
			}
		}
		// A member of the earlier case by its sealed member rows (as case
		// lists decide standing) is told which case it is.
		if er.Member = len(rec.Roles) > 0; er.Member {
			er.CaseID, er.Reference = id, rec.Reference
		}
		if er.AskOrg, err = orgName(tx, orgNames, rec.ChildrensServicesOrg); err != nil {
			return nil, nil, err
		}
		ask, ok := asks[rec.ChildrensServicesOrg]
		if !ok {
			if ask.leads, ask.other, err = askPartnership(tx, c.ChildrensServicesOrg, rec.ChildrensServicesOrg); err != nil {
				return nil, nil, err
			}
			asks[rec.ChildrensServicesOrg] = ask
		}
		er.AskLeads, er.OtherPartnership = ask.leads, ask.other
		if er.Handle, err = tx.MatchHandle(earlierRecordHandle, c.ID, id, v.User.ID); err != nil {
			return nil, nil, err
		}
		out = append(out, er)
	}
	slices.SortStableFunc(out, func(a, b EarlierRecord) int {
		switch {
		case a.Probability != b.Probability:
			if a.Probability > b.Probability {
				return -1
			}
			return 1
		case a.Weight > b.Weight:
			return -1
		case a.Weight < b.Weight:
			return 1
		}
		return 0
	})
	if len(out) > earlierRecordsShown {
		out = out[:earlierRecordsShown]
	}
	search := s.auditEntry(v, caseID, audit.ActionCaseSearched,
		fmt.Sprintf("earlier records of the child: %d candidates compared, %d shown", len(entries), len(out)))
	return out, append([]audit.Entry{search}, entries...), nil
}

// earlierRecordHandle is the first part of every earlier record's handle.
const earlierRecordHandle = "earlier-record"

// earlierCandidates loads the case for a member of its team, and finds the
// cases filed under the same keys as its child.
func (s *Service) earlierCandidates(tx *store.Tx, v Viewer, caseID string, limit int) (pathway.Case, match.Person, []store.MatchCandidate, error) {
	c, _, m, err := s.load(tx, v, caseID)
	if err != nil {
		return c, match.Person{}, nil, err
	}
	// A member who may not look (a referrer, an invitee) sees the case, so
	// not-found would be untrue: they are refused (pathway rule).
	if err := pathway.MayLookForEarlierRecords(c, v.actorOn(s.Catalog, m)); err != nil {
		return c, match.Person{}, nil, err
	}
	person := pathway.MatchPerson(c)
	keys, err := tx.MatchKeyHashes(person)
	if err != nil {
		return c, person, nil, err
	}
	candidates, _, err := tx.MatchCandidates(keys, caseID, limit)
	return c, person, candidates, err
}

// orgName is an organisation's name, looked up once per search.
func orgName(tx *store.Tx, cache map[string]string, id string) (string, error) {
	if id == "" {
		return "Children's Services", nil
	}
	if n, ok := cache[id]; ok {
		return n, nil
	}
	o, err := tx.OrganisationByID(id)
	switch {
	case waymark.ErrorCode(err) == waymark.ENOTFOUND:
		cache[id] = "Children's Services"
	case err != nil:
		return "", err
	default:
		cache[id] = o.Name
	}
	return cache[id], nil
}

// recordAudits writes entries through the group-commit writer, all handed
// over at once so that they share a batch, and returns once all are
// durable (or the first error).
func (s *Service) recordAudits(ctx context.Context, entries []audit.Entry) error {
	errs := make([]error, len(entries))
	var wg sync.WaitGroup
	for i, e := range entries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.DB.RecordAudit(ctx, e)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// errStaleHandle: a handle that names no earlier record of this case for
// this viewer, now.
var errStaleHandle = waymark.Errorf(waymark.EINVALID, "That earlier record is not one found for this case. Look for earlier records of the child again.")

// ResolveEarlierRecord is the case an earlier record's handle names, for the
// link workflow: only the team member it was shown to, on the case it was
// shown for, can resolve it, and only while that case still shares a key
// (one filing no more than store.HotMatchKey cases) with it. The id it returns is for the link request to address; it is not
// to be shown to a viewer who is not a member of that case. The look-up is
// audited as a search on the case.
func (s *Service) ResolveEarlierRecord(ctx context.Context, v Viewer, caseID, handle string) (string, error) {
	if err := v.require(ScopeRead); err != nil {
		return "", err
	}
	var id string
	err := s.DB.ViewAudited(ctx, func(tx *store.Tx) (audit.Entry, error) {
		var err error
		if id, err = s.resolveEarlierRecord(tx, v, caseID, handle); err != nil {
			return audit.Entry{}, err
		}
		return s.auditEntry(v, caseID, audit.ActionCaseSearched, "earlier record named for a link request"), nil
	})
	if err == errDenied {
		return "", s.denied(ctx, v, caseID, "earlier record")
	}
	return id, err
}

// resolveEarlierRecord is ResolveEarlierRecord in the caller's transaction
// (a link request written in the same transaction audits itself).
func (s *Service) resolveEarlierRecord(tx *store.Tx, v Viewer, caseID, handle string) (string, error) {
	// Every case still sharing a key, not only the first 20: cases filed
	// since the search may rank above it now.
	c, _, candidates, err := s.earlierCandidates(tx, v, caseID, math.MaxInt32)
	if err != nil {
		return "", err
	}
	handle = strings.TrimSpace(handle)
	if handle == "" || len(handle) > 128 {
		return "", errStaleHandle
	}
	for _, cand := range candidates {
		h, err := tx.MatchHandle(earlierRecordHandle, c.ID, cand.CaseID, v.User.ID)
		if err != nil {
			return "", err
		}
		if subtle.ConstantTimeCompare([]byte(h), []byte(handle)) == 1 {
			return cand.CaseID, nil
		}
	}
	return "", errStaleHandle
}

// askPartnership is who leads the partnership of an earlier record's case
// (Children's Services organisation earlierOrg), and that partnership's
// name when it is not the partnership of this case (thisOrg).
func askPartnership(tx *store.Tx, thisOrg, earlierOrg string) (leads []string, other string, err error) {
	theirs, err := tx.OrganisationPartnership(earlierOrg)
	if err != nil || theirs == "" {
		return nil, "", err
	}
	ls, err := tx.PartnershipLeadsOf(theirs)
	if err != nil {
		return nil, "", err
	}
	for _, l := range ls {
		leads = append(leads, l.Name+" ("+l.Org.Name+")")
	}
	ours, err := tx.OrganisationPartnership(thisOrg)
	if err != nil || ours == theirs {
		return leads, "", err
	}
	ps, err := tx.Partnerships()
	if err != nil {
		return nil, "", err
	}
	for _, p := range ps {
		if p.ID == theirs {
			return leads, p.Name, nil
		}
	}
	return leads, "another partnership", nil
}

package casework

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"

	"waymark"
	"waymark/internal/audit"
	"waymark/internal/match"
	"waymark/internal/pathway"
	"waymark/internal/store"
)

// What the case overview shows of the child's possible earlier records
// (issue 14 §1) is worked out when the child's identifying details change,
// not on every view: commit compares the child with the few cases filed
// under the same keys, in its own transaction, audits each case it opened
// (as EarlierRecords does), and keeps the ids and match probabilities
// sealed with the case's own key (store.EarlierHint). The overview reads
// only that: how many possible earlier records there are and how strong
// the strongest is. It opens nothing and names no case; the
// earlier-records page compares afresh, audited (§6.5).
//
// Probing. A team member who edits their own child's details again and
// again could learn another child's details from how the match changes.
// The comparisons a case's changing details set off are limited to
// probingLimit a London day: a change past it is compared with nothing,
// audited as possible probing, and the earlier-records page shows no
// comparison for the case until the next day (docs/security.md).

// probingLimit is how many comparisons changes to a case's child's details
// may set off in one London day. A busy first day (the concern, the
// child's details, an alias, a date of birth after an age assessment, a
// phone, languages) sets off well under ten.
const probingLimit = 10

// errEarlierHeld: the child's details changed past the day's limit.
var errEarlierHeld = waymark.Errorf(waymark.ECONFLICT,
	"The child's details have changed more than %d times today, so Waymark will not look for earlier records of them again until tomorrow. This has been recorded.", probingLimit)

// londonDay is the London day of the service's clock.
func (s *Service) londonDay() string { return s.now().In(pathway.London).Format("2006-01-02") }

// Comparing before the write. At a million cases a raise's comparisons
// were most of the time it held the write lock (docs/performance.md), and
// every page waits behind that lock for its audit entry. So a raise first
// works them out in a snapshot, on a read connection (precompareEarlier),
// and the write does again only what may have changed since:
//   - the child's blocking keys are walked again, except those the
//     snapshot found hot (more than store.HotMatchKey cases: 2,001 rows of
//     the index each, left out of the comparison either way), so a case
//     filed under a shared key in between is found as before;
//   - a candidate whose match record has the digest the snapshot compared
//     keeps the snapshot's probability; any other is opened and compared
//     in the write, as before.
// What is written and audited is what a write comparing everything itself
// writes: an audit entry for each case compared, in the same order, in the
// same transaction as the hint. The snapshot's openings are in memory only,
// shown to no one and dropped if the write fails. One difference: a key
// that was hot in the snapshot and fell to store.HotMatchKey cases or
// fewer before the write (an erasure in between) stays left out of this
// comparison; the earlier-records page compares afresh.

// earlierWork is what precompareEarlier found for a child.
type earlierWork struct {
	person   match.Person // the child compared, without a case id
	keys     []string     // the keyed hashes of the child's blocking keys
	hot      map[string]bool
	compared map[string]earlierCompared // candidate case id → what was compared
}

type earlierCompared struct {
	digest      string  // the candidate's match record digest when compared
	probability float64 // match.Model.Compare's
}

// errNothingToCompare ends a snapshot that has nothing to compare.
var errNothingToCompare = errors.New("casework: nothing to compare")

// precompareEarlier compares the child of a concern about to be raised with
// the cases filed under its keys, in a snapshot that takes no lock. It
// writes and audits nothing: the write that files the case audits each
// comparison it keeps. On any failure it returns nil and the write compares
// everything itself.
func (s *Service) precompareEarlier(ctx context.Context, v Viewer, c pathway.Concern) *earlierWork {
	if !v.CanRaiseConcern() {
		return nil
	}
	// The child as the raise will file it: the same decision on an
	// empty case (the ids are the write's to choose, and not compared).
	events, err := s.Pathway.Decide(pathway.Case{}, v.Actor(s.Catalog), pathway.RaiseConcern{CaseID: "precompare", Concern: c, ChildrensServicesOrg: "precompare"}, s.now())
	if err != nil || len(events) == 0 {
		return nil
	}
	after := pathway.Case{}
	for _, e := range events {
		after = pathway.Apply(after, e)
	}
	w := &earlierWork{person: pathway.MatchPerson(after), compared: map[string]earlierCompared{}}
	w.person.ID = ""
	err = s.DB.View(ctx, func(tx *store.Tx) error {
		keys, err := tx.MatchKeyHashes(w.person)
		if err != nil {
			return err
		}
		candidates, hot, err := tx.MatchCandidatesKnowingHot(keys, nil, "", earlierRecordsCompared)
		if err != nil {
			return err
		}
		w.keys, w.hot = keys, hot
		ids := make([]string, len(candidates))
		for i, c := range candidates {
			ids[i] = c.CaseID
		}
		records, err := tx.MatchRecords(ids, "", "")
		if err != nil {
			return err
		}
		model := match.DefaultModel()
		for id, rec := range records {
			w.compared[id] = earlierCompared{digest: rec.Digest, probability: model.Compare(w.person, rec.Person).Probability}
		}
		return nil
	})
	if err != nil {
		return nil
	}
	return w
}

// refreshEarlierHint works out and keeps the case's hint when the child's
// details changed between before and after (a new case is filed). It also
// puts the case in, or takes it out of, the hints of the cases compared,
// since the page's search finds either from the other. pre, if not nil,
// is the comparison a raise made before the write (precompareEarlier).
func (s *Service) refreshEarlierHint(tx *store.Tx, v Viewer, before, after pathway.Case, pre *earlierWork) error {
	person := pathway.MatchPerson(after)
	if after.ID == "" || (before.ID != "" && reflect.DeepEqual(pathway.MatchPerson(before), person)) {
		return nil
	}
	h, err := tx.EarlierHint(after.ID)
	if err != nil {
		return err
	}
	if day := s.londonDay(); h.Day != day {
		h.Day, h.Runs = day, 0
	}
	if h.Runs >= probingLimit {
		h.Held = true
		if err := tx.SaveEarlierHint(after.ID, h); err != nil {
			return err
		}
		return tx.AppendAudit(s.auditEntry(v, after.ID, audit.ActionCaseSearched,
			fmt.Sprintf("possible probing: the child's details changed more than %d times today; earlier records not looked for until tomorrow", probingLimit)))
	}
	h.Runs++
	h.Held = false
	if pre != nil {
		anon := person
		anon.ID = ""
		if !reflect.DeepEqual(anon, pre.person) {
			pre = nil // not the child compared: compare afresh
		}
	}
	var keys []string
	var knownHot map[string]bool
	if pre != nil {
		keys, knownHot = pre.keys, pre.hot
	} else if keys, err = tx.MatchKeyHashes(person); err != nil {
		return err
	}
	candidates, _, err := tx.MatchCandidatesKnowingHot(keys, knownHot, after.ID, earlierRecordsCompared)
	if err != nil {
		return err
	}
	ids := make([]string, len(candidates))
	for i, c := range candidates {
		ids[i] = c.CaseID
	}
	// The probability of each candidate still filed: the snapshot's where
	// its record is unchanged, otherwise opened and compared now.
	probability := make(map[string]float64, len(ids))
	open := ids
	if pre != nil {
		digests, err := tx.MatchRecordDigests(ids)
		if err != nil {
			return err
		}
		open = nil
		for _, id := range ids {
			d, filed := digests[id]
			if c, ok := pre.compared[id]; ok && filed && c.digest == d {
				probability[id] = c.probability
			} else if filed {
				open = append(open, id)
			}
		}
	}
	records, err := tx.MatchRecords(open, "", "")
	if err != nil {
		return err
	}
	model := match.DefaultModel()
	for id, rec := range records {
		probability[id] = model.Compare(person, rec.Person).Probability
	}
	old := h.Found
	h.Found = nil
	compared := map[string]float64{}
	for _, id := range ids {
		p, ok := probability[id]
		if !ok {
			continue // not filed yet, or erased: the page's search opens its log
		}
		if err := tx.AppendAudit(s.systemCaseEntry(id, audit.ActionCaseViewed, "compared for matching with case "+after.ID+" (its child's details changed)")); err != nil {
			return err
		}
		compared[id] = p
		if p >= earlierRecordThreshold {
			h.Found = append(h.Found, store.EarlierHintCase{CaseID: id, Probability: p})
		}
	}
	h.Found = strongestShown(h.Found)
	if err := tx.SaveEarlierHint(after.ID, h); err != nil {
		return err
	}
	// The other side: each case compared holds this one at the new
	// probability (or not at all below "possible"); a case held before and
	// not compared now no longer shares a key with it.
	for _, f := range old {
		if _, ok := compared[f.CaseID]; !ok {
			compared[f.CaseID] = 0
		}
	}
	others := slices.Sorted(maps.Keys(compared)) // one order of writes
	for _, id := range others {
		if before.ID == "" && compared[id] < earlierRecordThreshold {
			// A case being filed is in no other case's hint yet, so one
			// below "possible" leaves that hint as it is: not read.
			continue
		}
		if err := setInHint(tx, id, after.ID, compared[id]); err != nil {
			return err
		}
	}
	if len(compared) == 0 {
		return nil // nothing opened: the write's own entry says enough
	}
	return tx.AppendAudit(s.systemCaseEntry(after.ID, audit.ActionCaseSearched,
		fmt.Sprintf("earlier records of the child worked out for the overview, as %s changed the child's details: %d candidates compared, %d possible", v.User.ID, len(compared), len(h.Found))))
}

// systemCaseEntry is an audit entry of Waymark's own work on a case: the
// comparisons a change of details sets off are made by Waymark, and what
// they found is shown to no one until the team opens the page.
func (s *Service) systemCaseEntry(caseID, action, detail string) audit.Entry {
	return audit.Entry{At: s.now(), ActorID: "system", CaseID: caseID, Action: action, Detail: detail}
}

// strongestShown orders a hint's records strongest first and keeps the
// ones the page shows. Without the cut, a child referred again and again
// would grow the hint of each earlier referral by one record a referral,
// and every later referral would decrypt, decode and re-seal those longer
// and longer lists while it holds the write. A record cut from another
// case's hint comes back when that case's own details are next compared.
func strongestShown(found []store.EarlierHintCase) []store.EarlierHintCase {
	slices.SortStableFunc(found, func(a, b store.EarlierHintCase) int {
		switch {
		case a.Probability > b.Probability:
			return -1
		case a.Probability < b.Probability:
			return 1
		}
		return 0
	})
	return found[:min(len(found), earlierRecordsShown)]
}

// setInHint puts case other in case id's hint at probability p, or takes
// it out below the "possible" probability.
func setInHint(tx *store.Tx, id, other string, p float64) error {
	h, err := tx.EarlierHint(id)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(h.Found, func(f store.EarlierHintCase) bool { return f.CaseID == other })
	switch {
	case i < 0 && p < earlierRecordThreshold:
		return nil
	case i >= 0 && p < earlierRecordThreshold:
		h.Found = slices.Delete(h.Found, i, i+1)
	case i >= 0:
		h.Found[i].Probability = p
	default:
		h.Found = append(h.Found, store.EarlierHintCase{CaseID: other, Probability: p})
	}
	if len(h.Found) > earlierRecordsShown {
		// Cases erased since they were put here would otherwise keep
		// their places and push a live record out of the five.
		ids := make([]string, len(h.Found))
		for i, f := range h.Found {
			ids[i] = f.CaseID
		}
		filed, err := tx.StillFiled(ids)
		if err != nil {
			return err
		}
		h.Found = slices.DeleteFunc(h.Found, func(f store.EarlierHintCase) bool { return !filed[f.CaseID] })
	}
	h.Found = strongestShown(h.Found)
	return tx.SaveEarlierHint(id, h)
}

// EarlierSummary is what the overview shows of the possible earlier
// records: how many, and how strong the strongest is, from the stored hint.
type EarlierSummary struct {
	Found     int
	Strongest string // match.Result.Strength of the strongest
	Held      bool   // the details changed past the day's probing limit
}

// earlierSummary reads the case's hint in the caller's transaction (the
// caller has checked the viewer may look for earlier records). Cases
// erased since are not counted.
func earlierSummary(tx *store.Tx, caseID string) (EarlierSummary, error) {
	h, err := tx.EarlierHint(caseID)
	if err != nil || len(h.Found) == 0 {
		return EarlierSummary{Held: h.Held}, err
	}
	ids := make([]string, len(h.Found))
	for i, f := range h.Found {
		ids[i] = f.CaseID
	}
	filed, err := tx.StillFiled(ids)
	if err != nil {
		return EarlierSummary{}, err
	}
	out := EarlierSummary{Held: h.Held}
	var best float64
	for _, f := range h.Found {
		if filed[f.CaseID] {
			out.Found++
			best = max(best, f.Probability)
		}
	}
	if out.Found > 0 {
		out.Strongest = match.Result{Probability: best}.Strength()
	}
	return out, nil
}

// heldToday says the case's details changed past the day's probing limit
// today: the earlier-records page compares nothing for it.
func (s *Service) heldToday(tx *store.Tx, caseID string) error {
	h, err := tx.EarlierHint(caseID)
	if err != nil {
		return err
	}
	if h.Held && h.Day == s.londonDay() {
		return errEarlierHeld
	}
	return nil
}

// IsEarlierHeld says err is the probing limit's refusal.
func IsEarlierHeld(err error) bool { return errors.Is(err, errEarlierHeld) }

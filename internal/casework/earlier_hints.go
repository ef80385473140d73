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

// Finding the common keys before the write. At a million cases most of the
// time a raise held the write lock (docs/performance.md), which every page
// waits on for its audit entry, went on walking the child's matching keys:
// a key filing more than store.HotMatchKey cases is left out of the
// comparison, but finding that out walks 2,001 rows of the index, and at a
// million cases a child has one or two such keys. So a raise first finds
// which of its child's keys are that common, in a read snapshot beside the
// writes (findCommonKeys), and the write walks only the others. Nothing else
// moves: the write hashes the child's keys itself, walks the rest, opens the
// candidates' match records, compares and audits each comparison, exactly
// as before. The snapshot opens nothing sealed and learns only how many cases
// share a key, and it runs only for a raise that has passed every check the
// write makes before it compares (the viewer may raise, the concern is valid,
// the partnership has a front door, a draft is unsent and its version is
// current), so a refused request compares nothing, as before.
//
// One difference: a key the snapshot found too common that falls to
// store.HotMatchKey cases or fewer before the write (an erasure in between)
// is left out of that comparison; the earlier-records page compares afresh.

// errNotToBeSent ends the snapshot of a draft the write would not send.
var errNotToBeSent = errors.New("casework: the draft would not be sent")

// commonKeys is what findCommonKeys found: the keyed hashes, under the
// index key of the snapshot, of the child's keys that file more than
// store.HotMatchKey cases.
type commonKeys map[string]bool

// findCommonKeys finds which of the blocking keys of the child of a concern
// about to be raised are too common to walk. On any failure, or a check
// the write would fail, it returns nil and the write walks every key.
func (s *Service) findCommonKeys(ctx context.Context, v Viewer, c pathway.Concern) commonKeys {
	if !v.CanRaiseConcern() {
		return nil
	}
	// The child as the raise will file it: the same decision on an
	// empty case (the ids are the write's to choose, and are not keys).
	events, err := s.Pathway.Decide(pathway.Case{}, v.Actor(s.Catalog), pathway.RaiseConcern{CaseID: "pending", Concern: c, ChildrensServicesOrg: "pending"}, s.now())
	if err != nil || len(events) == 0 {
		return nil
	}
	after := pathway.Case{}
	for _, e := range events {
		after = pathway.Apply(after, e)
	}
	var hot commonKeys
	if err := s.DB.View(ctx, func(tx *store.Tx) error {
		p, err := viewerPartnership(tx, v)
		if err != nil {
			return err
		}
		if _, err := tx.ChildrensServicesOrgFor(p); err != nil {
			return err
		}
		keys, err := tx.MatchKeyHashes(pathway.MatchPerson(after))
		if err != nil {
			return err
		}
		hot, err = tx.HotMatchKeys(keys)
		return err
	}); err != nil {
		return nil
	}
	return hot
}

// refreshEarlierHint works out and keeps the case's hint when the child's
// details changed between before and after (a new case is filed). It also
// puts the case in, or takes it out of, the hints of the cases compared,
// since the page's search finds either from the other. common, if not nil,
// is the keys a raise found too common before the write (findCommonKeys).
func (s *Service) refreshEarlierHint(tx *store.Tx, v Viewer, before, after pathway.Case, common commonKeys) error {
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
	// The keys are hashed here, under this transaction's index key: a
	// snapshot taken before the first case was filed hashed them under a
	// key of the moment, which matches nothing (store: Tx.index).
	keys, err := tx.MatchKeyHashes(person)
	if err != nil {
		return err
	}
	if common == nil {
		// A correction of the child's details (or a raise whose snapshot
		// failed) counts the too common keys here, before it locks any:
		// they are left out of the comparison, so they need no lock, and
		// on PostgreSQL a correction of a child with a common name would
		// otherwise wait for every raise or correction under that name.
		// The comparison's walk (store.MatchCandidatesKnowingHot) then
		// skips them, so the count adds only a second read of the few
		// rows of each other key.
		hot, err := tx.HotMatchKeys(keys)
		if err != nil {
			return err
		}
		common = hot
	}
	// A raise of the same child in a transaction beside this one is
	// found: this walk waits for it to commit (PostgreSQL). Not on the
	// keys found too common, which are not walked: every raise of a child
	// with a common name would otherwise wait for every other.
	walked := slices.DeleteFunc(slices.Clone(keys), func(k string) bool { return common[k] })
	if err := tx.LockMatchKeys(walked); err != nil {
		return err
	}
	candidates, _, err := tx.MatchCandidatesKnowingHot(keys, common, after.ID, earlierRecordsCompared)
	if err != nil {
		return err
	}
	ids := make([]string, len(candidates))
	for i, c := range candidates {
		ids[i] = c.CaseID
	}
	records, err := tx.MatchRecords(ids, "", "")
	if err != nil {
		return err
	}
	model := match.DefaultModel()
	old := h.Found
	h.Found = nil
	compared := map[string]float64{}
	for _, id := range ids {
		rec, ok := records[id]
		if !ok {
			continue // not filed yet, or erased: the page's search opens its log
		}
		if err := tx.AppendAudit(s.systemCaseEntry(id, audit.ActionCaseViewed, "compared for matching with case "+after.ID+" (its child's details changed)")); err != nil {
			return err
		}
		p := model.Compare(person, rec.Person).Probability
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

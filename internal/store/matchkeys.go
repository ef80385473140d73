package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"waymark"
	"waymark/internal/audit"
	"waymark/internal/crypt"
	"waymark/internal/match"
	"waymark/internal/pathway"
)

// person_match_keys (migration 0034) files each case's child under the
// keyed hashes of its blocking keys (match.BlockingKeys of
// pathway.MatchPerson), so that the earlier records of a child raised again
// under another name or date of birth (§4.3, §4.8, §7.1) are found by an
// index walk, without the database holding any name or date in clear. The
// rows are a read model like search_tokens: SaveProjection keeps them in the
// same transaction as the events (only the rows that differ are written),
// erasure clears them, `waymark rebuild` writes them again and `waymark
// verify` compares them with what the sealed events give (projection.go).

// matchKeysOf is the keyed hashes a case's child is filed under.
func matchKeysOf(c pathway.Case, ix *crypt.Index) []string {
	return ix.MatchKeys(match.BlockingKeys(pathway.MatchPerson(c)))
}

// saveMatchKeys makes a case's person_match_keys rows exactly keys, writing
// only the difference (an event that changes none of the child's details,
// as most do not, runs one query and writes nothing). A fresh case (new in
// this transaction) has none to read. A case filed for the first time
// leaves person_match_keys_unfiled.
func (t *Tx) saveMatchKeys(caseID string, keys []string, fresh bool) error {
	var have []string
	if !fresh {
		var err error
		if have, err = t.stringColumn(`SELECT key_hash FROM person_match_keys WHERE case_id = $1`, caseID); err != nil {
			return fmt.Errorf("store: reading match keys: %w", err)
		}
		if len(have) == 0 {
			if _, err := t.exec(`DELETE FROM person_match_keys_unfiled WHERE case_id = $1`, caseID); err != nil {
				return fmt.Errorf("store: filing match keys: %w", err)
			}
		}
	}
	want := make(map[string]bool, len(keys))
	for _, h := range keys {
		want[h] = true
	}
	had := make(map[string]bool, len(have))
	gone := []any{caseID}
	for _, h := range have {
		had[h] = true
		if !want[h] {
			gone = append(gone, h)
		}
	}
	if n := len(gone) - 1; n > 0 {
		if _, err := t.exec(`DELETE FROM person_match_keys WHERE case_id = $1 AND key_hash IN (`+placeholders(2, n)+`)`, gone...); err != nil {
			return fmt.Errorf("store: clearing match keys: %w", err)
		}
	}
	args := []any{caseID}
	var values []string
	for _, h := range keys {
		if !had[h] {
			had[h] = true
			args = append(args, h)
			values = append(values, fmt.Sprintf("($%d, $1)", len(args)))
		}
	}
	if len(values) == 0 {
		return nil
	}
	if _, err := t.exec(`INSERT INTO person_match_keys(key_hash, case_id) VALUES `+strings.Join(values, ", ")+` ON CONFLICT DO NOTHING`, args...); err != nil {
		return fmt.Errorf("store: saving match keys: %w", err)
	}
	return nil
}

// storedMatchKeys reads a case's person_match_keys rows; unfiled says it
// has none because it was recorded before migration 0034 and not filed since.
func (t *Tx) storedMatchKeys(caseID string) (keys []string, unfiled bool, err error) {
	if keys, err = t.stringColumn(`SELECT key_hash FROM person_match_keys WHERE case_id = $1`, caseID); err != nil || len(keys) > 0 {
		return keys, false, err
	}
	ids, err := t.stringColumn(`SELECT case_id FROM person_match_keys_unfiled WHERE case_id = $1`, caseID)
	return nil, len(ids) > 0, err
}

// MatchKeyHashes is the keyed hashes of a person's blocking keys, as a case
// whose child this is would be filed under.
func (t *Tx) MatchKeyHashes(p match.Person) ([]string, error) {
	ix, err := t.index()
	if err != nil {
		return nil, err
	}
	return ix.MatchKeys(match.BlockingKeys(p)), nil
}

// MatchHandle is an opaque, unguessable name made of parts under the index
// key (crypt.Index.MatchHandle): a link to an earlier record names it by
// this, never by its id.
func (t *Tx) MatchHandle(parts ...string) (string, error) {
	ix, err := t.index()
	if err != nil {
		return "", err
	}
	return ix.MatchHandle(parts...), nil
}

// MatchCandidate is a case that shares blocking keys with a child.
type MatchCandidate struct {
	CaseID string
	Shared int     // how many of the keys it shares
	Score  float64 // the keys it shares, each weighted by how rare it is
}

// HotMatchKey is how many cases one key may file before it is too common to
// block on: a key as common as a frequent name in a frequent birth year,
// alone, says little, and walking it would cost more than every other key
// together. A child is filed under several keys (the name's codes, the
// date of birth, the year with the given name), so one that shares a hot
// key with an earlier record almost always shares a rarer one too.
const HotMatchKey = 2000

// MatchCandidates returns the cases filed under any of the key hashes,
// except the case exclude, ranked by the keys each shares, each key
// weighted by how rare it is (1 + log2((HotMatchKey+1)/cases filed under
// it): sharing a date of birth counts for more than sharing a common
// name's codes), then by how many, then by id; at most limit. Each key is
// one walk of the primary key (key_hash, case_id) that stops after
// HotMatchKey+1 rows: a key filing more cases is left out, and skipped
// says how many were.
func (t *Tx) MatchCandidates(keyHashes []string, exclude string, limit int) (out []MatchCandidate, skipped int, err error) {
	out, hot, err := t.MatchCandidatesKnowingHot(keyHashes, nil, exclude, limit)
	return out, len(hot), err
}

// MatchCandidatesKnowingHot is MatchCandidates that takes the keys of known
// as hot (found filing more than HotMatchKey cases by HotMatchKeys) without
// walking them again, and returns every key it left out as hot. A raise
// finds its child's hot keys in a snapshot before it takes the write lock
// (casework: findCommonKeys), and inside the lock walks only the rest: a
// hot key is 2,001 rows of the index, and at a million cases a child has
// one or two.
func (t *Tx) MatchCandidatesKnowingHot(keyHashes []string, known map[string]bool, exclude string, limit int) (out []MatchCandidate, hot map[string]bool, err error) {
	hot = map[string]bool{}
	if limit <= 0 || len(keyHashes) == 0 {
		return nil, hot, nil
	}
	byID := map[string]*MatchCandidate{}
	seen := map[string]bool{}
	for _, h := range keyHashes {
		if seen[h] {
			continue
		}
		seen[h] = true
		if known[h] {
			hot[h] = true
			continue
		}
		ids, err := t.stringColumn(`SELECT case_id FROM person_match_keys WHERE key_hash = $1 LIMIT $2`, h, HotMatchKey+1)
		if err != nil {
			return nil, nil, fmt.Errorf("store: finding match candidates: %w", err)
		}
		if len(ids) > HotMatchKey {
			hot[h] = true
			continue
		}
		w := 1 + math.Log2(float64(HotMatchKey+1)/float64(max(len(ids), 1)))
		for _, id := range ids {
			if id == exclude {
				continue
			}
			c := byID[id]
			if c == nil {
				c = &MatchCandidate{CaseID: id}
				byID[id] = c
			}
			c.Shared++
			c.Score += w
		}
	}
	out = make([]MatchCandidate, 0, len(byID))
	for _, c := range byID {
		out = append(out, *c)
	}
	slices.SortFunc(out, func(a, b MatchCandidate) int {
		switch {
		case a.Score != b.Score:
			return cmp.Compare(b.Score, a.Score)
		case a.Shared != b.Shared:
			return cmp.Compare(b.Shared, a.Shared)
		}
		return strings.Compare(a.CaseID, b.CaseID)
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out, hot, nil
}

// FileUnfiledMatchKeys files the cases recorded before migration 0034:
// each case's log is read and decrypted, and its match keys written, as
// its next event would. Run at every start after the plain text is sealed;
// the first start to find nothing left unfiled records so, once
// (match_filing.go), and from then on it files nothing: a case listed as
// unfiled after that was hidden from matching behind Waymark's back, and
// the start stops naming it, as `waymark verify` does. With the filing
// recorded it is one query. Erased cases have nothing to file and leave
// the list.
func (db *DB) FileUnfiledMatchKeys(ctx context.Context) (int, error) {
	var n int
	err := db.Update(ctx, func(t *Tx) (err error) {
		n = 0
		done, err := t.matchFilingDone()
		if err != nil {
			return err
		}
		if done {
			return t.hiddenFromMatching("")
		}
		ids, err := t.stringColumn(`SELECT case_id FROM person_match_keys_unfiled ORDER BY case_id`)
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			// Nothing to file (the list emptied by events or a rebuild):
			// recorded without a key, so a start writes nothing keyed.
			_, err := t.exec(`INSERT INTO match_keys_filed(id) VALUES (1)`)
			return wrapErr("store: recording that every case is filed for matching", err)
		}
		// The last ones filed: recorded once, with them, on a sealed
		// history (one still to be sealed as found gets no keyed entry
		// before `waymark seal-history`).
		sealed, err := t.historySealed()
		if err != nil {
			return err
		}
		defer func() {
			if err == nil && sealed {
				err = t.recordMatchFiling(n)
			}
		}()
		ix, err := t.index()
		if err != nil {
			return err
		}
		for _, id := range ids {
			if e, err := t.CaseErasure(id); err != nil {
				return err
			} else if e != nil {
				if _, err := t.exec(`DELETE FROM person_match_keys_unfiled WHERE case_id = $1`, id); err != nil {
					return err
				}
				continue
			}
			c, err := t.MatchCase(id)
			if waymark.ErrorCode(err) == waymark.ENOTFOUND {
				if _, err := t.exec(`DELETE FROM person_match_keys_unfiled WHERE case_id = $1`, id); err != nil {
					return err
				}
				continue
			}
			if err != nil {
				return err
			}
			if err := t.saveMatchKeys(id, matchKeysOf(c, ix), false); err != nil {
				return err
			}
			rec, err := matchRecordOf(c)
			if err != nil {
				return err
			}
			sealed, err := t.seal(ownerCase, id, matchRecordAAD(id), []byte(rec))
			if err != nil {
				return err
			}
			if err := t.saveMatchRecord(id, ix.MatchRecordDigest(id, []byte(rec)), sealed, false); err != nil {
				return err
			}
			if _, err := t.exec(`DELETE FROM person_match_keys_unfiled WHERE case_id = $1`, id); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// MatchCase is a case's state for comparing its child and telling who its
// members are: its log read, every seal on its chain checked and every
// payload decrypted, as LoadCase does, but without the display names of
// the people and organisations who wrote it, which neither needs (looking
// them up was half the cost of opening a candidate). A case with no events
// is ENOTFOUND.
func (t *Tx) MatchCase(caseID string) (pathway.Case, error) {
	sealed, err := t.historySealed()
	if err != nil {
		return pathway.Case{}, err
	}
	chain := t.newChain(caseID, sealed)
	rows, err := t.query(`SELECT seq, type, payload, actor_id, org_id, at, COALESCE(corrects, 0), seal_key, mac
		FROM case_events WHERE case_id = $1 ORDER BY seq`, caseID)
	if err != nil {
		return pathway.Case{}, fmt.Errorf("store: loading events: %w", err)
	}
	defer rows.Close()
	var events []pathway.Event
	var payloads []string
	for rows.Next() {
		e := pathway.Event{CaseID: caseID}
		var payload, keyID, mac string
		if err := rows.Scan(&e.Seq, &e.Type, &payload, &e.Actor.UserID, &e.Actor.OrgID, &e.At, &e.Corrects, &keyID, &mac); err != nil {
			return pathway.Case{}, fmt.Errorf("store: scanning event: %w", err)
		}
		e.At = e.At.UTC()
		if err := chain.next(audit.EventFields{CaseID: caseID, Seq: e.Seq, Type: e.Type, Payload: payload, ActorID: e.Actor.UserID, OrgID: e.Actor.OrgID, At: e.At, Corrects: e.Corrects}, keyID, mac); err != nil {
			return pathway.Case{}, err
		}
		events = append(events, e)
		payloads = append(payloads, payload)
	}
	if err := rows.Err(); err != nil {
		return pathway.Case{}, err
	}
	rows.Close()
	if len(events) == 0 {
		return pathway.Case{}, waymark.Errorf(waymark.ENOTFOUND, "Case not found")
	}
	for i := range events {
		plain, err := t.open(ownerCase, caseID, eventAAD(caseID, events[i].Seq), payloads[i])
		if err != nil {
			return pathway.Case{}, err
		}
		if err := pathway.DecodePayload(&events[i], plain); err != nil {
			return pathway.Case{}, err
		}
	}
	return pathway.Replay(events), nil
}

// matchRecordAAD binds a sealed match record to its case.
func matchRecordAAD(caseID string) string { return "person_match_records.record\x00" + caseID }

// matchRecordOf is what the engine compares of a case's child, as stored.
func matchRecordOf(c pathway.Case) (string, error) {
	b, err := json.Marshal(pathway.MatchPerson(c))
	if err != nil {
		return "", fmt.Errorf("store: encoding the match record of case %s: %w", c.ID, err)
	}
	return string(b), nil
}

// saveMatchRecord writes a case's sealed match record when its digest
// differs from the stored one (most events change nothing the engine
// compares: one query, no write).
func (t *Tx) saveMatchRecord(caseID, digest, sealed string, fresh bool) error {
	if fresh {
		_, err := t.exec(`INSERT INTO person_match_records(case_id, record, digest) VALUES ($1, $2, $3)`, caseID, sealed, digest)
		return wrapErr("store: saving the match record", err)
	}
	have, err := t.stringColumn(`SELECT digest FROM person_match_records WHERE case_id = $1`, caseID)
	if err != nil {
		return fmt.Errorf("store: reading the match record: %w", err)
	}
	if len(have) == 1 && have[0] == digest {
		return nil
	}
	_, err = t.exec(`INSERT INTO person_match_records(case_id, record, digest) VALUES ($1, $2, $3)
		ON CONFLICT (case_id) DO UPDATE SET record = excluded.record, digest = excluded.digest`, caseID, sealed, digest)
	return wrapErr("store: saving the match record", err)
}

func wrapErr(what string, err error) error {
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// storedMatchRecord reads and opens a case's match record ("" when it has none).
func (t *Tx) storedMatchRecord(caseID string) (record, digest string, err error) {
	var stored string
	err = t.queryRow(`SELECT record, digest FROM person_match_records WHERE case_id = $1`, caseID).Scan(&stored, &digest)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", nil
	}
	if err != nil {
		return "", "", fmt.Errorf("store: reading the match record: %w", err)
	}
	plain, err := t.open(ownerCase, caseID, matchRecordAAD(caseID), stored)
	if err != nil {
		return "", "", err
	}
	return string(plain), digest, nil
}

// MatchRecord is what a candidate case gives the search for earlier
// records: its child as the engine compares them, opened from its sealed
// match record alone, and from its read model its reference, its Children's
// Services organisation and the roles the viewer holds on it by sealed
// member rows (as case lists decide a viewer's standing).
type MatchRecord struct {
	CaseID, Reference, ChildrensServicesOrg string
	Person                                  match.Person
	Roles                                   []string
}

// LockMatchKeys makes the transaction's comparison under the key hashes
// wait for any other transaction comparing under one of them to commit.
// On PostgreSQL two raises of the same child in transactions that overlap
// would each walk the keys before the other's filing was committed, and
// neither would find the other; each key is an advisory lock held to the
// end of the transaction, taken in one order so that two never wait on
// each other, and a walk after it (READ COMMITTED) sees what the other
// filed. SQLite runs one write at a time, so there it does nothing.
func (t *Tx) LockMatchKeys(keyHashes []string) error {
	if t.dialect != Postgres || t.readOnly {
		return nil
	}
	for _, h := range slices.Compact(slices.Sorted(slices.Values(keyHashes))) {
		if _, err := t.exec(`SELECT pg_advisory_xact_lock(hashtextextended('person_match_keys' || $1, 0))`, h); err != nil {
			return fmt.Errorf("store: waiting for a comparison under the same match key: %w", err)
		}
	}
	return nil
}

// HotMatchKeys is which of the key hashes file more than HotMatchKey
// cases: those MatchCandidates leaves out. Each is counted by SQLite
// over at most HotMatchKey+1 rows of the primary key; nothing sealed is read.
func (t *Tx) HotMatchKeys(keyHashes []string) (map[string]bool, error) {
	hot := map[string]bool{}
	for _, h := range keyHashes {
		if hot[h] {
			continue
		}
		var n int
		if err := t.queryRow(`SELECT COUNT(*) FROM (SELECT 1 FROM person_match_keys WHERE key_hash = $1 LIMIT $2) k`, h, HotMatchKey+1).Scan(&n); err != nil {
			return nil, fmt.Errorf("store: counting the cases filed under a match key: %w", err)
		}
		if n > HotMatchKey {
			hot[h] = true
		}
	}
	return hot, nil
}

// MatchRecords opens the match records of the cases, for the viewer (user
// in org). A case with no match record (recorded before migration 0034
// and not filed since) or erased is left out; the map has the others.
func (t *Tx) MatchRecords(caseIDs []string, userID, orgID string) (map[string]MatchRecord, error) {
	out := make(map[string]MatchRecord, len(caseIDs))
	for _, id := range caseIDs {
		if _, ok := out[id]; ok {
			continue
		}
		var stored, master, wrapped string
		var reference sql.NullString
		var destroyed bool
		r := MatchRecord{CaseID: id}
		err := t.queryRow(`SELECT r.record, c.reference, c.cs_org_id, `+caseKeyColumns+`
			FROM person_match_records r JOIN cases c ON c.id = r.case_id`+caseKeyJoin+` WHERE r.case_id = $1`, id).
			Scan(&stored, &reference, &r.ChildrensServicesOrg, &master, &wrapped, &destroyed)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("store: reading a match record: %w", err)
		}
		if destroyed {
			continue
		}
		r.Reference = reference.String
		plain := []byte(stored)
		if crypt.IsSealed(stored) {
			k, err := t.unwrap(ownerCase, id, master, wrapped, false)
			if err != nil {
				return nil, err
			}
			if plain, err = crypt.OpenText(k, stored, matchRecordAAD(id)); err != nil {
				return nil, fmt.Errorf("store: decrypting the match record of case %s: %w", id, err)
			}
		}
		if err := json.Unmarshal(plain, &r.Person); err != nil {
			return nil, fmt.Errorf("store: decoding the match record of case %s: %w", id, err)
		}
		out[id] = r
	}
	if len(out) == 0 {
		return out, nil
	}
	ids := make([]string, 0, len(out))
	for id := range out {
		ids = append(ids, id)
	}
	roles, err := t.sealedMemberships(ids, userID, orgID)
	if err != nil {
		return nil, err
	}
	for id, rs := range roles {
		if r, ok := out[id]; ok {
			r.Roles = rs
			out[id] = r
		}
	}
	return out, nil
}

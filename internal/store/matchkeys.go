package store

import (
	"fmt"
	"strings"

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
	Shared int // how many of the keys it shares
}

// HotMatchKey is how many cases one key may file before it is too common to
// block on: a key as common as a frequent family name, alone, says little,
// and walking it would cost more than every other key together. A child is
// filed under many keys (names with the birth year, phonetic codes, dates),
// so one that shares a hot key with an earlier record almost always shares
// a rarer one too.
const HotMatchKey = 2000

// MatchCandidates returns the cases filed under any of the key hashes,
// except the case exclude, ranked by how many of them each shares (most
// first, then by id), at most limit. It is an index walk of the primary key
// (key_hash, case_id): each key is first probed for how common it is (at
// most HotMatchKey+1 rows read), keys filing more than HotMatchKey cases are
// left out, and the rest are counted together. skipped is how many keys
// were left out.
func (t *Tx) MatchCandidates(keyHashes []string, exclude string, limit int) (out []MatchCandidate, skipped int, err error) {
	if limit <= 0 || len(keyHashes) == 0 {
		return nil, 0, nil
	}
	args := []any{exclude}
	seen := map[string]bool{}
	for _, h := range keyHashes {
		if seen[h] {
			continue
		}
		seen[h] = true
		var n int
		if err := t.queryRow(`SELECT COUNT(*) FROM (SELECT 1 FROM person_match_keys WHERE key_hash = $1 LIMIT $2) k`, h, HotMatchKey+1).Scan(&n); err != nil {
			return nil, 0, fmt.Errorf("store: probing a match key: %w", err)
		}
		switch {
		case n > HotMatchKey:
			skipped++
		case n > 0:
			args = append(args, h)
		}
	}
	if len(args) == 1 {
		return nil, skipped, nil
	}
	args = append(args, limit)
	rows, err := t.query(`SELECT case_id, COUNT(*) AS shared FROM person_match_keys
		WHERE key_hash IN (`+placeholders(2, len(args)-2)+`) AND case_id <> $1
		GROUP BY case_id ORDER BY shared DESC, case_id LIMIT $`+fmt.Sprint(len(args)), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: finding match candidates: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c MatchCandidate
		if err := rows.Scan(&c.CaseID, &c.Shared); err != nil {
			return nil, 0, err
		}
		out = append(out, c)
	}
	return out, skipped, rows.Err()
}

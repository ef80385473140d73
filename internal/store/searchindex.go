package store

import (
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// search_viewer_tokens (migration 0023) is the blind index of search keyed
// by viewer: one row per case_viewers key of a case and per search_tokens
// entry of it, with the case's raised time, so that a search reads one
// viewer's entries of one word, newest case first (SearchPage). It holds
// exactly the cross of the two tables' rows of each case, which SaveProjection
// keeps in the same transaction (saveViewerTokens), erasure clears with the
// search tokens, `waymark rebuild` writes again from the two tables
// (RebuildSearchIndex) and `waymark verify` compares (checkSearchIndex).

// sortedKeys is a set's members in order.
func sortedKeys(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// saveViewerTokens keeps a case's search_viewer_tokens rows the cross of its
// viewers and its tokens, given what both were (oldViewers, oldTokens: the
// rows stored) and what they are now. Only the rows that differ are
// written: an event that changes neither (most do not) runs no statement.
// raisedAt never changes (the first event's time).
func (t *Tx) saveViewerTokens(caseID string, raisedAt time.Time, oldViewers, newViewers, oldTokens, newTokens []string) error {
	set := func(list []string) map[string]bool {
		m := make(map[string]bool, len(list))
		for _, s := range list {
			m[s] = true
		}
		return m
	}
	ov, nv, ot, nt := set(oldViewers), set(newViewers), set(oldTokens), set(newTokens)
	type row struct{ viewer, token string }
	var gone, added []row
	for _, v := range sortedKeys(ov) {
		for _, h := range sortedKeys(ot) {
			if !nv[v] || !nt[h] {
				gone = append(gone, row{v, h})
			}
		}
	}
	for _, v := range sortedKeys(nv) {
		for _, h := range sortedKeys(nt) {
			if !ov[v] || !ot[h] {
				added = append(added, row{v, h})
			}
		}
	}
	at := utc(raisedAt)
	// By viewer: each statement names whole keys, so each row is found by
	// its primary key, never by a walk of the case's other rows.
	for i := 0; i < len(gone); {
		j := i
		for j < len(gone) && gone[j].viewer == gone[i].viewer {
			j++
		}
		args := []any{gone[i].viewer, at, caseID}
		for _, r := range gone[i:j] {
			args = append(args, r.token)
		}
		if _, err := t.exec(`DELETE FROM search_viewer_tokens WHERE viewer = $1 AND raised_at = $2 AND case_id = $3 AND token_hash IN (`+placeholders(4, j-i)+`)`, args...); err != nil {
			return fmt.Errorf("store: removing search entries of a viewer: %w", err)
		}
		i = j
	}
	const perInsert = 200
	for len(added) > 0 {
		batch := added[:min(perInsert, len(added))]
		added = added[len(batch):]
		args := []any{at, caseID}
		values := make([]string, len(batch))
		for i, r := range batch {
			args = append(args, r.viewer, r.token)
			values[i] = fmt.Sprintf("($%d, $%d, $1, $2)", len(args)-1, len(args))
		}
		if _, err := t.exec(`INSERT INTO search_viewer_tokens(viewer, token_hash, raised_at, case_id) VALUES `+strings.Join(values, ", ")+` ON CONFLICT DO NOTHING`, args...); err != nil {
			return fmt.Errorf("store: adding search entries of a viewer: %w", err)
		}
	}
	return nil
}

// clearViewerTokens deletes an erased case's search_viewer_tokens rows,
// found by their keys from its case_viewers and search_tokens rows, before
// the search tokens themselves are deleted.
func (t *Tx) clearViewerTokens(caseID string) error {
	var raised time.Time
	err := t.queryRow(`SELECT raised_at FROM cases WHERE id = $1`, caseID).Scan(&raised)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("store: reading a case's raised time: %w", err)
	}
	viewers, err := t.stringColumn(`SELECT viewer FROM case_viewers WHERE case_id = $1`, caseID)
	if err != nil {
		return fmt.Errorf("store: reading case viewers: %w", err)
	}
	tokens, err := t.stringColumn(`SELECT token_hash FROM search_tokens WHERE case_id = $1`, caseID)
	if err != nil {
		return fmt.Errorf("store: reading search tokens: %w", err)
	}
	return t.saveViewerTokens(caseID, raised, viewers, viewers, tokens, nil)
}

// viewerTokensFrom is every row search_viewer_tokens should hold, from the
// case_viewers and search_tokens rows of each case.
const viewerTokensFrom = ` FROM case_viewers v JOIN search_tokens s ON s.case_id = v.case_id JOIN cases c ON c.id = v.case_id`

// DeferSearchIndex makes this transaction's SaveProjection and
// SavePreparedProjection leave search_viewer_tokens as it is, for a bulk
// load into a database nobody uses yet that calls RebuildSearchIndex once it
// has written every case. Each case's rows, written with the case, land on
// pages scattered over the whole table (its key starts with the viewer and
// a keyed hash of a word), so a load writing cases in their thousands
// dirties a page for almost every row; written in key order at the end,
// they fill pages one after another. Until then search finds none of the
// cases and `waymark verify` names the missing rows.
func (t *Tx) DeferSearchIndex() { t.deferSearch = true }

// RebuildSearchIndex writes search_viewer_tokens again from case_viewers
// and search_tokens, as migration 0023 first wrote it: `waymark rebuild`
// runs it after every case's projection is saved, so that a row changed or
// deleted behind Waymark's back (which SaveProjection, writing only what
// differs from the rows it derives from, would not see) is put right.
func (t *Tx) RebuildSearchIndex() error {
	if _, err := t.exec(`DELETE FROM search_viewer_tokens`); err != nil {
		return fmt.Errorf("store: clearing search_viewer_tokens: %w", err)
	}
	if _, err := t.exec(`INSERT INTO search_viewer_tokens(viewer, token_hash, raised_at, case_id) SELECT v.viewer, s.token_hash, c.raised_at, c.id` + viewerTokensFrom +
		` ORDER BY v.viewer, s.token_hash, c.raised_at, c.id`); err != nil {
		return fmt.Errorf("store: writing search_viewer_tokens: %w", err)
	}
	return nil
}

// checkSearchIndex names a search_viewer_tokens row that is not the cross of
// its case's case_viewers and search_tokens rows (`waymark verify`, after
// those are checked against each case's events): a row deleted hides a
// case from a member's search; a row inserted or changed points search at
// a case, which the member rows' seals still keep from anyone not in it.
func (t *Tx) checkSearchIndex() error {
	var caseID, viewer string
	err := t.queryRow(`SELECT c.id, v.viewer`+viewerTokensFrom+` WHERE NOT EXISTS (SELECT 1 FROM search_viewer_tokens x
		WHERE x.viewer = v.viewer AND x.token_hash = s.token_hash AND x.raised_at = c.raised_at AND x.case_id = c.id) LIMIT 1`).Scan(&caseID, &viewer)
	switch {
	case err == nil:
		return t.tamper(caseID, 0, 0, "the read model lacks a search_viewer_tokens row of "+viewer+", which its case_viewers and search_tokens rows give (a row was deleted)")
	case !errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("store: checking search_viewer_tokens: %w", err)
	}
	// Every row that should be there is: any more is one too many.
	var want, have int64
	if err := t.queryRow(`SELECT COUNT(*)` + viewerTokensFrom).Scan(&want); err != nil {
		return fmt.Errorf("store: checking search_viewer_tokens: %w", err)
	}
	if err := t.queryRow(`SELECT COUNT(*) FROM search_viewer_tokens`).Scan(&have); err != nil {
		return fmt.Errorf("store: checking search_viewer_tokens: %w", err)
	}
	if have == want {
		return nil
	}
	err = t.queryRow(`SELECT x.case_id, x.viewer FROM search_viewer_tokens x WHERE
		NOT EXISTS (SELECT 1 FROM case_viewers v WHERE v.case_id = x.case_id AND v.viewer = x.viewer)
		OR NOT EXISTS (SELECT 1 FROM search_tokens s WHERE s.case_id = x.case_id AND s.token_hash = x.token_hash)
		OR NOT EXISTS (SELECT 1 FROM cases c WHERE c.id = x.case_id AND c.raised_at = x.raised_at) LIMIT 1`).Scan(&caseID, &viewer)
	if err != nil {
		return fmt.Errorf("store: search_viewer_tokens has %d rows where its case_viewers and search_tokens rows give %d, and none is told apart: %w", have, want, err)
	}
	return t.tamper(caseID, 0, 0, "the read model has a search_viewer_tokens row of "+viewer+", which its case_viewers and search_tokens rows do not give (a row was inserted or changed)")
}

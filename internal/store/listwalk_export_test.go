package store

import (
	"fmt"
	"strings"
	"time"
)

// The lists as they were queried before they walked an index (5fa94d4),
// kept to prove the new queries list exactly the same.

func (t *Tx) OldCasesFor(userID, orgID string, limit int) ([]CaseSummary, error) {
	return t.summaries(summarySelect+` WHERE`+memberFilter+` ORDER BY c.updated_at DESC LIMIT $3`, userID, orgID, limit)
}

func (t *Tx) OldEscalatedCases(userID, orgID string, limit int) ([]CaseSummary, error) {
	return t.summaries(summarySelect+` WHERE`+memberFilter+` AND c.open_escalations > 0 ORDER BY c.updated_at, c.id LIMIT $3`, userID, orgID, limit)
}

// SearchOracle is search as its definition says (SearchPage), with no
// index in mind: every case the viewer may know where every word of q is in
// the reference or matches the blind index, newest raised first (the id,
// highest first, breaking ties); or, when every word may be part of a
// reference, newest activity first.
func (t *Tx) SearchOracle(userID, orgID, q string) ([]CaseSummary, error) {
	words := strings.Fields(strings.ToLower(q))
	if len(words) > 6 {
		words = words[:6]
	}
	ix, err := t.index()
	if err != nil {
		return nil, err
	}
	query := summarySelect + ` WHERE` + memberFilter
	args := []any{userID, orgID}
	order := ` ORDER BY c.updated_at DESC, c.id DESC`
	for _, w := range words {
		var alt []string
		if MayBeInReference(w) {
			args = append(args, "%"+escapeLike(w)+"%")
			alt = append(alt, fmt.Sprintf(`c.search_text LIKE $%d ESCAPE '\'`, len(args)))
		} else {
			order = ` ORDER BY c.raised_at DESC, c.id DESC`
		}
		if hashes := ix.Query(w); len(hashes) > 0 {
			var all []string
			for _, h := range hashes {
				args = append(args, h)
				all = append(all, fmt.Sprintf(`EXISTS (SELECT 1 FROM search_tokens st WHERE st.case_id = c.id AND st.token_hash = $%d)`, len(args)))
			}
			alt = append(alt, `(`+strings.Join(all, ` AND `)+`)`)
		}
		if len(alt) == 0 {
			return nil, nil
		}
		query += ` AND (` + strings.Join(alt, ` OR `) + `)`
	}
	return t.summaries(query+order, args...)
}

func (t *Tx) OldClosedCasesClosedBefore(cutoff, now time.Time, limit int) ([]ClosedCaseDue, error) {
	rows, err := t.query(`SELECT c.id, COALESCE(c.reference, ''), c.closed_at FROM cases c
		WHERE c.closed AND c.closed_at IS NOT NULL AND c.closed_at < $1
		AND c.id NOT IN (SELECT case_id FROM erasures)
		AND NOT EXISTS (SELECT 1 FROM retention_decisions r WHERE r.item_kind = 'closed-case' AND r.item_id = c.id AND r.keep_until > $2)
		ORDER BY c.closed_at, c.id LIMIT $3`, utc(cutoff), utc(now), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ClosedCaseDue
	for rows.Next() {
		var c ClosedCaseDue
		if err := rows.Scan(&c.CaseID, &c.Reference, &c.ClosedAt); err != nil {
			return nil, err
		}
		c.ClosedAt = c.ClosedAt.UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}

func (t *Tx) OldAuditEntriesBefore(cutoff time.Time) (int, error) {
	var n int
	err := t.queryRow(`SELECT COUNT(*) FROM audit_log WHERE at < $1`, utc(cutoff)).Scan(&n)
	return n, err
}

// WatchListQueries has fn shown each page's query until the returned stop is called.
func WatchListQueries(fn func(q string, args []any)) (stop func()) {
	listQueryHook = fn
	return func() { listQueryHook = nil }
}

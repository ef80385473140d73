package store

import (
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"waymark/internal/pathway"
)

// Lists that walk an index for one page. "Your cases", search and the
// escalations list are read through case_viewers (migration 0018): one row
// per case and per member of it, ordered by the case's last activity, so a
// page is a range walk of the viewer's own rows, however many cases the
// database holds. A row of case_viewers only says where to look: every case
// of a page is kept only when a case_members row with a matching seal says
// the viewer may know it (§6.5; cases.go sealedMemberships), exactly as the
// lists did before.

// viewerPerson and viewerOrg are the case_viewers keys of a person (or
// machine client, whose ids are never a person's) and of an organisation.
func viewerPerson(id string) string { return "p:" + id }
func viewerOrg(id string) string    { return "o:" + id }

// saveCaseViewers keeps a case's case_viewers rows in step with its members
// and its last activity, and gives the keys it had. SaveProjection calls it
// in the same transaction as the members it derives them from.
func (t *Tx) saveCaseViewers(caseID string, members []pathway.Member, updatedAt time.Time, escalatedSince *time.Time, fresh bool) (have []string, err error) {
	want := viewersOf(members)
	if !fresh { // a new case has none
		// One statement moves every row the case has and says which they are.
		if have, err = t.stringColumn(`UPDATE case_viewers SET updated_at = $2, escalated_since = $3 WHERE case_id = $1 RETURNING viewer`,
			caseID, utc(updatedAt), nullTime(escalatedSince)); err != nil {
			return nil, fmt.Errorf("store: updating case viewers: %w", err)
		}
	}
	had := map[string]bool{}
	for _, v := range have {
		had[v] = true
		if !want[v] {
			if _, err := t.exec(`DELETE FROM case_viewers WHERE case_id = $1 AND viewer = $2`, caseID, v); err != nil {
				return nil, fmt.Errorf("store: removing a case viewer: %w", err)
			}
		}
	}
	added := make([]string, 0, len(want))
	for v := range want {
		if !had[v] {
			added = append(added, v)
		}
	}
	if len(added) == 0 {
		return have, nil
	}
	slices.Sort(added)
	args := []any{caseID, utc(updatedAt), nullTime(escalatedSince)}
	values := make([]string, len(added))
	for i, v := range added {
		args = append(args, v)
		values[i] = fmt.Sprintf("($1, $%d, $2, $3)", len(args))
	}
	if _, err := t.exec(`INSERT INTO case_viewers(case_id, viewer, updated_at, escalated_since) VALUES `+strings.Join(values, ", "), args...); err != nil {
		return nil, fmt.Errorf("store: adding case viewers: %w", err)
	}
	return have, nil
}

// viewersOf is the set of case_viewers keys of a case's members.
func viewersOf(members []pathway.Member) map[string]bool {
	want := map[string]bool{}
	for _, m := range members {
		if m.Kind == "org" {
			want[viewerOrg(m.ID)] = true
		} else {
			want[viewerPerson(m.ID)] = true
		}
	}
	return want
}

// viewerLines are the case_viewers rows a case's members, last activity
// and oldest open escalation give, one line each, for verify to compare.
func viewerLines(members []pathway.Member, updatedAt time.Time, escalatedSince *time.Time) []string {
	var out []string
	for v := range viewersOf(members) {
		out = append(out, viewerLine(v, updatedAt, escalatedSince))
	}
	slices.Sort(out)
	return out
}

func viewerLine(viewer string, updatedAt time.Time, escalatedSince *time.Time) string {
	since := "none open"
	if escalatedSince != nil {
		since = utc(*escalatedSince).Format(time.RFC3339Nano)
	}
	return "case_viewers." + viewer + " = last activity " + utc(updatedAt).Format(time.RFC3339Nano) + ", escalation open since " + since
}

// storedViewerLines are a case's case_viewers rows as viewerLine gives them.
func (t *Tx) storedViewerLines(caseID string) ([]string, error) {
	rows, err := t.query(`SELECT viewer, updated_at, escalated_since FROM case_viewers WHERE case_id = $1`, caseID)
	if err != nil {
		return nil, fmt.Errorf("store: reading case viewers: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var viewer string
		var at time.Time
		var since sql.NullTime
		if err := rows.Scan(&viewer, &at, &since); err != nil {
			return nil, fmt.Errorf("store: reading case viewers: %w", err)
		}
		out = append(out, viewerLine(viewer, at, timePtr(since)))
	}
	return out, rows.Err()
}

// checkViewers names a case's case_viewers row that is not what its sealed
// events give (`waymark verify`): a row deleted, or its escalation cleared,
// hides the case from a member's lists, search and the escalations list; a
// row inserted points a list at a case its viewer is not in.
func (t *Tx) checkViewers(caseID string, want []string) error {
	got, err := t.storedViewerLines(caseID)
	if err != nil {
		return err
	}
	if diff := compareLines(want, got); diff != "" {
		return t.tamper(caseID, 0, 0, diff)
	}
	return nil
}

// escalatedSince is when the case's oldest open escalation was raised
// (§8.6), or nil when none is open: the escalations list's order.
func escalatedSince(c pathway.Case) *time.Time {
	var since *time.Time
	for _, e := range c.Meetings.Escalations {
		if e.Open() && (since == nil || e.RaisedAt.Before(*since)) {
			at := utc(e.RaisedAt)
			since = &at
		}
	}
	return since
}

// pageColumns are summarySelect's columns for a page of case ids p joined
// to cases c (with pageJoins): the next deadline the viewer may see is
// looked up per case of the page, by the case's own clocks, so that no
// planner can turn it into a pass over every clock or every member row of
// the viewer (PostgreSQL hashed summarySelect's join that way).
var pageColumns = `SELECT c.id, COALESCE(c.reference, ''), c.stage, c.child_name, c.family_suspected, c.age_uncertain, c.immediate_risk,
		c.raised_at, c.updated_at, c.version,
		COALESCE((SELECT k.label FROM clocks k WHERE k.case_id = c.id AND k.stopped_at IS NULL AND ` + clockSeenBy("k") + ` ORDER BY k.due_at, k.clock_id LIMIT 1), ''),
		(SELECT k.due_at FROM clocks k WHERE k.case_id = c.id AND k.stopped_at IS NULL AND ` + clockSeenBy("k") + ` ORDER BY k.due_at, k.clock_id LIMIT 1),
		c.missing, c.closed, c.open_escalations, c.high_missing_risk_until, COALESCE(c.progress, ''), ` + caseKeyColumns

var pageJoins = caseKeyJoin

// walk is one paged list over case_viewers.
type walk struct {
	newestFirst bool   // newest first (else oldest first)
	escalated   bool   // only cases with an escalation open, by when the oldest was raised (else by last activity)
	where       string // further conditions on the case c, in the walk
	args        []any  // their arguments, numbered from $8
}

// far is the edge of a first page: later (or, walking forwards in time,
// earlier) than every row, so that every page runs the same statement.
var (
	farFuture = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
	farPast   = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
)

// keyset gives the order, the comparison and the edge ($6, $7) of a page:
// walking backwards (a "Previous" link) reverses the list's order, and the
// page is turned round afterwards (pageOf).
func keyset(newestFirst bool, at *Cursor) (dir, cmp string, edge []any) {
	backwards := at != nil && at.Before
	if newestFirst != backwards {
		dir, cmp, edge = " DESC", "<", []any{farFuture, ""}
	} else {
		dir, cmp, edge = "", ">", []any{farPast, ""}
	}
	if at != nil {
		edge = []any{utc(at.At), at.ID}
	}
	return dir, cmp, edge
}

// lastActivity is a case list's sort key.
func lastActivity(c CaseSummary) (time.Time, error) { return c.UpdatedAt, nil }

// pagedSummaries lists one page of walk w for the viewer ($1 the user, $2
// their organisation). The inner walks read the viewer's case_viewers rows
// in index order, one for the person and one for the organisation, each
// stopping after limit+1 rows; the two are merged and cut to limit+1
// (firstOfBoth), and the outer query joins those few rows to the case and
// its next deadline.
func (t *Tx) pagedSummaries(w walk, userID, orgID string, at *Cursor, limit int) ([]CaseSummary, Page, error) {
	if limit <= 0 {
		limit = PageSize
	}
	dir, cmp, edge := keyset(w.newestFirst, at)
	key := "updated_at"
	if w.escalated {
		key = "escalated_since"
	}
	args := append([]any{userID, orgID, viewerPerson(userID), viewerOrg(orgID), limit + 1}, edge...)
	args = append(args, w.args...)
	inner := func(viewer string) string {
		// Joined to its case even when nothing of the case is asked
		// for: a case_viewers row whose case is gone (only a hand on the
		// file makes one, and verify reports it) must not take one of
		// the limit+1 places, or the outer join would drop it and the
		// list would end a page early.
		q := `SELECT v.case_id, v.` + key + ` AS k FROM case_viewers v JOIN cases c ON c.id = v.case_id WHERE v.viewer = ` + viewer
		if w.escalated {
			q += ` AND v.escalated_since IS NOT NULL`
		}
		q += ` AND (v.` + key + `, v.case_id) ` + cmp + ` ($6, $7)`
		if w.where != "" {
			q += ` AND ` + w.where
		}
		return `SELECT * FROM (` + q + ` ORDER BY v.` + key + dir + `, v.case_id` + dir + ` LIMIT $5) AS w` + viewer[1:]
	}
	q := pageColumns + ` FROM (` + firstOfBoth(inner("$3"), inner("$4"), dir) + `) p JOIN cases c ON c.id = p.case_id` + pageJoins +
		` ORDER BY p.k` + dir + `, p.case_id` + dir
	keyOf := lastActivity
	if w.escalated {
		keyOf = func(c CaseSummary) (time.Time, error) {
			var at time.Time
			err := t.queryRow(`SELECT escalated_since FROM case_viewers WHERE case_id = $1 AND viewer IN ($2, $3) AND escalated_since IS NOT NULL ORDER BY escalated_since LIMIT 1`, c.ID, viewerPerson(userID), viewerOrg(orgID)).Scan(&at)
			return at, err
		}
	}
	return t.finishPage(q, args, at, limit, keyOf)
}

// firstOfBoth merges the viewer's two walks (the person's and their
// organisation's, each of at most limit+1 rows: case_id and its sort key
// k) and keeps the first limit+1 ($5) of the merged order, so that only
// those are joined to their cases and next deadlines: a person whose own
// cases are not the organisation's newest would otherwise have twice a
// page's rows looked up, to be thrown away by finishPage.
func firstOfBoth(person, org, dir string) string {
	return `SELECT * FROM (` + person + ` UNION ` + org + `) AS u ORDER BY u.k` + dir + `, u.case_id` + dir + ` LIMIT $5`
}

// listQueryHook, in tests only, is shown each page's query before it runs
// (to read its plan).
var listQueryHook func(q string, args []any)

// finishPage runs a page's query (rows in walking order, at least limit+1
// of them when there are more; $1 the user and $2 their organisation, $6
// and $7 the edge it walks from) with walkKept, keeping the cases whose
// member rows are sealed, and gives the page and the cursors either side
// (pageOf). When rows are dropped the walk goes on from the last row read.
func (t *Tx) finishPage(q string, args []any, at *Cursor, limit int, keyOf func(CaseSummary) (time.Time, error)) ([]CaseSummary, Page, error) {
	userID, _ := args[0].(string)
	orgID, _ := args[1].(string)
	args = slices.Clone(args)
	key := func(c CaseSummary) (Cursor, error) {
		at, err := keyOf(c)
		return Cursor{At: utc(at), ID: c.ID}, err
	}
	read := func(from *Cursor) ([]CaseSummary, *Cursor, error) {
		if from != nil {
			args[5], args[6] = from.At, from.ID
		}
		if listQueryHook != nil {
			listQueryHook(q, args)
		}
		rows, err := t.summaryRows(q, args...)
		if err != nil {
			return nil, nil, err
		}
		// The query merged the viewer's two walks and kept their first
		// limit+1 rows (firstOfBoth), so a row past the page says there
		// is more, and the walk goes on from it. The walks read only
		// rows whose case exists (pagedSummaries, SearchPage), so none
		// is dropped between the merge and here.
		if len(rows) <= limit {
			return rows, nil, nil
		}
		next, err := key(rows[len(rows)-1])
		return rows, &next, err
	}
	keep := func(rows []CaseSummary) ([]CaseSummary, error) { return t.onlySealedMembers(rows, userID, orgID) }
	kept, err := walkKept(limit, read, keep, func(c CaseSummary) string { return c.ID })
	if err != nil {
		return nil, Page{}, err
	}
	return pageOf(kept, at, limit, key)
}

// CasesPage lists one page of the cases the user may know about, newest
// activity first.
func (t *Tx) CasesPage(userID, orgID string, at *Cursor, limit int) ([]CaseSummary, Page, error) {
	return t.pagedSummaries(walk{newestFirst: true}, userID, orgID, at, limit)
}

// EscalatedPage lists one page of the cases the user may know about (§6.5)
// that have an escalation open, the one waiting longest first (§8.6).
func (t *Tx) EscalatedPage(userID, orgID string, at *Cursor, limit int) ([]CaseSummary, Page, error) {
	return t.pagedSummaries(walk{escalated: true}, userID, orgID, at, limit)
}

// referenceAlphabet is every character a case's search_text can hold: the
// lower-cased reference, which only RecordContact mints, as
// CS-<year>-<number> (casework/cases.go). A search word with any other
// character can only match through the blind index.
const referenceAlphabet = "cs-0123456789"

// MayBeInReference reports whether a search word could be part of a reference.
func MayBeInReference(word string) bool {
	for _, r := range word {
		if !strings.ContainsRune(referenceAlphabet, r) {
			return false
		}
	}
	return true
}

// searchWords are the words of a search, as SearchPage reads them.
func searchWords(q string) []string {
	words := strings.Fields(strings.ToLower(q))
	if len(words) > 6 {
		words = words[:6]
	}
	return words
}

// SearchByName reports whether a search for q lists its cases newest raised
// first (a word of it cannot be part of a reference, so it is read through
// the blind index by viewer), rather than by last activity (SearchPage).
func SearchByName(q string) bool {
	for _, w := range searchWords(q) {
		if !MayBeInReference(w) {
			return true
		}
	}
	return false
}

// SearchPage finds one page of the user's cases where every word of q is in
// the reference, or is one of the child's names or aliases or the start
// (three letters or more) of one, matched through the blind index. Cases
// they may not know are never searched at all.
//
// When a word cannot be part of a reference (a name), the search reads the
// viewer's own entries of that word in search_viewer_tokens (migration
// 0023; searchindex.go): one walk for the person and one for their
// organisation, each newest raised case first, keeping an entry when the
// case has the word's other hashes and the other words (a probe of the
// same table by its whole key each, or the reference for a word that may
// be part of one), and stopping when the page is full. Such a search lists
// the cases newest raised first, a key that no event moves. When every
// word may be part of a reference, it walks the viewer's cases by last
// activity, newest first, as "Your cases" does, until the page is full.
func (t *Tx) SearchPage(userID, orgID, q string, at *Cursor, limit int) ([]CaseSummary, Page, error) {
	words := searchWords(q)
	ix, err := t.index()
	if err != nil {
		return nil, Page{}, err
	}
	if limit <= 0 {
		limit = PageSize
	}
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", 7+len(args))
	}
	drive := -1 // the first word that can only match through the blind index
	for i, w := range words {
		if !MayBeInReference(w) {
			if len(ix.Query(w)) == 0 {
				return nil, Page{}, nil // nothing can match this word
			}
			if drive < 0 {
				drive = i
			}
		}
	}
	// match is the condition that case c, or the entry e of the driving
	// word, has word w: in its reference, when w may be part of one, or
	// every hash of w (the word's hashes, has).
	match := func(w string, has func(hash string) string) string {
		var alt []string
		if MayBeInReference(w) {
			alt = append(alt, `c.search_text LIKE `+arg("%"+escapeLike(w)+"%")+` ESCAPE '\'`)
		}
		if hashes := ix.Query(w); len(hashes) > 0 {
			var all []string
			for _, h := range hashes {
				all = append(all, has(arg(h)))
			}
			alt = append(alt, `(`+strings.Join(all, ` AND `)+`)`)
		}
		return `(` + strings.Join(alt, ` OR `) + `)`
	}
	if drive < 0 {
		var conds []string
		for _, w := range words {
			conds = append(conds, match(w, func(h string) string { return hasToken("st", h) }))
		}
		return t.pagedSummaries(walk{newestFirst: true, where: strings.Join(conds, " AND "), args: args}, userID, orgID, at, limit)
	}
	hashes := ix.Query(words[drive])
	first := arg(hashes[0])
	var conds []string
	for _, h := range hashes[1:] {
		conds = append(conds, hasEntry(arg(h)))
	}
	for i, w := range words {
		if i == drive {
			continue
		}
		conds = append(conds, match(w, hasEntry))
	}
	dir, cmp, edge := keyset(true, at)
	inner := func(viewer string) string {
		// Joined to its case always, as pagedSummaries's walks are: an
		// entry whose case is gone must not take a place on the page.
		q := `SELECT e.case_id, e.raised_at AS k FROM search_viewer_tokens e JOIN cases c ON c.id = e.case_id` +
			` WHERE e.viewer = ` + viewer + ` AND e.token_hash = ` + first + ` AND (e.raised_at, e.case_id) ` + cmp + ` ($6, $7)`
		for _, c := range conds {
			q += ` AND ` + c
		}
		return `SELECT * FROM (` + q + ` ORDER BY e.raised_at` + dir + `, e.case_id` + dir + ` LIMIT $5) AS w` + viewer[1:]
	}
	query := pageColumns + ` FROM (` + firstOfBoth(inner("$3"), inner("$4"), dir) + `) p JOIN cases c ON c.id = p.case_id` + pageJoins +
		` ORDER BY p.k` + dir + `, p.case_id` + dir
	all := append([]any{userID, orgID, viewerPerson(userID), viewerOrg(orgID), limit + 1}, edge...)
	return t.finishPage(query, append(all, args...), at, limit, raisedFirst)
}

// raisedFirst is a name search's sort key.
func raisedFirst(c CaseSummary) (time.Time, error) { return c.RaisedAt, nil }

// hasToken is the condition that case c has the blind-index entry hash
// (a parameter): one probe of search_tokens by case and hash. It is a
// scalar subquery rather than EXISTS so that PostgreSQL cannot turn it
// into a join against every entry of the hash in the database: each case
// the walk reaches is probed, in the walk's order, and the walk stops when
// the page is full.
func hasToken(alias, hash string) string {
	return `(SELECT 1 FROM search_tokens ` + alias + ` WHERE ` + alias + `.case_id = c.id AND ` + alias + `.token_hash = ` + hash + ` LIMIT 1) IS NOT NULL`
}

// hasEntry is the condition that the case of the search_viewer_tokens
// entry e also has the blind-index entry hash (a parameter): one probe of
// the same table by its whole key, for the same viewer and case (a case
// has an entry for every viewer and every hash, or none). A scalar
// subquery, as hasToken, for the same reason.
func hasEntry(hash string) string {
	return `(SELECT 1 FROM search_viewer_tokens x WHERE x.viewer = e.viewer AND x.token_hash = ` + hash +
		` AND x.raised_at = e.raised_at AND x.case_id = e.case_id LIMIT 1) IS NOT NULL`
}

// textTime scans a time that may be NULL, or — from SQLite, when a
// subquery gives it, so the driver does not know it is a time — the text
// the driver stored it as.
type textTime struct{ t *time.Time }

func (x *textTime) Scan(v any) error {
	var text string
	switch v := v.(type) {
	case nil:
		x.t = nil
		return nil
	case time.Time:
		u := v.UTC()
		x.t = &u
		return nil
	case string:
		text = v
	case []byte:
		text = string(v)
	default:
		return fmt.Errorf("store: a time stored as %T", v)
	}
	for _, layout := range []string{"2006-01-02 15:04:05.999999999 -0700 MST", "2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano} {
		if at, err := time.Parse(layout, text); err == nil {
			u := at.UTC()
			x.t = &u
			return nil
		}
	}
	return fmt.Errorf("store: %q is not a time", text)
}

package store

import (
	"cmp"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"waymark/internal/pathway"
)

// Queues (migration 0017): the Children's Services inbox and "my work" are
// read models of their own, rows in queue_items written in the same
// transaction as the events (SaveProjection calls saveQueues) and rebuilt
// with the others. Each page is one walk along the table's primary key from
// a cursor, so its cost grows with the page shown, not with the number of
// cases. A row holds ids and times only: nothing that names a child.
//
// Who may see a row is decided as the other lists decide it (cases.go): the
// viewer must be a member of the case (memberFilter, in the walk) by a
// member row whose seal matches (sealedMemberships, on the page).

const (
	queueInbox  = "inbox"        // a case waiting on Children's Services (§8.5, annex)
	queueUrgent = "inbox.urgent" // a missing child, or a placement's first 72 hours (§4.3, §7.1)
)

// workQueues are the queues of "my work", one for each audience a running
// clock is work for (pathway.DeadlineOwner.Audiences), keyed by the
// person's or the organisation's id.
var workQueues = map[string]string{
	pathway.AudiencePerson:   "work.user",  // a running clock a person owns
	pathway.AudienceTeam:     "work.team",  // a running clock their team owns
	pathway.AudienceManagers: "work.staff", // a running clock a person of the organisation owns (its managers see it)
}

// queueForever is the until_at of a row that does not lapse by itself.
var queueForever = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// OverdueCap bounds the overdue count: past it the count is not walked
// further, and pages say "more than" (OverdueCount).
const OverdueCap = 100

// queueRow is one row of queue_items for a case.
type queueRow struct {
	queue, owner string
	lane         int
	due, tie     time.Time
	itemID       string
	until        time.Time
}

func (r queueRow) line() string {
	tm := func(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
	return fmt.Sprintf("queue_items: %s %s lane %d due %s tie %s item %q until %s", r.queue, r.owner, r.lane, tm(r.due), tm(r.tie), r.itemID, tm(r.until))
}

// queueRows derives a case's queue rows from its projection, as the
// migration's backfill does from the cases and clocks tables.
func queueRows(p projection) []queueRow {
	var out []queueRow
	r := p.row
	if r.csOrg != "" {
		lane, due := 1, r.raisedAt
		for _, cl := range p.clocks {
			if cl.stoppedAt == nil && (lane == 1 || cl.dueAt.Before(due)) {
				lane, due = 0, cl.dueAt
			}
		}
		if r.stage == string(pathway.StageConcernRaised) || r.stage == string(pathway.StageContactRecorded) {
			out = append(out, queueRow{queue: queueInbox, owner: r.csOrg, lane: lane, due: due, tie: r.raisedAt, until: queueForever})
		}
		if r.missing || r.riskUntil != nil {
			until := queueForever
			if !r.missing {
				until = *r.riskUntil
			}
			out = append(out, queueRow{queue: queueUrgent, owner: r.csOrg, lane: lane, due: due, tie: r.raisedAt, until: until})
		}
	}
	for _, cl := range p.clocks {
		if cl.stoppedAt != nil {
			continue
		}
		lane := 1
		if cl.window {
			lane = 0
		}
		for _, a := range (pathway.DeadlineOwner{UserID: cl.ownerUser, OrgID: cl.ownerOrg}).Audiences() {
			out = append(out, queueRow{queue: workQueues[a.Kind], owner: a.ID, lane: lane, due: cl.dueAt, tie: cl.startedAt, itemID: cl.id, until: queueForever})
		}
	}
	return out
}

// saveQueues brings a case's queue rows to what its projection gives,
// touching only the rows that change.
func (t *Tx) saveQueues(caseID string, p projection, fresh bool) error {
	var stored []queueRow
	if !fresh { // a new case has none
		var err error
		if stored, err = t.storedQueueRows(caseID); err != nil {
			return err
		}
	}
	want := queueRows(p)
	have := map[string]bool{}
	for _, r := range stored {
		have[r.line()] = true
	}
	wanted := map[string]bool{}
	for _, r := range want {
		wanted[r.line()] = true
	}
	// The rows that go, in one statement, and those that come, in another.
	// The queue is compared with its parameter cast to text: SQLite plans a
	// bare "queue = $n" against the partial index on queue = 'inbox.urgent'
	// with the value bound, and so compiled the statement again on every
	// run (most of the cost of the delete); cast, it is compiled once.
	var gone []string
	args := []any{caseID}
	for _, r := range stored {
		if wanted[r.line()] {
			continue
		}
		n := len(args)
		args = append(args, r.queue, r.owner, r.lane, utc(r.due), utc(r.tie), r.itemID)
		gone = append(gone, fmt.Sprintf("(queue = CAST($%d AS TEXT) AND owner_id = $%d AND lane = $%d AND due_at = $%d AND tie_at = $%d AND item_id = $%d)", n+1, n+2, n+3, n+4, n+5, n+6))
	}
	if len(gone) > 0 {
		if _, err := t.exec(`DELETE FROM queue_items WHERE case_id = $1 AND (`+strings.Join(gone, " OR ")+`)`, args...); err != nil {
			return fmt.Errorf("store: clearing queue rows: %w", err)
		}
	}
	// One row per key, the last given winning, as when each was written
	// by a statement of its own (PostgreSQL refuses to upsert a key twice
	// in one statement).
	type key struct {
		queue, owner string
		lane         int
		due, tie     time.Time
		itemID       string
	}
	last := map[key]int{}
	for i, r := range want {
		last[key{r.queue, r.owner, r.lane, utc(r.due), utc(r.tie), r.itemID}] = i
	}
	var values []string
	args = []any{caseID}
	for i, r := range want {
		if have[r.line()] || last[key{r.queue, r.owner, r.lane, utc(r.due), utc(r.tie), r.itemID}] != i {
			continue
		}
		n := len(args)
		args = append(args, r.queue, r.owner, r.lane, utc(r.due), utc(r.tie), r.itemID, utc(r.until))
		values = append(values, fmt.Sprintf("($%d, $%d, $%d, $%d, $%d, $1, $%d, $%d)", n+1, n+2, n+3, n+4, n+5, n+6, n+7))
	}
	if len(values) > 0 {
		if _, err := t.exec(`INSERT INTO queue_items(queue, owner_id, lane, due_at, tie_at, case_id, item_id, until_at) VALUES `+strings.Join(values, ", ")+`
			ON CONFLICT (queue, owner_id, lane, due_at, tie_at, case_id, item_id) DO UPDATE SET until_at = excluded.until_at`, args...); err != nil {
			return fmt.Errorf("store: saving queue rows: %w", err)
		}
	}
	return nil
}

func (t *Tx) storedQueueRows(caseID string) ([]queueRow, error) {
	rows, err := t.query(`SELECT queue, owner_id, lane, due_at, tie_at, item_id, until_at FROM queue_items WHERE case_id = $1`, caseID)
	if err != nil {
		return nil, fmt.Errorf("store: reading queue rows: %w", err)
	}
	defer rows.Close()
	var out []queueRow
	for rows.Next() {
		var r queueRow
		if err := rows.Scan(&r.queue, &r.owner, &r.lane, &r.due, &r.tie, &r.itemID, &r.until); err != nil {
			return nil, err
		}
		r.due, r.tie, r.until = utc(r.due), utc(r.tie), utc(r.until)
		out = append(out, r)
	}
	return out, rows.Err()
}

// checkQueues names a case's queue row that is not what its sealed events
// give (`waymark verify`): a row inserted to put a case before someone who
// may not know it, or deleted to hide one from its team.
func (t *Tx) checkQueues(caseID string, want projection) error {
	stored, err := t.storedQueueRows(caseID)
	if err != nil {
		return err
	}
	var w, g []string
	for _, r := range queueRows(want) {
		w = append(w, r.line())
	}
	for _, r := range stored {
		g = append(g, r.line())
	}
	if diff := compareLines(w, g); diff != "" {
		return t.tamper(caseID, 0, 0, diff)
	}
	return nil
}

// qsrc is one index range of queue_items: one queue, owner and lane.
type qsrc struct {
	part      int
	queue     string
	owner     string
	lane      int
	dueAfter  *time.Time // only items due after this (risk windows still open)
	dueBefore *time.Time // only items due before this (overdue deadlines)
}

// qfetch reads up to n keys of one source strictly past from (before it
// when desc), in the walk's order: one range of the primary key. Whether the
// viewer may know each case is asked of the page's keys (qwalk), by the
// member rows and their seals, so the walk itself stays on the index.
func (t *Tx) qfetch(s qsrc, from *Cursor, desc bool, n int) ([]Cursor, error) {
	args := []any{s.queue, s.owner, s.lane}
	// The queue as text, not a bare parameter: SQLite would plan a bare
	// one against the partial index on queue = 'inbox.urgent' with the
	// value bound, and so compile the walk again on every page, as the
	// delete of a case's queue rows above explains.
	where := `q.queue = CAST($1 AS TEXT) AND q.owner_id = $2 AND q.lane = $3`
	if from != nil {
		c := cmp.Or(cmp.Compare(from.Part, s.part), cmp.Compare(from.Lane, s.lane))
		switch {
		case !desc && c > 0, desc && c < 0:
			return nil, nil // the whole source is on the other side of the cursor
		case c == 0 && (s.dueAfter == nil || from.At.After(*s.dueAfter) || desc):
			op := ">"
			if desc {
				op = "<"
			}
			args = append(args, utc(from.At), utc(from.Tie), from.ID, from.Item)
			where += fmt.Sprintf(` AND (q.due_at, q.tie_at, q.case_id, q.item_id) %s ($4, $5, $6, $7)`, op)
		}
	}
	if s.dueAfter != nil {
		args = append(args, utc(*s.dueAfter))
		where += fmt.Sprintf(` AND q.due_at > $%d`, len(args))
	}
	if s.dueBefore != nil {
		args = append(args, utc(*s.dueBefore))
		where += fmt.Sprintf(` AND q.due_at < $%d`, len(args))
	}
	order := `q.due_at, q.tie_at, q.case_id, q.item_id`
	if desc {
		order = `q.due_at DESC, q.tie_at DESC, q.case_id DESC, q.item_id DESC`
	}
	args = append(args, n)
	rows, err := t.query(fmt.Sprintf(`SELECT q.due_at, q.tie_at, q.case_id, q.item_id FROM queue_items q WHERE %s ORDER BY %s LIMIT $%d`, where, order, len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("store: reading queue: %w", err)
	}
	defer rows.Close()
	var out []Cursor
	for rows.Next() {
		k := Cursor{Part: s.part, Lane: s.lane}
		if err := rows.Scan(&k.At, &k.Tie, &k.ID, &k.Item); err != nil {
			return nil, err
		}
		k.At, k.Tie = utc(k.At), utc(k.Tie)
		out = append(out, k)
	}
	return out, rows.Err()
}

// caseIDsOf are the cases of keys, in their order.
func caseIDsOf(keys []Cursor) []string {
	ids := make([]string, len(keys))
	for i, k := range keys {
		ids[i] = k.ID
	}
	return ids
}

// qkeep is what a queue asks of each batch of keys beyond the member rows:
// it returns those of ks (in their order) that may be shown.
type qkeep func(ks []Cursor) ([]Cursor, error)

// qwalk merges the sources (and the keys already in hand, mem) from the
// cursor in order (against it when it points before) and returns up to
// n+1 keys that keep allows and whose cases the viewer is a member of by a
// sealed row: n to show, and one more if there is a further page
// (walkKept). Only keys that passed are returned, so no cursor is ever
// made from one that did not. The roles of the sealed member rows read for
// the check are added to roles (by case; nil: not kept), so that the page
// need not read them again (pageSummaries).
func (t *Tx) qwalk(srcs []qsrc, mem []Cursor, from *Cursor, n int, keep qkeep, userID, orgID string, roles map[string][]string) ([]Cursor, error) {
	desc := from != nil && from.Before
	before := func(a, b Cursor) bool { // a comes first in the walk
		if desc {
			return a.compare(b) > 0
		}
		return a.compare(b) < 0
	}
	batch := n + 1
	read := func(cur *Cursor) ([]Cursor, *Cursor, error) {
		if cur == nil {
			cur = from
		}
		var cands []Cursor
		var bound *Cursor // past the earliest last key of a full batch, a source may hold more
		for _, s := range srcs {
			ks, err := t.qfetch(s, cur, desc, batch)
			if err != nil {
				return nil, nil, err
			}
			cands = append(cands, ks...)
			if len(ks) == batch {
				last := ks[len(ks)-1]
				if bound == nil || before(last, *bound) {
					bound = &last
				}
			}
		}
		for _, k := range mem {
			if cur == nil || before(*cur, k) {
				cands = append(cands, k)
			}
		}
		slices.SortFunc(cands, func(a, b Cursor) int {
			if desc {
				return b.compare(a)
			}
			return a.compare(b)
		})
		cands = slices.CompactFunc(cands, func(a, b Cursor) bool { return a.compare(b) == 0 })
		if bound != nil {
			cands = slices.DeleteFunc(cands, func(k Cursor) bool { return before(*bound, k) })
			bound.Before = desc
		}
		return cands, bound, nil
	}
	sealed := func(ks []Cursor) ([]Cursor, error) {
		if keep != nil {
			var err error
			if ks, err = keep(ks); err != nil {
				return nil, err
			}
		}
		sealed, err := t.sealedMemberships(caseIDsOf(ks), userID, orgID)
		if err != nil {
			return nil, err
		}
		if roles != nil {
			for id, r := range sealed {
				roles[id] = r
			}
		}
		// A member row whose seal does not match gives nothing (cases.go).
		return slices.DeleteFunc(ks, func(k Cursor) bool { return len(sealed[k.ID]) == 0 }), nil
	}
	// A key is one queue item, in one part: its case's id and its own.
	item := func(k Cursor) string { return strconv.Itoa(k.Part) + "\x00" + k.ID + "\x00" + k.Item }
	return walkKept(n, read, sealed, item)
}

// qpage reads one page of keys from the cursor at (nil: the first page),
// and the cursors either side; the viewer's roles in the cases, read from
// their sealed member rows by the walk, are added to roles (qwalk).
func (t *Tx) qpage(srcs []qsrc, mem []Cursor, at *Cursor, limit int, keep qkeep, userID, orgID string, roles map[string][]string) ([]Cursor, Page, error) {
	if limit <= 0 {
		limit = PageSize
	}
	ks, err := t.qwalk(srcs, mem, at, limit, keep, userID, orgID, roles)
	if err != nil {
		return nil, Page{}, err
	}
	if len(ks) == 0 && at != nil && at.Before {
		// Nothing is left before it (what was there has moved on): the first page.
		at = nil
		if ks, err = t.qwalk(srcs, mem, nil, limit, keep, userID, orgID, roles); err != nil {
			return nil, Page{}, err
		}
	}
	return pageOf(ks, at, limit, func(k Cursor) (Cursor, error) { return k, nil })
}

// InboxPage lists one page of the cases waiting on the Children's Services
// team of orgID: first a missing child, or one in the first 72 hours of a
// placement (§4.3, §7.1), then the rest, each part the clock due soonest
// (most overdue) first, then the case raised first.
func (t *Tx) InboxPage(userID, orgID string, now time.Time, at *Cursor, limit int) ([]CaseSummary, Page, error) {
	// The urgent part is read whole: the children missing now or placed
	// in the last 72 hours, never the cases that once were.
	// (Whether the viewer may know each is asked as for the rest, in qwalk.)
	rows, err := t.query(`SELECT q.lane, q.due_at, q.tie_at, q.case_id FROM queue_items q
		WHERE q.queue = 'inbox.urgent' AND q.owner_id = $1 AND q.until_at > $2`, orgID, utc(now))
	if err != nil {
		return nil, Page{}, fmt.Errorf("store: reading urgent cases: %w", err)
	}
	var urgent []Cursor
	urgentCase := map[string]bool{}
	for rows.Next() {
		k := Cursor{Part: 0}
		if err := rows.Scan(&k.Lane, &k.At, &k.Tie, &k.ID); err != nil {
			rows.Close()
			return nil, Page{}, err
		}
		k.At, k.Tie = utc(k.At), utc(k.Tie)
		urgent = append(urgent, k)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, Page{}, err
	}
	waiting := t.waitingOn(orgID, now)
	if urgent, err = waiting(urgent); err != nil {
		return nil, Page{}, err
	}
	for _, k := range urgent {
		urgentCase[k.ID] = true
	}
	srcs := []qsrc{{part: 1, queue: queueInbox, owner: orgID, lane: 0}, {part: 1, queue: queueInbox, owner: orgID, lane: 1}}
	keep := func(ks []Cursor) ([]Cursor, error) {
		ks = slices.DeleteFunc(ks, func(k Cursor) bool { return k.Part != 0 && urgentCase[k.ID] })
		return waiting(ks)
	}
	roles := map[string][]string{}
	keys, links, err := t.qpage(srcs, urgent, at, limit, keep, userID, orgID, roles)
	if err != nil || len(keys) == 0 {
		return nil, links, err
	}
	byID, err := t.pageSummaries(userID, roles, caseIDsOf(keys))
	if err != nil {
		return nil, links, err
	}
	out := make([]CaseSummary, 0, len(keys))
	for _, k := range keys {
		if c, ok := byID[k.ID]; ok {
			out = append(out, c)
		}
	}
	return out, links, nil
}

// waitingOn keeps the inbox keys whose case is waiting on the Children's
// Services team of orgID, asked of the cases read model as the scan of
// every case asked it (Inbox before migration 0017): the case's Children's
// Services is orgID and, for the urgent part, the child is missing or in a
// placement's first 72 hours, for the rest its stage waits on the team. A
// queue row only says where to look.
func (t *Tx) waitingOn(orgID string, now time.Time) qkeep {
	return func(ks []Cursor) ([]Cursor, error) {
		if len(ks) == 0 {
			return ks, nil
		}
		args, in := t.idList([]any{utc(now)}, caseIDsOf(ks))
		// Looked up by id alone, and the team compared here: with the team
		// in the WHERE clause SQLite walks the team's every case instead.
		rows, err := t.query(`SELECT id, cs_org_id, CASE WHEN missing OR high_missing_risk_until > $1 THEN 1 ELSE 0 END,
			CASE WHEN stage IN ('concern_raised', 'contact_recorded') THEN 1 ELSE 0 END
			FROM cases WHERE id IN (`+in+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("store: reading which cases wait: %w", err)
		}
		defer rows.Close()
		urgent, waiting := map[string]bool{}, map[string]bool{}
		for rows.Next() {
			var id, team string
			var u, w int
			if err := rows.Scan(&id, &team, &u, &w); err != nil {
				return nil, err
			}
			if team != orgID {
				continue
			}
			urgent[id], waiting[id] = u == 1, w == 1
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
		return slices.DeleteFunc(ks, func(k Cursor) bool {
			if k.Part == 0 {
				return !urgent[k.ID]
			}
			return !waiting[k.ID]
		}), nil
	}
}

// pageSummaries reads the list rows of the cases on a page, each with the
// next deadline the viewer may see (as summarySelect gives it: to the team
// any running clock, to a member outside it only those
// pathway.OutsiderSeesClock keeps). It reads the page's cases and their
// running clocks by id, so its cost is the page's, whatever the plan of
// summarySelect's correlated join would be over a list of ids. roles are
// the viewer's by sealed member rows, read in this transaction by the walk
// that chose the page (qwalk); cases with none are left out.
func (t *Tx) pageSummaries(userID string, roles map[string][]string, ids []string) (map[string]CaseSummary, error) {
	out := map[string]CaseSummary{}
	kept := slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return len(roles[id]) == 0 })
	if len(kept) == 0 {
		return out, nil
	}
	args, list := t.idList(nil, kept)
	rows, err := t.query(`SELECT c.id, COALESCE(c.reference, ''), c.stage, c.child_name, c.family_suspected, c.age_uncertain, c.immediate_risk,
		c.raised_at, c.updated_at, c.version, c.missing, c.closed, c.open_escalations, c.high_missing_risk_until, COALESCE(c.progress, ''), `+caseKeyColumns+`
		FROM cases c`+caseKeyJoin+` WHERE c.id IN (`+list+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: listing cases: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c CaseSummary
		var risk sql.NullTime
		var stage, master, wrapped string
		var erased bool
		if err := rows.Scan(&c.ID, &c.Reference, &stage, &c.ChildName, &c.FamilySuspected, &c.AgeUncertain, &c.ImmediateRisk,
			&c.RaisedAt, &c.UpdatedAt, &c.Version, &c.Missing, &c.Closed, &c.OpenEscalations, &risk, &c.Progress, &master, &wrapped, &erased); err != nil {
			return nil, fmt.Errorf("store: scanning case summary: %w", err)
		}
		if c.ChildName, err = t.openChildName(c.ID, c.ChildName, master, wrapped, erased); err != nil {
			return nil, err
		}
		c.Stage = pathway.Stage(stage)
		c.HighRiskUntil = timePtr(risk)
		out[c.ID] = progressSeenBy(c, roles[c.ID])
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	clocks, err := t.query(`SELECT case_id, kind, label, owner_user_id, due_at FROM clocks WHERE stopped_at IS NULL AND case_id IN (`+list+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: reading deadlines: %w", err)
	}
	defer clocks.Close()
	for clocks.Next() {
		var caseID string
		var cl pathway.Clock
		if err := clocks.Scan(&caseID, &cl.Kind, &cl.Label, &cl.OwnerUserID, &cl.DueAt); err != nil {
			return nil, err
		}
		c, ok := out[caseID]
		if !ok || !(pathway.Membership{Roles: roles[caseID]}.Team() || pathway.OutsiderSeesClock(cl, userID)) {
			continue
		}
		if c.NextClockDue == nil || cl.DueAt.Before(*c.NextClockDue) {
			due := cl.DueAt.UTC()
			c.NextClockDue, c.NextClockLabel = &due, cl.Label
			out[caseID] = c
		}
	}
	if err := clocks.Err(); err != nil {
		return nil, err
	}
	clocks.Close()
	return out, t.withAssigned(out, roles)
}

// workSources are the queues whose clocks are the viewer's work, one for
// each audience they are in (pathway.Worker.Audiences); risk windows
// still open first, then deadlines.
func workSources(w pathway.Worker, now time.Time) []qsrc {
	var out []qsrc
	for lane := range 2 {
		var after *time.Time
		if lane == 0 {
			n := utc(now)
			after = &n // a risk window that has passed is no longer work (page-my-work.tmpl)
		}
		for _, a := range w.Audiences() {
			out = append(out, qsrc{queue: workQueues[a.Kind], owner: a.ID, lane: lane, dueAfter: after})
		}
	}
	return out
}

// ownClocks keeps the keys whose clock is running and is the viewer's
// work (pathway.DeadlineOwner.IsWorkOf), asked of the clocks read model. A
// queue row only says where to look; one written for a clock that is
// someone else's shows nothing and makes no cursor.
func (t *Tx) ownClocks(w pathway.Worker) qkeep {
	return func(ks []Cursor) ([]Cursor, error) {
		if len(ks) == 0 {
			return ks, nil
		}
		args, in := t.idList(nil, caseIDsOf(ks))
		// Looked up by case alone (the clocks' primary key), and the owner
		// compared here: with the owner in the WHERE clause SQLite walks
		// every clock of the person or team instead.
		rows, err := t.query(`SELECT case_id, clock_id, owner_user_id, owner_org_id FROM clocks WHERE stopped_at IS NULL AND case_id IN (`+in+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("store: reading whose deadlines: %w", err)
		}
		defer rows.Close()
		mine := map[[2]string]bool{}
		for rows.Next() {
			var c, id, ownerUser, ownerOrg string
			if err := rows.Scan(&c, &id, &ownerUser, &ownerOrg); err != nil {
				return nil, err
			}
			if (pathway.DeadlineOwner{UserID: ownerUser, OrgID: ownerOrg}).IsWorkOf(w) {
				mine[[2]string{c, id}] = true
			}
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
		return slices.DeleteFunc(ks, func(k Cursor) bool { return !mine[[2]string{k.ID, k.Item}] }), nil
	}
}

// WorkPage lists one page of the user's running deadlines: open risk
// windows first, then the most overdue.
func (t *Tx) WorkPage(userID, orgID string, manager bool, now time.Time, at *Cursor, limit int) ([]WorkItem, Page, error) {
	w := pathway.Worker{UserID: userID, OrgID: orgID, Manager: manager}
	keys, links, err := t.qpage(workSources(w, now), nil, at, limit, t.ownClocks(w), userID, orgID, nil)
	if err != nil || len(keys) == 0 {
		return nil, links, err
	}
	args, in := t.idList(nil, caseIDsOf(keys))
	rows, err := t.query(`SELECT c.id, COALESCE(c.reference, ''), c.child_name, c.missing, k.clock_id, k.label, k.owner_user_id,
		COALESCE(ou.name, ''), k.due_at, k.risk_window, k.kind, c.family_suspected, c.age_uncertain, c.immediate_risk, `+caseKeyColumns+` FROM clocks k JOIN cases c ON c.id = k.case_id`+caseKeyJoin+`
		LEFT JOIN users ou ON ou.id = k.owner_user_id
		WHERE k.stopped_at IS NULL AND k.case_id IN (`+in+`)`, args...)
	if err != nil {
		return nil, links, fmt.Errorf("store: listing work: %w", err)
	}
	defer rows.Close()
	type item struct {
		w               WorkItem
		master, wrapped string
		erased          bool
	}
	items := map[[2]string]item{}
	for rows.Next() {
		var it item
		w := &it.w
		if err := rows.Scan(&w.CaseID, &w.Reference, &w.ChildName, &w.Missing, &w.ClockID, &w.Label, &w.OwnerUserID, &w.OwnerName, &w.DueAt, &w.Window, &w.Kind,
			&w.FamilySuspected, &w.AgeUncertain, &w.ImmediateRisk, &it.master, &it.wrapped, &it.erased); err != nil {
			return nil, links, err
		}
		w.DueAt = w.DueAt.UTC()
		items[[2]string{w.CaseID, w.ClockID}] = it
	}
	if err := rows.Err(); err != nil {
		return nil, links, err
	}
	rows.Close()
	out := make([]WorkItem, 0, len(keys))
	for _, k := range keys {
		it, ok := items[[2]string{k.ID, k.Item}]
		if !ok {
			continue
		}
		w := it.w
		if w.ChildName, err = t.openChildName(w.CaseID, w.ChildName, it.master, it.wrapped, it.erased); err != nil {
			return nil, links, err
		}
		out = append(out, w)
	}
	// A deadline the team owns is worked by whoever is assigned to the
	// case (§6.7): "my work" names them rather than "the team".
	names, err := t.assignedNames(caseIDsOf(keys))
	if err != nil {
		return nil, links, err
	}
	for i := range out {
		out[i].Assigned = names[out[i].CaseID]
	}
	return out, links, nil
}

// OverdueCount counts the user's deadlines that have passed, up to
// OverdueCap. A deadline becomes overdue by time passing, not by an event,
// so no count kept by the writes could hold it; it is counted instead by
// walking the queues' index from the oldest deadline towards now, asking
// each case's member rows and seals as the lists do, and the walk stops at
// OverdueCap, so its cost never grows with the number of cases.
func (t *Tx) OverdueCount(userID, orgID string, manager bool, now time.Time) (int, error) {
	var srcs []qsrc
	due := utc(now)
	w := pathway.Worker{UserID: userID, OrgID: orgID, Manager: manager}
	for _, s := range workSources(w, now) {
		if s.lane == 1 {
			s.dueBefore = &due
			srcs = append(srcs, s)
		}
	}
	keys, err := t.qwalk(srcs, nil, nil, OverdueCap-1, t.ownClocks(w), userID, orgID, nil)
	if err != nil {
		return 0, fmt.Errorf("store: counting overdue deadlines: %w", err)
	}
	return min(len(keys), OverdueCap), nil
}

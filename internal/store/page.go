package store

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"math"
	"slices"
	"time"

	"waymark"
)

// Every list shows a page at a time: the case lists, search and the
// escalations list (listwalk.go), the inbox and my work (queue.go), alerts
// and the retention review. Each walks an index from a cursor, in the list's
// order or, for the page before it, against it, and gives the cursors of the
// pages either side as a Page. One cursor type and one page type serve them
// all, and the lists that keep only some of the rows they walk (a row of a
// read model only says where to look: the viewer must be a member of the
// case by a sealed row) walk with walkKept.

// PageSize is how many rows a page of a list shows unless asked otherwise.
const PageSize = 50

// Cursor marks one edge of a page of a list: the sort key of its last row,
// for the page after it, or of its first row, for the page before it. A
// case list, alerts and the retention review sort by a time and an id; a
// queue (queue.go) puts its part and lane before the time (its due time)
// and a tie-break time and an item's id after the case's.
//
// It is opaque to people: String encodes it and ParseCursor reads it back.
// It grants nothing: a forged cursor only moves within the lists the viewer
// may see.
type Cursor struct {
	Part, Lane int       // a queue's part and lane (0 in other lists)
	At         time.Time // the time the list is sorted by
	Tie        time.Time // a queue item's tie-break time (zero in other lists)
	ID         string    // the row's id (a queue's: its case's)
	Item       string    // a queue item's id within its case ("" in other lists)
	Before     bool      // the page before this edge (a "Previous" link), not after it
}

// compare orders two cursors by their sort keys.
func (a Cursor) compare(b Cursor) int {
	return cmp.Or(cmp.Compare(a.Part, b.Part), cmp.Compare(a.Lane, b.Lane), a.At.Compare(b.At), a.Tie.Compare(b.Tie),
		cmp.Compare(a.ID, b.ID), cmp.Compare(a.Item, b.Item))
}

// String encodes the cursor for a link or an API response: its key, then
// its way ("a" after, "b" before).
func (c Cursor) String() string {
	way := "a"
	if c.Before {
		way = "b"
	}
	b, _ := json.Marshal([]any{c.Part, c.Lane, utc(c.At).Format(time.RFC3339Nano), utc(c.Tie).Format(time.RFC3339Nano), c.ID, c.Item, way})
	return base64.RawURLEncoding.EncodeToString(b)
}

// badCursor is the error of a page link that is not one Waymark gave,
// naming the parameter that carried it; the queues' pages (after= and
// before=) show it above a link to their first page. It is a new error each
// time: a page handler that takes the field name off its copy (no field on
// a page holds the cursor) must not take it off the API's.
func badCursor(field string) error {
	msg := "The link to this page of the list is not valid: go back to the first page"
	if field == "after" || field == "before" {
		msg = "This page link is not one Waymark gave, or it was cut short. Go back to the first page and follow the links from there"
	}
	return waymark.Invalid([]waymark.FieldError{{Field: field, Message: msg}})
}

// ParseCursor reads a cursor made by String, carried in the parameter
// field: "after" or "before" (the queues') say the way themselves, and a
// cursor of the other way is not one Waymark gave there; any other
// ("cursor") takes the way the cursor says. Anything else is EINVALID,
// naming the field.
func ParseCursor(field, s string) (Cursor, error) {
	return parseCursor(field, s, false)
}

// ParseCountCursor reads the cursor of a list ordered by a count, whose
// Part is the count of the row it follows (the network of recurring
// entities: RecurringEntitiesPage, in two or more cases), carried in the
// parameter field. It has a whole count from 2 to maxCursorCount and an
// ID, and nothing else (no time, lane, item or backward way): anything
// else is EINVALID, naming the field.
func ParseCountCursor(field, s string) (Cursor, error) {
	return parseCursor(field, s, true)
}

// maxCursorCount bounds a count cursor's Part: more cases than any
// deployment holds, and well inside an int on every platform.
const maxCursorCount = 1 << 30

func parseCursor(field, s string, count bool) (Cursor, error) {
	var c Cursor
	if len(s) > 600 {
		return c, badCursor(field)
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return c, badCursor(field)
	}
	var parts []any
	if err := json.Unmarshal(b, &parts); err != nil || len(parts) != 7 {
		return c, badCursor(field)
	}
	part, ok1 := parts[0].(float64)
	lane, ok2 := parts[1].(float64)
	at, ok3 := parts[2].(string)
	tie, ok4 := parts[3].(string)
	id, ok5 := parts[4].(string)
	item, ok6 := parts[5].(string)
	way, ok7 := parts[6].(string)
	partOK := part == 0 || part == 1
	if count {
		partOK = part >= 2 && part <= maxCursorCount && part == math.Trunc(part) && lane == 0 && way == "a" && item == ""
	}
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 || !ok6 || !ok7 || id == "" || !partOK || (lane != 0 && lane != 1) ||
		(way != "a" && way != "b") || (field == "after" && way != "a") || (field == "before" && way != "b") {
		return c, badCursor(field)
	}
	c = Cursor{Part: int(part), Lane: int(lane), ID: id, Item: item, Before: way == "b"}
	if c.At, err = time.Parse(time.RFC3339Nano, at); err != nil {
		return Cursor{}, badCursor(field)
	}
	if c.Tie, err = time.Parse(time.RFC3339Nano, tie); err != nil {
		return Cursor{}, badCursor(field)
	}
	c.At, c.Tie = utc(c.At), utc(c.Tie)
	if count && (!c.At.IsZero() || !c.Tie.IsZero()) { // a count cursor carries no time
		return Cursor{}, badCursor(field)
	}
	// An offset can carry a time written in the years 0000-9999 out of
	// them in UTC, where String could not write it back: such a link
	// would offer a page whose own links are refused.
	if !writable(c.At) || !writable(c.Tie) || unstorable([]any{c.ID, c.Item}) != nil {
		return Cursor{}, badCursor(field)
	}
	return c, nil
}

// writable says whether RFC 3339 can write t (in UTC): its year is 0000-9999.
func writable(t time.Time) bool {
	return t.Year() >= 0 && t.Year() <= 9999
}

// Page is the cursors of the pages either side of one page of a list (nil
// when there is none).
type Page struct {
	Next, Prev *Cursor
}

// walkKept reads a list from a cursor in walking order, a batch at a time,
// keeping the rows keep allows, until limit+1 are kept or the list ends: a
// page's rows and one more when there is a page past them. read gives a
// batch from a position (nil: where the walk starts) and the position after
// its last row (nil when the list ended there); id names a row, so that a
// row read twice is kept once.
//
// The positions are never shown: the links are made only from rows kept
// (pageOf), so a read model's row for a case the viewer is not in puts
// neither the case's id nor its time into a link, nor shows, by a link to an
// empty page, that such a row exists. Each batch starts from a position no
// batch started from before, so the walk ends.
func walkKept[T any](limit int, read func(from *Cursor) ([]T, *Cursor, error), keep func([]T) ([]T, error), id func(T) string) ([]T, error) {
	var kept []T
	seen, walked := map[string]bool{}, map[string]bool{}
	var from *Cursor
	for {
		rows, next, err := read(from)
		if err != nil {
			return nil, err
		}
		if rows, err = keep(rows); err != nil {
			return nil, err
		}
		for _, r := range rows {
			if !seen[id(r)] {
				seen[id(r)] = true
				kept = append(kept, r)
			}
		}
		// Only a read model whose rows disagree about a row could give a
		// position read from before; stop rather than walk round again.
		if next == nil || len(kept) > limit || walked[next.String()] {
			break
		}
		walked[next.String()] = true
		from = next
	}
	return kept[:min(len(kept), limit+1)], nil
}

// pageOf trims rows read in walking order from at (limit+1 of them when
// there is a page past them) to the page, turns a page walked backwards
// round, and gives the cursors either side, made from the rows shown (key
// gives a row's sort key).
func pageOf[T any](rows []T, at *Cursor, limit int, key func(T) (Cursor, error)) ([]T, Page, error) {
	more := len(rows) > limit
	if more {
		rows = rows[:limit]
	}
	backwards := at != nil && at.Before
	if backwards {
		slices.Reverse(rows)
	}
	var p Page
	switch {
	case len(rows) == 0 && at != nil:
		// Nothing past the edge: offer the way back.
		back := *at
		back.Before = !backwards
		if backwards {
			p.Next = &back
		} else {
			p.Prev = &back
		}
	case len(rows) > 0:
		first, err := key(rows[0])
		if err != nil {
			return nil, Page{}, err
		}
		last, err := key(rows[len(rows)-1])
		if err != nil {
			return nil, Page{}, err
		}
		first.Before, last.Before = true, false
		if backwards || more {
			p.Next = &last
		}
		if (backwards && more) || (!backwards && at != nil) {
			p.Prev = &first
		}
	}
	return rows, p, nil
}

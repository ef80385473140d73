package store_test

import (
	"encoding/base64"
	"encoding/json"
	"testing"

	"waymark"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// forge encodes a cursor as a person editing a link could.
func forge(part, lane int, at, tie, id, item, way string) string {
	b, _ := json.Marshal([]any{part, lane, at, tie, id, item, way})
	return base64.RawURLEncoding.EncodeToString(b)
}

// A page link made up with a time at either end of what RFC 3339 can write
// is either refused as a bad link or answered with a page whose own links
// Waymark reads back: never a failure, on any list, on either store.
func TestACursorWithAnExtremeTimeIsRefusedOrPagedNeverAFailure(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		w := newListWorld(t, db, 4)
		v := w.p.CSWorker
		now := w.clock.Now()
		times := []string{
			"9999-12-31T23:59:59.999999999-14:00", // year 10000 in UTC
			"0000-01-01T00:00:00+14:00",           // before year 0 in UTC
			"0000-01-01T00:00:00Z",
			"9999-12-31T23:59:59.999999999Z",
		}
		for _, at := range times {
			for _, way := range []string{"a", "b"} {
				s := forge(0, 0, at, "0001-01-01T00:00:00Z", w.ids[0], "", way)
				c, err := store.ParseCursor("cursor", s)
				if err != nil {
					continue // refused: held
				}
				lists := map[string]func(tx *store.Tx) (store.Page, error){
					"cases": func(tx *store.Tx) (store.Page, error) {
						_, p, err := tx.CasesPage(v.User.ID, v.User.OrgID, &c, 2)
						return p, err
					},
					"escalations": func(tx *store.Tx) (store.Page, error) {
						_, p, err := tx.EscalatedPage(v.User.ID, v.User.OrgID, &c, 2)
						return p, err
					},
					"search": func(tx *store.Tx) (store.Page, error) {
						_, p, err := tx.SearchPage(v.User.ID, v.User.OrgID, "amira", &c, 2)
						return p, err
					},
					"alerts": func(tx *store.Tx) (store.Page, error) {
						_, p, err := tx.AlertsPage(v.User.ID, &c, 2)
						return p, err
					},
					"inbox": func(tx *store.Tx) (store.Page, error) {
						_, p, err := tx.InboxPage(v.User.ID, v.User.OrgID, now, &c, 2)
						return p, err
					},
					"my work": func(tx *store.Tx) (store.Page, error) {
						_, p, err := tx.WorkPage(v.User.ID, v.User.OrgID, true, now, &c, 2)
						return p, err
					},
					"retention": func(tx *store.Tx) (store.Page, error) {
						_, p, err := tx.ClosedCasesDuePage("default", now, now, &c, 2)
						return p, err
					},
					"drafts": func(tx *store.Tx) (store.Page, error) {
						_, p, err := tx.UnsentDraftsDuePage("default", now, now, &c, 2)
						return p, err
					},
				}
				for name, list := range lists {
					var p store.Page
					err := db.View(w.ctx, func(tx *store.Tx) error {
						var err error
						p, err = list(tx)
						return err
					})
					if err != nil && waymark.ErrorCode(err) != waymark.EINVALID {
						t.Errorf("%s, cursor at %s way %s: %v", name, at, way, err)
						continue
					}
					for _, e := range []*store.Cursor{p.Next, p.Prev} {
						if e == nil {
							continue
						}
						field := "cursor"
						if _, err := store.ParseCursor(field, e.String()); err != nil {
							t.Errorf("%s, cursor at %s way %s: the page's own link %q is refused: %v", name, at, way, e.String(), err)
						}
					}
				}
			}
		}
	})
}

package web

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"testing"

	"waymark/internal/store"
	"waymark/internal/storetest"
)

// A page link whose time is at the very edge of what a cursor may spell
// (a year 0 with an offset east of UTC, a year 9999 with one west of it),
// or whose id is long and not ASCII, is answered with a page or a clear
// refusal, never a server error, on every paged list and on both lists of
// the retention review.
func TestAPageLinkAtTheEdgeOfTimeIsNeverAServerError(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.meetingPartnershipLead()
		b := e.browser()
		b.signIn("lead@partnership.example")
		cursors := []string{}
		for _, edge := range [][3]string{
			{"a", "0000-01-01T00:00:00+01:00", "x"}, {"b", "0000-01-01T00:00:00+23:59", "x"},
			{"a", "9999-12-31T23:59:59.999999999-23:59", "x"}, {"b", "9999-12-31T23:59:59-01:00", "x"},
			{"a", "2026-01-01T00:00:00Z", "\u00e9\u4e2d\U0001F600\u202e"}, {"b", "2026-01-01T00:00:00Z", "\x00x"},
			{"a", "2026-01-01T00:00:00Z", "\xff\xfe"},
		} {
			way, at, id := edge[0], edge[1], edge[2]
			// As a cursor's text spells it (store.Cursor.String), and as
			// links before it spelled it.
			spelled, _ := json.Marshal([]any{0, 0, at, at, id, id, way})
			for _, raw := range []string{string(spelled), way + "|" + at + "|" + id} {
				cursors = append(cursors, base64.RawURLEncoding.EncodeToString([]byte(raw)))
			}
		}
		for _, c := range cursors {
			for _, path := range []string{"/cases?cursor=" + c, "/escalations?cursor=" + c, "/my-work?after=" + c, "/my-work?before=" + c, "/alerts?cursor=" + c, "/admin/retention?cases=" + c, "/admin/retention?drafts=" + c, "/cases?q=amira&cursor=" + c} {
				rec := b.get(path)
				if rec.Code >= http.StatusInternalServerError {
					t.Errorf("%s: %d\n%s", path, rec.Code, rec.Body.String())
				}
			}
		}
	})
}

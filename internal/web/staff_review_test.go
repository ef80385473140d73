package web

import (
	"context"
	"strings"
	"testing"

	"waymark/internal/notify"
	"waymark/internal/notify/notifytest"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// The pages offer only what the rules allow: an administrator's own page
// has no form to change their role, and a person who signs in through their
// organisation's identity provider is offered no link to set a password.
func TestStaffPagesOfferNoChangeTheRulesRefuse(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		relay := notifytest.New(t)
		e.svc.Access.Mailer = &notify.Mailer{Addr: relay.Addr, From: "waymark@partnership.example"}
		e.svc.Access.PublicURL = "https://waymark.test"
		admin := e.browser()
		admin.signIn("admin@cs.example")
		own := e.p.CSAdmin.User.ID
		if page := admin.get("/admin/staff/" + own).Body.String(); strings.Contains(page, `action="/admin/staff/`+own+`/role"`) || !strings.Contains(page, "another administrator changes your role") {
			t.Error("an administrator's own page offers to change their role")
		}
		if err := db.Update(context.Background(), func(tx *store.Tx) error {
			if err := tx.SetPassword(e.p.Colleague.User.ID, ""); err != nil {
				return err
			}
			return tx.LinkIdentity("https://idp.example", "sub-cal", e.p.Colleague.User.ID, e.clock.Now())
		}); err != nil {
			t.Fatal(err)
		}
		id := e.p.Colleague.User.ID
		if page := admin.get("/admin/staff/" + id).Body.String(); strings.Contains(page, `action="/admin/staff/`+id+`/invite"`) {
			t.Error("a person who signs in through their provider is offered a link to set a password")
		}
	})
}

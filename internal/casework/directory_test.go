package casework_test

import (
	"strings"
	"testing"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/catalog"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// §9.4, §9.5, annex: every signed-in person reads the directory, seeded from
// the procedure; only a partnership lead or an administrator corrects an
// entry or adds one, the edit is kept over the seed, and each change is
// audited with its old and new text.
func TestDirectoryIsKeptByPartnershipLeadsAndAdministrators(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		all, err := p.svc.Directory(p.ctx)
		if err != nil || len(all) != len(catalog.MustReference().Directory) {
			t.Fatalf("directory: %d entries, %v", len(all), err)
		}
		ictg, err := p.svc.DirectoryEntryByID(p.ctx, "ictg-advice-line")
		if err != nil || !ictg.Seeded || ictg.Edited || !ictg.CheckBeforeUse {
			t.Fatalf("ICTG entry: %+v, %v", ictg, err)
		}
		lead := p.Manager
		lead.User.Role = pathway.RolePartnershipLead

		changed := ictg.DirectoryEntry
		changed.Phone, changed.LastChecked, changed.CheckBeforeUse = "0800 000 0000", "2026-01-05", false
		for _, v := range []casework.Viewer{p.Teacher, p.Manager, p.PoliceLead} {
			_, err := p.svc.SaveDirectoryEntry(p.ctx, v, "ictg-advice-line", changed, false)
			wantCode(t, err, waymark.EFORBIDDEN)
		}
		bad := changed
		bad.LastChecked = "2099-01-01"
		_, err = p.svc.SaveDirectoryEntry(p.ctx, lead, "ictg-advice-line", bad, false)
		wantCode(t, err, waymark.EINVALID)

		before := p.auditHead()
		got, err := p.svc.SaveDirectoryEntry(p.ctx, lead, "ictg-advice-line", changed, false)
		if err != nil || got.Phone != "0800 000 0000" || got.CheckBeforeUse || got.Section != "§6.8, §9.4" {
			t.Fatalf("saved: %+v, %v", got, err)
		}
		own := catalog.DirectoryEntry{Name: "Eastshire missing children team", Kind: "local", Phone: "01632 960 123", LastChecked: "2026-01-05"}
		added, err := p.svc.SaveDirectoryEntry(p.ctx, p.CSAdmin, "", own, false)
		if err != nil || !strings.HasPrefix(added.ID, "own-") {
			t.Fatalf("added: %+v, %v", added, err)
		}
		a := p.auditSince(before)
		if len(a) != 2 || a[0].Action != casework.ActionDirectoryEdited || !strings.Contains(a[0].Detail, `phone "0800 043 4303" to "0800 000 0000"`) ||
			a[1].Action != casework.ActionDirectoryAdded {
			t.Fatalf("audit: %+v", a)
		}
		again, _ := p.svc.DirectoryEntryByID(p.ctx, "ictg-advice-line")
		if again.Phone != "0800 000 0000" || !again.Edited || !again.Seeded || again.LastCheckedText() != "5 January 2026" {
			t.Fatalf("the edit is not kept over the seed: %+v", again)
		}
	})
}

package casework_test

import (
	"testing"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// Issue 13: an administrator records that the partnership joined the
// Devolved Decision Making pilot from a date; the change is kept beside
// every earlier one (never overwritten) and audited, and nobody else may
// record one.
func TestAdministratorRecordsTheDatedPilotSetting(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		for _, v := range []casework.Viewer{p.PoliceLead, p.Manager, p.CSWorker, p.Teacher} {
			_, err := p.svc.RecordSetting(p.ctx, v, pathway.SettingChange{Key: pathway.SettingDDMPilot, Value: "yes", From: "2026-01-01"})
			wantCode(t, err, waymark.EFORBIDDEN)
			_, err = p.svc.SettingHistory(p.ctx, v)
			wantCode(t, err, waymark.EFORBIDDEN)
		}
		_, err := p.svc.RecordSetting(p.ctx, p.CSAdmin, pathway.SettingChange{Key: pathway.SettingDDMPilot, Value: "perhaps", From: "2026-01-01"})
		wantCode(t, err, waymark.EINVALID)

		before := p.auditHead()
		for _, c := range []pathway.SettingChange{
			{Key: pathway.SettingDDMPilot, Value: "yes", From: "2026-01-01", Reason: "Joined the pilot"},
			{Key: pathway.SettingDDMPilot, Value: "no", From: "2027-01-01", Reason: "Pilot ends"},
		} {
			if _, err := p.svc.RecordSetting(p.ctx, p.CSAdmin, c); err != nil {
				t.Fatal(err)
			}
		}
		a := p.auditSince(before)
		if len(a) != 2 || a[0].Action != casework.ActionSettingChanged || a[0].Detail != `ddm_pilot is "yes" from 2026-01-01` {
			t.Fatalf("audit: %+v", a)
		}
		h, err := p.svc.SettingHistory(p.ctx, p.CSAdmin)
		if err != nil || len(h) != 2 || h[0].RecordedBy != p.CSAdmin.User.ID || h[1].Seq != 2 {
			t.Fatalf("history %+v, %v", h, err)
		}
		s := h.Setting(pathway.SettingDDMPilot)
		if s.OnDate("2025-12-31") != "no" || s.OnDate("2026-06-01") != "yes" || s.OnDate("2027-01-01") != "no" {
			t.Fatalf("setting by date: %+v", s.History())
		}
	})
}

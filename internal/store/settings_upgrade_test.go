package store_test

import (
	"context"
	"testing"
	"time"

	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// Before migration 0041 one set of dated settings governed every
// partnership's cases. Upgrading keeps each partnership governed by what
// governed it: every partnership gets the changes recorded so far, in
// their order, numbered among its own (a statistics setting cannot be
// recorded again for a past date, so none may be lost).
func TestUpgradingGivesEveryPartnershipTheSettingsThatGovernedIt(t *testing.T) {
	for name, open := range map[string]func(testing.TB, string) *store.DB{"sqlite": storetest.SQLiteAt, "postgres": storetest.PostgresAt} {
		t.Run(name, func(t *testing.T) {
			if name == "postgres" && !storetest.WantPostgres(t) {
				t.Skip("no PostgreSQL")
			}
			ctx := context.Background()
			db := open(t, "0040")
			now := time.Now().UTC().Truncate(time.Second)
			for _, q := range []struct {
				sql  string
				args []any
			}{
				{`INSERT INTO partnerships(id, name, slug, created_at) VALUES ('south', 'Southshire', 'south', $1), ('west', 'Westshire', 'west', $1)`, []any{now}},
				{`INSERT INTO partnership_settings(seq, setting_key, value, effective_from, reason, recorded_by, recorded_at) VALUES
					(1, 'ddm_pilot', 'yes', '2025-01-01', '', 'user-admin', $1),
					(2, 'statistics_threshold', '10', '2025-01-01', '', 'user-admin', $1),
					(3, 'ddm_pilot', 'no', '2025-01-01', 'left the pilot', 'user-admin', $1)`, []any{now}},
			} {
				if _, err := db.SQL().ExecContext(ctx, q.sql, q.args...); err != nil {
					t.Fatal(err)
				}
			}
			if err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			for _, p := range []string{pathway.DefaultPartnership, "south", "west"} {
				var got pathway.DatedSettings
				if err := db.View(ctx, func(tx *store.Tx) (err error) { got, err = tx.Settings(p); return err }); err != nil {
					t.Fatal(err)
				}
				if len(got) != 3 || got[0].Value != "yes" || got[1].Key != "statistics_threshold" || got[2].Value != "no" || got[2].Seq != 3 {
					t.Fatalf("%s after the upgrade: %+v", p, got)
				}
				// The later change of the same key and date still wins.
				if v := got.Setting(pathway.SettingDDMPilot).On(now); v != "no" {
					t.Errorf("%s's pilot flag after the upgrade: %q, want no", p, v)
				}
			}
			// A change recorded after it is numbered among the partnership's own.
			var c pathway.SettingChange
			err := db.Update(ctx, func(tx *store.Tx) (err error) {
				c, err = tx.AppendSetting("west", pathway.SettingChange{Key: pathway.SettingICTGAvailable, Value: "yes", From: "2026-01-01", RecordedBy: "user-admin", RecordedAt: now})
				return err
			})
			if err != nil || c.Seq != 4 {
				t.Errorf("Westshire's next change is numbered %d (%v), want 4", c.Seq, err)
			}
		})
	}
}

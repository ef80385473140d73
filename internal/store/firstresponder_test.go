package store_test

import (
	"testing"
	"time"

	"waymark/internal/store"
	"waymark/internal/storetest"
)

// Migration 0027 maps each organisation that was a First Responder to a
// designation by its kind ('police', 'local-authority'), or to one no
// catalogue lists when its kind has several; the others get none. Rows
// sealed before it still match their seals, and a designation changed
// behind Waymark's back afterwards does not.
func TestFirstResponderFlagsBecomeDesignations(t *testing.T) {
	dbs := []*store.DB{storetest.SQLiteAt(t, "0026")}
	if storetest.WantPostgres(t) {
		dbs = append(dbs, storetest.PostgresAt(t, "0026"))
	}
	at := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	for _, db := range dbs {
		err := db.Update(ctx, func(tx *store.Tx) error {
			for _, o := range []struct {
				id, kind string
				fr       bool
			}{{"org-police", "police", true}, {"org-council", "local-authority", true}, {"org-charity", "voluntary", true}, {"org-school", "school", false}} {
				if err := tx.InsertOrganisationBeforeDesignations(o.id, "Name of "+o.id, o.kind, o.fr, at); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"org-police": "police", "org-council": "local-authority", "org-charity": "first-responder-before-designations", "org-school": ""}
		err = db.Update(ctx, func(tx *store.Tx) error {
			if err := tx.VerifyIdentity(); err != nil {
				t.Errorf("%s: seals after the migration: %v", db.Dialect, err)
			}
			orgs, err := tx.Organisations()
			if err != nil {
				return err
			}
			if len(orgs) != len(want) {
				t.Errorf("%s: %d organisations match their seals, want %d", db.Dialect, len(orgs), len(want))
			}
			for _, o := range orgs {
				if o.FirstResponderDesignation != want[o.ID] {
					t.Errorf("%s: %s has designation %q, want %q", db.Dialect, o.ID, o.FirstResponderDesignation, want[o.ID])
				}
			}
			// Written afresh through the store, sealed afresh.
			if err := tx.SetFirstResponderDesignation("org-charity", "barnardos"); err != nil {
				return err
			}
			// Changed behind Waymark's back: no longer found.
			if _, err := tx.SQLForTest(`UPDATE organisations SET first_responder_designation = 'police' WHERE id = 'org-school'`); err != nil {
				return err
			}
			orgs, err = tx.Organisations()
			if err != nil {
				return err
			}
			got := map[string]string{}
			for _, o := range orgs {
				got[o.ID] = o.FirstResponderDesignation
			}
			if _, found := got["org-school"]; found || got["org-charity"] != "barnardos" {
				t.Errorf("%s: after the changes: %v", db.Dialect, got)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

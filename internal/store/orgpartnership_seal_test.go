package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"waymark/internal/store"
	"waymark/internal/storetest"
)

// partnershipOf is the partnership Waymark takes an organisation to be in.
func partnershipOf(t *testing.T, db *store.DB, orgID string) string {
	t.Helper()
	var p string
	if err := db.View(context.Background(), func(tx *store.Tx) (err error) {
		p, err = tx.OrganisationPartnership(orgID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return p
}

// verifyNames checks that verify names each row, or passes when none.
func verifyNames(t *testing.T, db *store.DB, rows ...string) {
	t.Helper()
	_, err := db.Verify(context.Background(), store.VerifyOptions{})
	if len(rows) == 0 {
		if err != nil {
			t.Errorf("verify: %v", err)
		}
		return
	}
	var te *store.IdentityTamperError
	if !errors.As(err, &te) {
		t.Fatalf("verify: %v, want it to name %q", err, rows)
	}
	for _, r := range rows {
		if !strings.Contains(err.Error(), r) {
			t.Errorf("verify does not name %q: %v", r, err)
		}
	}
}

// An organisation's partnership decides whose lead acts on its cases
// (§4.3), so its seal covers it. Someone with write access to the database
// file who moves Children's Services into their own partnership moves
// nothing: the organisation then belongs to no partnership, and verify
// names its row. Putting back a seal of the form written before seals
// covered partnerships (from a backup, say) does not help either.
func TestAnOrganisationMovedToAnotherPartnershipBehindWaymarksBackBelongsToNone(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := storetest.NewClock(storetest.Start)
		storetest.NewPartnership(t, db, clock)
		err := db.Update(ctx, func(tx *store.Tx) error {
			if err := tx.InsertPartnership(store.Partnership{ID: "south", Name: "Southshire", Slug: "south", CreatedAt: clock.Now()}); err != nil {
				return err
			}
			if err := tx.InsertOrganisation(store.Organisation{ID: "org-south", Name: "Southshire Council", Kind: "local-authority", CreatedAt: clock.Now()}); err != nil {
				return err
			}
			return tx.SetOrganisationPartnership("org-south", "south")
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.SealIdentityAsFound(ctx, clock.Now()); err != nil {
			t.Fatal(err)
		}
		if got := partnershipOf(t, db, "org-south"); got != "south" {
			t.Fatalf("an organisation Waymark moved is in %q, want south", got)
		}
		verifyNames(t, db)

		behindWaymarksBack(t, db, `UPDATE organisations SET partnership_id = 'south' WHERE id = 'org-cs'`)
		if got := partnershipOf(t, db, "org-cs"); got != "" {
			t.Errorf("Children's Services moved behind Waymark's back is in %q, want no partnership", got)
		}
		verifyNames(t, db, "organisations row org-cs")

		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.SealOrgAsBeforePartnerships("org-cs") }); err != nil {
			t.Fatal(err)
		}
		if got := partnershipOf(t, db, "org-cs"); got != "" {
			t.Errorf("with a seal of the old form put back, Children's Services is in %q, want no partnership", got)
		}
		verifyNames(t, db, "organisations row org-cs")
	})
}

// Before this release an organisation's seal did not cover its partnership,
// and an administrator may have moved organisations since migration 0036.
// The first start with the master key after the upgrade seals each
// organisation whose seal is of the old form with its partnership as it is
// then, and records each in the keyed audit log; from then on only the new
// form matches, so a later move behind Waymark's back is found.
func TestUpgradingSealsEachOrganisationWithItsPartnershipAsFound(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := storetest.NewClock(storetest.Start)
		storetest.NewPartnership(t, db, clock)
		err := db.Update(ctx, func(tx *store.Tx) error {
			if err := tx.InsertPartnership(store.Partnership{ID: "south", Name: "Southshire", Slug: "south", CreatedAt: clock.Now()}); err != nil {
				return err
			}
			// Sealed as the release before did, then moved by it (its
			// seal did not cover the partnership).
			for _, id := range []string{"org-cs", "org-police", "org-school", "org-gp"} {
				if err := tx.SealOrgAsBeforePartnerships(id); err != nil {
					return err
				}
			}
			_, err := tx.SQLForTest(`UPDATE organisations SET partnership_id = 'south' WHERE id = 'org-police'`)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := partnershipOf(t, db, "org-police"); got != "south" {
			t.Fatalf("before the first start, an organisation sealed by the release before is in %q, want south", got)
		}
		behindWaymarksBack(t, db, `UPDATE organisations SET name = 'Renamed behind Waymark''s back' WHERE id = 'org-gp'`)
		n, err := db.SealIdentityAsFound(ctx, clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		if n != 3 {
			t.Errorf("sealed %d rows as found, want the three organisations whose old seals match", n)
		}
		var detail string
		if err := db.SQL().QueryRowContext(ctx, `SELECT detail FROM audit_log WHERE action = 'identity.partnerships_sealed'`).Scan(&detail); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(detail, "org-police in south") || !strings.Contains(detail, "org-cs in default") || strings.Contains(detail, "org-gp") {
			t.Errorf("the audit log records %q", detail)
		}
		if got := partnershipOf(t, db, "org-police"); got != "south" {
			t.Errorf("after the first start the moved organisation is in %q, want south", got)
		}
		verifyNames(t, db, "organisations row org-gp") // altered before the upgrade: never sealed as found
		if again, err := db.SealIdentityAsFound(ctx, clock.Now()); err != nil || again != 0 {
			t.Errorf("a second start sealed %d rows, %v", again, err)
		}

		behindWaymarksBack(t, db, `UPDATE organisations SET partnership_id = 'default' WHERE id = 'org-police'`)
		if got := partnershipOf(t, db, "org-police"); got != "" {
			t.Errorf("moved back behind Waymark's back after the upgrade: in %q, want no partnership", got)
		}
		verifyNames(t, db, "organisations row org-police", "organisations row org-gp")
	})
}

// The pass that seals organisations with their partnerships as found runs
// once. Someone with write access to the database file who deletes its
// audit entry and puts an old-form seal back on an organisation moved into
// their partnership does not get it sealed there at the next start: the
// other organisations' seals show the pass ran.
func TestAnOldSealPutBackIsNotSealedAgainWhenThePassesEntryIsDeleted(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := storetest.NewClock(storetest.Start)
		storetest.NewPartnership(t, db, clock)
		if err := db.Update(ctx, func(tx *store.Tx) error {
			return tx.InsertPartnership(store.Partnership{ID: "south", Name: "Southshire", Slug: "south", CreatedAt: clock.Now()})
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SealIdentityAsFound(ctx, clock.Now()); err != nil {
			t.Fatal(err)
		}
		behindWaymarksBack(t, db, `DELETE FROM audit_log WHERE action = 'identity.partnerships_sealed'`)
		behindWaymarksBack(t, db, `UPDATE organisations SET partnership_id = 'south' WHERE id = 'org-cs'`)
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.SealOrgAsBeforePartnerships("org-cs") }); err != nil {
			t.Fatal(err)
		}
		next := storetest.Reopen(t, db) // the next start
		if n, err := next.SealIdentityAsFound(ctx, clock.Now()); err != nil || n != 0 {
			t.Errorf("the next start sealed %d rows as found, %v; want none", n, err)
		}
		if got := partnershipOf(t, next, "org-cs"); got != "" {
			t.Errorf("with its old seal put back, Children's Services is in %q, want no partnership", got)
		}
	})
}

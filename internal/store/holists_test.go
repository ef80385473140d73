package store_test

import (
	"testing"
	"time"

	"waymark"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// Each organisation and the partnership are mapped once to their entries in
// the Home Office form's lists (§8.7); mapping again replaces the entries,
// and an organisation that does not exist cannot be mapped.
func TestOrganisationsAreMappedOnceToTheFormsLists(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
		err := db.Update(ctx, func(tx *store.Tx) error {
			if err := tx.InsertOrganisation(store.Organisation{ID: "org-police", Name: "Eastshire Police", Kind: "police", CreatedAt: at}); err != nil {
				return err
			}
			if m, err := tx.OrganisationHOListMapping("org-police"); err != nil || m.Mapped() {
				t.Errorf("before any mapping: %+v, %v", m, err)
			}
			first := store.HOListMapping{Organisation: "Kent Police", PoliceForce: "Kent Police", MappedBy: "u-admin", MappedAt: at}
			if err := tx.SetOrganisationHOListMapping("org-police", first); err != nil {
				return err
			}
			again := store.HOListMapping{Organisation: "Essex Police", PoliceForce: "Essex Police", MappedBy: "u-admin2", MappedAt: at.Add(time.Hour)}
			if err := tx.SetOrganisationHOListMapping("org-police", again); err != nil {
				return err
			}
			if err := tx.SetPartnershipHOListMapping(store.HOListMapping{LocalAuthority: "Kent County Council", PoliceForce: "Kent Police", MappedBy: "u-admin", MappedAt: at}); err != nil {
				return err
			}
			err := tx.SetOrganisationHOListMapping("org-nowhere", first)
			if waymark.ErrorCode(err) != waymark.ENOTFOUND {
				t.Errorf("mapping an organisation that does not exist: %v, want not found", err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		err = db.View(ctx, func(tx *store.Tx) error {
			all, err := tx.OrganisationHOListMappings()
			if err != nil {
				return err
			}
			got := all["org-police"]
			if len(all) != 1 || got.Organisation != "Essex Police" || got.PoliceForce != "Essex Police" || got.LocalAuthority != "" || got.MappedBy != "u-admin2" || !got.MappedAt.Equal(at.Add(time.Hour)) {
				t.Errorf("organisation mappings: %+v", all)
			}
			p, err := tx.PartnershipHOListMapping()
			if err != nil {
				return err
			}
			if p.LocalAuthority != "Kent County Council" || p.PoliceForce != "Kent Police" || p.Organisation != "" {
				t.Errorf("partnership mapping: %+v", p)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

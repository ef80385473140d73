package main

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"waymark/internal/store"
)

// `org add --partnership` puts the organisation in a partnership of its own
// area, adding the partnership the first time (issue 14, "Across areas");
// without it the organisation is in the default partnership.
func TestOrgAddPutsTheOrganisationInItsPartnership(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	db := []string{"--data", dir, "--master-key-file", keyFile(t)}
	var out bytes.Buffer
	if err := run(ctx, append([]string{"migrate", "--create"}, db...), env(nil), nil, &out, &out); err != nil {
		t.Fatalf("migrate --create: %v\n%s", err, out.String())
	}
	for _, args := range [][]string{
		{"org", "add", "--id", "org-north", "--name", "Northshire Children's Services", "--kind", "local-authority", "--childrens-services"},
		{"org", "add", "--id", "org-south", "--name", "Southshire Children's Services", "--kind", "local-authority", "--childrens-services",
			"--partnership", "southshire", "--partnership-name", "Southshire Safeguarding Children Partnership"},
	} {
		if err := run(ctx, append(args, db...), env(nil), nil, &out, &out); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out.String())
		}
	}
	sdb, err := store.OpenExisting(ctx, filepath.Join(dir, "waymark.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	if err := sdb.View(ctx, func(tx *store.Tx) error {
		for org, want := range map[string]string{"org-north": "default", "org-south": "southshire"} {
			if got, err := tx.OrganisationPartnership(org); err != nil || got != want {
				t.Errorf("%s is in partnership %q (%v), want %q", org, got, err, want)
			}
		}
		p, err := tx.PartnershipByID("southshire")
		if err != nil || p.Name != "Southshire Safeguarding Children Partnership" {
			t.Errorf("the partnership added: %+v, %v", p, err)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

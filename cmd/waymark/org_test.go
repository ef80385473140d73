package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"waymark/internal/casework"
	"waymark/internal/catalog"
	"waymark/internal/store"
)

// `org add --first-responder` maps the organisation to a designation on the
// catalogue's First Responder list (§8.2, annex); an id the list does not
// have is refused, and nothing is added.
func TestOrgAddMapsTheOrganisationToAListedFirstResponderDesignation(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	db := []string{"--data", dir, "--master-key-file", keyFile(t)}
	var out bytes.Buffer
	if err := run(ctx, append([]string{"migrate", "--create"}, db...), env(nil), nil, &out, &out); err != nil {
		t.Fatalf("migrate --create: %v\n%s", err, out.String())
	}
	add := func(id, designation string) error {
		out.Reset()
		return run(ctx, append([]string{"org", "add", "--id", id, "--name", "Name of " + id, "--kind", "voluntary", "--first-responder", designation}, db...), env(nil), nil, &out, &out)
	}
	if err := add("org-made-up", "made-up-responders"); err == nil {
		t.Fatal("an organisation mapped to a designation the list does not have was added")
	}
	if err := add("org-ctac", "nspcc-ctac"); err != nil {
		t.Fatalf("org add --first-responder nspcc-ctac: %v\n%s", err, out.String())
	}
	sdb, err := store.OpenExisting(ctx, filepath.Join(dir, "waymark.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	var orgs []store.Organisation
	if err := sdb.View(ctx, func(tx *store.Tx) error {
		orgs, err = tx.Organisations() // no master key here: seals are not checked
		return err
	}); err != nil {
		t.Fatal(err)
	}
	cat := catalog.MustLoad()
	var ids []string
	for _, o := range orgs {
		ids = append(ids, o.ID)
		if o.ID == "org-ctac" && (o.FirstResponderDesignation != "nspcc-ctac" || !casework.IsFirstResponder(cat, o)) {
			t.Errorf("org-ctac is %+v", o)
		}
	}
	if strings.Join(ids, ",") != "org-ctac" {
		t.Errorf("organisations %v, want only org-ctac", ids)
	}
}

package casework_test

import (
	"strings"
	"testing"

	"waymark/internal/store"
	"waymark/internal/storetest"
)

// Search starts from the blind index for a word no reference could hold
// (store.MayBeInReference): that is exact only while every reference
// Waymark mints is made of the characters it assumes.
func TestMintedReferencesStayWithinTheCharactersSearchAssumes(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		ref := p.contact(p.raise())
		if ref == "" || !store.MayBeInReference(strings.ToLower(ref)) {
			t.Fatalf("reference %q has a character search does not expect in a reference", ref)
		}
	})
}

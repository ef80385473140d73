package casework

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"waymark"
	"waymark/internal/access"
	"waymark/internal/catalog"
	"waymark/internal/nrm"
	"waymark/internal/pathway"
	"waymark/internal/store"
)

// The partnership's directory of supporting organisations and key contacts
// (issue 13; §6.8, §9.4, §9.5, annex). The catalogue holds the seed, as the
// procedure gave it; partnership leads and administrators correct entries,
// add the partnership's own and hide those that do not apply (migration
// 0032), and every change is audited with its old and new text. The
// directory holds no case data, so every signed-in person reads it.

// Audit actions of the directory.
const (
	ActionDirectoryEdited = "directory.edited"
	ActionDirectoryAdded  = "directory.added"
)

// DirectoryEntry is an entry as the partnership sees it: the seed, or the
// partnership's edit of it, or an entry of its own.
type DirectoryEntry struct {
	catalog.DirectoryEntry
	Seeded   bool // the catalogue's seed has this entry
	Edited   bool // the partnership changed the seed, or added the entry
	Hidden   bool // taken off the directory by the partnership
	EditedBy string
	EditedAt time.Time
}

// LastCheckedText is when the entry was last checked, for people.
func (e DirectoryEntry) LastCheckedText() string { return catalog.FormatDataDate(e.LastChecked) }

// Entry limits.
const (
	maxDirectoryName = 200
	maxDirectoryText = 1000
)

// ErrDirectoryEditors refuses a change to the directory to anyone else.
var ErrDirectoryEditors = waymark.Errorf(waymark.EFORBIDDEN, "Only a partnership lead or an administrator can change the directory. Ask one of them to correct the entry.")

// EditsDirectory: partnership leads and administrators keep the directory,
// as people (not machine clients) with a credential that may write.
func (v Viewer) EditsDirectory() bool {
	return v.Client == nil && v.allows(ScopeWrite) && pathway.KeepsPartnershipRecords(v.User.Role)
}

func (s *Service) reference() *catalog.Reference {
	if s.Catalog != nil && s.Catalog.Reference != nil {
		return s.Catalog.Reference
	}
	return catalog.MustReference()
}

// Directory lists every entry, hidden ones included (marked), under the
// catalogue's headings in order and by name within each.
func (s *Service) Directory(ctx context.Context) ([]DirectoryEntry, error) {
	var edits map[string]store.DirectoryEdit
	if err := s.DB.View(ctx, func(tx *store.Tx) (err error) {
		edits, err = tx.DirectoryEdits()
		return err
	}); err != nil {
		return nil, err
	}
	var out []DirectoryEntry
	for _, e := range s.reference().Directory {
		d := DirectoryEntry{DirectoryEntry: e, Seeded: true}
		if ed, ok := edits[e.ID]; ok {
			d = directoryEntryOf(ed)
			d.Seeded = true
			delete(edits, e.ID)
		}
		out = append(out, d)
	}
	for _, ed := range edits {
		out = append(out, directoryEntryOf(ed))
	}
	kind := func(k string) int {
		return slices.IndexFunc(catalog.DirectoryKinds, func(x struct{ Value, Text string }) bool { return x.Value == k })
	}
	slices.SortStableFunc(out, func(a, b DirectoryEntry) int {
		if ka, kb := kind(a.Kind), kind(b.Kind); ka != kb {
			return ka - kb
		}
		return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	})
	return out, nil
}

func directoryEntryOf(ed store.DirectoryEdit) DirectoryEntry {
	return DirectoryEntry{DirectoryEntry: catalog.DirectoryEntry(ed.Entry), Edited: true, Hidden: ed.Hidden, EditedBy: ed.EditedBy, EditedAt: ed.EditedAt}
}

// DirectoryEntryByID returns one entry, hidden or not.
func (s *Service) DirectoryEntryByID(ctx context.Context, id string) (DirectoryEntry, error) {
	all, err := s.Directory(ctx)
	if err != nil {
		return DirectoryEntry{}, err
	}
	for _, e := range all {
		if e.ID == id {
			return e, nil
		}
	}
	return DirectoryEntry{}, waymark.Errorf(waymark.ENOTFOUND, "There is no entry %q in the directory.", id)
}

// SaveDirectoryEntry corrects an entry (id given) or adds the partnership's
// own (id ""), with the date it was checked; audited with what changed.
func (s *Service) SaveDirectoryEntry(ctx context.Context, v Viewer, id string, e catalog.DirectoryEntry, hidden bool) (DirectoryEntry, error) {
	if !v.EditsDirectory() {
		return DirectoryEntry{}, ErrDirectoryEditors
	}
	var old DirectoryEntry
	if id != "" {
		var err error
		if old, err = s.DirectoryEntryByID(ctx, id); err != nil {
			return DirectoryEntry{}, err
		}
		e.ID, e.Section = id, old.Section
	} else {
		e.ID, e.Section = "own-"+access.NewID(), ""
	}
	e, err := checkDirectoryEntry(e, s.now())
	if err != nil {
		return DirectoryEntry{}, err
	}
	now := s.now()
	ed := store.DirectoryEdit{Entry: store.DirectoryEntry(e), Hidden: hidden, EditedBy: v.User.ID, EditedAt: now}
	err = s.DB.Update(ctx, func(tx *store.Tx) error {
		if err := tx.SaveDirectoryEdit(ed); err != nil {
			return err
		}
		action, detail := ActionDirectoryAdded, "entry "+e.ID+" added: "+directoryChanges(catalog.DirectoryEntry{}, false, e, hidden)
		if id != "" {
			action, detail = ActionDirectoryEdited, "entry "+e.ID+": "+directoryChanges(old.DirectoryEntry, old.Hidden, e, hidden)
		}
		return tx.AppendAudit(s.auditEntry(v, "", action, detail))
	})
	if err != nil {
		return DirectoryEntry{}, err
	}
	out := directoryEntryOf(ed)
	out.Seeded = old.Seeded
	return out, nil
}

// directoryChanges names each field that changed, old and new.
func directoryChanges(a catalog.DirectoryEntry, ah bool, b catalog.DirectoryEntry, bh bool) string {
	var parts []string
	add := func(name, x, y string) {
		if x != y {
			parts = append(parts, fmt.Sprintf("%s %q to %q", name, x, y))
		}
	}
	add("name", a.Name, b.Name)
	add("kind", a.Kind, b.Kind)
	add("description", a.Description, b.Description)
	add("phone", a.Phone, b.Phone)
	add("website", a.Website, b.Website)
	add("email", a.Email, b.Email)
	add("hours", a.Hours, b.Hours)
	add("area", a.Area, b.Area)
	add("note", a.Note, b.Note)
	add("last checked", a.LastChecked, b.LastChecked)
	add("check before use", fmt.Sprint(a.CheckBeforeUse), fmt.Sprint(b.CheckBeforeUse))
	add("hidden", fmt.Sprint(ah), fmt.Sprint(bh))
	if len(parts) == 0 {
		return "saved unchanged"
	}
	return strings.Join(parts, ", ")
}

// checkDirectoryEntry tidies an entry's text and reports each answer that
// cannot be kept.
func checkDirectoryEntry(e catalog.DirectoryEntry, now time.Time) (catalog.DirectoryEntry, error) {
	one := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	e.Name, e.Phone, e.Hours, e.Area = one(e.Name), one(e.Phone), one(e.Hours), one(e.Area)
	e.Website, e.Email = strings.TrimSpace(e.Website), strings.TrimSpace(e.Email)
	e.Description, e.Note = strings.TrimSpace(e.Description), strings.TrimSpace(e.Note)
	var probs waymark.Problems
	if e.Name == "" {
		probs.Add("name", "Enter the organisation's or contact's name")
	} else if len([]rune(e.Name)) > maxDirectoryName {
		probs.Add("name", "The name must be %d characters or fewer", maxDirectoryName)
	}
	if !slices.ContainsFunc(catalog.DirectoryKinds, func(k struct{ Value, Text string }) bool { return k.Value == e.Kind }) {
		probs.Add("kind", "Select the heading the entry goes under")
	}
	for _, f := range []struct{ field, what, v string }{
		{"description", "The description", e.Description}, {"note", "The note", e.Note},
		{"hours", "The opening hours", e.Hours}, {"area", "The area", e.Area}, {"phone", "The phone number", e.Phone},
	} {
		if len([]rune(f.v)) > maxDirectoryText {
			probs.Add(f.field, "%s must be %d characters or fewer", f.what, maxDirectoryText)
		}
	}
	if e.Email != "" && (len(e.Email) > 254 || !nrm.ValidEmail(e.Email)) {
		probs.Add("email", "Enter an email address in the right format, like advice@charity.example")
	}
	if e.Website != "" {
		u, err := url.Parse(e.Website)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(e.Website) > 500 {
			probs.Add("website", "Enter the website's full address, starting https://")
		}
	}
	if d, err := time.Parse("2006-01-02", e.LastChecked); err != nil {
		probs.Add("lastChecked", "Enter the date the entry was last checked, like 4 12 2026")
	} else if d.After(now) {
		probs.Add("lastChecked", "The date the entry was last checked must be today or in the past")
	}
	return e, probs.Err()
}

package casework_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"waymark"
	"waymark/internal/audit"
	"waymark/internal/casework"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// Issue 14 §1, §4.3, §4.8, §7.1: a child raised again under another name
// is found among the earlier records, and the team is told only what they
// need to know (§6.5).

// secondArea is another Children's Services front door on the same
// deployment, with a worker of its own who is a member of none of the first
// area's cases. Concerns go to whichever front door is named.
func (p *partnership) secondArea() casework.Viewer {
	p.t.Helper()
	org := store.Organisation{ID: "org-cs2", Name: "Southshire Children's Services", Kind: "local-authority", ChildrensServices: true, CreatedAt: p.clock.Now()}
	var v casework.Viewer
	err := p.db.Update(p.ctx, func(tx *store.Tx) error {
		if err := tx.InsertOrganisation(org); err != nil {
			return err
		}
		if err := tx.InsertUser(store.User{ID: "user-cs2", OrgID: org.ID, Email: "front.door@south.example", Name: "Sol South", Role: pathway.RoleChildrensServices, CreatedAt: p.clock.Now()}); err != nil {
			return err
		}
		u, err := tx.UserByID("user-cs2")
		v = casework.Viewer{User: u}
		return err
	})
	if err != nil {
		p.t.Fatal(err)
	}
	p.db.SetChildrensServicesOrg(p.ChildrensServices.ID)
	return v
}

// raisedAgainUnderAlias is the first concern's child raised again, weeks
// later, in another town, under the alias the first concern recorded, with
// the same date of birth (§4.8).
func raisedAgainUnderAlias(c *pathway.Concern) {
	c.Child.GivenNames, c.Child.FamilyName, c.Child.Aliases, c.Child.DateOfBirth = "Mimi", "Hoxha", nil, amiraBorn
	c.Child.CurrentLocation = "Bus station, Southtown"
	c.IdentifiedWhere = "Southtown bus station"
}

// amiraBorn is the date of birth of the first concern's child.
const amiraBorn = "2011-11-20"

// bornOnAmirasBirthday is the first concern's child, known also as Mimi Hoxha.
func bornOnAmirasBirthday(c *pathway.Concern) {
	c.Child.DateOfBirth, c.Child.Aliases = amiraBorn, []string{"Mimi Hoxha"}
}

func earlier(t *testing.T, p *partnership, v casework.Viewer, caseID string) []casework.EarlierRecord {
	t.Helper()
	recs, err := p.svc.EarlierRecords(p.ctx, v, caseID)
	if err != nil {
		t.Fatalf("earlier records of %s: %v", caseID, err)
	}
	return recs
}

func TestAChildRaisedAgainUnderAnAliasIsFoundAsAnEarlierRecord(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		first := p.raise(bornOnAmirasBirthday)
		ref := p.contact(first)
		p.clock.Advance(21 * 24 * 3600e9)
		again := p.raise(raisedAgainUnderAlias)
		recs := earlier(t, p, p.CSWorker, again)
		if len(recs) != 1 {
			t.Fatalf("got %d earlier records, want the first concern's: %+v", len(recs), recs)
		}
		r := recs[0]
		// The front door is a member of both: it is told which case.
		if !r.Member || r.CaseID != first || r.Reference != ref {
			t.Errorf("a member of the earlier case is told member %t, case %q, reference %q; want %s, %s", r.Member, r.CaseID, r.Reference, first, ref)
		}
		if r.Probability < 0.5 || r.Strength == "" || r.Strength == "weak" || len(r.Agrees) == 0 || r.Handle == "" {
			t.Errorf("the earlier record is shown as %+v", r)
		}
		if r.AskOrg != p.ChildrensServices.Name {
			t.Errorf("ask %q, want %q", r.AskOrg, p.ChildrensServices.Name)
		}
		// And from the first case, the second is its earlier (or later) record.
		if back := earlier(t, p, p.CSWorker, first); len(back) != 1 || back[0].CaseID != again {
			t.Errorf("from the first case: %+v", back)
		}
	})
}

func TestADifferentChildIsNotShownAsAnEarlierRecord(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		first := p.raise(bornOnAmirasBirthday)
		// Born the same day (so filed under the same key, and compared),
		// a different child.
		other := p.raise(func(c *pathway.Concern) {
			c.Child.GivenNames, c.Child.FamilyName, c.Child.Aliases, c.Child.DateOfBirth = "Jordan", "Smith", nil, amiraBorn
			c.Child.Gender, c.Child.Nationality = "male", "Polish"
		})
		from := p.auditHead()
		if recs := earlier(t, p, p.CSWorker, other); len(recs) != 0 {
			t.Fatalf("a different child is shown as an earlier record: %+v", recs)
		}
		var compared bool
		for _, e := range p.auditSince(from) {
			compared = compared || (e.CaseID == first && strings.Contains(e.Detail, "compared for matching"))
		}
		if !compared {
			t.Fatal("the other child was never compared: the test proves nothing")
		}
	})
}

func TestANonMemberOfTheEarlierCaseLearnsOnlyStrengthDetailsAndWhoToAsk(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		south := p.secondArea()
		first := p.raise(bornOnAmirasBirthday)
		ref := p.contact(first)
		db.SetChildrensServicesOrg("org-cs2")
		again := p.raise(raisedAgainUnderAlias)
		from := p.auditHead()
		recs := earlier(t, p, south, again)
		if len(recs) != 1 {
			t.Fatalf("got %d earlier records, want 1", len(recs))
		}
		r := recs[0]
		if r.Member || r.CaseID != "" || r.Reference != "" {
			t.Errorf("a non-member is told member %t, case %q, reference %q", r.Member, r.CaseID, r.Reference)
		}
		if r.AskOrg != p.ChildrensServices.Name || r.Strength == "" || r.Handle == "" {
			t.Errorf("a non-member is told %+v; want the strength, the details and whom to ask", r)
		}
		// Nothing of the earlier case's content: no id, reference, name,
		// date of birth, place or language anywhere in what is returned.
		data, _ := json.Marshal(recs)
		c := p.loadCase(first)
		for _, secret := range []string{first, ref, "Amira", c.Concern.Child.DateOfBirth, "Northfield", "Albanian", "school nurse"} {
			if strings.Contains(string(data), secret) {
				t.Errorf("a non-member is shown %q of the earlier case: %s", secret, data)
			}
		}
		// The search is audited on the case asked from, and the earlier
		// case, opened to be compared, records the read (§6.5).
		var searched, compared bool
		for _, e := range p.auditSince(from) {
			searched = searched || (e.CaseID == again && e.Action == audit.ActionCaseSearched && e.ActorID == south.User.ID)
			compared = compared || (e.CaseID == first && e.Action == audit.ActionCaseViewed && e.ActorID == south.User.ID && strings.Contains(e.Detail, "compared for matching"))
		}
		if !searched || !compared {
			t.Errorf("audited search %t, compared read %t", searched, compared)
		}
		// The first area's worker, not a member of the second case, cannot
		// ask from it: the same not-found as any case they cannot see.
		_, err := p.svc.EarlierRecords(p.ctx, p.CSWorker, again)
		wantCode(t, err, waymark.ENOTFOUND)
		// A member outside the team (the referrer) is refused.
		_, err = p.svc.EarlierRecords(p.ctx, p.Teacher, again)
		wantCode(t, err, waymark.EFORBIDDEN)
	})
}

func TestAnEarlierRecordsHandleResolvesOnlyForItsViewerAndCase(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		south := p.secondArea()
		first := p.raise(bornOnAmirasBirthday)
		db.SetChildrensServicesOrg("org-cs2")
		again := p.raise(raisedAgainUnderAlias)
		third := p.raise(raisedAgainUnderAlias)
		recs := earlier(t, p, south, again)
		if len(recs) == 0 {
			t.Fatal("no earlier record")
		}
		var h string
		for _, r := range recs {
			if r.Probability >= recs[0].Probability && h == "" {
				h = r.Handle
			}
		}
		got, err := p.svc.ResolveEarlierRecord(p.ctx, south, again, h)
		if err != nil || (got != first && got != third) {
			t.Fatalf("resolving the handle: %q, %v", got, err)
		}
		for _, r := range recs {
			if got, err := p.svc.ResolveEarlierRecord(p.ctx, south, again, r.Handle); err != nil || !slices.Contains([]string{first, third}, got) {
				t.Errorf("handle resolves to %q, %v", got, err)
			}
		}
		// Not from another case, not for anyone else, not a guess.
		_, err = p.svc.ResolveEarlierRecord(p.ctx, south, third, h)
		wantCode(t, err, waymark.EINVALID)
		_, err = p.svc.ResolveEarlierRecord(p.ctx, p.CSWorker, again, h)
		wantCode(t, err, waymark.ENOTFOUND)
		_, err = p.svc.ResolveEarlierRecord(p.ctx, south, again, first)
		wantCode(t, err, waymark.EINVALID)
	})
}

func TestMatchKeysAreKeyedApartFromSearchAndGoWithErasure(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		lead, token := p.privacyLead()
		id := p.raise(bornOnAmirasBirthday)
		keys := p.count(`SELECT COUNT(*) FROM person_match_keys WHERE case_id = $1`, id)
		if keys == 0 {
			t.Fatal("the case's child is filed under no match key")
		}
		// No key is the name or date in clear, and no key is a search token.
		for _, plain := range []string{"%amira%", "%example%", "%mimi%", "%hoxha%", "%" + p.loadCase(id).Concern.Child.DateOfBirth + "%"} {
			if n := p.count(`SELECT COUNT(*) FROM person_match_keys WHERE LOWER(key_hash) LIKE $1`, plain); n != 0 {
				t.Errorf("a match key holds %s in clear", plain)
			}
		}
		if n := p.count(`SELECT COUNT(*) FROM person_match_keys k JOIN search_tokens s ON s.token_hash = k.key_hash`); n != 0 {
			t.Errorf("%d match keys equal search tokens", n)
		}
		// What the engine compares is kept sealed with the case's key.
		if n := p.count(`SELECT COUNT(*) FROM person_match_records WHERE case_id = $1 AND record LIKE 'wm1:%' AND LOWER(record) NOT LIKE '%amira%'`, id); n != 1 {
			t.Errorf("the case has %d sealed match records, want 1", n)
		}
		if _, err := db.Verify(p.ctx, store.VerifyOptions{ReadModels: true}); err != nil {
			t.Fatalf("verify: %v", err)
		}
		if err := p.svc.EraseCase(p.ctx, lead, token, storetest.Password, id, "Concern raised about the wrong child", "art17-1d"); err != nil {
			t.Fatal(err)
		}
		if n := p.count(`SELECT COUNT(*) FROM person_match_keys WHERE case_id = $1`, id); n != 0 {
			t.Errorf("%d match keys of the erased case remain", n)
		}
		if n := p.count(`SELECT COUNT(*) FROM person_match_records WHERE case_id = $1`, id); n != 0 {
			t.Errorf("the erased case's match record remains")
		}
		if _, err := db.Verify(p.ctx, store.VerifyOptions{ReadModels: true}); err != nil {
			t.Fatalf("verify after erasure: %v", err)
		}
		// A key put back on the erased case is found.
		if _, err := db.SQL().ExecContext(p.ctx, `INSERT INTO person_match_keys(key_hash, case_id) VALUES ('00', $1)`, id); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Verify(p.ctx, store.VerifyOptions{ReadModels: true}); err == nil {
			t.Error("verify misses a match key put back on an erased case")
		}
	})
}

func TestVerifyFindsAMatchKeyOrRecordDeletedChangedOrAddedAndRebuildRestoresThem(t *testing.T) {
	for _, tc := range []struct{ name, sql string }{
		{"deleted", `DELETE FROM person_match_keys WHERE key_hash = (SELECT MIN(key_hash) FROM person_match_keys WHERE case_id = $1)`},
		{"changed", `UPDATE person_match_keys SET key_hash = 'ff' || key_hash WHERE key_hash = (SELECT MIN(key_hash) FROM person_match_keys WHERE case_id = $1)`},
		{"added", `INSERT INTO person_match_keys(key_hash, case_id) VALUES ('0123456789abcdef0123456789abcdef', $1)`},
		{"record deleted", `DELETE FROM person_match_records WHERE case_id = $1`},
		{"record's digest changed", `UPDATE person_match_records SET digest = 'ff' || digest WHERE case_id = $1`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
				p := newPartnership(t, db)
				id := p.raise()
				want := p.count(`SELECT COUNT(*) FROM person_match_keys WHERE case_id = $1`, id)
				if _, err := db.SQL().ExecContext(p.ctx, tc.sql, id); err != nil {
					t.Fatal(err)
				}
				_, err := db.Verify(p.ctx, store.VerifyOptions{ReadModels: true})
				if err == nil || !strings.Contains(err.Error(), "person_match_") {
					t.Fatalf("verify after a match key was %s: %v", tc.name, err)
				}
				// `waymark rebuild` files the case again from its events.
				if _, err := p.svc.RebuildReadModels(p.ctx); err != nil {
					t.Fatal(err)
				}
				if _, err := db.Verify(p.ctx, store.VerifyOptions{ReadModels: true}); err != nil {
					t.Fatalf("verify after rebuild: %v", err)
				}
				if got := p.count(`SELECT COUNT(*) FROM person_match_keys WHERE case_id = $1`, id); got != want {
					t.Errorf("after rebuild the case has %d match keys, want %d", got, want)
				}
			})
		})
	}
}

// §4.8: false documents give a date of birth with the day and month
// swapped, and the name written family-first with its accents lost.
func TestAChildRaisedAgainWithTheDayAndMonthSwappedIsFound(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		first := p.raise(func(c *pathway.Concern) {
			c.Child.GivenNames, c.Child.FamilyName, c.Child.Aliases, c.Child.DateOfBirth = "Thi Lan", "Nguyễn", nil, "2011-03-08"
			c.Child.Nationality, c.Child.Languages = "Vietnamese", []string{"Vietnamese"}
		})
		again := p.raise(func(c *pathway.Concern) {
			c.Child.GivenNames, c.Child.FamilyName, c.Child.Aliases, c.Child.DateOfBirth = "Nguyen", "Thi Lan", nil, "2011-08-03"
			c.Child.Nationality, c.Child.Languages = "Vietnam", []string{"Vietnamese"}
		})
		recs := earlier(t, p, p.CSWorker, again)
		if len(recs) != 1 || recs[0].CaseID != first {
			t.Fatalf("earlier records %+v, want case %s", recs, first)
		}
		t.Logf("shown as %s (%.3f, weight %.1f): agrees %q; disagrees %q", recs[0].Strength, recs[0].Probability, recs[0].Weight, recs[0].Agrees, recs[0].Disagrees)
	})
}

// Migration 0034 cannot file the cases already recorded (their details are
// sealed): verify accepts that such a case has no match keys, and its next
// event files it, after which a deleted key is tampering again.
func TestACaseRecordedBeforeMatchKeysIsFiledAtStartOrByItsNextEvent(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id := p.raise(bornOnAmirasBirthday)
		want := p.count(`SELECT COUNT(*) FROM person_match_keys WHERE case_id = $1`, id)
		// Upgraded before the filing was recorded (migration 0037).
		if _, err := db.SQL().ExecContext(p.ctx, `DELETE FROM match_keys_filed`); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{`DELETE FROM person_match_keys WHERE case_id = $1`, `DELETE FROM person_match_records WHERE case_id = $1`, `INSERT INTO person_match_keys_unfiled(case_id) VALUES ($1)`} {
			if _, err := db.SQL().ExecContext(p.ctx, q, id); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.Verify(p.ctx, store.VerifyOptions{ReadModels: true}); err != nil {
			t.Fatalf("verify of a case recorded before migration 0034: %v", err)
		}
		// The next start files it.
		if n, err := db.FileUnfiledMatchKeys(p.ctx); err != nil || n != 1 {
			t.Fatalf("filing at start: %d, %v", n, err)
		}
		if got := p.count(`SELECT COUNT(*) FROM person_match_keys WHERE case_id = $1`, id); got != want {
			t.Fatalf("after filing at start the case has %d match keys, want %d", got, want)
		}
		if n := p.count(`SELECT COUNT(*) FROM person_match_records WHERE case_id = $1`, id); n != 1 {
			t.Fatalf("after filing at start the case has %d match records", n)
		}
		// Or, before a start, its next event does.
		for _, q := range []string{`DELETE FROM person_match_keys WHERE case_id = $1`, `DELETE FROM person_match_records WHERE case_id = $1`, `INSERT INTO person_match_keys_unfiled(case_id) VALUES ($1)`} {
			if _, err := db.SQL().ExecContext(p.ctx, q, id); err != nil {
				t.Fatal(err)
			}
		}
		p.contact(id)
		if got := p.count(`SELECT COUNT(*) FROM person_match_keys WHERE case_id = $1`, id); got != want {
			t.Fatalf("after its next event the case has %d match keys, want %d", got, want)
		}
		if n := p.count(`SELECT COUNT(*) FROM person_match_keys_unfiled`); n != 0 {
			t.Errorf("%d cases still unfiled", n)
		}
		if _, err := db.SQL().ExecContext(p.ctx, `DELETE FROM person_match_keys WHERE case_id = $1`, id); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Verify(p.ctx, store.VerifyOptions{ReadModels: true}); err == nil {
			t.Error("verify misses a filed case's match keys deleted")
		}
	})
}

// §4.3, §7.1: a child whose case was closed and who turns up again is the
// child most at risk of being re-trafficked; a closed case stays among the
// earlier records.
func TestAClosedCaseIsStillFoundAsAnEarlierRecord(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		first := p.raise(bornOnAmirasBirthday)
		p.contact(first)
		p.outcome(first)
		p.closeCase(first)
		again := p.raise(raisedAgainUnderAlias)
		if recs := earlier(t, p, p.CSWorker, again); len(recs) != 1 || recs[0].CaseID != first {
			t.Fatalf("earlier records %+v, want the closed case %s", recs, first)
		}
	})
}

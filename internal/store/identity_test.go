package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"waymark"
	"waymark/internal/access"
	"waymark/internal/crypt"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// Someone with write access to the database file, and no master key, edits
// a table directly: these tests are the tries of issue 8's adversarial pass
// against accounts and organisations (docs/security.md).

func behindWaymarksBack(t *testing.T, db *store.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.SQL().ExecContext(context.Background(), q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// genuineSession signs the user in as Waymark does, with a token the test
// knows.
func genuineSession(t *testing.T, db *store.DB, userID string, now time.Time) string {
	t.Helper()
	token, hash := access.NewToken()
	err := db.Update(context.Background(), func(tx *store.Tx) error {
		return tx.InsertSession(store.Session{TokenHash: hash, UserID: userID, CSRFToken: "csrf", CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(8 * time.Hour)})
	})
	if err != nil {
		t.Fatal(err)
	}
	return token
}

func TestAForgedSessionRowOpensNothing(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := storetest.NewClock(storetest.Start)
		storetest.NewPartnership(t, db, clock)
		svc := storetest.Service(t, db, clock)
		now := clock.Now()

		// The control: a session Waymark made opens.
		if _, _, err := svc.Authenticate(ctx, genuineSession(t, db, "user-manager", now)); err != nil {
			t.Fatalf("a genuine session: %v", err)
		}
		// A session row whose hash the writer computed from a token they chose.
		const token = "attacker-chosen-token"
		behindWaymarksBack(t, db, `INSERT INTO sessions(token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at) VALUES ($1, 'user-manager', 'csrf', $2, $2, $3)`,
			access.HashToken(token), now, now.Add(8*time.Hour))
		if v, _, err := svc.Authenticate(ctx, token); err == nil {
			t.Fatalf("a forged session row signed in as %s", v.User.ID)
		}
		if v, err := svc.AuthenticateAPIToken(ctx, token); err == nil {
			t.Fatalf("a forged session row opened the API as %s", v.User.ID)
		}
		// Nor does a forged half-finished sign-in skip the password.
		behindWaymarksBack(t, db, `INSERT INTO sign_in_challenges(token_hash, user_id, kind, attempts, created_at, expires_at) VALUES ($1, 'user-manager', 'code', 0, $2, $3)`,
			access.HashToken("attacker-challenge"), now, now.Add(5*time.Minute))
		if _, _, _, err := svc.CompleteSignIn(ctx, "attacker-challenge", storetest.Code(db, "manager@cs.example", now)); err == nil {
			t.Fatal("a forged sign-in challenge completed a sign-in")
		}
	})
}

func TestAForgedAPITokenRowOpensNothing(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := storetest.NewClock(storetest.Start)
		storetest.NewPartnership(t, db, clock)
		svc := storetest.Service(t, db, clock)
		now := clock.Now()

		behindWaymarksBack(t, db, `INSERT INTO api_tokens(id, token_hash, user_id, name, scopes, created_at, expires_at) VALUES ('forged', $1, 'user-manager', 'forged', 'cases:read cases:write', $2, $3)`,
			access.HashToken("attacker-api-token"), now, now.Add(24*time.Hour))
		if v, err := svc.AuthenticateAPIToken(ctx, "attacker-api-token"); err == nil {
			t.Fatalf("a forged API token row opened the API as %s", v.User.ID)
		}
		behindWaymarksBack(t, db, `INSERT INTO machine_clients(id, org_id, name, scopes, token_hash, created_by, created_at, expires_at) VALUES ('client-forged', 'org-cs', 'forged', 'cases:read', $1, 'user-admin', $2, $3)`,
			access.HashToken("attacker-client-token"), now, now.Add(24*time.Hour))
		if v, err := svc.AuthenticateAPIToken(ctx, "attacker-client-token"); err == nil {
			t.Fatalf("a forged machine client row opened the API as %s", v.User.ID)
		}
	})
}

func TestAUserMovedToAnotherTeamBehindWaymarksBackSeesNothing(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := storetest.NewClock(storetest.Start)
		p := storetest.NewPartnership(t, db, clock)
		svc := storetest.Service(t, db, clock)
		now := clock.Now()
		if _, err := svc.RaiseConcern(ctx, p.Teacher, storetest.ValidConcern(now)); err != nil {
			t.Fatal(err)
		}
		token := genuineSession(t, db, "user-gp", now)
		v, _, err := svc.Authenticate(ctx, token)
		if err != nil {
			t.Fatalf("the GP's own session: %v", err)
		}
		if cases, _, err := svc.MyCasesPage(ctx, v, nil); err != nil || len(cases) != 0 {
			t.Fatalf("the GP sees %d cases before (%v)", len(cases), err)
		}

		behindWaymarksBack(t, db, `UPDATE users SET org_id = 'org-cs', role = 'manager' WHERE id = 'user-gp'`)
		if v, _, err := svc.Authenticate(ctx, token); err == nil {
			cases, _, _ := svc.MyCasesPage(ctx, v, nil)
			t.Fatalf("after the edit the GP's session still works, as %s in %s, seeing %d cases", v.User.Role, v.User.OrgID, len(cases))
		}
		if _, _, _, err := svc.SignIn(ctx, "doctor@riverside.example", storetest.Password, storetest.Code(db, "doctor@riverside.example", now)); err == nil {
			t.Fatal("after the edit the GP can still sign in")
		}

		// Clearing "disabled" behind Waymark's back does not bring an
		// account back either.
		if err := svc.DisableUser(ctx, "colleague@northfield.example"); err != nil {
			t.Fatal(err)
		}
		behindWaymarksBack(t, db, `UPDATE users SET disabled = FALSE WHERE id = 'user-colleague'`)
		if _, _, _, err := svc.SignIn(ctx, "colleague@northfield.example", storetest.Password, storetest.Code(db, "colleague@northfield.example", now)); err == nil {
			t.Fatal("a disabled account re-enabled behind Waymark's back signs in")
		}
	})
}

func TestAnOrganisationMadeChildrensServicesBehindWaymarksBackReceivesNoConcern(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := storetest.NewClock(storetest.Start)
		p := storetest.NewPartnership(t, db, clock)
		svc := storetest.Service(t, db, clock)
		now := clock.Now()
		err := db.Update(ctx, func(tx *store.Tx) error {
			return tx.InsertOrganisation(store.Organisation{ID: "org-open-door", Name: "Open Door Youth Project", Kind: "voluntary", CreatedAt: now})
		})
		if err != nil {
			t.Fatal(err)
		}
		behindWaymarksBack(t, db, `UPDATE organisations SET childrens_services = TRUE, created_at = $1 WHERE id = 'org-open-door'`, time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC))

		id, err := svc.RaiseConcern(ctx, p.Teacher, storetest.ValidConcern(now))
		if err != nil {
			t.Fatal(err)
		}
		var members [][3]string
		err = db.View(ctx, func(tx *store.Tx) error {
			c, _, err := tx.LoadCase(id)
			if err != nil {
				return err
			}
			if c.ChildrensServicesOrg != "org-cs" {
				t.Errorf("the concern went to %q", c.ChildrensServicesOrg)
			}
			members, err = tx.CaseMembers(id)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range members {
			if strings.Contains(strings.Join(m[:], " "), "org-open-door") {
				t.Error("the stranger organisation is a member of the new case")
			}
		}

		// Two sealed front doors and none named: no guessing.
		err = db.Update(ctx, func(tx *store.Tx) error {
			return tx.InsertOrganisation(store.Organisation{ID: "org-cs-2", Name: "Southshire Children's Services", Kind: "local-authority", ChildrensServices: true, CreatedAt: now.Add(-time.Hour)})
		})
		if err != nil {
			t.Fatal(err)
		}
		_, err = svc.RaiseConcern(ctx, p.Teacher, storetest.ValidConcern(now))
		if waymark.ErrorCode(err) != waymark.ECONFLICT || !strings.Contains(waymark.ErrorMessage(err), "has not been sent") {
			t.Fatalf("with two front doors: %v", err)
		}
		db.SetChildrensServicesOrg("org-cs")
		defer db.SetChildrensServicesOrg("")
		id, err = svc.RaiseConcern(ctx, p.Teacher, storetest.ValidConcern(now))
		if err != nil {
			t.Fatal(err)
		}
		err = db.View(ctx, func(tx *store.Tx) error {
			c, _, err := tx.LoadCase(id)
			if err == nil && c.ChildrensServicesOrg != "org-cs" {
				t.Errorf("with org-cs named, the concern went to %q", c.ChildrensServicesOrg)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

func TestARenamedAuthorIsNotShownAsSomeoneElse(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := storetest.NewClock(storetest.Start)
		p := storetest.NewPartnership(t, db, clock)
		svc := storetest.Service(t, db, clock)
		id, err := svc.RaiseConcern(ctx, p.Teacher, storetest.ValidConcern(clock.Now()))
		if err != nil {
			t.Fatal(err)
		}
		behindWaymarksBack(t, db, `UPDATE users SET name = 'Mo Manager' WHERE id = 'user-teacher'`)
		behindWaymarksBack(t, db, `UPDATE organisations SET name = 'Northshire Police' WHERE id = 'org-school'`)
		view, err := svc.Case(ctx, p.Manager, id)
		if err != nil {
			t.Fatal(err)
		}
		if len(view.Events) == 0 {
			t.Fatal("no events")
		}
		for _, e := range view.Events {
			if e.Actor.Name == "Mo Manager" || e.Actor.OrgName == "Northshire Police" {
				t.Errorf("event %d is shown as by %s (%s)", e.Seq, e.Actor.Name, e.Actor.OrgName)
			}
			if e.Actor.UserID == "user-teacher" && (e.Actor.Name != store.AlteredName || e.Actor.OrgName != store.AlteredName) {
				t.Errorf("event %d is shown as by %q (%q), want %q", e.Seq, e.Actor.Name, e.Actor.OrgName, store.AlteredName)
			}
		}
	})
}

func TestVerifyNamesEveryAlteredIdentityRow(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := storetest.NewClock(storetest.Start)
		storetest.NewPartnership(t, db, clock)
		if _, err := db.Verify(ctx, store.VerifyOptions{}); err != nil {
			t.Fatalf("before: %v", err)
		}
		behindWaymarksBack(t, db, `UPDATE users SET org_id = 'org-cs', role = 'manager' WHERE id = 'user-gp'`)
		behindWaymarksBack(t, db, `UPDATE organisations SET childrens_services = TRUE WHERE id = 'org-school'`)
		behindWaymarksBack(t, db, `INSERT INTO user_identities(issuer, subject, user_id, created_at) VALUES ('https://idp.example', 'attacker', 'user-manager', $1)`, clock.Now())
		err := db.View(ctx, func(tx *store.Tx) error {
			u, err := tx.UserByIdentity("https://idp.example", "attacker")
			if err == nil {
				t.Errorf("an SSO link written behind Waymark's back signs in as %s", u.ID)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		_, err = db.Verify(ctx, store.VerifyOptions{})
		var te *store.IdentityTamperError
		if !errors.As(err, &te) {
			t.Fatalf("verify: %v", err)
		}
		for _, want := range []string{"users row user-gp", "organisations row org-school", "user_identities row https://idp.example attacker"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("verify does not name %q: %v", want, err)
			}
		}
		if len(te.Rows) != 3 {
			t.Errorf("verify names %d rows, want 3: %v", len(te.Rows), te.Rows)
		}
	})
}

// Rows written before sealed identity are sealed as found, once: sealing
// as found, like sealing the first row as written, is recorded in the keyed
// audit log, and seals stripped after that are never put back.
func TestIdentityIsSealedAsFoundOnceOnly(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := storetest.NewClock(storetest.Start)
		storetest.NewPartnership(t, db, clock)
		found := func(db *store.DB) error {
			return db.View(ctx, func(tx *store.Tx) error {
				_, err := tx.UserByEmail("doctor@riverside.example")
				return err
			})
		}
		strip := func(db *store.DB) {
			behindWaymarksBack(t, db, `UPDATE users SET seal_key = '', mac = ''`)
			behindWaymarksBack(t, db, `UPDATE organisations SET seal_key = '', mac = ''`)
		}
		// Sealed as written, then stripped: never sealed as found.
		strip(db)
		if n, err := db.SealIdentityAsFound(ctx, clock.Now()); err != nil || n != 0 {
			t.Fatalf("stripped seals of rows sealed as written: sealed %d again (%v)", n, err)
		}
		if found(db) == nil {
			t.Fatal("a user whose seal was stripped is found")
		}

		// As an older release left them: no seals, nothing recorded.
		behindWaymarksBack(t, db, `DELETE FROM audit_log WHERE action = 'identity.sealed'`)
		db = storetest.Reopen(t, db)
		n, err := db.SealIdentityAsFound(ctx, clock.Now())
		if err != nil || n != 12 {
			t.Fatalf("sealed %d rows (%v), want 4 organisations and 8 users", n, err)
		}
		if err := found(db); err != nil {
			t.Fatalf("after sealing as found: %v", err)
		}
		// Moved and stripped again, behind Waymark's back: not sealed again.
		behindWaymarksBack(t, db, `UPDATE users SET org_id = 'org-cs' WHERE id = 'user-gp'`)
		strip(db)
		if n, err := db.SealIdentityAsFound(ctx, clock.Now()); err != nil || n != 0 {
			t.Fatalf("sealed %d rows again (%v)", n, err)
		}
		if found(db) == nil {
			t.Fatal("a user whose seal was stripped is found")
		}
	})
}

// A session made before a master-key rotation still opens after it: token
// hashes keyed under an older key still in the key file are found.
func TestASessionSurvivesAMasterKeyRotation(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		first, _ := crypt.GenerateKey()
		second, _ := crypt.GenerateKey()
		before, err := crypt.ParseKeys(first)
		if err != nil {
			t.Fatal(err)
		}
		after, err := crypt.ParseKeys(first + "\n" + second)
		if err != nil {
			t.Fatal(err)
		}
		db.SetKeyRing(before)
		clock := storetest.NewClock(storetest.Start)
		storetest.NewPartnership(t, db, clock)
		svc := storetest.Service(t, db, clock)
		old := genuineSession(t, db, "user-manager", clock.Now())
		db.SetKeyRing(after)
		if _, _, err := svc.Authenticate(ctx, old); err != nil {
			t.Fatalf("a session made before the rotation: %v", err)
		}
		if _, _, err := svc.Authenticate(ctx, genuineSession(t, db, "user-manager", clock.Now())); err != nil {
			t.Fatalf("a session made after the rotation: %v", err)
		}
	})
}

// TestAFlagStoredAsTextStillNamesTheFrontDoor: on SQLite a boolean column
// can hold the text "true", which every read of the row takes as true and
// the row's seal matches. Finding a partnership's Children's Services team
// reads the flag the same way, so such a row is still the front door, with
// a second partnership's team beside it.
func TestAFlagStoredAsTextStillNamesTheFrontDoor(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	clock := storetest.NewClock(storetest.Start)
	storetest.NewPartnership(t, db, clock)
	behindWaymarksBack(t, db, `UPDATE organisations SET childrens_services = 'true' WHERE id = 'org-cs'`)
	now := clock.Now()
	err := db.Update(ctx, func(tx *store.Tx) error {
		if err := tx.InsertPartnership(store.Partnership{ID: "p2", Name: "South", Slug: "south", CreatedAt: now}); err != nil {
			return err
		}
		if err := tx.InsertOrganisation(store.Organisation{ID: "org-cs-2", Name: "Southshire Children's Services", Kind: "local-authority", ChildrensServices: true, CreatedAt: now}); err != nil {
			return err
		}
		return tx.SetOrganisationPartnership("org-cs-2", "p2")
	})
	if err != nil {
		t.Fatal(err)
	}
	err = db.View(ctx, func(tx *store.Tx) error {
		pid, err := tx.OrganisationPartnership("org-cs")
		if err != nil {
			return err
		}
		o, err := tx.ChildrensServicesOrgFor(pid)
		if err != nil || o.ID != "org-cs" {
			t.Errorf("the front door of org-cs's partnership: %q, %v", o.ID, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// An identity provider's change of a person's organisation or role that
// reaches Waymark after their account is gone (an id nobody has) is a
// plain "not found" on both stores, and changes nothing: not a failure to
// seal a row that is not there (nor, on a database whose identities are
// not sealed yet, a silent success).
func TestChangingTheAccessOfAPersonWithNoAccountSaysSo(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		storetest.NewPartnership(t, db, storetest.NewClock(storetest.Start))
		count := func() (n int) {
			t.Helper()
			if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		before := count()
		err := db.Update(ctx, func(tx *store.Tx) error {
			return tx.SetUserAccess("user-nobody", "org-cs", "manager", "Nobody")
		})
		if waymark.ErrorCode(err) != waymark.ENOTFOUND || !strings.Contains(waymark.ErrorMessage(err), "no Waymark account") {
			t.Fatalf("changing a missing person's access: %v, want not found saying there is no account", err)
		}
		if after := count(); after != before {
			t.Errorf("%d users after, %d before", after, before)
		}
		// A person who is there is changed as before.
		if err := db.Update(ctx, func(tx *store.Tx) error {
			return tx.SetUserAccess("user-gp", "org-cs", "manager", "Dr Moved")
		}); err != nil {
			t.Fatalf("changing the GP's access: %v", err)
		}
	})
}

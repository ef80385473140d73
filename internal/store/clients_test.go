package store_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"waymark/internal/access"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// Every API token in a database from before migration 0008 was made by an
// administrator for someone else (issue 8, finding 1): the upgrade revokes
// them all, and leaves tokens made afterwards alone.
func TestUpgradingRevokesEveryTokenMadeBefore(t *testing.T) {
	for name, open := range map[string]func(testing.TB, string) *store.DB{"sqlite": storetest.SQLiteAt, "postgres": storetest.PostgresAt} {
		t.Run(name, func(t *testing.T) {
			if name == "postgres" && !storetest.WantPostgres(t) {
				t.Skip("no PostgreSQL")
			}
			ctx := context.Background()
			db := open(t, "0007")
			now := time.Now().UTC().Truncate(time.Second)
			clock := storetest.NewClock(now)
			_ = clock
			// Written as the release before 0008 wrote them (the store's own
			// functions write columns later migrations add).
			_, oldHash := access.NewToken()
			for _, q := range []struct {
				sql  string
				args []any
			}{
				{`INSERT INTO organisations(id, name, kind, first_responder, childrens_services, created_at) VALUES ('org-cs', 'Children''s Services', 'local-authority', TRUE, TRUE, $1)`, []any{now}},
				{`INSERT INTO users(id, org_id, email, name, role, password_hash, failed_sign_ins, disabled, created_at) VALUES ('user-cs-worker', 'org-cs', 'front.door@cs.example', 'Fola Front', $1, 'x', 0, FALSE, $2)`, []any{pathway.RoleChildrensServices, now}},
				{`INSERT INTO api_tokens(id, token_hash, user_id, name, scopes, created_at, expires_at) VALUES ('old', $1, 'user-cs-worker', 'made by an administrator', 'cases:read', $2, $3)`, []any{oldHash, now, now.Add(24 * time.Hour)}},
			} {
				if _, err := db.SQL().ExecContext(ctx, q.sql, q.args...); err != nil {
					t.Fatal(err)
				}
			}
			if err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			if _, err := db.SealIdentityAsFound(ctx, now); err != nil {
				t.Fatal(err)
			}
			p := struct{ CSWorker struct{ User store.User } }{}
			p.CSWorker.User.ID = "user-cs-worker"
			_, newHash := access.NewToken()
			err := db.Update(ctx, func(tx *store.Tx) error {
				if err := tx.InsertAPIToken(store.APIToken{ID: "new", TokenHash: newHash, UserID: p.CSWorker.User.ID, Name: "their own",
					Scopes: []string{"cases:read"}, CreatedAt: now, ExpiresAt: now.Add(24 * time.Hour)}); err != nil {
					return err
				}
				// Revoked by 0008, and since 0013 (keyed token hashes) not
				// even found by its old plain hash.
				if old, _, err := tx.APITokenByHash(oldHash); err == nil && old.RevokedAt == nil {
					t.Error("a token made before the upgrade is still live")
				}
				fresh, _, err := tx.APITokenByHash(newHash)
				if err != nil {
					return err
				}
				if fresh.RevokedAt != nil {
					t.Error("a token made after the upgrade is revoked")
				}
				list, err := tx.APITokensFor(p.CSWorker.User.ID)
				if err != nil || len(list) != 2 {
					t.Errorf("the worker's tokens: %+v %v", list, err)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

// Every machine client made before custodians had its token shown to the
// administrator who made it: upgrading past 0011 revokes them all, and a
// client's hash can never again be one an administrator was given.
func TestUpgradingRevokesEveryMachineClientMadeBefore(t *testing.T) {
	for name, open := range map[string]func(testing.TB, string) *store.DB{"sqlite": storetest.SQLiteAt, "postgres": storetest.PostgresAt} {
		t.Run(name, func(t *testing.T) {
			if name == "postgres" && !storetest.WantPostgres(t) {
				t.Skip("no PostgreSQL")
			}
			ctx := context.Background()
			db := open(t, "0010")
			now := time.Now().UTC().Truncate(time.Second)
			_, hash := access.NewToken()
			// Written as the release before 0011 wrote them (the store's own
			// functions write columns later migrations add).
			for _, q := range []struct {
				sql  string
				args []any
			}{
				{`INSERT INTO organisations(id, name, kind, first_responder, childrens_services, created_at) VALUES ('org-cs', 'Children''s Services', 'local-authority', TRUE, TRUE, $1)`, []any{now}},
				{`INSERT INTO users(id, org_id, email, name, role, password_hash, failed_sign_ins, disabled, created_at) VALUES ('user-admin', 'org-cs', 'admin@cs.example', 'Ada Admin', 'administrator', 'x', 0, FALSE, $1)`, []any{now}},
				{`INSERT INTO machine_clients(id, org_id, name, scopes, token_hash, created_by, created_at, expires_at) VALUES ('client-old', 'org-cs', 'Old link', 'cases:read', $1, 'user-admin', $2, $3)`, []any{hash, now, now.Add(24 * time.Hour)}},
			} {
				if _, err := db.SQL().ExecContext(ctx, q.sql, q.args...); err != nil {
					t.Fatal(err)
				}
			}
			if err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			var revoked, custodian, issued sql.NullString
			if err := db.SQL().QueryRowContext(ctx, `SELECT CAST(revoked_at AS TEXT), custodian_id, CAST(token_issued_at AS TEXT) FROM machine_clients WHERE id = 'client-old'`).Scan(&revoked, &custodian, &issued); err != nil {
				t.Fatal(err)
			}
			if !revoked.Valid || custodian.Valid || issued.Valid {
				t.Errorf("a client made before custodians is still usable: revoked %v, custodian %v, issued %v", revoked, custodian, issued)
			}
		})
	}
}

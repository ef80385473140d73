package store_test

import (
	"context"
	"testing"
	"time"

	"waymark/internal/access"
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
			p := storetest.NewPartnership(t, db, clock)
			_, oldHash := access.NewToken()
			err := db.Update(ctx, func(tx *store.Tx) error {
				return tx.InsertAPIToken(store.APIToken{ID: "old", TokenHash: oldHash, UserID: p.CSWorker.User.ID, Name: "made by an administrator",
					Scopes: []string{"cases:read"}, CreatedAt: now, ExpiresAt: now.Add(24 * time.Hour)})
			})
			if err != nil {
				t.Fatal(err)
			}
			if err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			_, newHash := access.NewToken()
			err = db.Update(ctx, func(tx *store.Tx) error {
				if err := tx.InsertAPIToken(store.APIToken{ID: "new", TokenHash: newHash, UserID: p.CSWorker.User.ID, Name: "their own",
					Scopes: []string{"cases:read"}, CreatedAt: now, ExpiresAt: now.Add(24 * time.Hour)}); err != nil {
					return err
				}
				old, _, err := tx.APITokenByHash(oldHash)
				if err != nil {
					return err
				}
				if old.RevokedAt == nil {
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

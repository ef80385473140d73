package store_test

import (
	"context"
	"testing"
	"time"

	"waymark/internal/store"
	"waymark/internal/storetest"
)

// oldRelease is a database at an earlier schema, written to as that
// release would, before an upgrade.
type oldRelease struct {
	t   *testing.T
	ctx context.Context
	db  *store.DB
	now time.Time
}

// exec runs a statement as the earlier release would have written.
func (o oldRelease) exec(q string, args ...any) {
	o.t.Helper()
	if _, err := o.db.SQL().ExecContext(o.ctx, q, args...); err != nil {
		o.t.Fatal(err)
	}
}

// upgrade applies every migration since, then seals the two Children's
// Services organisations as Waymark seals the rows it writes.
func (o oldRelease) upgrade() {
	o.t.Helper()
	if err := o.db.Migrate(o.ctx); err != nil {
		o.t.Fatal(err)
	}
	if err := o.db.Update(o.ctx, func(tx *store.Tx) error {
		for _, id := range []string{"org-north-cs", "org-south-cs"} {
			if err := tx.SealOrgForTest(id); err != nil {
				return err
			}
		}
		return tx.SealMembersForTest() // any the test wrote
	}); err != nil {
		o.t.Fatal(err)
	}
}

// forEachStoreAtWithTwoPartnerships runs test on each store at schema
// upTo, holding two partnerships' Children's Services: org-north-cs in the
// default partnership and org-south-cs in "south".
func forEachStoreAtWithTwoPartnerships(t *testing.T, upTo string, test func(t *testing.T, o oldRelease)) {
	for name, open := range map[string]func(testing.TB, string) *store.DB{"sqlite": storetest.SQLiteAt, "postgres": storetest.PostgresAt} {
		t.Run(name, func(t *testing.T) {
			if name == "postgres" && !storetest.WantPostgres(t) {
				t.Skip("no PostgreSQL")
			}
			o := oldRelease{t: t, ctx: context.Background(), db: open(t, upTo), now: time.Now().UTC().Truncate(time.Second)}
			o.exec(`INSERT INTO partnerships(id, name, slug, created_at) VALUES ('south', 'Southshire', 'south', $1)`, o.now)
			o.exec(`INSERT INTO organisations(id, name, kind, created_at, partnership_id) VALUES
				('org-north-cs', 'Northshire Children''s Services', 'local-authority', $1, 'default'),
				('org-south-cs', 'Southshire Children''s Services', 'local-authority', $1, 'south')`, o.now)
			test(t, o)
		})
	}
}

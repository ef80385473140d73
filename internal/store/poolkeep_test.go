package store_test

import (
	"database/sql"
	"testing"

	"waymark/internal/store"
	"waymark/internal/storetest"
)

// Every connection the pool opened at a busy moment is kept when the
// moment passes: on PostgreSQL each connection closed and opened again is
// a new backend that plans every statement afresh, and at 200 people a
// pool that kept half its connections opened 104 backends in 30 s and
// made people wait for them (docs/performance.md, "PostgreSQL: a pool that
// keeps its connections"). Idle ones are still closed after a quiet spell.
// (SQLite's pool always kept every connection; the PostgreSQL run is the
// one that guards the change.)
func TestThePoolKeepsEveryConnectionItOpened(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		max := db.SQL().Stats().MaxOpenConnections
		if max < 2 {
			t.Fatalf("a pool of %d connections", max)
		}
		var held []*sql.Conn
		for range max {
			c, err := db.SQL().Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if err := c.PingContext(ctx); err != nil {
				t.Fatal(err)
			}
			held = append(held, c)
		}
		for _, c := range held {
			if err := c.Close(); err != nil {
				t.Fatal(err)
			}
		}
		if st := db.SQL().Stats(); st.Idle != max || st.OpenConnections != max {
			t.Fatalf("after %d connections were in use at once: %d open, %d idle, want all %d kept", max, st.OpenConnections, st.Idle, max)
		}
	})
}

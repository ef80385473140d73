package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"waymark/internal/crypt"
)

// Replicas and their master keys (docs/operations.md "Encryption keys").
// Each `serve` notes in replica_keys which key ids it holds and which one
// wraps there, as it starts and every ReplicaHeartbeat, and removes its row
// as it stops. `waymark keys check` lists the replicas seen recently and
// `keys rotate` refuses while one of them does not wrap under the same
// primary. The table holds key ids, never keys: a row written behind
// Waymark's back can only make rotate refuse or the list mislead, never
// open a case.

// ReplicaHeartbeat is how often a serving replica renews its row;
// ReplicaStale is how long after its last renewal it no longer counts as
// running.
const (
	ReplicaHeartbeat = time.Minute
	ReplicaStale     = 5 * time.Minute
)

// ReplicaKeys is what one replica said about its master keys.
type ReplicaKeys struct {
	Replica    string
	Primary    string
	UnwrapOnly []string
	Known      []string
	StartedAt  time.Time
	SeenAt     time.Time
}

// Knows reports whether the replica holds master key id.
func (r ReplicaKeys) Knows(id string) bool {
	for _, k := range r.Known {
		if k == id {
			return true
		}
	}
	return false
}

// NoteReplicaKeys records the master keys this process holds, as replica.
func (db *DB) NoteReplicaKeys(ctx context.Context, replica string, started, now time.Time) error {
	ring := db.KeyRing()
	var primary string
	var known, unwrapOnly []string
	if ring != nil {
		primary, known = ring.Primary(), ring.IDs()
		for _, id := range known {
			if ring.UnwrapOnly(id) {
				unwrapOnly = append(unwrapOnly, id)
			}
		}
	}
	return db.Update(ctx, func(t *Tx) error {
		_, err := t.exec(`INSERT INTO replica_keys(replica, primary_key, unwrap_only, known, started_at, seen_at) VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (replica) DO UPDATE SET primary_key = excluded.primary_key, unwrap_only = excluded.unwrap_only, known = excluded.known,
				started_at = excluded.started_at, seen_at = excluded.seen_at`,
			replica, primary, strings.Join(unwrapOnly, ","), strings.Join(known, ","), utc(started), utc(now))
		if err != nil {
			return fmt.Errorf("store: noting this replica's master keys: %w", err)
		}
		return nil
	})
}

// ForgetReplica removes replica's row, as it stops.
func (db *DB) ForgetReplica(ctx context.Context, replica string) error {
	return db.Update(ctx, func(t *Tx) error {
		_, err := t.exec(`DELETE FROM replica_keys WHERE replica = $1`, replica)
		return err
	})
}

// RunningReplicas lists the replicas seen since since, by name.
func (db *DB) RunningReplicas(ctx context.Context, since time.Time) ([]ReplicaKeys, error) {
	var out []ReplicaKeys
	err := db.View(ctx, func(t *Tx) error {
		rows, err := t.query(`SELECT replica, primary_key, unwrap_only, known, started_at, seen_at FROM replica_keys WHERE seen_at >= $1 ORDER BY replica`, utc(since))
		if err != nil {
			return fmt.Errorf("store: listing replicas: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var r ReplicaKeys
			var unwrapOnly, known string
			if err := rows.Scan(&r.Replica, &r.Primary, &unwrapOnly, &known, &r.StartedAt, &r.SeenAt); err != nil {
				return err
			}
			r.UnwrapOnly, r.Known = splitIDs(unwrapOnly), splitIDs(known)
			r.StartedAt, r.SeenAt = r.StartedAt.UTC(), r.SeenAt.UTC()
			out = append(out, r)
		}
		return rows.Err()
	})
	return out, err
}

func splitIDs(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// RotationBlockers says, for each replica seen running since since, why
// re-wrapping every data key under ring's primary would not be safe yet:
// one that does not know the primary could not read anything afterwards,
// and one that still wraps under another key would keep that key in use.
func (db *DB) RotationBlockers(ctx context.Context, ring *crypt.KeyRing, since time.Time) ([]string, error) {
	replicas, err := db.RunningReplicas(ctx, since)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, r := range replicas {
		switch {
		case !r.Knows(ring.Primary()):
			out = append(out, fmt.Sprintf("replica %s (seen %s) does not hold master key %s: it could not read any case once its data keys are re-wrapped", r.Replica, r.SeenAt.Format(time.RFC3339), ring.Primary()))
		case r.Primary != ring.Primary():
			why := "every replica must wrap under the same key first"
			for _, id := range r.UnwrapOnly {
				if id == ring.Primary() {
					why = "it has " + id + " marked " + crypt.UnwrapOnlyMarker + ": roll out the key file without the marker there first"
				}
			}
			out = append(out, fmt.Sprintf("replica %s (seen %s) wraps new data keys under %s, not %s: %s",
				r.Replica, r.SeenAt.Format(time.RFC3339), r.Primary, ring.Primary(), why))
		}
	}
	return out, nil
}

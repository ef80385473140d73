package store

import (
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Sign-in throttling state (migration 0009). The rules — how many failures
// are free, how long each delay is — live in casework; the store only
// counts, remembers a block and forgets rows once they expire. Every replica
// shares it, so a guesser gains nothing by spreading attempts over replicas.

// ThrottleState is what one throttle key has seen.
type ThrottleState struct {
	Failures     int
	BlockedUntil *time.Time
	Present      bool // the key has a live row (a "known source" mark has failures 0)
}

// Throttle reads the state of key at now, locking its row on PostgreSQL so
// that two replicas checking the same key queue behind each other. A row
// past its expiry counts as absent.
func (t *Tx) Throttle(keyHash string, now time.Time) (ThrottleState, error) {
	var st ThrottleState
	var blocked sql.NullTime
	err := t.queryRow(`SELECT failures, blocked_until FROM sign_in_throttle WHERE key_hash = $1 AND expires_at > $2`+t.forUpdate(),
		keyHash, utc(now)).Scan(&st.Failures, &blocked)
	if errors.Is(err, sql.ErrNoRows) {
		return ThrottleState{}, nil
	}
	if err != nil {
		return st, fmt.Errorf("store: reading sign-in throttle: %w", err)
	}
	st.BlockedUntil = timePtr(blocked)
	st.Present = true
	return st, nil
}

// RecordThrottleFailure counts one failure against key (starting afresh when
// the row has expired), keeps the row until expires, and returns the count.
func (t *Tx) RecordThrottleFailure(keyHash, accountHash string, now, expires time.Time) (int, error) {
	var n int
	err := t.queryRow(`INSERT INTO sign_in_throttle(key_hash, account_hash, failures, last_at, expires_at) VALUES ($1, $2, 1, $3, $4)
		ON CONFLICT (key_hash) DO UPDATE SET
			failures = CASE WHEN sign_in_throttle.expires_at <= $3 THEN 1 ELSE sign_in_throttle.failures + 1 END,
			blocked_until = CASE WHEN sign_in_throttle.expires_at <= $3 THEN NULL ELSE sign_in_throttle.blocked_until END,
			last_at = $3, expires_at = $4
		RETURNING failures`, keyHash, accountHash, utc(now), utc(expires)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: counting a failed sign-in: %w", err)
	}
	return n, nil
}

// RecordThrottleFailureInWindow counts one failure against key in a fixed
// window: a new window, ending at ends, starts when there is none live;
// otherwise the live one keeps its end. It returns the count and the
// window's end.
func (t *Tx) RecordThrottleFailureInWindow(keyHash, accountHash string, now, ends time.Time) (int, time.Time, error) {
	var n int
	var end time.Time
	err := t.queryRow(`INSERT INTO sign_in_throttle(key_hash, account_hash, failures, last_at, expires_at) VALUES ($1, $2, 1, $3, $4)
		ON CONFLICT (key_hash) DO UPDATE SET
			failures = CASE WHEN sign_in_throttle.expires_at <= $3 THEN 1 ELSE sign_in_throttle.failures + 1 END,
			blocked_until = CASE WHEN sign_in_throttle.expires_at <= $3 THEN NULL ELSE sign_in_throttle.blocked_until END,
			last_at = $3,
			expires_at = CASE WHEN sign_in_throttle.expires_at <= $3 THEN $4 ELSE sign_in_throttle.expires_at END
		RETURNING failures, expires_at`, keyHash, accountHash, utc(now), utc(ends)).Scan(&n, &end)
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("store: counting a failed sign-in: %w", err)
	}
	return n, end, nil
}

// BlockThrottle refuses attempts on key until until.
func (t *Tx) BlockThrottle(keyHash string, until time.Time) error {
	if _, err := t.exec(`UPDATE sign_in_throttle SET blocked_until = $2 WHERE key_hash = $1`, keyHash, utc(until)); err != nil {
		return fmt.Errorf("store: blocking sign-in attempts: %w", err)
	}
	return nil
}

// MarkThrottle keeps key with no failures until expires: a source that has
// signed in to an account.
func (t *Tx) MarkThrottle(keyHash, accountHash string, now, expires time.Time) error {
	_, err := t.exec(`INSERT INTO sign_in_throttle(key_hash, account_hash, failures, last_at, expires_at) VALUES ($1, $2, 0, $3, $4)
		ON CONFLICT (key_hash) DO UPDATE SET failures = 0, blocked_until = NULL, last_at = $3, expires_at = $4`,
		keyHash, accountHash, utc(now), utc(expires))
	if err != nil {
		return fmt.Errorf("store: remembering a sign-in source: %w", err)
	}
	return nil
}

// ClearThrottle forgets key.
func (t *Tx) ClearThrottle(keyHash string) error {
	if _, err := t.exec(`DELETE FROM sign_in_throttle WHERE key_hash = $1`, keyHash); err != nil {
		return fmt.Errorf("store: clearing sign-in throttle: %w", err)
	}
	return nil
}

// ClearAccountThrottle forgets every failure counted against an account
// (an administrator has reset its password); known-source marks stay.
func (t *Tx) ClearAccountThrottle(accountHash string) error {
	if _, err := t.exec(`DELETE FROM sign_in_throttle WHERE account_hash = $1 AND failures > 0`, accountHash); err != nil {
		return fmt.Errorf("store: clearing sign-in throttle: %w", err)
	}
	return nil
}

// PruneThrottle deletes the rows that have expired.
func (t *Tx) PruneThrottle(now time.Time) error {
	if _, err := t.exec(`DELETE FROM sign_in_throttle WHERE expires_at <= $1`, utc(now)); err != nil {
		return fmt.Errorf("store: pruning sign-in throttle: %w", err)
	}
	return nil
}

// AccountBlocked reports whether any failure count kept against an account
// (from one address or from anywhere) is refusing attempts at now: what an
// administrator's list shows as "locked".
func (t *Tx) AccountBlocked(accountHash string, now time.Time) (bool, error) {
	var n int
	err := t.queryRow(`SELECT COUNT(*) FROM sign_in_throttle WHERE account_hash = $1 AND failures > 0 AND blocked_until > $2 AND expires_at > $2`,
		accountHash, utc(now)).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: reading sign-in throttle: %w", err)
	}
	return n > 0, nil
}

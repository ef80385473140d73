package store

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	"waymark/internal/crypt"
	"waymark/internal/pathway"
)

// Prepared cases, for bulk loads (waymark-load seed). Writing a new case
// is mostly work that needs no transaction: encoding and encrypting its
// events, sealing them onto its chain, deriving its read models and hashing
// its search tokens. A CasePreparer does that work on any goroutine with
// the same functions AppendEvents and SaveProjection use (sealEvent,
// projectCase); the transaction then only checks and writes
// (AppendPrepared, SavePreparedProjection). Nothing is written that the
// service's own calls would not write: a new data key for the case, its
// sealed events with the version check, and its read models.

// CasePreparer prepares new cases outside a transaction, with the keys and
// look-ups it took from the database when it was made.
type CasePreparer struct {
	ring    *crypt.KeyRing
	keyID   string // the master key whose seal key seals the events
	sealKey []byte
	index   *crypt.Index
	orgOf   map[string]string // sealed users' organisations, for clock owners
}

// CasePreparer reads what preparing cases needs: the master keys (it
// refuses without them), the search index key (made if need be, as the
// first case saved would), and every user's organisation (only rows whose
// seals match count, as UserByID's). It is a snapshot for a bulk load into
// a database nobody else is changing: users added afterwards are not seen.
func (t *Tx) CasePreparer() (*CasePreparer, error) {
	ring := t.ring()
	if ring == nil {
		return nil, errors.New("store: preparing cases needs the master keys: their data is written encrypted")
	}
	keyID, key, err := t.sealKey()
	if err != nil {
		return nil, err
	}
	ix, err := t.index()
	if err != nil {
		return nil, err
	}
	users, err := t.Users()
	if err != nil {
		return nil, err
	}
	p := &CasePreparer{ring: ring, keyID: keyID, sealKey: key, index: ix, orgOf: make(map[string]string, len(users))}
	for _, u := range users {
		p.orgOf[u.ID] = u.OrgID
	}
	return p, nil
}

// PreparedCase is a new case ready to be written: its data key (made and
// wrapped), its events encoded, encrypted and sealed in the appends that
// write them, and its read models as of its last event.
type PreparedCase struct {
	id              string
	master, wrapped string
	keyMadeAt       time.Time
	key             []byte
	appends         [][]sealedEvent
	version         int
	proj            projection
	name            string // the child's name, sealed
	escalated       *time.Time
	escalations     string // its open escalations, sealed ("" when none is open)
}

// ID is the case's id.
func (pc *PreparedCase) ID() string { return pc.id }

// Appends is how many appends write the case's events.
func (pc *PreparedCase) Appends() int { return len(pc.appends) }

// NewCase prepares case c, which its events make: appends are those events
// in the order and groups they are to be appended in (each group as one
// AppendEvents would take it), from the case's first event; c is the state
// after the last, and updatedAt the time of the last, as SaveProjection
// takes them. It is safe to call from many goroutines at once.
func (p *CasePreparer) NewCase(c pathway.Case, appends [][]pathway.Event, updatedAt time.Time) (*PreparedCase, error) {
	if c.ID == "" || len(appends) == 0 {
		return nil, errors.New("store: a prepared case needs an id and events")
	}
	dk, err := crypt.NewDataKey()
	if err != nil {
		return nil, err
	}
	owner := ownerName(ownerCase, c.ID)
	master, wrapped, err := p.ring.Wrap(dk, owner)
	if err != nil {
		return nil, err
	}
	pc := &PreparedCase{id: c.ID, master: master, wrapped: wrapped, keyMadeAt: utc(time.Now()), key: dk, version: c.Version}
	encrypt := func(aad string, payload []byte) (string, error) { return crypt.SealText(dk, payload, aad) }
	seq, prevMAC := 0, ""
	for _, events := range appends {
		if len(events) == 0 {
			return nil, fmt.Errorf("store: case %s: an empty append", c.ID)
		}
		rows := make([]sealedEvent, 0, len(events))
		for _, e := range events {
			seq++
			if e.Seq != seq {
				return nil, fmt.Errorf("store: event of case %s has seq %d, want %d", c.ID, e.Seq, seq)
			}
			r, err := sealEvent(c.ID, e, prevMAC, p.keyID, p.sealKey, encrypt)
			if err != nil {
				return nil, err
			}
			rows = append(rows, r)
			prevMAC = r.mac
		}
		pc.appends = append(pc.appends, rows)
	}
	if seq != c.Version {
		return nil, fmt.Errorf("store: case %s is at version %d but its events end at %d", c.ID, c.Version, seq)
	}
	ownerOrg := func(userID string) (string, bool, error) {
		org, ok := p.orgOf[userID]
		return org, ok, nil
	}
	if pc.proj, err = projectCase(c, updatedAt, ownerOrg, p.index); err != nil {
		return nil, err
	}
	if pc.name, err = crypt.SealText(dk, []byte(pc.proj.childName), childNameAAD(c.ID)); err != nil {
		return nil, err
	}
	if pc.proj.matchRecordSealed, err = crypt.SealText(dk, []byte(pc.proj.matchRecord), matchRecordAAD(c.ID)); err != nil {
		return nil, err
	}
	pc.escalated = escalatedSince(c)
	if pc.escalations, err = sealedOpenEscalations(c, encrypt); err != nil {
		return nil, err
	}
	return pc, nil
}

// AppendPrepared appends the k-th group of a prepared case's events, as
// AppendEvents would: the case's chain must end where the group was sealed
// onto (a new case for the first group, whose data key it stores), or the
// append fails with ECONFLICT and nothing is written.
func (t *Tx) AppendPrepared(pc *PreparedCase, k int) error {
	t.caseWrite = true
	if k < 0 || k >= len(pc.appends) {
		return fmt.Errorf("store: case %s has no append %d", pc.id, k)
	}
	rows := pc.appends[k]
	wantSeq, wantMAC := 0, ""
	if k > 0 {
		prev := pc.appends[k-1]
		wantSeq, wantMAC = prev[len(prev)-1].seq, prev[len(prev)-1].mac
	}
	current, mac, err := t.lastHead(pc.id)
	if err != nil {
		return err
	}
	if current != wantSeq || mac != wantMAC {
		return conflict(fmt.Errorf("case %s at version %d, prepared onto version %d", pc.id, current, wantSeq))
	}
	keyID, key, err := t.sealKey()
	if err != nil {
		return err
	}
	if keyID != rows[0].keyID || (key == nil) != (rows[0].mac == "") {
		return fmt.Errorf("store: case %s was prepared under master key %q, but new entries are sealed under %q", pc.id, rows[0].keyID, keyID)
	}
	owner := ownerName(ownerCase, pc.id)
	if k == 0 {
		res, err := t.exec(`INSERT INTO data_keys(owner_kind, owner_id, master_key_id, wrapped, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
			ownerCase, pc.id, pc.master, pc.wrapped, pc.keyMadeAt)
		if err != nil {
			return fmt.Errorf("store: saving data key: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return conflict(fmt.Errorf("case %s already has a data key: it is not new", pc.id))
		}
		t.db.keys.encrypted.Store(true)
		t.cacheKey(owner, pc.key)
	} else if have, ok := t.keys[owner]; !ok || !bytes.Equal(have, pc.key) {
		return fmt.Errorf("store: case %s: append its first events in this transaction before the rest", pc.id)
	}
	return t.insertEvents(pc.id, rows, key != nil)
}

// SavePreparedProjection writes a prepared case's read models, as
// SaveProjection would after its last event. Its events must have been
// appended in this transaction (the child's name is sealed with the data
// key they stored).
func (t *Tx) SavePreparedProjection(pc *PreparedCase) error {
	if have, ok := t.keys[ownerName(ownerCase, pc.id)]; !ok || !bytes.Equal(have, pc.key) {
		return fmt.Errorf("store: case %s: append its events in this transaction before saving its read models", pc.id)
	}
	if err := t.writeProjection(pc.id, pc.version, pc.proj, pc.name, pc.escalated, true, nil); err != nil {
		return err
	}
	if pc.escalations == "" {
		return nil
	}
	return t.writeOpenEscalations(pc.id, pc.version, pc.escalations)
}

// PeekNumber is the number NextNumber would take next from a named
// counter, without taking it: a bulk load that numbers cases before it
// writes them reads it once, and checks each number it then takes.
func (t *Tx) PeekNumber(name string) (int64, error) {
	var n int64
	var err error
	if seq, ok := numberSequences[name]; ok && t.dialect == Postgres {
		var called bool
		err = t.queryRow(`SELECT last_value, is_called FROM `+seq).Scan(&n, &called)
		if called {
			n++
		}
	} else {
		err = t.queryRow(`SELECT COALESCE(MAX(next), 1) FROM counters WHERE name = $1`, name).Scan(&n)
	}
	if err != nil {
		return 0, fmt.Errorf("store: reading counter %s: %w", name, err)
	}
	return n, nil
}

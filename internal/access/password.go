// Package access decides who someone is (passwords, sessions, API tokens)
// and guards sign-in against guessing (lockout).
package access

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters (OWASP's recommended minimum is m=19 MiB, t=2, p=1;
// these are above it).
type Argon2Params struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
	KeyLen  uint32
	SaltLen int
}

// DefaultArgon2 is used for every new password hash.
var DefaultArgon2 = Argon2Params{Memory: 64 * 1024, Time: 2, Threads: 2, KeyLen: 32, SaltLen: 16}

// MinPasswordLength follows NCSC's advice to favour length over rules.
const MinPasswordLength = 12

// publicHashes holds PublicPasswordHash's hashes, by password and
// parameters.
var publicHashes sync.Map // publicHashKey -> string

type publicHashKey struct {
	password string
	p        Argon2Params
}

// PublicPasswordHash is HashPassword of a password that is no secret: the
// demo's, printed in the README, or the one a sign-in for an unknown
// account is checked against so that it takes as long. It is hashed once a
// process for each set of parameters and the hash shared, salt and all: a
// salt of its own for each use would protect nothing, and each hash costs
// tens of milliseconds and 64 MiB. Never for anyone's own password.
func PublicPasswordHash(password string, p Argon2Params) (string, error) {
	k := publicHashKey{password, p}
	if h, ok := publicHashes.Load(k); ok {
		return h.(string), nil
	}
	h, err := HashPassword(password, p)
	if err != nil {
		return "", err
	}
	publicHashes.Store(k, h)
	return h, nil
}

// HashPassword returns a PHC-format argon2id hash of password.
func HashPassword(password string, p Argon2Params) (string, error) {
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key, err := idKey(context.Background(), false, []byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	if err != nil {
		return "", err
	}
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// hashSlots bounds how many argon2 derivations run at once: one for every
// Threads processors of DefaultArgon2, at least one. Each holds its Memory
// (64 MiB) while it runs and already keeps Threads processors busy, so more
// at once adds memory, not speed: 200 people signing in together would
// otherwise hold 12 GiB.
var hashSlots = make(chan struct{}, max(1, runtime.GOMAXPROCS(0)/int(DefaultArgon2.Threads)))

// HashMemory is the most memory the password hashes running at once hold.
func HashMemory() int64 { return int64(cap(hashSlots)) * int64(DefaultArgon2.Memory) << 10 }

// kdf is argon2id (a test counts the derivations running at once).
var kdf = argon2.IDKey

// HashQueuePerSlot is how many password checks may wait for each hash slot.
// One more is refused at once (ErrHashBusy) rather than queued: a burst of
// sign-ins beyond it could not be answered in a few seconds anyway, and an
// unbounded queue only keeps the processors busy for requests whose people
// have long given up.
const HashQueuePerSlot = 8

var hashWaiting atomic.Int64 // password checks waiting for a slot

// ErrHashBusy: the queue for a hash slot is full. Try again in a moment.
var ErrHashBusy = errors.New("access: too many password checks at once")

// takeSlot waits for a hash slot until ctx ends; when bounded, it refuses at
// once if the queue is already full.
func takeSlot(ctx context.Context, bounded bool) error {
	select {
	case hashSlots <- struct{}{}:
		return nil
	default:
	}
	n := hashWaiting.Add(1)
	defer hashWaiting.Add(-1)
	if bounded && n > int64(HashQueuePerSlot*cap(hashSlots)) {
		return ErrHashBusy
	}
	select {
	case hashSlots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// idKey derives a key in a hash slot. A new hash (an administrator adding
// someone, a password change) waits its turn however long the queue; a
// sign-in's check (bounded) is refused when the queue is full.
func idKey(ctx context.Context, bounded bool, password, salt []byte, time, memory uint32, threads uint8, keyLen uint32) ([]byte, error) {
	done := hashStarted(ctx) // hashtime.go: the wait for a slot counts as the hash's
	if err := takeSlot(ctx, bounded); err != nil {
		return nil, err // refused or given up: no hash ran
	}
	defer done()
	defer func() {
		hashesEnded.Add(1)
		<-hashSlots
	}()
	if w := hashWorker.Load(); w != nil { // hashworker.go
		key, err := w.Derive(password, salt, time, memory, threads, keyLen)
		if err == nil {
			return key, nil
		}
		// Said once when the worker stops (hashworker.go), not at every
		// sign-in while another is not yet started.
		if !errors.Is(err, errWorkerParams) && !errors.Is(err, errWorkerBackoff) && !errors.Is(err, errWorkerClosed) {
			w.log.Warn("a password hash was derived in the server's own process: the hash worker did not answer", "err", err)
		}
	}
	reclaimHashMemory()
	defer hashGarbage.Add(int64(memory)) // its Memory is garbage now
	return kdf(password, salt, time, memory, threads, keyLen), nil
}

// hashGarbage is the memory (KiB) that the hashes which ended since
// reclaimHashMemory last collected left behind as garbage.
var hashGarbage atomic.Int64

// reclaimHashMemory collects before a hash starts when earlier hashes left
// enough memory behind (reclaimMinGarbage, half a default hash's), so the
// new hash reuses that memory instead of adding its own on top: without it
// the collector, paced by the memory limit, let the last hash's buffer
// stand beside the new one, and serve's resident memory peaked that much
// higher under sign-ins (docs/performance.md). A collection costs in
// proportion to the heap still live, so it is done only while that is
// small (reclaimLiveLimit): serve's is about 20 MB, and a few milliseconds
// of collecting stand beside the hash's hundreds; a process holding
// gigabytes (a test run of many servers) would spend seconds on every
// sign-in to win back 64 MiB, and leaves it to the collector's pace. Small
// hashes (a test's 1 MiB) are left to the collector until their garbage
// adds up: a collection each cost a test run more than its own work.
func reclaimHashMemory() {
	if hashGarbage.Load() >= reclaimMinGarbage && liveHeap() <= reclaimLiveLimit {
		hashGarbage.Store(0)
		collect()
	}
}

// reclaimMinGarbage is the least hash memory (KiB) worth a collection.
var reclaimMinGarbage = int64(DefaultArgon2.Memory) / 2

// reclaimLiveLimit is the most live heap reclaimHashMemory collects: twice
// a default hash's memory, so a collection marks no more than twice what
// it wins back.
var reclaimLiveLimit = 2 * uint64(DefaultArgon2.Memory) << 10

// liveHeap is the heap the last collection found live
// (runtime/metrics' /gc/heap/live:bytes; a test sets it).
var liveHeap = func() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

// collect is runtime.GC (a test counts the collections).
var collect = runtime.GC

// hashesEnded counts the hashes that have ended since the process started.
var hashesEnded atomic.Int64

// HashActivity reports how many password hashes have ended since the
// process started, and whether one is running or waiting now: serve hands
// their memory back to the system once they stop (releaseWhenQuiet).
func HashActivity() (ended int64, busy bool) {
	return hashesEnded.Load(), len(hashSlots) > 0 || hashWaiting.Load() > 0
}

var errBadHash = errors.New("access: malformed password hash")

// CheckPassword reports whether password matches the PHC-format hash, in
// constant time, waiting for a hash slot however long it takes.
func CheckPassword(hash, password string) (bool, error) {
	return checkPassword(context.Background(), false, hash, password)
}

// CheckPasswordContext is CheckPassword for a request: it stops waiting for
// a hash slot when ctx ends (the person has gone), returning ctx's error,
// and returns ErrHashBusy at once when too many checks are already waiting.
func CheckPasswordContext(ctx context.Context, hash, password string) (bool, error) {
	return checkPassword(ctx, true, hash, password)
}

func checkPassword(ctx context.Context, bounded bool, hash, password string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errBadHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errBadHash
	}
	var p Argon2Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return false, errBadHash
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, errBadHash
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) < 16 { // argon2 cannot derive an empty key; no hash of Waymark's is shorter than 32 bytes
		return false, errBadHash
	}
	got, err := idKey(ctx, bounded, []byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	if err != nil {
		return false, err
	}
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// NewToken returns a random 256-bit token, URL-safe, and the SHA-256 hash
// under which it is stored: the database never holds a usable token.
func NewToken() (token, hash string) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token)
}

// HashToken is the stored form of a session or API token.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// NewDatedID returns an identifier for a case or a concern draft: the
// UTC day of at (two bytes, days since 1 January 1970) followed by ten
// random bytes, as 24 hexadecimal digits like NewID's.
//
// Why the day leads: every table keyed by a case (its row, its events, its
// members, its data key, its match record, and more) is a B-tree ordered by
// the id. With wholly random ids each new case lands on a random leaf of
// each, and at a million cases those leaves are rarely in memory, so a
// raise read about a dozen pages from disk while it held the write
// (docs/performance.md). Ids of one day sort together, so a day's new cases
// share a few leaves, which stay in memory.
//
// What it gives away: the day the record was made, which anyone shown the
// id (a member of the case, who sees the date on the case) already knows,
// and which of two ids is older. The eighty random bits still keep an id
// from being guessed from another or from the day (docs/security.md).
func NewDatedID(at time.Time) string {
	var random [10]byte
	if _, err := rand.Read(random[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return DatedID(at, random)
}

// DatedID is NewDatedID with the random bytes given: for a seeded dataset
// that must come out the same from the same seed.
func DatedID(at time.Time, random [10]byte) string {
	var b [12]byte
	binary.BigEndian.PutUint16(b[:2], uint16(at.Unix()/86400))
	copy(b[2:], random[:])
	return hex.EncodeToString(b[:])
}

// NewID returns a random identifier that cannot be guessed from another
// (case ids must not let anyone enumerate cases).
func NewID() string {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// Package reliability proves Waymark's promise, "nothing lost, nothing
// leaked", against the real program: the tests build cmd/waymark and run
// `waymark serve` on SQLite, and on PostgreSQL when TEST_DATABASE_URL is set.
//
//   - crash_test.go: every write acknowledged with a 2xx survives the server
//     being killed with SIGKILL at random moments (and, on a PostgreSQL
//     server of its own with durable settings, the database server crashing);
//     nothing refused is saved; the audit chain still verifies.
//   - conflict_test.go: many clients saving to one case with the same
//     expectedVersion: exactly one wins each version, every other gets 409,
//     no update is lost.
//   - backup_test.go: `waymark backup` / `waymark restore` on SQLite and
//     pg_dump / pg_restore on PostgreSQL give back every case, event by
//     event, with the audit chain intact; restore refuses a database in use
//     and a damaged backup.
//   - upgrade_test.go: a database made by the oldest schema migrates forward
//     without loss.
//   - audit_test.go: `waymark audit verify` finds a forged entry inserted
//     into the chain.
//   - rotation_test.go: two replicas on one database rotate the master key
//     with rolling restarts (a key added unwrap-only, then made the primary,
//     then `keys rotate`); every case reads through both after each restart.
//   - replicas_test.go: two replicas over one PostgreSQL, each addressed
//     directly: each reads at once what the other just wrote, sessions and
//     the sign-in throttle hold across them, an alert email is delivered
//     once when its sender is SIGKILLed mid-send, and killing one under
//     load loses no acknowledged write.
//   - standby_test.go: a failover to a synchronous PostgreSQL standby,
//     given to the program as a second host in one URL, loses no
//     acknowledged write.
//   - pitr_test.go: point-in-time recovery from a base backup and the WAL
//     archive gives back every case before the moment, none after.
//   - deploy_test.go: the files in deploy/ as an operator installs them:
//     the systemd units pass `systemd-analyze verify` and `security`; the
//     nginx example, run by nginx in front of two replicas, serves HTTPS
//     only, signs a person in, carries on when a replica stops and does not
//     let a client choose the address sign-ins are counted by.
//
// There is no code here beyond this comment: everything is in the tests.
// docs/testing.md says how to run them and what they found.
package reliability

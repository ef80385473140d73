-- Sealed identity (docs/architecture.md, "Access"). Organisations, users and
-- their sign-in-provider links decide who may see what, so each row carries
-- an HMAC-SHA256 under a key derived from a master key that is never in the
-- database (seal_key names which); a row written or changed behind
-- Waymark's back does not match and is treated as if it did not exist.
-- Rows already here are sealed as found on the first start with a master
-- key (store.SealIdentityAsFound).
ALTER TABLE organisations ADD COLUMN seal_key TEXT NOT NULL DEFAULT '';
ALTER TABLE organisations ADD COLUMN mac TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN seal_key TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN mac TEXT NOT NULL DEFAULT '';
ALTER TABLE user_identities ADD COLUMN seal_key TEXT NOT NULL DEFAULT '';
ALTER TABLE user_identities ADD COLUMN mac TEXT NOT NULL DEFAULT '';
-- Stored token hashes are now keyed (HMAC-SHA256 under a key derived from
-- the master key), so the plain SHA-256 hashes kept until now match
-- nothing: end every session and sign-in in flight, and everyone signs in
-- again. API tokens and machine-client tokens made before stop matching too
-- (docs/operations.md: make new ones and revoke the old).
DELETE FROM sign_in_challenges;
DELETE FROM oidc_states;
DELETE FROM sessions;

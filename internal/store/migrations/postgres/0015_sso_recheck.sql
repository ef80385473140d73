-- Single sign-on re-checks (docs/security.md, "Single sign-on"): for each
-- linked identity, the provider's refresh token, sealed under a data key of
-- its own (data_keys 'sso'/'refresh-tokens'), and when Waymark last used it
-- to ask the provider whether the person still has access. A failed check
-- clears the token and ends the person's sessions and API tokens.
ALTER TABLE user_identities ADD COLUMN refresh_token TEXT;
ALTER TABLE user_identities ADD COLUMN checked_at TIMESTAMPTZ;
CREATE INDEX user_identities_user ON user_identities(user_id);

-- Invitations (docs/operations.md, "Staff accounts"): a one-time link, sent
-- by email to a person an administrator added, to set their first password.
-- Only the link's token hash is kept (keyed, as for sessions); the
-- administrator never sees the link.
CREATE TABLE invitations (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id),
    created_by TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX invitations_user ON invitations(user_id);

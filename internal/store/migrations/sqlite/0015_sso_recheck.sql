-- Single sign-on re-checks (docs/security.md, "Single sign-on"): for each
-- linked identity, the provider's refresh token, sealed under a data key of
-- its own (data_keys 'sso'/'refresh-tokens'), and when Waymark last used it
-- to ask the provider whether the person still has access. A failed check
-- clears the token and ends the person's sessions and API tokens.
ALTER TABLE user_identities ADD COLUMN refresh_token TEXT;
ALTER TABLE user_identities ADD COLUMN checked_at TIMESTAMP;
CREATE INDEX user_identities_user ON user_identities(user_id);

-- Machine clients: a program that reads (or adds notes to) cases through
-- the API is its own principal, owned by an organisation, never a person.
-- It reaches a case only where the case's team made it a member (its event
-- log says so: pathway.ClientAccessGiven). Only the hash of its token is kept.
CREATE TABLE machine_clients (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES organisations(id),
    name       TEXT NOT NULL,
    scopes     TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP,
    revoked_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX machine_clients_org ON machine_clients(org_id);

-- Partnership leads are told when a machine client is made or revoked.
ALTER TABLE alerts ADD COLUMN machine_client_id TEXT REFERENCES machine_clients(id);

-- Personal API tokens are now made only by the person they act for. Every
-- token made before was made by an administrator for someone else: none
-- of them may go on working.
UPDATE api_tokens SET revoked_at = CURRENT_TIMESTAMP WHERE revoked_at IS NULL;
CREATE INDEX api_tokens_user ON api_tokens(user_id);

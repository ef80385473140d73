-- A machine client's token is collected by its custodian: a person of the
-- owning organisation who is not an administrator, named when the client is
-- made. The administrator who makes the client never sees its token.
-- token_issued_at is when the custodian last collected (or re-issued) it;
-- until then the stored hash is of a token nobody was given.
ALTER TABLE machine_clients ADD COLUMN custodian_id TEXT REFERENCES users(id);
ALTER TABLE machine_clients ADD COLUMN token_issued_at TIMESTAMPTZ;
CREATE INDEX machine_clients_custodian ON machine_clients(custodian_id);

-- Every client made before was made with its token shown to the
-- administrator who made it: none of them may go on working.
UPDATE machine_clients SET revoked_at = CURRENT_TIMESTAMP WHERE revoked_at IS NULL;

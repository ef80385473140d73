-- An erased case's events can no longer be read, so its read model cannot
-- be replayed: the unencrypted part of it (the case row and its members, as
-- lines) is kept with the erasure record at the moment of erasure, under a
-- seal of its own, and verify compares the rows with it.
ALTER TABLE erasures ADD COLUMN read_model TEXT NOT NULL DEFAULT '';
ALTER TABLE erasures ADD COLUMN read_model_mac TEXT NOT NULL DEFAULT '';
-- A case the audit log says was erased is never decrypted: the look-up on
-- every unwrap of a case key uses this index.
CREATE INDEX audit_erased ON audit_log(case_id) WHERE action = 'case.erased';

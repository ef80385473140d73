-- Partnerships as records (issue 14, "Across areas"; §4.3, §7.1). One
-- deployment may serve several safeguarding partnerships. Every
-- organisation belongs to one; a case belongs to the partnership of its
-- Children's Services organisation (pathway/partnerships.go). Existing
-- organisations all go to one default partnership, so a deployment that
-- never creates another behaves as before.
CREATE TABLE partnerships (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    slug       TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL
);
INSERT INTO partnerships (id, name, slug, created_at) VALUES ('default', 'This partnership', 'default', CURRENT_TIMESTAMP);
ALTER TABLE organisations ADD COLUMN partnership_id TEXT NOT NULL DEFAULT 'default';
CREATE INDEX organisations_partnership ON organisations(partnership_id);

-- Hand-overs between partnerships (kind 'handover') and requests to link an
-- earlier case (kind 'link', casework/case_links.go), waiting for or given an
-- answer, so that a partnership's lead can list those addressed to their
-- partnership without reading every case. A row opens nothing: each read checks the case's own
-- (sealed) events (casework/handovers.go).
CREATE TABLE partnership_handovers (
    id               TEXT PRIMARY KEY,
    kind             TEXT NOT NULL DEFAULT 'handover',
    case_id          TEXT NOT NULL,
    from_partnership TEXT NOT NULL,
    to_partnership   TEXT NOT NULL,
    status           TEXT NOT NULL,
    proposed_at      TIMESTAMP NOT NULL
);
CREATE INDEX partnership_handovers_to ON partnership_handovers(to_partnership, kind, status, proposed_at);

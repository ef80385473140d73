-- Recurring entities counted within each partnership (§4.3, §6.8). The
-- network of recurring entities is the partnership lead's, so it is walked
-- and paged by the lead's own partnership's counts: one counted across the
-- whole deployment ordered a page by other partnerships' cases (an entity
-- high on the page told the lead it recurred elsewhere), and a lead of one
-- partnership among many paged through everyone else's entities to find
-- their own.
--
-- entity_keys gains the partnership of the case's Children's Services
-- organisation, kept by SaveProjection with the other rows and moved when
-- a case or its organisation moves; entity_counts is kept per partnership
-- and key. Both are filled here from the cases as they stand.
ALTER TABLE entity_keys ADD COLUMN partnership_id TEXT NOT NULL DEFAULT '';
UPDATE entity_keys SET partnership_id = COALESCE((SELECT o.partnership_id FROM cases c JOIN organisations o ON o.id = c.cs_org_id WHERE c.id = entity_keys.case_id), '');
DROP INDEX entity_keys_hash;
CREATE INDEX entity_keys_by_partnership ON entity_keys(partnership_id, key_hash, case_id);

DROP TABLE entity_counts;
CREATE TABLE entity_counts (
    partnership_id TEXT NOT NULL,
    key_hash       TEXT NOT NULL,
    kind           TEXT NOT NULL,
    cases          INTEGER NOT NULL,
    PRIMARY KEY (partnership_id, key_hash)
);
CREATE INDEX entity_counts_recurring ON entity_counts(partnership_id, cases, key_hash) WHERE cases >= 2;
INSERT INTO entity_counts(partnership_id, key_hash, kind, cases)
SELECT partnership_id, key_hash, MIN(kind), COUNT(*) FROM entity_keys GROUP BY partnership_id, key_hash;

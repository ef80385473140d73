-- Each organisation, and the partnership itself, is mapped once by an
-- administrator to its entries in the Home Office NRM form's closed lists
-- (catalog.HOLists: organisations, local-authorities, police-forces), so
-- the NRM draft proposes only answers the form accepts (§8.7, §8.8).
-- A row maps an organisation (kind 'organisation', subject its id) or the
-- partnership itself (kind 'partnership', subject ''): its own local
-- authority and police force. An empty entry is not mapped yet.
-- The values are checked against the lists when written; a list update
-- that drops an entry leaves it here, and the draft then proposes nothing
-- for it until the administrator chooses again.
CREATE TABLE ho_list_mappings (
    kind            TEXT NOT NULL CHECK (kind IN ('organisation', 'partnership')),
    subject         TEXT NOT NULL,
    organisation    TEXT NOT NULL DEFAULT '',
    local_authority TEXT NOT NULL DEFAULT '',
    police_force    TEXT NOT NULL DEFAULT '',
    -- how the form's "local authority contacted about the child" is
    -- reached: the Children's Services front door's phone and inbox
    la_phone        TEXT NOT NULL DEFAULT '',
    la_email        TEXT NOT NULL DEFAULT '',
    mapped_by       TEXT NOT NULL,      -- the administrator's user id
    mapped_at       TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (kind, subject)
);

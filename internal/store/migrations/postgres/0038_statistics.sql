-- The statistics read model (issue 15, §1.5, §8.10(4)): only what counting
-- needs, so that the statistics page counts rows and never opens a case.
-- Kept by SaveProjection in the same transaction as each case's events
-- (statistics.go), deleted on erasure. No case id, reference, name or date
-- of birth is here: a row is filed under token, a keyed hash of the case
-- id under the index key (crypt.Index.MatchHandle("statistics", id)), so a
-- thief of the database alone cannot join a row to a case; dates are
-- months where counting by period allows, days only where working days
-- and days to a decision are counted (docs/security.md).
CREATE TABLE stats_cases (
    token              TEXT PRIMARY KEY,
    partnership_id     TEXT NOT NULL DEFAULT '',
    raised_month       TEXT NOT NULL,            -- YYYY-MM, UK date the concern was raised
    contact_month      TEXT NOT NULL DEFAULT '', -- YYYY-MM the contact was recorded
    exploitation_types TEXT NOT NULL DEFAULT '', -- catalogue ids, comma-separated
    age_band           TEXT NOT NULL DEFAULT '', -- 0-11, 12-15, 16-17, 18+ or '' (not known)
    gender             TEXT NOT NULL DEFAULT '',
    nationality        TEXT NOT NULL DEFAULT '',
    referrer_kind      TEXT NOT NULL DEFAULT '', -- the referring organisation's kind
    nrm_on             TEXT NOT NULL DEFAULT '', -- YYYY-MM-DD the NRM referral was submitted
    first_responder    TEXT NOT NULL DEFAULT '', -- the lead First Responder organisation's name
    decision_maker     TEXT NOT NULL DEFAULT '', -- sca, ieca or panel
    rg_outcome         TEXT NOT NULL DEFAULT '',
    rg_on              TEXT NOT NULL DEFAULT '',
    cg_outcome         TEXT NOT NULL DEFAULT '',
    cg_on              TEXT NOT NULL DEFAULT ''
);
CREATE INDEX stats_cases_raised ON stats_cases(partnership_id, raised_month);

-- One row per counted happening of a case in a month: strategy
-- discussions, meetings held, missing episodes, return interviews,
-- reconsiderations (detail: the outcome) and clocks (detail: the kind,
-- outcome: met, missed or open, due_on: the day it fell due).
CREATE TABLE stats_events (
    token          TEXT NOT NULL,
    partnership_id TEXT NOT NULL DEFAULT '',
    month          TEXT NOT NULL,
    kind           TEXT NOT NULL,
    detail         TEXT NOT NULL DEFAULT '',
    outcome        TEXT NOT NULL DEFAULT '',
    due_on         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX stats_events_month ON stats_events(partnership_id, month);
CREATE INDEX stats_events_token ON stats_events(token);

-- The cases recorded before this migration: SQL cannot derive their rows
-- (that needs their sealed events), so the service fills them at start
-- (Store.FillStatistics) and removes each from here as it does.
CREATE TABLE stats_unfilled (
    case_id TEXT PRIMARY KEY
);
INSERT INTO stats_unfilled(case_id) SELECT id FROM cases;

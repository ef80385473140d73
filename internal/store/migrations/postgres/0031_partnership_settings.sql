-- Dated partnership settings (issue 13): facts about the partnership that
-- hold from a date and may change later, such as whether it is a Devolved
-- Decision Making pilot site (pathway.SettingDDMPilot) or whether the area
-- has the Independent Child Trafficking Guardian service. The table is a
-- history: a change is a new row, never an update, so "what was the setting
-- on a day" can be answered for any past day (pathway.DatedSettings.On).
-- effective_from is a civil date (YYYY-MM-DD, London) and the change
-- applies from the start of that day; seq orders changes recorded for the
-- same key and date (the later one wins).
CREATE TABLE partnership_settings (
    seq            INTEGER NOT NULL PRIMARY KEY,
    setting_key    TEXT NOT NULL,
    value          TEXT NOT NULL,
    effective_from TEXT NOT NULL,
    reason         TEXT NOT NULL DEFAULT '',
    recorded_by    TEXT NOT NULL,      -- the user id of who recorded it
    recorded_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX partnership_settings_key ON partnership_settings (setting_key, effective_from, seq);

-- The local decision panel's members (Devolved Decision Making pilot,
-- pathway/panel.go): each row seats a member of staff in a seat of the
-- panel (chair, local-authority, police, health) or, with seat '', takes
-- them off it. Append-only; a person's latest row says where they sit now.
CREATE TABLE ddm_panel_members (
    seq         INTEGER NOT NULL PRIMARY KEY,
    user_id     TEXT NOT NULL,
    seat        TEXT NOT NULL CHECK (seat IN ('', 'chair', 'local-authority', 'police', 'health')),
    recorded_by TEXT NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX ddm_panel_members_user ON ddm_panel_members (user_id, seq);

-- The referrals whose decisions the panel makes, so that its members can
-- list them without reading every case. A row opens nothing: each read
-- checks the case's own (sealed) events say the panel decides.
CREATE TABLE ddm_panel_cases (
    case_id   TEXT NOT NULL PRIMARY KEY,
    routed_at TIMESTAMPTZ NOT NULL
);

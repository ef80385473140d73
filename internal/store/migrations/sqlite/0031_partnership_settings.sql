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
    recorded_at    TIMESTAMP NOT NULL
);
CREATE INDEX partnership_settings_key ON partnership_settings (setting_key, effective_from, seq);

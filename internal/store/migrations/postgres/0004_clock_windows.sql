-- Windows of heightened risk (the first 72 hours of a placement) are listed
-- apart from deadlines on "my work".
ALTER TABLE clocks ADD COLUMN risk_window BOOLEAN NOT NULL DEFAULT FALSE;

-- Staff profiles (issue 12): the work details a person keeps about
-- themselves, which the NRM referral asks of the First Responder who
-- submits it (§8.7): their job title, work phone number and an
-- alternative email address for when they are away (a manager's, a
-- colleague's or the team's shared inbox). Kept apart from users, whose
-- rows are sealed (identity.go): these details say nothing of who may do
-- what, so changing them never touches the identity seal.
CREATE TABLE staff_profiles (
    user_id     TEXT PRIMARY KEY REFERENCES users(id),
    job_title   TEXT NOT NULL DEFAULT '',
    work_phone  TEXT NOT NULL DEFAULT '',
    away_email  TEXT NOT NULL DEFAULT '',
    updated_at  TIMESTAMP NOT NULL,
    updated_by  TEXT NOT NULL        -- the user, or the administrator who added them
);

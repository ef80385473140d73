-- Search by viewer and word (issue 10): a search reads the viewer's own
-- entries of one word, newest case first, so its cost grows with the page
-- shown, not with the number of the viewer's cases.
--
-- search_viewer_tokens: one row per case, per case_viewers key of it and
-- per blind-index entry of it (search_tokens), keyed in the order a search
-- reads them. raised_at is the case's, which never changes, so a row is
-- written only when the case's members or its child's names change, not on
-- an ordinary event. SaveProjection (listwalk.go) keeps it exactly the cross
-- of the case's case_viewers and search_tokens rows, in the same
-- transaction; erasure deletes the case's rows with its search tokens. As
-- with case_viewers, a row only says where to look: a case is listed only
-- when a case_members row with a matching seal agrees.
CREATE TABLE search_viewer_tokens (
    viewer     TEXT NOT NULL,      -- a case_viewers key: 'p:' and a person's id, or 'o:' and an organisation's
    token_hash TEXT NOT NULL,      -- a search_tokens entry of the case
    raised_at  TIMESTAMP NOT NULL, -- cases.raised_at
    case_id    TEXT NOT NULL,
    PRIMARY KEY (viewer, token_hash, raised_at, case_id)
) WITHOUT ROWID;

-- In key order, so that the rows are appended to the table's tree rather
-- than scattered through it.
INSERT INTO search_viewer_tokens(viewer, token_hash, raised_at, case_id)
    SELECT v.viewer, s.token_hash, c.raised_at, c.id
    FROM case_viewers v JOIN search_tokens s ON s.case_id = v.case_id JOIN cases c ON c.id = v.case_id
    ORDER BY v.viewer, s.token_hash, c.raised_at, c.id;

-- Search no longer starts from every case with a word: only from the
-- viewer's own (above).
DROP INDEX search_tokens_hash;

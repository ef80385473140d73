-- Documents held on a case (issue 12 §5; §8.7: the Home Office form takes
-- the evidence as uploads). A file's metadata (its name, what it is, its
-- type and size, who added it) is one sealed value in case_files.meta, with
-- the case's data key; its content is a sequence of chunks of 64 KiB, each
-- sealed with a key derived from the case's data key and the file's id
-- (crypt.FileSealer), kept in a table of its own: the main tables stay
-- small, a list of a case's documents reads no content, and a download
-- reads one chunk after another. Erasing the case destroys its key and
-- deletes both (store.EraseCase).
--
-- bytea chunks rather than large objects (docs/architecture.md
-- "Documents"): a deleted row takes its content with it, pg_dump and
-- every backup carry it with the rest, and a transaction writes the file
-- and its row together or neither.
CREATE TABLE case_files (
    id       TEXT PRIMARY KEY,
    case_id  TEXT NOT NULL REFERENCES cases(id),
    added_at TIMESTAMPTZ NOT NULL,
    chunks   INTEGER NOT NULL,
    meta     TEXT NOT NULL -- sealed JSON: name, what, type, size, sha256, who and when
);
CREATE INDEX case_files_case ON case_files(case_id, added_at);

CREATE TABLE case_file_chunks (
    file_id TEXT NOT NULL REFERENCES case_files(id),
    seq     INTEGER NOT NULL,
    data    BYTEA NOT NULL,
    PRIMARY KEY (file_id, seq)
);
-- Sealed bytes do not compress: TOAST stores them out of line as they are.
ALTER TABLE case_file_chunks ALTER COLUMN data SET STORAGE EXTERNAL;

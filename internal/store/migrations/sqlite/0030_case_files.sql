-- Documents held on a case (issue 12 §5; §8.7: the Home Office form takes
-- the evidence as uploads). A file's metadata (its name, what it is, its
-- type and size, who added it) is one sealed value in case_files.meta, with
-- the case's data key; its content is a sequence of chunks of 64 KiB, each
-- sealed with a key derived from the case's data key and the file's id
-- (crypt.FileSealer), kept in a table of its own: a list of a case's
-- documents reads no content, and a download reads one chunk after
-- another, never the whole file. Erasing the case destroys its key and
-- deletes both (store.EraseCase); secure_delete zeroes the pages. The
-- chunk table keeps its rowid: SQLite advises against WITHOUT ROWID for
-- rows this large.
CREATE TABLE case_files (
    id       TEXT PRIMARY KEY,
    case_id  TEXT NOT NULL REFERENCES cases(id),
    added_at TIMESTAMP NOT NULL,
    chunks   INTEGER NOT NULL,
    meta     TEXT NOT NULL -- sealed JSON: name, what, type, size, sha256, who and when
);
CREATE INDEX case_files_case ON case_files(case_id, added_at);

CREATE TABLE case_file_chunks (
    file_id TEXT NOT NULL REFERENCES case_files(id),
    seq     INTEGER NOT NULL,
    data    BLOB NOT NULL,
    PRIMARY KEY (file_id, seq)
);

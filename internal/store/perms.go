package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// Files holding Waymark's data — the SQLite database, its -wal and -shm
// files, backups — are readable by their owner only (0600), whatever the
// process's umask: they hold children's details (encrypted or not), staff
// names and authenticator secrets. SQLite gives a database's -wal and -shm
// files the mode of the database file itself, so creating that file 0600
// before SQLite opens it covers all three; ownerOnly is applied again after
// opening for databases made by older versions.

// FileMode is the mode of every data file Waymark writes.
const FileMode fs.FileMode = 0o600

// createOwnerOnly makes an empty file at path, readable by its owner only,
// unless a file is there already. An empty file is a valid SQLite database,
// and a valid target for VACUUM INTO.
func createOwnerOnly(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, FileMode)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("store: creating %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Chmod(path, FileMode) // the umask may have taken bits away; never adds any
}

// ownerOnly sets the mode of each file that exists to 0600.
func ownerOnly(paths ...string) error {
	for _, p := range paths {
		if err := os.Chmod(p, FileMode); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("store: making %s readable by its owner only: %w", p, err)
		}
	}
	return nil
}

// sqliteFiles are the database file and the files SQLite keeps beside it.
func sqliteFiles(file string) []string {
	return []string{file, file + "-wal", file + "-shm", file + "-journal"}
}

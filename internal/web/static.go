package web

import (
	"io/fs"
)

// filesOnly is the assets' file system with its directories hidden: the
// file server then answers 404 for /assets/ and every folder under it
// instead of listing what is there.
type filesOnly struct{ fs.FS }

func (f filesOnly) Open(name string) (fs.File, error) {
	file, err := f.FS.Open(name)
	if err != nil {
		return nil, err
	}
	info, err := file.Stat()
	if err != nil || info.IsDir() {
		file.Close()
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return file, nil
}

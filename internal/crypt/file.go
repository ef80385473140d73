package crypt

import (
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"io"
)

// Files (documents held on a case) are sealed as a stream of chunks, so
// neither sealing nor opening ever holds a whole file in memory. Each file
// has a key of its own, derived (HKDF-SHA256) from its owner's data key and
// the file's id, so destroying the data key destroys every file with it.
// Every chunk of FileChunkSize bytes of plaintext (the last may be shorter)
// is sealed with AES-256-GCM under a random nonce, with associated data
// naming the file, the chunk's index and whether it is the last: a chunk
// moved within the file, copied from another file, or a file cut short or
// extended, does not open.
//
// A sealed chunk is a flag byte (1 for the last chunk, 0 otherwise), the
// 12-byte nonce, then the ciphertext and tag.

// FileChunkSize is the plaintext size of every chunk but the last.
const FileChunkSize = 64 << 10

// SealedChunkOverhead is what sealing adds to a chunk: flag, nonce and tag.
const SealedChunkOverhead = 1 + 12 + 16

// ErrTruncated is returned when a file's chunks end before its last one.
var ErrTruncated = errors.New("crypt: the file ends before its last chunk (cut short or a chunk is missing)")

const fileKeyLabel = "waymark/case-file/v1\x00"

// FileKey derives the key of file fileID from its owner's data key.
func FileKey(dataKey []byte, fileID string) []byte {
	return derive(dataKey, fileKeyLabel+fileID, KeySize)
}

func chunkAAD(fileID string, index uint64, last bool) []byte {
	b := make([]byte, 0, 32+len(fileID))
	b = append(b, "waymark/file-chunk/v1\x00"...)
	b = append(b, fileID...)
	b = append(b, 0)
	b = binary.BigEndian.AppendUint64(b, index)
	if last {
		return append(b, 1)
	}
	return append(b, 0)
}

// FileSealer seals what is written to it into chunks, handing each sealed
// chunk to emit in order; emit must not keep the slice, which is reused. A
// full chunk is held back until more data comes, since only then is it
// known not to be the last; Close seals the last one.
type FileSealer struct {
	aead   cipher.AEAD
	fileID string
	emit   func(sealed []byte) error
	buf    []byte
	out    []byte
	index  uint64
	size   int64
	closed bool
}

// NewFileSealer returns a sealer for file fileID under its owner's data key.
func NewFileSealer(dataKey []byte, fileID string, emit func(sealed []byte) error) (*FileSealer, error) {
	a, err := gcm(FileKey(dataKey, fileID))
	if err != nil {
		return nil, err
	}
	return &FileSealer{aead: a, fileID: fileID, emit: emit, buf: make([]byte, 0, FileChunkSize), out: make([]byte, 0, FileChunkSize+SealedChunkOverhead)}, nil
}

// Write seals p's bytes, emitting every chunk known not to be the last.
func (s *FileSealer) Write(p []byte) (int, error) {
	if s.closed {
		return 0, errors.New("crypt: write to a closed file sealer")
	}
	n := len(p)
	for len(p) > 0 {
		if len(s.buf) == FileChunkSize {
			if err := s.seal(false); err != nil {
				return n - len(p), err
			}
		}
		k := copy(s.buf[len(s.buf):FileChunkSize], p)
		s.buf = s.buf[:len(s.buf)+k]
		p = p[k:]
		s.size += int64(k)
	}
	return n, nil
}

// Close seals the last chunk (an empty file is one empty last chunk).
func (s *FileSealer) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	return s.seal(true)
}

// Chunks is how many chunks have been emitted; Size how many bytes written.
func (s *FileSealer) Chunks() int { return int(s.index) }

// Size is how many bytes of plaintext were written.
func (s *FileSealer) Size() int64 { return s.size }

func (s *FileSealer) seal(last bool) error {
	out := s.out[:1+12]
	out[0] = 0
	if last {
		out[0] = 1
	}
	if _, err := rand.Read(out[1:13]); err != nil {
		return err
	}
	out = s.aead.Seal(out, out[1:13], s.buf, chunkAAD(s.fileID, s.index, last))
	s.out = out
	s.index++
	s.buf = s.buf[:0]
	return s.emit(out)
}

// FileOpener reads a sealed file back as plaintext, one chunk at a time.
// next returns the sealed chunk of the given index, or ok false when the
// file has no such chunk.
type FileOpener struct {
	aead   cipher.AEAD
	fileID string
	next   func(index int) (sealed []byte, ok bool, err error)
	index  uint64
	plain  []byte // what is left to read of the chunk opened last
	buf    []byte // the buffer chunks are opened into, reused
	done   bool
	err    error
}

// NewFileOpener returns a reader of file fileID under its owner's data key.
func NewFileOpener(dataKey []byte, fileID string, next func(index int) ([]byte, bool, error)) (*FileOpener, error) {
	a, err := gcm(FileKey(dataKey, fileID))
	if err != nil {
		return nil, err
	}
	return &FileOpener{aead: a, fileID: fileID, next: next, buf: make([]byte, 0, FileChunkSize)}, nil
}

// Read returns plaintext; it fails with ErrDecrypt on any chunk that does
// not open where it is, and ErrTruncated when the last chunk is missing.
func (o *FileOpener) Read(p []byte) (int, error) {
	for len(o.plain) == 0 {
		if o.err != nil {
			return 0, o.err
		}
		if o.done {
			// Nothing may follow the last chunk.
			if _, ok, err := o.next(int(o.index)); err != nil {
				o.err = err
			} else if ok {
				o.err = ErrDecrypt
			} else {
				o.err = io.EOF
			}
			continue
		}
		o.err = o.open()
	}
	n := copy(p, o.plain)
	o.plain = o.plain[n:]
	return n, nil
}

func (o *FileOpener) open() error {
	sealed, ok, err := o.next(int(o.index))
	if err != nil {
		return err
	}
	if !ok {
		return ErrTruncated
	}
	if len(sealed) < SealedChunkOverhead || sealed[0] > 1 {
		return ErrDecrypt
	}
	last := sealed[0] == 1
	plain, err := o.aead.Open(o.buf[:0], sealed[1:13], sealed[13:], chunkAAD(o.fileID, o.index, last))
	if err != nil {
		return ErrDecrypt
	}
	o.plain, o.buf = plain, plain[:0]
	o.index++
	o.done = last
	return nil
}

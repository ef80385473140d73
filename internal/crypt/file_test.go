package crypt

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"testing"
)

// sealFile seals plain as file id and returns its chunks.
func sealFile(t testing.TB, key []byte, id string, plain []byte) [][]byte {
	t.Helper()
	var chunks [][]byte
	s, err := NewFileSealer(key, id, func(c []byte) error { chunks = append(chunks, bytes.Clone(c)); return nil })
	if err != nil {
		t.Fatal(err)
	}
	// Written in odd pieces, as a network would hand them over.
	for rest := plain; len(rest) > 0; {
		n := min(len(rest), 7919)
		if _, err := s.Write(rest[:n]); err != nil {
			t.Fatal(err)
		}
		rest = rest[n:]
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if s.Chunks() != len(chunks) || s.Size() != int64(len(plain)) {
		t.Fatalf("sealer counted %d chunks, %d bytes; emitted %d chunks of %d bytes", s.Chunks(), s.Size(), len(chunks), len(plain))
	}
	return chunks
}

func openFile(key []byte, id string, chunks [][]byte) ([]byte, error) {
	o, err := NewFileOpener(key, id, func(i int) ([]byte, bool, error) {
		if i >= len(chunks) {
			return nil, false, nil
		}
		return chunks[i], true, nil
	})
	if err != nil {
		return nil, err
	}
	return io.ReadAll(o)
}

func randomBytes(t testing.TB, n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

func TestAFileOpensAsItWasSealed(t *testing.T) {
	key := randomBytes(t, KeySize)
	for _, n := range []int{0, 1, FileChunkSize - 1, FileChunkSize, FileChunkSize + 1, 3*FileChunkSize + 17} {
		plain := randomBytes(t, n)
		chunks := sealFile(t, key, "file-a", plain)
		want := max(1, (n+FileChunkSize-1)/FileChunkSize)
		if len(chunks) != want {
			t.Errorf("%d bytes: %d chunks, want %d", n, len(chunks), want)
		}
		got, err := openFile(key, "file-a", chunks)
		if err != nil || !bytes.Equal(got, plain) {
			t.Errorf("%d bytes: opened %d bytes, err %v", n, len(got), err)
		}
	}
}

func TestAFileThatWasTamperedWithDoesNotOpen(t *testing.T) {
	key := randomBytes(t, KeySize)
	plain := randomBytes(t, 3*FileChunkSize+100)
	chunks := sealFile(t, key, "file-a", plain)
	other := sealFile(t, key, "file-b", randomBytes(t, 3*FileChunkSize+100))
	clone := func() [][]byte {
		out := make([][]byte, len(chunks))
		for i, c := range chunks {
			out[i] = bytes.Clone(c)
		}
		return out
	}
	cases := []struct {
		name   string
		chunks func() [][]byte
		key    []byte
		want   error
	}{
		{"a byte of a chunk changed", func() [][]byte { c := clone(); c[1][40] ^= 1; return c }, key, ErrDecrypt},
		{"cut short by its last chunk", func() [][]byte { return clone()[:3] }, key, ErrTruncated},
		{"a middle chunk missing", func() [][]byte { c := clone(); return append(c[:1], c[2:]...) }, key, ErrDecrypt},
		{"two chunks swapped", func() [][]byte { c := clone(); c[0], c[1] = c[1], c[0]; return c }, key, ErrDecrypt},
		{"a chunk from another file", func() [][]byte { c := clone(); c[1] = other[1]; return c }, key, ErrDecrypt},
		{"the last flag removed", func() [][]byte { c := clone(); c[3][0] = 0; return c }, key, ErrDecrypt},
		{"a chunk's last flag set early", func() [][]byte { c := clone(); c[1][0] = 1; return c[:2] }, key, ErrDecrypt},
		{"a chunk added after the last", func() [][]byte { return append(clone(), other[0]) }, key, ErrDecrypt},
		{"another case's key", clone, randomBytes(t, KeySize), ErrDecrypt},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := openFile(tc.key, "file-a", tc.chunks())
			if !errors.Is(err, tc.want) {
				t.Fatalf("opened %d bytes with err %v, want %v", len(got), err, tc.want)
			}
		})
	}
	// The same chunks under another file's id do not open either.
	if _, err := openFile(key, "file-b", chunks); !errors.Is(err, ErrDecrypt) {
		t.Errorf("opened as another file: err %v", err)
	}
}

func BenchmarkFileSealAndOpen(b *testing.B) {
	key := make([]byte, KeySize)
	plain := make([]byte, 25_000_000)
	b.SetBytes(int64(len(plain)))
	for b.Loop() {
		var chunks [][]byte
		s, _ := NewFileSealer(key, "f", func(c []byte) error { chunks = append(chunks, bytes.Clone(c)); return nil })
		s.Write(plain)
		s.Close()
		if _, err := openFile(key, "f", chunks); err != nil {
			b.Fatal(err)
		}
	}
}

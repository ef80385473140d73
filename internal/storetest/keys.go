package storetest

import (
	"sync"

	"waymark/internal/crypt"
)

var (
	keysOnce sync.Once
	keys     *crypt.KeyRing
)

// KeyRing is the master key every test store encrypts with: random, made
// once per test binary, never written anywhere.
func KeyRing() *crypt.KeyRing {
	keysOnce.Do(func() {
		line, err := crypt.GenerateKey()
		if err == nil {
			keys, err = crypt.ParseKeys(line)
		}
		if err != nil {
			panic(err)
		}
	})
	return keys
}

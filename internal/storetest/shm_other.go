//go:build !linux

package storetest

// memoryBacked is false away from Linux: the tests use t.TempDir().
func memoryBacked(string) bool { return false }

//go:build unix

package main

import "syscall"

// ownerOnlyUmask makes every file and folder the process creates without an
// explicit mode readable by its owner only. Waymark's own data files get
// 0600 and 0700 explicitly as well (store/perms.go), whatever the umask.
func ownerOnlyUmask() { syscall.Umask(0o077) }

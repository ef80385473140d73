//go:build !unix

package main

func ownerOnlyUmask() {}

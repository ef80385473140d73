package main

import (
	"os"
	"testing"

	"waymark/internal/access"
	"waymark/internal/storetest"
)

// TestMain lets this test binary be the password hash worker that the
// serve tests start, as the waymark binary is for a real serve.
func TestMain(m *testing.M) {
	if os.Getenv(access.HashWorkerEnv) == "1" {
		os.Exit(hashWorkerMain())
	}
	code := storetest.RunTests(m)
	if demoTemplateRoot != "" {
		os.RemoveAll(demoTemplateRoot)
	}
	os.Exit(code)
}

// Command waymark runs Waymark: the web service and its administration
// commands. main only calls run, so tests can drive the real program.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"waymark/internal/access"
	"waymark/internal/buildinfo"
)

// version is the release, set when building one:
// go build -ldflags "-X main.version=v1.2.3" ./cmd/waymark
var version string

func main() {
	if os.Getenv(access.HashWorkerEnv) == "1" { // started by serve: hashworker.go
		os.Exit(hashWorkerMain())
	}
	buildinfo.SetRelease(version)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ownerOnlyUmask()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "waymark:", err)
		os.Exit(1)
	}
}

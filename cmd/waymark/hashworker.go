package main

import (
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"waymark/internal/access"
)

// hashWorkerMain is the whole of a `waymark` process started by serve to
// derive password hashes at a lower priority (internal/access/hashworker.go).
// It ignores the signals a terminal sends the whole process group (Ctrl-C):
// it ends when serve closes its input, which the kernel does however serve
// ends.
func hashWorkerMain() int {
	signal.Ignore(os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	if err := access.RunHashWorker(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "waymark hash worker:", err)
		return 1
	}
	return 0
}

// startHashWorker starts the hash worker and sends serve's password hashes
// to it. If it cannot start (a system that forbids new processes, say, or
// one too busy for it to say it is ready in time), serve derives them
// itself, as it did before, says so, and tries another worker a minute
// later at the earliest, at a sign-in. Without an executable to start it
// hashes in its own process for good.
func startHashWorker(log *slog.Logger) (stop func()) {
	exe, err := os.Executable()
	if err != nil {
		log.Warn("the password hash worker cannot be started: passwords are checked in the server's own process, and sign-ins slow the pages more while they run", "err", err)
		return func() {}
	}
	w := access.NewHashWorker(exe, log)
	if err := w.Start(); err != nil {
		log.Warn("the password hash worker could not be started: passwords are checked in the server's own process until another starts, a minute from now at the earliest", "err", err)
	} else {
		log.Debug("password hashes are derived by a worker process at a lower priority", "pid", w.PID())
	}
	access.UseHashWorker(w)
	return func() {
		access.StopUsingHashWorker(w)
		w.Close()
	}
}

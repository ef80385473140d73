package e2e

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

const chromiumPath = "/usr/bin/chromium"

// server is the one `waymark demo` process every test shares. It is started
// by the first test that needs it and stopped by TestMain.
var server struct {
	once    sync.Once
	url     string
	err     error
	tmp     string
	cmd     *exec.Cmd
	exited  chan struct{}
	output  *syncBuffer
	axeOnce sync.Once
	axeSrc  string
	axeErr  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	stopServer()
	if server.tmp != "" {
		os.RemoveAll(server.tmp)
	}
	os.Exit(code)
}

// requirements skips the test under -short (every test here drives a
// browser, 5–30 s each: `go test -short ./...` is the quick check, and CI runs
// without -short), skips it when Chromium or axe-core is missing, or fails it
// when CI=true (CI must never go green without running the browser), and
// returns the axe-core source.
func requirements(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("a browser test: not with -short")
	}
	var missing string
	if _, err := os.Stat(chromiumPath); err != nil {
		missing = chromiumPath + " is missing (apt-get install chromium)"
	} else if os.Getenv("AXE_CORE_JS") == "" {
		missing = "AXE_CORE_JS is not set (run `npm ci` at the repository root and export AXE_CORE_JS=$PWD/node_modules/axe-core/axe.min.js)"
	}
	if missing != "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("end-to-end tests cannot run and CI=true: %s", missing)
		}
		t.Skipf("skipping end-to-end test: %s", missing)
	}
	server.axeOnce.Do(func() {
		b, err := os.ReadFile(os.Getenv("AXE_CORE_JS"))
		server.axeSrc, server.axeErr = string(b), err
	})
	if server.axeErr != nil {
		t.Fatalf("reading axe-core from AXE_CORE_JS: %v", server.axeErr)
	}
	return server.axeSrc
}

// baseURL builds and starts the demo server once, and returns its address.
func baseURL(t *testing.T) string {
	t.Helper()
	server.once.Do(func() {
		start := time.Now()
		server.url, server.err = startServer()
		if server.err == nil {
			t.Logf("built and started waymark demo at %s in %s", server.url, time.Since(start).Round(time.Millisecond))
		}
	})
	if server.err != nil {
		t.Fatalf("starting waymark demo: %v", server.err)
	}
	return server.url
}

// moduleRoot walks up from the working directory to the folder with go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func startServer() (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	server.tmp, err = os.MkdirTemp("", "waymark-e2e-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(server.tmp, "waymark")
	build := exec.Command("go", "build", "-o", bin, "./cmd/waymark")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/waymark: %w\n%s", err, out)
	}
	port, err := freePort()
	if err != nil {
		return "", fmt.Errorf("finding a free port: %w", err)
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	server.output = &syncBuffer{}
	cmd := exec.Command(bin, "demo", "--addr", addr, "--data", filepath.Join(server.tmp, "data"))
	cmd.Stdout, cmd.Stderr = server.output, server.output
	// Keep the configuration of whoever runs the tests out of the demo.
	cmd.Env = append(os.Environ(), "WAYMARK_DATABASE_URL=", "WAYMARK_ADDR=", "WAYMARK_DATA_DIR=", "WAYMARK_SECURE_COOKIES=")
	if err := cmd.Start(); err != nil {
		return "", fmt.Errorf("starting %s: %w", bin, err)
	}
	server.cmd, server.exited = cmd, make(chan struct{})
	go func() { cmd.Wait(); close(server.exited) }()

	url := "http://" + addr
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(30 * time.Second)
	for attempt := 0; time.Now().Before(deadline); attempt++ {
		select {
		case <-server.exited:
			return "", fmt.Errorf("waymark demo exited before it was ready (%v):\n%s", cmd.ProcessState, server.output)
		default:
		}
		resp, err := client.Get(url + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return url, nil
			}
		}
		// Poll the readiness endpoint: a short, growing pause between tries.
		select {
		case <-server.exited:
		case <-time.After(time.Duration(min(attempt+1, 10)) * 20 * time.Millisecond):
		}
	}
	return "", fmt.Errorf("waymark demo did not answer GET /healthz with 200 within 30s:\n%s", server.output)
}

// stopServer asks the demo to shut down, and kills it if it does not.
func stopServer() {
	if server.cmd == nil || server.cmd.Process == nil {
		return
	}
	server.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-server.exited:
	case <-time.After(5 * time.Second):
		server.cmd.Process.Kill()
		<-server.exited
	}
}

// serverErrors are the demo's logged errors and warnings so far, for failure messages.
func serverErrors() string {
	if server.output == nil {
		return ""
	}
	var out []string
	for _, l := range strings.Split(server.output.String(), "\n") {
		if strings.Contains(l, "level=ERROR") || strings.Contains(l, "level=WARN") {
			out = append(out, "    "+l)
		}
	}
	return strings.Join(out, "\n")
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

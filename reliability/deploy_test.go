package reliability

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"html"
	"io"
	"math/big"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"waymark/internal/casework"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// The files in deploy/ are what an operator installs: they are tested as
// they stand, with only what must differ on a test machine (ports, paths,
// the binary's location) swapped in.

const (
	systemdAnalyze = "/usr/bin/systemd-analyze"
	nginxBinary    = "/usr/sbin/nginx"
	// publicName is the server_name in deploy/nginx/waymark.conf.
	publicName = "waymark.partnership.example"
)

// needTool skips a test when a program it drives is missing, and fails it
// under CI=true, where .ci/run installs it.
func needTool(t *testing.T, path, pkg string) {
	t.Helper()
	if _, err := os.Stat(path); err == nil {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is missing but CI=true: .ci/run installs it (Debian package %s)", path, pkg)
	}
	t.Skipf("%s is missing (Debian package %s): skipped", path, pkg)
}

func deployFile(t *testing.T, rel string) string {
	t.Helper()
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(root, "deploy", rel))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// replaceN replaces old with new in s and fails unless it occurred exactly
// n times: if the example changes shape, the test says so rather than
// quietly testing something else.
func replaceN(t *testing.T, s, old, new string, n int) string {
	t.Helper()
	if got := strings.Count(s, old); got != n {
		t.Fatalf("deploy file: %q occurs %d times, the test expects %d: update the test with the example", old, got, n)
	}
	return strings.ReplaceAll(s, old, new)
}

var systemdUnits = []string{"waymark.service", "waymark-backup.service", "waymark-backup.timer"}

// The units pass `systemd-analyze verify` without a single warning (an
// unknown or misspelt setting is only a warning to systemd, and the unit
// would start without it), and the services are hardened: systemd's own
// exposure score stays at 2.0 or below ("OK").
func TestTheSystemdUnitsVerifyWithoutWarningsAndAreHardened(t *testing.T) {
	needTool(t, systemdAnalyze, "systemd")
	bin := waymarkBinary(t)
	dir := t.TempDir()
	var paths []string
	for _, name := range systemdUnits {
		text := deployFile(t, "systemd/"+name)
		if strings.HasSuffix(name, ".service") {
			// verify checks that ExecStart's program exists.
			text = replaceN(t, text, "/usr/local/bin/waymark", bin, strings.Count(text, "/usr/local/bin/waymark"))
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	out, err := exec.Command(systemdAnalyze, append([]string{"verify", "--man=no"}, paths...)...).CombinedOutput()
	var problems []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		// Warnings about units of the machine itself are not ours.
		if line != "" && (strings.Contains(line, dir) || strings.Contains(line, "waymark")) {
			problems = append(problems, line)
		}
	}
	if err != nil || len(problems) > 0 {
		t.Errorf("systemd-analyze verify (%v):\n%s", err, strings.Join(problems, "\n"))
	}
	for _, p := range paths[:2] {
		out, err := exec.Command(systemdAnalyze, "security", "--offline=yes", "--threshold=20", p).CombinedOutput()
		if err != nil {
			t.Errorf("systemd-analyze security %s: exposure above 2.0 (%v):\n%s", filepath.Base(p), err, out)
		}
	}
}

// systemd kills the service with SIGKILL TimeoutStopSec after SIGTERM: that
// must be longer than Waymark's own grace period for requests in flight, or
// a restart cuts off the requests it promised to let finish.
func TestTheUnitWaitsLongerThanWaymarksShutdownTimeout(t *testing.T) {
	out, _ := waymark(t, "serve", "-h") // usage, whatever the exit status
	m := regexp.MustCompile(`(?s)-shutdown-timeout duration.*?\(default ([0-9a-z.]+)\)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("serve -h does not show --shutdown-timeout's default:\n%s", out)
	}
	grace, err := time.ParseDuration(m[1])
	if err != nil {
		t.Fatal(err)
	}
	unit := deployFile(t, "systemd/waymark.service")
	s := regexp.MustCompile(`(?m)^TimeoutStopSec=(\S+)$`).FindStringSubmatch(unit)
	if s == nil {
		t.Fatal("waymark.service sets no TimeoutStopSec")
	}
	stop, err := time.ParseDuration(s[1])
	if err != nil {
		t.Fatalf("TimeoutStopSec=%s: %v", s[1], err)
	}
	if stop <= grace {
		t.Errorf("TimeoutStopSec=%s is not longer than --shutdown-timeout's %s", stop, grace)
	}
	for _, want := range []string{"ExecStart=/usr/local/bin/waymark serve", "User=waymark", "UMask=0077", "NoNewPrivileges=yes",
		"ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes", "Restart=on-failure", "SystemCallFilter=@system-service",
		"LoadCredential=master-key:", "EnvironmentFile=/etc/waymark/waymark.env"} {
		if !strings.Contains(unit, "\n"+want) {
			t.Errorf("waymark.service lacks %s", want)
		}
	}
}

// waymark-admin reads /etc/waymark/waymark.env as systemd does, as data:
// a value is never run, quotes around a value go, a value with spaces and
// angle brackets is kept whole; and the master key reaches the command.
func TestWaymarkAdminReadsTheSettingsFileAsDataNotAsAScript(t *testing.T) {
	dir := t.TempDir()
	env := filepath.Join(dir, "waymark.env")
	settings := "# settings\nWAYMARK_ADDR=127.0.0.1:8080\n\nWAYMARK_SMTP_FROM=Waymark <waymark@partnership.example>\n" +
		"WAYMARK_PUBLIC_URL=\"https://waymark.partnership.example\"\nWAYMARK_LOG_LEVEL=$(touch " + filepath.Join(dir, "ran") + ")\n"
	if err := os.WriteFile(env, []byte(settings), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "master-key"), []byte("k1:c2VjcmV0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	script := deployFile(t, "waymark-admin")
	script = replaceN(t, script, `[ "$(id -u)" -ne 0 ]`, "false", 1)
	script = replaceN(t, script, "/etc/waymark/waymark.env", env, strings.Count(script, "/etc/waymark/waymark.env"))
	script = replaceN(t, script, "/etc/waymark/master-key", filepath.Join(dir, "master-key"), strings.Count(script, "/etc/waymark/master-key"))
	script = replaceN(t, script, `exec runuser -u waymark -- /usr/local/bin/waymark "$@"`, `env`, 1)
	out, err := exec.Command("/bin/sh", "-c", script).CombinedOutput()
	if err != nil {
		t.Fatalf("waymark-admin: %v\n%s", err, out)
	}
	for _, want := range []string{"WAYMARK_ADDR=127.0.0.1:8080\n", "WAYMARK_SMTP_FROM=Waymark <waymark@partnership.example>\n",
		"WAYMARK_PUBLIC_URL=https://waymark.partnership.example\n", "WAYMARK_MASTER_KEY=k1:c2VjcmV0\n", "WAYMARK_DATA_DIR=/var/lib/waymark\n"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the command would not get %q:\n%s", want, out)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "ran")); err == nil {
		t.Error("a value in the settings file was run as a command")
	}
}

// startReplica starts one `waymark serve` replica behind the proxy, on addr
// ("127.0.0.1:0" for any free port), and waits until it is ready. Every
// replica of the deploy test starts here: the one place to change when
// serve's flags change.
func startReplica(t *testing.T, dbURL, addr string) *server {
	t.Helper()
	args := []string{"serve", "--addr", addr, "--database", dbURL,
		"--client-ip-header", "X-Forwarded-For", "--secure-cookies",
		"--log-level", "info", "--log-format", "json"}
	if strings.HasPrefix(dbURL, "postgres") { // each replica keeps its own erasure ledger
		args = append(args, "--erasure-ledger", ledgerFor(t, dbURL+"#"+addr))
	}
	return runServe(t, args) // the master key; the password in the environment
}

// waitUntilReady polls ready until it holds, failing if the process exits first.
func waitUntilReady(t *testing.T, exited <-chan struct{}, out fmt.Stringer, ready func() bool) {
	t.Helper()
	for range 1000 {
		if ready() {
			return
		}
		select { // polling readiness, not timing a result
		case <-exited:
			t.Fatalf("the process exited before it was ready:\n%s", out)
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Fatalf("never became ready:\n%s", out)
}

// sharedDatabase is the one database both replicas serve: a schema on the
// PostgreSQL at TEST_DATABASE_URL when set, else a SQLite file. It returns
// the test's own handle and the URL the replicas are given.
func sharedDatabase(t *testing.T) (*store.DB, string) {
	t.Helper()
	if storetest.WantPostgres(t) {
		db := storetest.Postgres(t)
		db.SetKeyRing(keyRing(t))
		return db, schemaURL(t, db)
	}
	tg := &target{name: "sqlite", url: filepath.Join(privateDir(t), "waymark.db")}
	db := tg.open(t)
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db, tg.url
}

// selfSigned writes a certificate for publicName and its key as nginx reads
// them, and returns the pool a client trusts it with.
func selfSigned(t *testing.T, dir string) *x509.CertPool {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: publicName}, DNSNames: []string{publicName},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "fullchain.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "privkey.pem"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return pool
}

func freeLoopbackPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

type nginxProxy struct {
	cmd       *exec.Cmd
	exited    chan struct{}
	out       *syncBuffer
	dir       string
	httpAddr  string // what port 80 became
	httpsAddr string // what port 443 became
	pool      *x509.CertPool
}

// startNginx runs deploy/nginx/waymark.conf, in front of the given
// replicas, from a prefix folder of its own: ports, certificate, logs, pid
// and temporary files all in dir. It runs in the foreground as one process
// (no master, so no switch of user: as root in CI it stays root and can read
// the private folder it is given).
func startNginx(t *testing.T, replicas []string) *nginxProxy {
	t.Helper()
	p := &nginxProxy{dir: privateDir(t), httpAddr: freeLoopbackPort(t), httpsAddr: freeLoopbackPort(t), exited: make(chan struct{}), out: &syncBuffer{}}
	p.pool = selfSigned(t, p.dir)
	site := deployFile(t, "nginx/waymark.conf")
	site = regexp.MustCompile(`(?m)^\s*listen \[::\]:.*\n`).ReplaceAllString(site, "") // the test machine may have no IPv6
	site = replaceN(t, site, "listen 443 ", "listen "+p.httpsAddr+" ", 2)
	site = replaceN(t, site, "listen 80;", "listen "+p.httpAddr+";", 1)
	site = replaceN(t, site, "/etc/ssl/waymark/", p.dir+"/", 2)
	site = replaceN(t, site, "/var/log/nginx/waymark.access.log", filepath.Join(p.dir, "access.log"), 2)
	site = replaceN(t, site, "server 10.0.1.11:8080 ", "server "+replicas[0]+" ", 1)
	site = replaceN(t, site, "server 10.0.1.12:8080 ", "server "+replicas[1]+" ", 1)
	if err := os.WriteFile(filepath.Join(p.dir, "waymark.conf"), []byte(site), 0o600); err != nil {
		t.Fatal(err)
	}
	var temp strings.Builder
	for _, k := range []string{"client_body", "proxy", "fastcgi", "uwsgi", "scgi"} {
		fmt.Fprintf(&temp, "    %s_temp_path %s;\n", k, filepath.Join(p.dir, "tmp-"+k))
	}
	// The http block starts as Debian's /etc/nginx/nginx.conf does, whose
	// defaults the example must override: old TLS versions, gzip.
	main := fmt.Sprintf(`daemon off;
master_process off;
worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log warn;
events { worker_connections 64; }
http {
    ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;
    ssl_prefer_server_ciphers on;
    gzip on;
%[2]s    include %[1]s/waymark.conf;
}
`, p.dir, temp.String())
	conf := filepath.Join(p.dir, "nginx.conf")
	if err := os.WriteFile(conf, []byte(main), 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"-p", p.dir + "/", "-c", conf, "-e", filepath.Join(p.dir, "error.log")}
	if out, err := exec.Command(nginxBinary, append(args, "-t", "-q")...).CombinedOutput(); err != nil {
		t.Fatalf("nginx -t refuses deploy/nginx/waymark.conf: %v\n%s", err, out)
	}
	p.cmd = exec.Command(nginxBinary, args...)
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("starting nginx: %v", err)
	}
	go func() { p.cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() {
		p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.exited:
		case <-time.After(10 * time.Second):
			p.cmd.Process.Kill()
			<-p.exited
		}
		if t.Failed() {
			b, _ := os.ReadFile(filepath.Join(p.dir, "error.log"))
			t.Logf("nginx error log:\n%s", b)
		}
	})
	waitUntilReady(t, p.exited, p.out, func() bool {
		c, err := net.Dial("tcp", p.httpsAddr)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
	return p
}

// client reaches publicName through the proxy, as a browser would: ports 80
// and 443 of that name lead to the test's nginx, which is trusted for it.
func (p *nginxProxy) client(t *testing.T, pool *x509.CertPool, tlsConf *tls.Config) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	if tlsConf == nil {
		tlsConf = &tls.Config{RootCAs: pool}
	}
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	tr := &http.Transport{TLSClientConfig: tlsConf, ForceAttemptHTTP2: true,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			switch addr {
			case publicName + ":443":
				addr = p.httpsAddr
			case publicName + ":80":
				addr = p.httpAddr
			default:
				return nil, fmt.Errorf("the test reaches only %s, not %s", publicName, addr)
			}
			return dialer.DialContext(ctx, network, addr)
		}}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Jar: jar, Timeout: 20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

const publicSite = "https://" + publicName

func proxiedGet(t *testing.T, c *http.Client, u string, header http.Header) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	copyHeader(req.Header, header)
	return proxiedSend(t, c, req)
}

func proxiedPost(t *testing.T, c *http.Client, u, contentType, body string, header http.Header) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	copyHeader(req.Header, header)
	return proxiedSend(t, c, req)
}

func copyHeader(dst, src http.Header) {
	for k, v := range src {
		dst[k] = v
	}
}

func proxiedSend(t *testing.T, c *http.Client, req *http.Request) (*http.Response, string) {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// servedBy says which replica logged the request whose answer carried this
// request id: Waymark logs every request with its id and sends the id back.
func servedBy(t *testing.T, resp *http.Response, replicas ...*server) int {
	t.Helper()
	rid := resp.Header.Get("X-Request-Id")
	if rid == "" {
		t.Fatalf("%s: the answer has no X-Request-Id", resp.Request.URL)
	}
	// The line is written once the answer has gone: wait for it.
	for range 500 {
		who := -1
		for i, r := range replicas {
			if strings.Contains(r.out.String(), `"request_id":"`+rid+`"`) {
				if who >= 0 {
					t.Fatalf("request %s is in the logs of two replicas", rid)
				}
				who = i
			}
		}
		if who >= 0 {
			return who
		}
		time.Sleep(10 * time.Millisecond) // polling for a log line, not timing a result
	}
	t.Fatalf("request %s is in no replica's log", rid)
	return -1
}

// Through nginx as configured in deploy/nginx/waymark.conf, over HTTPS, in
// front of two replicas on one database: plain HTTP only redirects, old TLS
// and unknown names are refused, health checks answer, a person signs in
// with password and code, requests reach both replicas and go on when one
// stops, metrics are not public, the access log holds no query string, and
// an X-Forwarded-For the client makes up is not the address Waymark counts
// sign-in failures by.
func TestNginxInFrontOfTwoReplicas(t *testing.T) {
	if testing.Short() {
		t.Skip("starts nginx and two replicas: not with -short")
	}
	needTool(t, nginxBinary, "nginx")
	db, dbURL := sharedDatabase(t)
	p := storetest.NewPartnership(t, db, storetest.NewClock(time.Now().UTC().Truncate(time.Second)))
	r1 := startReplica(t, dbURL, "127.0.0.1:0")
	r2 := startReplica(t, dbURL, "127.0.0.1:0")
	px := startNginx(t, []string{strings.TrimPrefix(r1.url, "http://"), strings.TrimPrefix(r2.url, "http://")})
	pool := px.pool
	c := px.client(t, pool, nil)

	t.Run("plain HTTP only redirects to HTTPS", func(t *testing.T) {
		resp, _ := proxiedGet(t, c, "http://"+publicName+"/sign-in?next=%2F", nil)
		if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != publicSite+"/sign-in?next=%2F" {
			t.Errorf("http:// answered %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		if len(resp.Cookies()) > 0 {
			t.Errorf("plain HTTP set cookies: %v", resp.Cookies())
		}
		req, err := http.NewRequest(http.MethodGet, "http://"+publicName+"/sign-in", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Host = "phishing.example"
		if resp, _ := proxiedSend(t, c, req); resp.Header.Get("Location") != publicSite+"/sign-in" {
			t.Errorf("a request naming another host was redirected to %q", resp.Header.Get("Location"))
		}
	})

	t.Run("TLS 1.2 or newer, for its own name only", func(t *testing.T) {
		resp, _ := proxiedGet(t, c, publicSite+"/healthz", nil)
		if resp.TLS == nil || resp.TLS.Version < tls.VersionTLS12 {
			t.Errorf("TLS state %+v", resp.TLS)
		}
		for name, conf := range map[string]*tls.Config{
			"TLS 1.1":       {RootCAs: pool, ServerName: publicName, MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11},
			"another name":  {RootCAs: pool, ServerName: "intranet.example", InsecureSkipVerify: true},
			"no name (SNI)": {RootCAs: pool, InsecureSkipVerify: true},
		} {
			conn, err := tls.Dial("tcp", px.httpsAddr, conf)
			if err == nil {
				conn.Close()
				t.Errorf("%s: the handshake succeeded", name)
			}
		}
	})

	t.Run("health, readiness, and no public metrics", func(t *testing.T) {
		for path, want := range map[string]int{"/healthz": 200, "/readyz": 200, "/metrics": 404} {
			if resp, body := proxiedGet(t, c, publicSite+path, nil); resp.StatusCode != want {
				t.Errorf("GET %s: %d, want %d: %s", path, resp.StatusCode, want, body)
			}
		}
	})

	t.Run("requests reach both replicas", func(t *testing.T) {
		seen := map[int]int{}
		for range 6 {
			resp, _ := proxiedGet(t, c, publicSite+"/healthz", nil)
			seen[servedBy(t, resp, r1, r2)]++
		}
		if seen[0] == 0 || seen[1] == 0 {
			t.Errorf("six requests were served %d by the first replica, %d by the second", seen[0], seen[1])
		}
	})

	t.Run("the access log holds no query string", func(t *testing.T) {
		proxiedGet(t, c, publicSite+"/cases?q=Adaeze+Okonkwo", nil)
		var b []byte
		for range 500 { // nginx logs a request once its answer has gone: wait for the line
			var err error
			if b, err = os.ReadFile(filepath.Join(px.dir, "access.log")); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(b), "GET /cases") {
				break
			}
			time.Sleep(10 * time.Millisecond) // polling for a log line, not timing a result
		}
		if strings.Contains(string(b), "Adaeze") || !strings.Contains(string(b), "GET /cases ") {
			t.Errorf("access log:\n%s", b)
		}
	})

	// A made-up X-Forwarded-For on every wrong password: were it believed,
	// each guess would come from a new address and none would be slowed.
	t.Run("a forged X-Forwarded-For is not the address Waymark counts", func(t *testing.T) {
		email := p.Teacher.User.Email
		free := casework.DefaultThrottle.AccountSource.Free // failures of one account from one address before it is slowed
		for i := range free {
			body, _ := json.Marshal(map[string]string{"email": email, "password": "not the password at all", "totp": "000000"})
			resp, text := proxiedPost(t, c, publicSite+"/api/v1/sessions", "application/json", string(body),
				http.Header{"X-Forwarded-For": {fmt.Sprintf("203.0.113.%d", 10+i)}})
			if resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("wrong password %d: %d %s", i+1, resp.StatusCode, text)
			}
		}
		body, _ := json.Marshal(map[string]string{"email": email, "password": storetest.Password, "totp": storetest.Code(db, email, time.Now())})
		resp, text := proxiedPost(t, c, publicSite+"/api/v1/sessions", "application/json", string(body),
			http.Header{"X-Forwarded-For": {"203.0.113.99"}})
		if resp.StatusCode != http.StatusTooManyRequests {
			t.Errorf("after %d wrong passwords from one real address under as many made-up ones, the right one answered %d, want 429: %s", free, resp.StatusCode, text)
		}
		for i, r := range []*server{r1, r2} {
			if strings.Contains(r.out.String(), "203.0.113.") {
				t.Errorf("replica %d logged the made-up address:\n%s", i+1, r.out)
			}
		}
	})

	var session *http.Cookie
	t.Run("a person signs in with password and code", func(t *testing.T) {
		u := p.SocialWorker.User
		if resp, body := proxiedGet(t, c, publicSite+"/sign-in", nil); resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /sign-in: %d %s", resp.StatusCode, body)
		}
		form := url.Values{"email": {u.Email}, "password": {storetest.Password}}
		resp, body := proxiedPost(t, c, publicSite+"/sign-in", "application/x-www-form-urlencoded", form.Encode(), nil)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `name="code"`) {
			t.Fatalf("POST /sign-in: %d %s", resp.StatusCode, body)
		}
		form = url.Values{"code": {storetest.Code(db, u.Email, time.Now())}}
		resp, body = proxiedPost(t, c, publicSite+"/sign-in/code", "application/x-www-form-urlencoded", form.Encode(), nil)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("POST /sign-in/code: %d %s", resp.StatusCode, body)
		}
		for _, ck := range resp.Cookies() {
			if ck.Name == "__Host-waymark_session" {
				session = ck
			}
		}
		if session == nil || !session.Secure || !session.HttpOnly {
			t.Fatalf("the session cookie is missing or not Secure and HttpOnly: %v", resp.Cookies())
		}
		resp, body = proxiedGet(t, c, publicSite+"/", nil)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, u.Name) {
			t.Fatalf("GET / signed in: %d\n%s", resp.StatusCode, body)
		}
		if resp.Uncompressed || resp.Header.Get("Content-Encoding") != "" {
			t.Error("a page holding a form token was compressed (BREACH)")
		}
		if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("a page passed through with Cache-Control %q", cc)
		}
		if hsts := resp.Header.Get("Strict-Transport-Security"); hsts == "" {
			t.Error("no HSTS through the proxy")
		}
	})

	t.Run("a document of several megabytes goes through to the case and back", func(t *testing.T) {
		if session == nil {
			t.Skip("no session")
		}
		now := time.Now().UTC().Truncate(time.Second)
		caseID, err := storetest.Service(t, db, storetest.NewClock(now)).RaiseConcern(context.Background(), p.Teacher, storetest.ValidConcern(now))
		if err != nil {
			t.Fatal(err)
		}
		resp, page := proxiedGet(t, c, publicSite+"/cases/"+caseID+"/nrm", nil)
		m := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindStringSubmatch(page)
		if resp.StatusCode != http.StatusOK || m == nil {
			t.Fatalf("GET the NRM page: %d", resp.StatusCode)
		}
		file := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("% scanned page\n"), 300_000)...) // 4.5 MB: past nginx's 1 MiB for other bodies
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		mw.WriteField("csrf_token", html.UnescapeString(m[1]))
		fw, _ := mw.CreateFormFile("file", "scan.pdf")
		fw.Write(file)
		mw.Close()
		resp, out := proxiedPost(t, c, publicSite+"/cases/"+caseID+"/documents", mw.FormDataContentType(), body.String(), nil)
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther || !strings.Contains(loc, "added=") {
			t.Fatalf("the upload through nginx: %d %s", resp.StatusCode, out)
		}
		added := regexp.MustCompile(`added=([0-9a-f]+)`).FindStringSubmatch(loc)[1]
		resp, got := proxiedGet(t, c, publicSite+"/cases/"+caseID+"/documents/"+added, nil)
		if resp.StatusCode != http.StatusOK || got != string(file) || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Fatalf("the download through nginx: %d, %d bytes of %d", resp.StatusCode, len(got), len(file))
		}
	})

	t.Run("one replica stops, the next requests still work", func(t *testing.T) {
		if session == nil {
			t.Skip("no session")
		}
		r1.stop(t)
		var page string
		for i := range 4 {
			resp, body := proxiedGet(t, c, publicSite+"/", nil)
			if resp.StatusCode != http.StatusOK || !strings.Contains(body, p.SocialWorker.User.Name) {
				t.Fatalf("request %d with the first replica down: %d\n%s", i+1, resp.StatusCode, body)
			}
			if servedBy(t, resp, r1, r2) != 1 {
				t.Fatalf("request %d was served by the stopped replica", i+1)
			}
			page = body
		}
		m := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("no sign-out form on the page:\n%s", page)
		}
		resp, _ := proxiedPost(t, c, publicSite+"/sign-out", "application/x-www-form-urlencoded", url.Values{"csrf_token": {m[1]}}.Encode(), nil)
		if resp.StatusCode != http.StatusSeeOther {
			t.Errorf("POST /sign-out with the first replica down: %d", resp.StatusCode)
		}
	})

	if t.Failed() {
		for i, r := range []*server{r1, r2} {
			t.Logf("replica %d:\n%s", i+1, lastLines(r.out.String(), 40))
		}
	}
}

func lastLines(s string, n int) string {
	lines := bytes.Split([]byte(s), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}

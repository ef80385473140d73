package main

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"flag"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writePair writes a self-signed certificate for 127.0.0.1 with the given
// serial number, and its key, and returns the certificate.
func writePair(t *testing.T, certFile, keyFile string, serial int64, modified time.Time) *x509.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "waymark test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{certFile, keyFile} {
		if err := os.Chtimes(f, modified, modified); err != nil { // a renewal is a new modification time; no sleeping for the clock to move
			t.Fatal(err)
		}
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

// handshake connects to addr over TLS and returns the serial number of the
// certificate the server presented.
func handshake(t *testing.T, addr string) int64 {
	t.Helper()
	conn, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true}) // the test reads which certificate was served
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	return conn.ConnectionState().PeerCertificates[0].SerialNumber.Int64()
}

// A renewed certificate is served from the next handshake after the
// reload interval, without a restart; a renewal that does not load is
// logged and the certificate before keeps being served.
func TestARenewedTLSCertificateIsServedWithoutARestart(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	writePair(t, certFile, keyFile, 1, t0)
	now := t0
	var logs strings.Builder
	r, err := newCertReloader(certFile, keyFile, func() time.Time { return now }, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", serverTLS(r))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.(*tls.Conn).Handshake()
			c.Close()
		}
	}()
	addr := ln.Addr().String()
	if got := handshake(t, addr); got != 1 {
		t.Fatalf("served certificate %d, want 1", got)
	}

	writePair(t, certFile, keyFile, 2, t0.Add(time.Hour))
	if got := handshake(t, addr); got != 1 {
		t.Fatalf("files were checked again before the interval: served %d", got)
	}
	now = now.Add(r.every)
	if got := handshake(t, addr); got != 2 {
		t.Fatalf("after renewal served certificate %d, want 2", got)
	}

	os.WriteFile(keyFile, []byte("half-written key"), 0o600)
	os.Chtimes(keyFile, t0.Add(2*time.Hour), t0.Add(2*time.Hour))
	now = now.Add(r.every)
	if got := handshake(t, addr); got != 2 {
		t.Fatalf("after a broken renewal served certificate %d, want 2 still", got)
	}
	if !strings.Contains(logs.String(), "do not load") {
		t.Fatalf("a broken renewal was not logged: %q", logs.String())
	}
}

// serve --tls-cert serves HTTPS, and its cookies are Secure (with HSTS)
// without being told.
func TestServeWithACertificateServesHTTPSWithSecureCookies(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	cert := writePair(t, certFile, keyFile, 3, time.Now())
	newDatabase(t, "--data", filepath.Join(dir, "data"))
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--data", filepath.Join(dir, "data"), "--insecure-no-encryption",
			"--tls-cert", certFile, "--tls-key", keyFile, "--log-level", "error"}, env(nil), nil, pw, io.Discard)
		pw.Close()
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	sc := bufio.NewScanner(pr)
	url := ""
	for sc.Scan() {
		if u, ok := strings.CutPrefix(sc.Text(), "Waymark is listening on "); ok {
			url, _, _ = strings.Cut(u, " ")
			break
		}
	}
	go io.Copy(io.Discard, pr)
	if !strings.HasPrefix(url, "https://") {
		t.Fatalf("serve with a certificate listens on %q", url)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := client.Get(url + "/sign-in")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Strict-Transport-Security") == "" {
		t.Fatalf("GET /sign-in: %d, Strict-Transport-Security %q", resp.StatusCode, resp.Header.Get("Strict-Transport-Security"))
	}
	for _, tt := range []struct {
		args []string
		vars map[string]string
		want bool
	}{
		{[]string{"--tls-cert", "c.pem", "--tls-key", "k.pem"}, nil, true},
		{[]string{"--tls-cert", "c.pem", "--tls-key", "k.pem", "--secure-cookies=false"}, nil, false},
		{[]string{"--tls-cert", "c.pem", "--tls-key", "k.pem"}, map[string]string{"WAYMARK_SECURE_COOKIES": "false"}, false},
		{nil, nil, false},
		{nil, map[string]string{"WAYMARK_SECURE_COOKIES": "true"}, true},
	} {
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		var c config
		c.flags(fs, env(tt.vars), "127.0.0.1:0")
		if err := c.parse(fs, tt.args); err != nil {
			t.Fatal(err)
		}
		if got := c.secureCookies(); got != tt.want {
			t.Errorf("%v %v: Secure cookies %v, want %v", tt.args, tt.vars, got, tt.want)
		}
	}
}

// A TLS key every user of the machine can read is refused, naming the chmod.
func TestATLSKeyEveryoneCanReadIsRefused(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	writePair(t, certFile, keyFile, 4, time.Now())
	os.Chmod(keyFile, 0o644)
	err := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--data", filepath.Join(dir, "data"), "--insecure-no-encryption", "--tls-cert", certFile, "--tls-key", keyFile}, env(nil), nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "chmod 600 "+keyFile) {
		t.Fatalf("serve with a world-readable TLS key: %v", err)
	}
}

// "localhost" passes checkListen by name; the address actually bound is
// checked as well, so a hosts file that maps localhost to a network
// address does not put plain HTTP on the network. TLS or --insecure-http
// accept any address, as before.
func TestPlainHTTPIsRefusedWhenLocalhostIsBoundToANetworkAddress(t *testing.T) {
	c := config{addr: "localhost:8080"}
	if err := c.checkListen(); err != nil {
		t.Fatalf("checkListen by name: %v", err)
	}
	lan := &net.TCPAddr{IP: net.ParseIP("10.0.0.5"), Port: 8080}
	if err := c.checkListened(lan); err == nil || !strings.Contains(err.Error(), "/etc/hosts") {
		t.Fatalf("bound to %s: %v", lan, err)
	}
	for _, ok := range []net.Addr{&net.TCPAddr{IP: net.ParseIP("127.0.0.1"), Port: 8080}, &net.TCPAddr{IP: net.IPv6loopback, Port: 8080}} {
		if err := c.checkListened(ok); err != nil {
			t.Errorf("bound to %s: %v", ok, err)
		}
	}
	c.tls.insecureHTTP = true
	if err := c.checkListened(lan); err != nil {
		t.Errorf("--insecure-http bound to %s: %v", lan, err)
	}
}

package main

import (
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sync"
	"time"
)

// Serving over the network (docs/operations.md "TLS"): children's case
// records never cross a network in plain text by accident. serve refuses
// plain HTTP on an address other machines can reach unless TLS is
// configured here (--tls-cert/--tls-key) or --insecure-http says a TLS proxy
// on a private network terminates it.

type tlsConfig struct {
	cert, key    string
	insecureHTTP bool
}

func (c *config) tlsFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.tls.cert, "tls-cert", "", "PEM certificate chain to serve HTTPS with, reloaded when the file changes; needs --tls-key (WAYMARK_TLS_CERT)")
	fs.StringVar(&c.tls.key, "tls-key", "", "PEM private key of --tls-cert, readable by no other user (mode 0600, or 0640 with a group) (WAYMARK_TLS_KEY)")
	fs.BoolVar(&c.tls.insecureHTTP, "insecure-http", false, "serve plain HTTP on an address other machines can reach: only behind a TLS proxy on a private network (WAYMARK_INSECURE_HTTP)")
}

// checkListen refuses plain HTTP on a non-loopback address without TLS or
// --insecure-http, and half a TLS configuration.
func (c *config) checkListen() error {
	if (c.tls.cert == "") != (c.tls.key == "") {
		return errors.New("--tls-cert and --tls-key go together: give both, or neither")
	}
	if c.metrics.addr != "" && c.metrics.tokenFile == "" && wildcard(c.metrics.addr) {
		return fmt.Errorf("refusing to serve /metrics without a token on %s, every network this machine is on: "+
			"name the monitoring network's address (--metrics-addr 10.0.0.5:9090) or 127.0.0.1 for a local agent, or give --metrics-token-file (WAYMARK_METRICS_TOKEN_FILE)", c.metrics.addr)
	}
	if c.tls.cert != "" || c.tls.insecureHTTP || loopback(c.addr) {
		return nil
	}
	return fmt.Errorf("refusing to serve plain HTTP on %s, which other machines can reach: children's records would cross the network unencrypted. "+
		"Give --tls-cert and --tls-key (WAYMARK_TLS_CERT, WAYMARK_TLS_KEY) to serve HTTPS, or, behind a TLS proxy on a private network, "+
		"pass --insecure-http (WAYMARK_INSECURE_HTTP); to listen on this machine only use --addr 127.0.0.1:PORT", c.addr)
}

// checkListened is checkListen for the address actually bound: "localhost"
// is taken for loopback by name, and a hosts file that maps it elsewhere
// would otherwise put plain HTTP on the network.
func (c *config) checkListened(a net.Addr) error {
	if c.tls.cert != "" || c.tls.insecureHTTP {
		return nil
	}
	if tcp, ok := a.(*net.TCPAddr); ok && tcp.IP.IsLoopback() {
		return nil
	}
	return fmt.Errorf("refusing to serve plain HTTP: --addr %s resolved to %s, which other machines can reach (check /etc/hosts): "+
		"use --addr 127.0.0.1:PORT, or give --tls-cert and --tls-key, or --insecure-http behind a TLS proxy", c.addr, a)
}

// secureCookies says whether cookies are marked Secure (and HSTS sent):
// as --secure-cookies (WAYMARK_SECURE_COOKIES) says when given, and on by
// default when Waymark serves HTTPS itself.
func (c *config) secureCookies() bool {
	if c.tls.cert != "" && !c.given["secure-cookies"] {
		return true
	}
	return c.secure
}

// loopback says whether addr (host:port) listens on this machine only.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// wildcard says whether addr (host:port) listens on every address of the
// machine: an empty host, 0.0.0.0 or [::].
func wildcard(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false // net.Listen refuses it
	}
	ip := net.ParseIP(host)
	return host == "" || ip != nil && ip.IsUnspecified()
}

// certReloader serves the certificate in certFile/keyFile, reloading it when
// either file's modification time changes, checked at most every `every`
// on a handshake. A new pair that does not load is logged and the one
// before keeps being served.
type certReloader struct {
	certFile, keyFile string
	every             time.Duration
	now               func() time.Time
	log               *slog.Logger

	mu              sync.Mutex
	cert            *tls.Certificate
	certMod, keyMod time.Time
	checked         time.Time
}

func newCertReloader(certFile, keyFile string, now func() time.Time, log *slog.Logger) (*certReloader, error) {
	r := &certReloader{certFile: certFile, keyFile: keyFile, every: 5 * time.Second, now: now, log: log}
	if err := r.reload(); err != nil {
		return nil, err
	}
	return r, nil
}

// loadPair loads the certificate and key, refusing a key others can read.
func loadPair(certFile, keyFile string) (*tls.Certificate, error) {
	info, err := os.Stat(keyFile)
	if err != nil {
		return nil, fmt.Errorf("--tls-key: %w", err)
	}
	// Group-readable is allowed: Debian keeps keys 0640 root:ssl-cert.
	if info.Mode().Perm()&0o007 != 0 {
		return nil, fmt.Errorf("the TLS key %s can be read by every user of the machine (mode %04o): run `chmod 600 %s` (or 640 with a group only Waymark is in)", keyFile, info.Mode().Perm(), keyFile)
	}
	pair, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("TLS certificate %s and key %s: %w", certFile, keyFile, err)
	}
	return &pair, nil
}

// reload loads the pair if either file changed since it was last loaded.
func (r *certReloader) reload() error {
	ci, err := os.Stat(r.certFile)
	if err != nil {
		return fmt.Errorf("--tls-cert: %w", err)
	}
	ki, err := os.Stat(r.keyFile)
	if err != nil {
		return fmt.Errorf("--tls-key: %w", err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.checked = r.now()
	if r.cert != nil && ci.ModTime().Equal(r.certMod) && ki.ModTime().Equal(r.keyMod) {
		return nil
	}
	pair, err := loadPair(r.certFile, r.keyFile)
	if err != nil {
		return err
	}
	r.cert, r.certMod, r.keyMod = pair, ci.ModTime(), ki.ModTime()
	if r.log != nil {
		r.log.Info("loaded the TLS certificate", "cert", r.certFile)
	}
	return nil
}

// GetCertificate is tls.Config.GetCertificate.
func (r *certReloader) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	r.mu.Lock()
	due := r.now().Sub(r.checked) >= r.every
	r.mu.Unlock()
	if due {
		if err := r.reload(); err != nil {
			r.mu.Lock()
			r.checked = r.now() // once per interval, not once per handshake
			r.mu.Unlock()
			if r.log != nil {
				r.log.Error("the TLS certificate files changed but do not load: still serving the one loaded before", "err", err)
			}
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.cert, nil
}

// serverTLS is the TLS configuration serve listens with.
func serverTLS(r *certReloader) *tls.Config {
	return &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: r.GetCertificate, NextProtos: []string{"h2", "http/1.1"}}
}

// Package notifytest runs a small SMTP server on the loopback interface
// inside a test, so that emails go through a real SMTP conversation and the
// test can read exactly what was sent.
package notifytest

import (
	"bufio"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// Mail is one message the server accepted.
type Mail struct {
	From string
	To   []string
	Data string // headers and body, as sent
}

// Server is a running loopback SMTP server.
type Server struct {
	Addr string
	ln   net.Listener
	t    testing.TB

	mu         sync.Mutex
	mails      []Mail
	failing    bool
	hangUpQuit bool
	holds      map[string]*hold // command -> the next session to stop there
	arrived    chan struct{}
}

// hold stops the next session that sends its command, before answering it.
type hold struct {
	held    chan string   // the sender's address, when a session is waiting
	release chan struct{} // closed to let it go on
}

// New starts a server on 127.0.0.1; it stops when the test ends.
func New(t testing.TB) *Server {
	t.Helper()
	return NewAt(t, "127.0.0.1:0")
}

// NewAt starts a server listening on addr (a loopback address), for a test
// that needs a relay to appear where there was none.
func NewAt(t testing.TB, addr string) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Addr: ln.Addr().String(), ln: ln, t: t, arrived: make(chan struct{}, 100)}
	go s.serve()
	t.Cleanup(func() { ln.Close() })
	return s
}

// SetFailing makes the server refuse recipients with a temporary error
// (451), as a relay that is down would.
func (s *Server) SetFailing(f bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failing = f
}

// SetHangUpOnQuit makes the server close the connection when it is told
// QUIT, without answering, as a relay that drops the line after taking a
// message may: what it took with 250 is still sent on.
func (s *Server) SetHangUpOnQuit(b bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hangUpQuit = b
}

// Hold makes the next session that sends cmd ("DATA" or "QUIT") stop
// there, unanswered, until release is called (at the latest when the test
// ends); held gives the sender's address (host:port) once it is waiting
// there. Held at DATA, the
// sender has sent no message yet: if it goes away meanwhile, nothing is
// accepted. QUIT is held only in a session that sent a message, which was
// accepted already (a probe's QUIT is not).
func (s *Server) Hold(cmd string) (held <-chan string, release func()) {
	h := &hold{held: make(chan string, 1), release: make(chan struct{})}
	s.mu.Lock()
	if s.holds == nil {
		s.holds = map[string]*hold{}
	}
	s.holds[strings.ToUpper(cmd)] = h
	s.mu.Unlock()
	var once sync.Once
	release = func() { once.Do(func() { close(h.release) }) }
	s.t.Cleanup(release)
	return h.held, release
}

// HoldMidData makes the next session that sends a message stop in the
// middle of its data, after the first line and before the final dot,
// until release is called; then the server drops the connection without
// accepting anything, as when the sender's process is killed mid-send.
// held gives the sender's address once it is waiting there.
func (s *Server) HoldMidData() (held <-chan string, release func()) {
	return s.Hold(midData)
}

const midData = "MID-DATA"

// waitMidData stops the session mid-data if HoldMidData asked, and reports
// whether it did (and so the connection must be dropped).
func (s *Server) waitMidData(conn net.Conn) bool {
	s.mu.Lock()
	h := s.holds[midData]
	delete(s.holds, midData)
	s.mu.Unlock()
	if h == nil {
		return false
	}
	h.held <- conn.RemoteAddr().String()
	<-h.release
	return true
}

// wait stops the session at cmd if a hold is set for it.
func (s *Server) wait(conn net.Conn, cmd string) {
	s.mu.Lock()
	h := s.holds[cmd]
	delete(s.holds, cmd)
	s.mu.Unlock()
	if h != nil {
		h.held <- conn.RemoteAddr().String()
		<-h.release
	}
}

// Mails returns the messages accepted so far.
func (s *Server) Mails() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.mails...)
}

// Wait waits until n messages have arrived, or the timeout passes.
func (s *Server) Wait(n int, timeout time.Duration) []Mail {
	deadline := time.After(timeout)
	for {
		if m := s.Mails(); len(m) >= n {
			return m
		}
		select {
		case <-s.arrived:
		case <-deadline:
			return s.Mails()
		}
	}
}

func (s *Server) serve() {
	for {
		conn, err := s.ln.Accept()
		if err != nil {
			return
		}
		go s.session(conn)
	}
}

func (s *Server) session(conn net.Conn) {
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	r := bufio.NewReader(conn)
	reply := func(line string) { conn.Write([]byte(line + "\r\n")) }
	reply("220 localhost ESMTP notifytest")
	var m Mail
	sent := false
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			reply("250-localhost")
			reply("250 8BITMIME")
		case strings.HasPrefix(cmd, "MAIL FROM:"):
			m = Mail{From: address(line[10:])}
			reply("250 OK")
		case strings.HasPrefix(cmd, "RCPT TO:"):
			s.mu.Lock()
			failing := s.failing
			s.mu.Unlock()
			if failing {
				reply("451 Try again later")
				continue
			}
			m.To = append(m.To, address(line[8:]))
			reply("250 OK")
		case cmd == "DATA":
			s.wait(conn, "DATA")
			reply("354 End data with <CR><LF>.<CR><LF>")
			var data strings.Builder
			for first := true; ; first = false {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if first && s.waitMidData(conn) {
					return // the line dropped before the final dot: nothing accepted
				}
				if l == ".\r\n" || l == ".\n" {
					break
				}
				data.WriteString(strings.TrimPrefix(l, "."))
			}
			m.Data = data.String()
			s.mu.Lock()
			s.mails = append(s.mails, m)
			s.mu.Unlock()
			select {
			case s.arrived <- struct{}{}:
			default:
			}
			sent = true
			reply("250 OK: queued")
		case cmd == "RSET", cmd == "NOOP":
			reply("250 OK")
		case cmd == "QUIT":
			if sent {
				s.wait(conn, "QUIT")
			}
			s.mu.Lock()
			hangUp := s.hangUpQuit
			s.mu.Unlock()
			if hangUp {
				return
			}
			reply("221 Bye")
			return
		default:
			reply("502 Command not implemented")
		}
	}
}

// address reads the path of MAIL FROM or RCPT TO, without its parameters.
func address(arg string) string {
	arg = strings.TrimSpace(arg)
	if i := strings.Index(arg, ">"); i >= 0 {
		arg = arg[:i]
	}
	return strings.Trim(arg, "<> ")
}

// FreeAddr is a loopback address where nothing listens (yet).
func FreeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

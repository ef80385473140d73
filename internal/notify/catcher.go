package notify

import (
	"bufio"
	"net"
	"net/mail"
	"strings"
	"sync"
	"time"
)

// Catcher is the demo's mail catcher: a small SMTP server on the loopback
// interface that takes every message Waymark sends through the real
// protocol and keeps it in memory, instead of passing it on, so that a
// newcomer can read on /demo/mail what would have been sent. It keeps the
// newest CatcherKeeps messages. It is for the demo only: `serve` never
// starts one.
type Catcher struct {
	Addr string
	ln   net.Listener
	now  func() time.Time

	mu    sync.Mutex
	mails []CaughtMail
}

// CatcherKeeps is how many messages the catcher keeps.
const CatcherKeeps = 500

// CaughtMail is one message the catcher took.
type CaughtMail struct {
	To         string
	Subject    string
	MessageID  string
	Body       string
	ReceivedAt time.Time
}

// StartCatcher listens on addr (a loopback address, e.g. 127.0.0.1:0)
// until Close.
func StartCatcher(addr string, now func() time.Time) (*Catcher, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	c := &Catcher{Addr: ln.Addr().String(), ln: ln, now: now}
	go c.serve()
	return c, nil
}

// Close stops the catcher.
func (c *Catcher) Close() error { return c.ln.Close() }

// Mails returns the messages caught, newest first, to recipient only (all
// when recipient is "").
func (c *Catcher) Mails(recipient string) []CaughtMail {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []CaughtMail
	for i := len(c.mails) - 1; i >= 0; i-- {
		if recipient == "" || strings.EqualFold(c.mails[i].To, recipient) {
			out = append(out, c.mails[i])
		}
	}
	return out
}

func (c *Catcher) serve() {
	for {
		conn, err := c.ln.Accept()
		if err != nil {
			return
		}
		go c.session(conn)
	}
}

func (c *Catcher) session(conn net.Conn) {
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(time.Minute))
	r := bufio.NewReader(conn)
	reply := func(line string) { conn.Write([]byte(line + "\r\n")) }
	reply("220 localhost ESMTP Waymark demo mail catcher")
	var to []string
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
			to = nil
			reply("250 OK")
		case strings.HasPrefix(cmd, "RCPT TO:"):
			arg := strings.TrimSpace(line[8:])
			if i := strings.Index(arg, ">"); i >= 0 {
				arg = arg[:i]
			}
			to = append(to, strings.Trim(arg, "<> "))
			reply("250 OK")
		case cmd == "DATA":
			if len(to) == 0 {
				reply("503 RCPT first")
				continue
			}
			reply("354 End data with <CR><LF>.<CR><LF>")
			var data strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" || l == ".\n" {
					break
				}
				data.WriteString(strings.TrimPrefix(l, "."))
			}
			c.keep(to, data.String())
			reply("250 OK: caught")
		case cmd == "RSET", cmd == "NOOP":
			reply("250 OK")
		case cmd == "QUIT":
			reply("221 Bye")
			return
		default:
			reply("502 Command not implemented")
		}
	}
}

func (c *Catcher) keep(to []string, data string) {
	m := CaughtMail{ReceivedAt: c.now().UTC()}
	if msg, err := mail.ReadMessage(strings.NewReader(data)); err == nil {
		m.Subject = msg.Header.Get("Subject")
		m.MessageID = msg.Header.Get("Message-ID")
		var b strings.Builder
		s := bufio.NewScanner(msg.Body)
		for s.Scan() {
			b.WriteString(s.Text() + "\n")
		}
		m.Body = b.String()
	} else {
		m.Body = data
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, rcpt := range to {
		m.To = rcpt
		c.mails = append(c.mails, m)
	}
	if n := len(c.mails) - CatcherKeeps; n > 0 {
		c.mails = append([]CaughtMail(nil), c.mails[n:]...)
	}
}

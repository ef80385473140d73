// Package notify tells people that something in Waymark needs them. Emails
// carry no child details at all — no name, no reference, no reason — only
// that there is something for them and a link to sign in: an inbox is not a
// safe place for a child's story, and emails are forwarded, read over
// shoulders and kept for years.
package notify

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/smtp"
	"strings"
	"time"
)

// Message is one email. Build it with AlertMessage or InvitationMessage:
// nothing else is sent.
type Message struct {
	Subject string
	Body    string
	// ID, when set, makes the Message-ID header: the same ID on every try,
	// so that a second copy (a sender killed after the relay took the first
	// but before it could record so) can be recognised as the same message
	// by the relay and the reader's mail program. Random when empty.
	ID string
}

// AlertMessage is the alert email: that there is something for
// the reader, with a link to the page that shows it once signed in.
func AlertMessage(link string) Message {
	return Message{
		Subject: "There is something for you in Waymark",
		Body: "There is something for you in Waymark.\r\n\r\n" +
			"Sign in to see it: " + link + "\r\n\r\n" +
			"This email does not say what it is about, on purpose: details stay in Waymark.\r\n" +
			"If you did not expect this email, tell your Waymark administrator.\r\n",
	}
}

// InvitationMessage asks a person an administrator added to set their
// first password, with the one-time link. It says nothing else.
func InvitationMessage(link string, validFor time.Duration) Message {
	return Message{
		Subject: "Set your Waymark password",
		Body: "You have been given an account in Waymark.\r\n\r\n" +
			"Set your password here: " + link + "\r\n\r\n" +
			"The link works once, for " + fmt.Sprint(int(validFor.Hours())) + " hours. You will then set up two-step verification when you first sign in.\r\n" +
			"If you did not expect this email, do not use the link: tell your Waymark administrator.\r\n",
	}
}

// Mailer sends email through an SMTP relay with the standard library's
// client. It uses STARTTLS whenever the relay offers it, and insists on it
// unless the relay is on this machine or AllowPlaintext is set.
type Mailer struct {
	Addr           string // host:port of the relay
	From           string // the envelope and header sender
	Username       string // optional: PLAIN authentication, over TLS only
	Password       string
	AllowPlaintext bool          // send without TLS to a relay elsewhere (not advised)
	TLS            *tls.Config   // optional: e.g. the relay's CA for tests
	Timeout        time.Duration // of one whole send; DefaultTimeout when zero
	Hostname       string        // the name this client gives in EHLO
}

// DefaultTimeout bounds one send when the Mailer has no Timeout.
const DefaultTimeout = 30 * time.Second

// SendTimeout is the longest one Send can take: the connection's deadline.
// A claim on an email held longer than this by a sender that has not
// recorded the outcome means the sender is gone (casework.AlertEmailLease).
func (m *Mailer) SendTimeout() time.Duration {
	if m == nil || m.Timeout <= 0 {
		return DefaultTimeout
	}
	return m.Timeout
}

// Send delivers msg to one recipient.
func (m *Mailer) Send(ctx context.Context, to string, msg Message) error {
	if m == nil || m.Addr == "" {
		return errors.New("notify: no SMTP relay configured")
	}
	if _, err := mail.ParseAddress(to); err != nil || strings.ContainsAny(to, "\r\n") {
		return fmt.Errorf("notify: bad recipient address %q", to)
	}
	from, err := mail.ParseAddress(m.From)
	if err != nil {
		return fmt.Errorf("notify: bad sender address %q", m.From)
	}
	ctx, cancel := context.WithTimeout(ctx, m.SendTimeout())
	defer cancel()
	c, host, err := m.connect(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	if m.Hostname != "" {
		if err := c.Hello(m.Hostname); err != nil {
			return fmt.Errorf("notify: EHLO: %w", err)
		}
	}
	if ok, _ := c.Extension("STARTTLS"); ok {
		cfg := m.TLS
		if cfg == nil {
			cfg = &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
		}
		if err := c.StartTLS(cfg); err != nil {
			return fmt.Errorf("notify: STARTTLS: %w", err)
		}
	} else if !m.plaintextAllowed(host) {
		return fmt.Errorf("notify: %s does not offer STARTTLS; refusing to send in plain text", m.Addr)
	}
	if m.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", m.Username, m.Password, host)); err != nil {
			return fmt.Errorf("notify: authenticating: %w", err)
		}
	}
	if err := c.Mail(from.Address); err != nil {
		return fmt.Errorf("notify: MAIL FROM: %w", err)
	}
	if err := c.Rcpt(to); err != nil {
		return fmt.Errorf("notify: RCPT TO: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("notify: DATA: %w", err)
	}
	if _, err := w.Write(m.compose(from, to, msg)); err != nil {
		return fmt.Errorf("notify: writing message: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("notify: ending message: %w", err)
	}
	// The relay answered 250 to the end of the data: the message is its
	// responsibility now (RFC 5321 §4.1.1.4), whatever happens to QUIT. Say
	// QUIT without waiting for the answer: a relay that hangs up or stalls
	// there must not make the caller think the message was not sent, try
	// again and send it twice, nor keep it from recording the send.
	c.Text.PrintfLine("QUIT")
	return nil
}

// ProbeTimeout bounds Probe when the Mailer has no shorter Timeout.
const ProbeTimeout = 5 * time.Second

// Probe tells whether the relay answers: it connects, reads the greeting,
// says EHLO and QUIT, and sends nothing. `serve` calls it at start, to warn
// then rather than at the first alert, and /readyz every 30 seconds
// (docs/operations.md "Readiness"). A relay elsewhere that does not offer
// STARTTLS fails too, since Send would refuse it.
func (m *Mailer) Probe(ctx context.Context) error {
	if m == nil || m.Addr == "" {
		return errors.New("notify: no SMTP relay configured")
	}
	timeout := ProbeTimeout
	if m.Timeout > 0 && m.Timeout < timeout {
		timeout = m.Timeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	c, host, err := m.connect(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	name := m.Hostname
	if name == "" {
		name = "localhost"
	}
	if err := c.Hello(name); err != nil {
		return fmt.Errorf("notify: EHLO to %s: %w", m.Addr, err)
	}
	if ok, _ := c.Extension("STARTTLS"); !ok && !m.plaintextAllowed(host) {
		return fmt.Errorf("notify: %s does not offer STARTTLS, so no alert would be sent through it", m.Addr)
	}
	return c.Quit()
}

// connect dials the relay and reads its greeting; the connection's
// deadline is ctx's. It returns the client and the relay's host name.
func (m *Mailer) connect(ctx context.Context) (*smtp.Client, string, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", m.Addr)
	if err != nil {
		return nil, "", fmt.Errorf("notify: connecting to %s: %w", m.Addr, err)
	}
	deadline, _ := ctx.Deadline()
	conn.SetDeadline(deadline)
	host, _, _ := net.SplitHostPort(m.Addr)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return nil, "", fmt.Errorf("notify: greeting from %s: %w", m.Addr, err)
	}
	return c, host, nil
}

func (m *Mailer) compose(from *mail.Address, to string, msg Message) []byte {
	id := make([]byte, 12)
	rand.Read(id)
	domain := "waymark.invalid"
	if at := strings.LastIndex(from.Address, "@"); at >= 0 {
		domain = from.Address[at+1:]
	}
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\n", from.String())
	fmt.Fprintf(&b, "To: %s\r\n", to)
	fmt.Fprintf(&b, "Subject: %s\r\n", oneLine(msg.Subject))
	fmt.Fprintf(&b, "Date: %s\r\n", time.Now().UTC().Format(time.RFC1123Z))
	msgID := hex.EncodeToString(id)
	if msg.ID != "" {
		msgID = "waymark-" + strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.' {
				return r
			}
			return -1
		}, msg.ID)
	}
	fmt.Fprintf(&b, "Message-ID: <%s@%s>\r\n", msgID, domain)
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\nAuto-Submitted: auto-generated\r\n\r\n")
	b.WriteString(msg.Body)
	return []byte(b.String())
}

func oneLine(s string) string { return strings.NewReplacer("\r", " ", "\n", " ").Replace(s) }

// plaintextAllowed: without STARTTLS, only a relay on this machine (or one
// the operator explicitly allowed) may be used.
func (m *Mailer) plaintextAllowed(host string) bool { return m.AllowPlaintext || isLoopback(host) }

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

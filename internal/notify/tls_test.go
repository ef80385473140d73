package notify

import "testing"

// A relay on another host that does not offer STARTTLS is refused: emails
// would cross the network in plain text.
func TestPlainTextOnlyToARelayOnThisMachine(t *testing.T) {
	m := &Mailer{}
	for host, want := range map[string]bool{"localhost": true, "127.0.0.1": true, "::1": true, "smtp.partnership.example": false, "192.0.2.10": false} {
		if got := m.plaintextAllowed(host); got != want {
			t.Errorf("plain text to %s allowed %v, want %v", host, got, want)
		}
	}
	m.AllowPlaintext = true
	if !m.plaintextAllowed("smtp.partnership.example") {
		t.Error("AllowPlaintext is ignored")
	}
}

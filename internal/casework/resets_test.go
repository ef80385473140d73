package casework_test

import (
	"testing"
	"time"

	"waymark"
	"waymark/internal/access"
	"waymark/internal/casework"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// A password or authenticator reset is what an operator does when someone
// else may know the old one, so it must end everything that lets that
// someone in without signing in again: sessions and API tokens alike. Both
// resets, and disabling, are audited.
func TestAResetEndsEverySessionAndTokenTheAccountHad(t *testing.T) {
	for _, reset := range []struct {
		name   string
		action string
		do     func(p *partnership, email string) error
	}{
		{"password", casework.ActionPasswordReset, func(p *partnership, email string) error {
			hash, err := access.HashPassword("a brand new password 2026", storetest.FastArgon)
			if err != nil {
				return err
			}
			return p.svc.ResetPassword(p.ctx, email, hash)
		}},
		{"authenticator", casework.ActionMFAReset, func(p *partnership, email string) error { return p.svc.ResetMFA(p.ctx, email) }},
		{"disable", casework.ActionUserDisabled, func(p *partnership, email string) error { return p.svc.DisableUser(p.ctx, email) }},
	} {
		t.Run(reset.name, func(t *testing.T) {
			storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
				p := newPartnership(t, db)
				sess := p.session(p.SocialWorker)
				other := p.session(p.SocialWorker)
				tok, _, err := p.svc.CreateAPIToken(p.ctx, p.SocialWorker, sess, "Laptop script", []string{casework.ScopeWrite}, 300*24*time.Hour)
				if err != nil {
					t.Fatal(err)
				}
				p.mustBearer(tok)
				p.mustBearer(other)
				since := p.auditHead()

				if err := reset.do(p, p.SocialWorker.User.Email); err != nil {
					t.Fatal(err)
				}

				for name, cred := range map[string]string{"API token": tok, "session": sess, "other session": other} {
					if _, err := p.bearer(cred); waymark.ErrorCode(err) != waymark.EUNAUTHORIZED {
						t.Errorf("after the %s reset the %s still works: %v", reset.name, name, err)
					}
				}
				var found bool
				for _, e := range p.auditSince(since) {
					if e.Action == reset.action && e.Detail == "for "+p.SocialWorker.User.ID {
						found = true
					}
				}
				if !found {
					t.Errorf("the %s reset is not in the audit log: %+v", reset.name, p.auditSince(since))
				}
			})
		})
	}
}

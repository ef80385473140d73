package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Staff accounts through their pages in a real browser, without
// JavaScript (plain forms), axe-core on every page and each page checked at
// 320 CSS pixels wide: the administrator lists people, adds one with a
// mistake first (the error summary), then properly, disables the account
// from its page, enables it again, disables it with the list's checkboxes,
// and sees the organisations.
func TestStaffAccountsThroughThePages(t *testing.T) {
	b := newBrowserFor(t, false, 4*time.Minute)
	// A long address (people's work addresses often are) must wrap, not
	// push the list or the person's page sideways at 320 px.
	email := "rowan.hale.safeguarding.designated.lead." + strings.ToLower(time.Now().Format("150405.000")) + "@northfield-academy-trust-schools.example"
	email = strings.ReplaceAll(email, ".@", "@")

	b.signIn(adminEmail, adminName)
	b.nav("/admin/staff")
	b.expectHeading("Staff accounts")
	b.expectText(teacherName)
	b.narrow("staff-list")

	b.click(`main a[href="/admin/staff/new"]`)
	b.expectHeading("Add a person")
	b.confirmStaffAdmin()
	b.fill("email", "rowan at northfield")
	b.fill("name", "Rowan Hale")
	b.setValue("organisation", selectValue(b, "organisation", "Northfield"))
	b.tick("role") // the first role: practitioner
	if status := b.click(`main form[action="/admin/staff"] button[type="submit"]`); status != 422 {
		t.Errorf("adding with a wrong email address: status %d, want 422", status)
	}
	b.expectErrorSummary("email")
	b.narrow("staff-add-error")
	b.setValue("email", "")
	b.fill("email", email)
	if !b.checked("role") {
		b.tick("role")
	}
	if status := b.click(`main form[action="/admin/staff"] button[type="submit"]`); status != 200 {
		b.fatalf("adding the person: status %d, want 200 after the redirect", status)
	}
	b.expectHeading("Rowan Hale")
	b.expectText("Account added", email, "Practitioner")
	b.narrow("staff-person")

	b.click(`main form[action$="/disable"] button[type="submit"]`)
	b.expectText("Account disabled", "Disabled")
	b.narrow("staff-person-disabled")
	b.click(`main form[action$="/enable"] button[type="submit"]`)
	b.expectText("Account enabled", "Active")

	b.nav("/admin/staff")
	b.open("/admin/staff?organisation=" + selectValue(b, "organisation", "Northfield") + "&status=active")
	id := run(b, "finding Rowan's checkbox", chromedp.Evaluate[string](`(Array.from(document.querySelectorAll('input[name="users"]')).find(i => i.closest('tr').textContent.includes('Rowan Hale')) || {id: ""}).id`))
	if id == "" {
		b.fatalf("Rowan Hale is not in the list of Northfield's active people")
	}
	b.tick(id)
	if status := b.click(`main form[action="/admin/staff/disable"] button[type="submit"]`); status != 200 {
		t.Errorf("disabling the selected accounts: status %d, want 200 after the redirect", status)
	}
	b.expectText("The selected accounts are disabled")
	b.narrow("staff-list-long-address")

	b.click(`main a[href="/admin/organisations"]`)
	b.expectHeading("Organisations")
	b.expectText("Northfield Academy", "school")
	b.narrow("organisations")
	b.signOut()

	// The page an emailed link opens (the demo sends no email: a made-up link).
	b.open("/sign-in/first-password?token=made-up")
	b.expectHeading("Set your password")
	b.fill("password", "short")
	b.fill("confirmPassword", "short")
	if status := b.click(`main form[action="/sign-in/first-password"] button[type="submit"]`); status != 422 {
		t.Errorf("a short password: status %d, want 422", status)
	}
	b.expectErrorSummary("password")
	b.narrow("first-password-error")
}

// confirmStaffAdmin answers "Confirm it is you" if the page asks.
func (b *browser) confirmStaffAdmin() {
	b.t.Helper()
	if !b.exists(`form[action="/admin/staff/confirm"]`) {
		return
	}
	b.narrow("staff-confirm")
	b.fill("confirm", demoPassword)
	b.click(`main form[action="/admin/staff/confirm"] button[type="submit"]`)
}

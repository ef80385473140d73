package main

import (
	"flag"

	"waymark/internal/web"
)

// contactFlags are the partnership's help and contact details, which the help
// page every page's footer links to shows (web.Contact). The demo has its own
// partnership's; a real one has none until they are set.
func (c *config) contactFlags(fs *flag.FlagSet, withDemo bool) {
	var d web.Contact
	if withDemo {
		d = web.Contact{Name: "the Eastshire Safeguarding Children Partnership's business support team",
			Email: "waymark.support@eastshire.example", Phone: "01632 960 000",
			Hours: "Monday to Friday, 9am to 5pm (not bank holidays)"}
	}
	fs.StringVar(&c.contact.Name, "contact-name", d.Name, "who the help page tells people to contact about Waymark, e.g. the partnership's business support team (WAYMARK_CONTACT_NAME)")
	fs.StringVar(&c.contact.Email, "contact-email", d.Email, "email address on the help page (WAYMARK_CONTACT_EMAIL)")
	fs.StringVar(&c.contact.Phone, "contact-phone", d.Phone, "telephone number on the help page (WAYMARK_CONTACT_PHONE)")
	fs.StringVar(&c.contact.Hours, "contact-hours", d.Hours, "when that telephone is answered, as the help page says it (WAYMARK_CONTACT_HOURS)")
}

package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"waymark/internal/casework"
	"waymark/internal/notify"
	"waymark/internal/pathway"
	"waymark/internal/web"
)

// reminderConfig is the configuration of the email reminders (issue 15
// §2; docs/operations.md "Email reminders"), and of the demo's mail
// catcher.
type reminderConfig struct {
	on       bool
	hours    string
	leads    string
	interval time.Duration
	demoAll  bool // demo only: /demo/mail shows everyone's mail
}

func (c *config) reminderFlags(fs *flag.FlagSet, withDemo bool) {
	r := &c.reminders
	fs.BoolVar(&r.on, "reminders", true, "email people before their deadlines fall due, when they are overdue (and their managers), and a morning digest of My work, through the --smtp-addr relay (WAYMARK_REMINDERS)")
	fs.StringVar(&r.hours, "reminder-hours", "08:00-18:00", "working hours, London time, on working days: reminders that are not emergencies found outside them wait for the start of the next working day, when the digest goes too (WAYMARK_REMINDER_HOURS)")
	fs.StringVar(&r.leads, "reminder-leads", "24h=4h,72h=12h,*=24h", "how long before a deadline its reminder goes, by the deadline's length: LENGTH=LEAD pairs, shortest first, * for any longer (WAYMARK_REMINDER_LEADS)")
	fs.DurationVar(&r.interval, "reminder-interval", time.Minute, "how often each replica looks for reminders to send, 10s to 1h (WAYMARK_REMINDER_INTERVAL)")
	if withDemo {
		fs.BoolVar(&r.demoAll, "demo-mail-all", false, "demo only: /demo/mail shows every demo user's mail, not only the signed-in person's (WAYMARK_DEMO_MAIL_ALL)")
	}
}

// parseReminderConfig reads --reminder-hours and --reminder-leads.
func (r reminderConfig) parse() (pathway.ReminderConfig, error) {
	rc := pathway.DefaultReminders
	rc.Leads = nil
	start, end, ok := strings.Cut(r.hours, "-")
	var err error
	if !ok {
		return rc, fmt.Errorf("--reminder-hours %q must be HH:MM-HH:MM, e.g. 08:00-18:00", r.hours)
	}
	if rc.DayStart, err = clockTime(start); err == nil {
		rc.DayEnd, err = clockTime(end)
	}
	if err != nil || rc.DayEnd <= rc.DayStart {
		return rc, fmt.Errorf("--reminder-hours %q must be HH:MM-HH:MM with the end after the start, e.g. 08:00-18:00", r.hours)
	}
	var last time.Duration
	for _, pair := range strings.Split(r.leads, ",") {
		length, lead, ok := strings.Cut(strings.TrimSpace(pair), "=")
		l := pathway.ReminderLead{}
		if ok && length != "*" {
			l.UpTo, err = time.ParseDuration(length)
			if err != nil || l.UpTo <= last {
				ok = false
			}
			last = l.UpTo
		}
		if ok {
			l.Lead, err = time.ParseDuration(lead)
			ok = err == nil && l.Lead > 0
		}
		if !ok {
			return rc, fmt.Errorf("--reminder-leads %q must be LENGTH=LEAD pairs, shortest first, e.g. 24h=4h,72h=12h,*=24h", r.leads)
		}
		rc.Leads = append(rc.Leads, l)
	}
	if r.interval < 10*time.Second || r.interval > time.Hour {
		return rc, fmt.Errorf("--reminder-interval must be between 10s and 1h, not %s", r.interval)
	}
	return rc, nil
}

func clockTime(s string) (time.Duration, error) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		return 0, err
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, nil
}

// startReminders configures the reminders and, when there is a relay,
// runs them in the background until ctx ends. In the demo with no
// --smtp-addr it first starts the mail catcher on loopback and sends to
// it, and returns it for /demo/mail.
func startReminders(ctx context.Context, bg *sync.WaitGroup, c *config, svc *casework.Service, log *slog.Logger, withDemo bool) (*web.DemoMail, error) {
	rc, err := c.reminders.parse()
	if err != nil {
		return nil, err
	}
	svc.Reminders = rc
	var demoMail *web.DemoMail
	if withDemo && svc.Access.Mailer == nil {
		catcher, err := notify.StartCatcher("127.0.0.1:0", time.Now)
		if err != nil {
			return nil, fmt.Errorf("starting the demo's mail catcher: %w", err)
		}
		go func() { <-ctx.Done(); catcher.Close() }()
		svc.Access.Mailer = &notify.Mailer{Addr: catcher.Addr, From: "Waymark demo <waymark@demo.invalid>"}
		if svc.Access.PublicURL == "" {
			svc.Access.PublicURL = "http://" + c.addr
		}
		demoMail = &web.DemoMail{Catcher: catcher, ShowAll: c.reminders.demoAll}
		log.Info("demo mail catcher: emails are caught on this computer and shown on /demo/mail", "smtp", catcher.Addr)
	}
	if c.reminders.on && svc.Access.Mailer != nil {
		bg.Go(func() { svc.RunReminders(ctx, c.reminders.interval) })
	}
	return demoMail, nil
}

package notify

import "fmt"

// ReminderMessage is a reminder email (issue 15 §2): how many things, of
// which sort, and a link to My work. Like every Waymark email it names no
// child, no case and no reference: only a count.
//
// kind is one of "due_soon", "overdue", "overdue_manager" and "digest"
// (pathway.ReminderKind).
func ReminderMessage(kind string, count int, link string) Message {
	things := "1 thing"
	if count != 1 {
		things = fmt.Sprintf("%d things", count)
	}
	var subject, line string
	switch kind {
	case "due_soon":
		subject = "Something in Waymark is due soon"
		line = "You have " + things + " due soon in Waymark."
	case "overdue":
		subject = "Something in Waymark is overdue"
		line = "You have " + things + " overdue in Waymark."
	case "overdue_manager":
		subject = "Something your team has in Waymark is overdue"
		line = "Your team has " + things + " overdue in Waymark."
	default:
		subject = "Your work in Waymark today"
		line = "You have " + things + " on your work list in Waymark today."
	}
	return Message{
		Subject: subject,
		Body: line + "\r\n\r\n" +
			"Sign in to see it: " + link + "\r\n\r\n" +
			"This email does not say what it is about, on purpose: details stay in Waymark.\r\n" +
			"Choose which reminders you get under Your account, Reminders, once signed in.\r\n",
	}
}

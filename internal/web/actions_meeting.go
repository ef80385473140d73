package web

import (
	"context"
	"strconv"
	"strings"
	"unicode/utf8"

	"waymark/internal/casework"
	"waymark/internal/pathway"
)

// The multi-agency meeting (STRAT or MARM), its actions and the escalation
// of a disagreement about the NRM (§6.8, §8.5, §8.6, annex steps 2–3).

const (
	groupMeeting    = "Multi-agency meeting"
	groupEscalation = "Disagreement about the NRM"
)

func addMeetingActions(set *actionSet) {
	addAction[pathway.ConveneMeeting](set, action{
		Slug: "convene-meeting", Title: "Convene a multi-agency meeting", Section: "§6.8, §8.5", Group: groupMeeting,
		Intro:  "After the Section 47 enquiry, bring together your supervising manager, the police, the referrer where appropriate and other professionals to agree the plan, including whether to submit an NRM referral. Apart from keeping the child safe, nothing further should be done until the meeting has agreed the plan. Everyone you invite becomes a member of the case and sees the meeting.",
		Button: "Convene meeting",
		Fields: []field{
			{Name: "kind", Label: "Which kind of meeting is it?", Kind: kindRadios, Options: meetingKindOptions},
			{Name: "scheduledFor", Label: "When is the meeting?", Kind: kindDateTime},
			{Name: "inviteeEmails", Label: "Email addresses of the people to invite", Hint: "One on each line. Each person must have a Waymark account.", Kind: kindLines, Rows: 5},
		},
	})
	addAction[pathway.RecordMeetingHeld](set, action{
		Slug: "record-meeting", Title: "Record what the meeting agreed", Section: "§6.8, §8.5", Group: groupMeeting,
		Intro:  "Record who came and what the meeting agreed, once the meeting has taken place. The NRM decision and its lead First Responder organisation guide the NRM referral.",
		Button: "Save what was agreed",
		Fields: []field{
			{Name: "meetingId", Label: "Meeting", Kind: kindSelect, Options: meetingOptions(false)},
			{Name: "attendeeIds", Label: "Who attended?", Hint: "Untick anyone who did not come. Parents, carers, sponsors and adults claiming to be relatives cannot attend a meeting about future action, so they are not listed (§7.4).", Kind: kindCheckboxes, Options: attendeeOptions, ListDefault: expectedAttendees},
			{Name: "attendeeEmails", Label: "Anyone else who attended (optional)", Hint: "The email address of each, one on each line. Each person must have a Waymark account.", Kind: kindLines, Rows: 3},
			{Name: "nrmDecision", Label: "Did the meeting agree to submit an NRM referral?", Kind: kindRadios, Options: meetingOptionsOf(pathway.MeetingNRMDecisions)},
			{Name: "leadOrgId", Label: "Lead First Responder organisation", Hint: "Only a designated First Responder organisation can submit the referral (§8.2). Needed when the referral is to be submitted.", Kind: kindSelect, Options: leadOrganisationOptions("Not applicable – no referral to be submitted")},
			{Name: "childProtectionConference", Label: "Is a Child Protection Conference to be held?", Kind: kindYesNo, Required: true},
			{Name: "childProtectionPlan", Label: "Is the child to have a child protection plan?", Kind: kindYesNo, Required: true},
			{Name: "informationSharedWithPolice", Label: "Was information and intelligence shared with the police?", Kind: kindYesNo, Required: true},
			{Name: "notes", Label: "Notes of the meeting (optional)", Kind: kindTextarea, MaxLength: pathway.MaxNarrative, Rows: 8},
		},
	})
	addAction[pathway.RecordDisruptionPower](set, action{
		Slug: "disruption-power", Title: "Record a power the meeting considered", Section: "§6.8 (a–j)", Group: groupMeeting,
		Intro:  "The meeting considers every power the local authority and police hold to protect the child and disrupt the exploiters. Record each power it considered, one at a time, and what became of it. Record a power again when its outcome changes.",
		Button: "Save the power",
		Fields: []field{
			{Name: "meetingId", Label: "Meeting", Kind: kindSelect, Options: meetingOptions(true)},
			{Name: "power", Label: "Which power was considered?", Kind: kindRadios, Options: disruptionPowerOptions},
			{Name: "outcome", Label: "What became of it?", Kind: kindRadios, Options: meetingOptionsOf(pathway.PowerOutcomes)},
			{Name: "reason", Label: "Why?", Kind: kindTextarea, MaxLength: pathway.MaxNarrative, Rows: 5},
		},
	})
	addAction[pathway.AddMeetingAction](set, action{
		Slug: "meeting-action", Title: "Add an action from the meeting", Section: "§6.8", Group: groupMeeting,
		Intro:  "Give each action one owner and a due date. The owner must already be a member of the case, for example someone invited to the meeting.",
		Button: "Add action",
		Fields: []field{
			{Name: "meetingId", Label: "Meeting", Kind: kindSelect, Options: meetingOptions(true)},
			{Name: "text", Label: "What is to be done?", Kind: kindTextarea, MaxLength: pathway.MaxEvidence, Rows: 4},
			{Name: "ownerEmail", Label: "Email address of the person who owns the action", Kind: kindEmail},
			{Name: "dueOn", Label: "When is it due?", Kind: kindDate},
			{Name: "contactsFamily", Label: "Does this action involve contacting the child's family or carers?", Hint: "If the family or carers are suspected of involvement, no action may contact them (annex, §1.2).", Kind: kindYesNo, Required: true},
		},
	})
	addAction[pathway.CompleteMeetingAction](set, action{
		Slug: "meeting-action-done", Title: "Mark a meeting action done", Section: "§6.8", Group: groupMeeting,
		Intro:  "Marking an action done stops its clock. The action's owner or the social worker can do this.",
		Button: "Mark done",
		Fields: []field{
			{Name: "actionId", Label: "Which action is done?", Kind: kindRadios, Options: openActionOptions},
			{Name: "note", Label: "What was done (optional)", Kind: kindTextarea, MaxLength: pathway.MaxNarrative, Rows: 4},
		},
	})
	addAction[pathway.RaiseEscalation](set, action{
		Slug: "raise-escalation", Title: "Escalate a disagreement about the NRM", Section: "§8.5, §8.6", Group: groupEscalation,
		Intro:  "If you disagree with other practitioners about whether to submit an NRM referral for this child, escalate it. It starts with the practitioners and their line managers, can move to senior managers, and finally to the safeguarding children partnership, whose lead joins the case while it is open.",
		Button: "Escalate",
		Fields: []field{
			{Name: "reason", Label: "What do you disagree with, and why?", Kind: kindTextarea, MaxLength: pathway.MaxNarrative, Rows: 6},
		},
	})
	addAction[pathway.EscalateFurther](set, action{
		Slug: "escalate-further", Title: "Move an escalation to the next level", Section: "§8.6", Group: groupEscalation,
		Intro:  "If the disagreement was not settled at this level, take it to the next: senior managers, then the safeguarding children partnership.",
		Button: "Move to the next level",
		Fields: []field{
			{Name: "escalationId", Label: "Which escalation?", Kind: kindRadios, Options: openEscalationOptions(true)},
			{Name: "note", Label: "What was tried at this level, and why did it not settle the disagreement?", Kind: kindTextarea, MaxLength: pathway.MaxNarrative, Rows: 5},
		},
	})
	addAction[pathway.ResolveEscalation](set, action{
		Slug: "resolve-escalation", Title: "Record how an escalation was resolved", Section: "§8.6", Group: groupEscalation,
		Intro:  "Record what was agreed. Once a disagreement is with the partnership, only the partnership lead records how it ends.",
		Button: "Save the resolution",
		Fields: []field{
			{Name: "escalationId", Label: "Which escalation?", Kind: kindRadios, Options: openEscalationOptions(false)},
			{Name: "outcome", Label: "What was agreed?", Kind: kindRadios, Options: meetingOptionsOf(pathway.EscalationOutcomes)},
			{Name: "leadOrgId", Label: "Lead First Responder organisation", Hint: "Only if the referral is to be submitted and a different organisation, or none yet, was named at the meeting.", Kind: kindSelect, Options: leadOrganisationOptions("Keep the organisation named at the meeting")},
			{Name: "note", Label: "What was agreed, by whom, and why?", Kind: kindTextarea, MaxLength: pathway.MaxNarrative, Rows: 5},
		},
	})
}

func meetingOptionsOf(list func() []struct{ Value, Text string }) func(*Server, casework.CaseView) []option {
	return func(*Server, casework.CaseView) []option {
		var out []option
		for _, o := range list() {
			out = append(out, option{o.Value, o.Text})
		}
		return out
	}
}

func meetingKindOptions(s *Server, v casework.CaseView) []option {
	return meetingOptionsOf(pathway.MeetingKinds)(s, v)
}

func disruptionPowerOptions(*Server, casework.CaseView) []option {
	var out []option
	for _, p := range pathway.DisruptionPowers() {
		out = append(out, option{p.Value, p.Text + " (" + p.Section + ")"})
	}
	return out
}

// meetingOptions lists the case's meetings, newest first, that are (or are
// not yet) recorded as held.
func meetingOptions(held bool) func(*Server, casework.CaseView) []option {
	return func(_ *Server, v casework.CaseView) []option {
		ms := v.Case.Meetings.Meetings
		var out []option
		for i := len(ms) - 1; i >= 0; i-- {
			if (ms[i].Held != nil) == held {
				out = append(out, option{ms[i].ID, ms[i].Title()})
			}
		}
		return out
	}
}

func leadOrganisationOptions(none string) func(*Server, casework.CaseView) []option {
	return func(s *Server, v casework.CaseView) []option {
		out := []option{{"", none}}
		orgs, err := s.svc.MeetingLeadOrganisations(context.Background(), v.Case)
		if err != nil {
			s.log.Error("listing First Responder organisations", "err", err)
			return out
		}
		for _, o := range orgs {
			out = append(out, option{o.ID, o.Name})
		}
		return out
	}
}

func openActionOptions(_ *Server, v casework.CaseView) []option {
	var out []option
	for _, a := range v.Case.Meetings.Actions {
		if !a.Done() {
			out = append(out, option{a.ID, meetingShortText(a.Text, 120) + " – " + a.Owner.Name + ", due " + meetingDay(a.DueOn)})
		}
	}
	return out
}

func openEscalationOptions(belowTop bool) func(*Server, casework.CaseView) []option {
	return func(_ *Server, v casework.CaseView) []option {
		var out []option
		for _, e := range v.Case.Meetings.Escalations {
			if e.Open() && (!belowTop || e.Level < pathway.EscalationPartnership) {
				out = append(out, option{e.ID, "Raised by " + e.RaisedBy.Name + " on " + e.RaisedAt.In(pathway.London).Format("2 January 2006") + " – now at " + e.LevelLabel()})
			}
		}
		return out
	}
}

func meetingShortText(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	return string([]rune(s)[:max-1]) + "…"
}

func meetingDay(day string) string {
	t, err := pathway.EndOfDay(day)
	if err != nil {
		return day
	}
	return t.In(pathway.London).Format("2 January 2006")
}

// The area on the case page (area-meeting.tmpl). It shows the meetings,
// actions and escalations of the viewer's case: the team's holds them all,
// an outsider's only those pathway.Case.ForOutsider leaves them (the meetings
// they were invited to, whoever escalated their own).

type meetingAreaView struct {
	Meetings    []meetingView
	Escalations []escalationView
	Team        bool
	Any         bool
}

type meetingView struct {
	pathway.Meeting
	Rows     []map[string]string
	Actions  []meetingActionView
	Warnings []string // after the meeting: who §6.8 expects and neither was invited nor came
}

type meetingActionView struct {
	pathway.MeetingAction
	DueLabel string
	Status   string
	Colour   string
}

type escalationView struct {
	pathway.Escalation
	Rows []map[string]string
}

func meetingYesNo(b bool) string {
	if b {
		return "Yes"
	}
	return "No"
}

func meetingArea(d caseData) meetingAreaView {
	clocks := map[string]clockView{}
	for _, cl := range d.Clocks {
		clocks[cl.ID] = cl
	}
	st := d.View.Case.Meetings
	out := meetingAreaView{Team: d.View.Membership.Team()}
	for _, m := range st.Meetings {
		mv := meetingView{Meeting: m}
		var invited []string
		for _, p := range m.Invitees {
			invited = append(invited, p.Name+" ("+p.OrgName+")")
		}
		mv.Rows = []map[string]string{
			{"Key": "Kind", "Value": m.KindLabel()},
			{"Key": "Convened", "Value": m.ConvenedAt.In(pathway.London).Format("2 January 2006") + " by " + m.ConvenedBy.Name},
			{"Key": "Invited", "Value": strings.Join(invited, ", ")},
		}
		if out.Team { // the Section 47 enquiry is the team's to know (§6.5)
			s47, _ := d.View.Case.Strategy.Section47AtMeeting(m)
			mv.Rows = append(mv.Rows, map[string]string{"Key": "Section 47 enquiry", "Value": s47})
			if m.Held != nil {
				mv.Warnings = m.AttendanceWarnings()
			}
		}
		if r := m.Held; r != nil {
			lead := "Not applicable"
			if r.LeadOrgName != "" {
				lead = r.LeadOrgName
			}
			notes := r.Notes
			if notes == "" {
				notes = "None"
			}
			mv.Rows = append(mv.Rows,
				map[string]string{"Key": "Attended", "Value": strings.Join(r.Attendees, ", ")},
				map[string]string{"Key": "NRM referral", "Value": r.NRMDecisionLabel()},
				map[string]string{"Key": "Lead First Responder", "Value": lead},
				map[string]string{"Key": "Child Protection Conference", "Value": meetingYesNo(r.ChildProtectionConference)},
				map[string]string{"Key": "Child protection plan", "Value": meetingYesNo(r.ChildProtectionPlan)},
				map[string]string{"Key": "Information shared with the police", "Value": meetingYesNo(r.InformationSharedWithPolice)},
				map[string]string{"Key": "Notes", "Value": notes},
				map[string]string{"Key": "Recorded", "Value": r.RecordedAt.In(pathway.London).Format("2 January 2006") + " by " + r.By.Name},
			)
		} else {
			mv.Rows = append(mv.Rows, map[string]string{"Key": "What was agreed", "Value": "Not recorded yet"})
		}
		for _, a := range st.Actions {
			if a.MeetingID != m.ID {
				continue
			}
			av := meetingActionView{MeetingAction: a, DueLabel: meetingDay(a.DueOn)}
			if cl, ok := clocks[a.ClockID]; ok {
				av.Status, av.Colour = cl.Summary, cl.Colour
			}
			if a.Done() {
				av.Status = "Done " + a.DoneAt.In(pathway.London).Format("2 January 2006") + " – " + strings.ToLower(av.Status)
			}
			mv.Actions = append(mv.Actions, av)
		}
		out.Meetings = append(out.Meetings, mv)
	}
	for _, e := range st.Escalations {
		ev := escalationView{Escalation: e}
		ev.Rows = []map[string]string{
			{"Key": "Raised", "Value": e.RaisedAt.In(pathway.London).Format("2 January 2006") + " by " + e.RaisedBy.Name + " (" + e.RaisedBy.OrgName + ")"},
			{"Key": "Why", "Value": e.Reason},
			{"Key": "Level", "Value": e.LevelLabel() + ", since " + e.LevelSince.In(pathway.London).Format("2 January 2006")},
		}
		for _, step := range e.Steps {
			ev.Rows = append(ev.Rows, map[string]string{"Key": "Moved to level " + strconv.Itoa(step.Level), "Value": step.At.In(pathway.London).Format("2 January 2006") + " by " + step.By.Name + ": " + step.Note})
		}
		if r := e.Resolution; r != nil {
			v := r.OutcomeLabel()
			if r.LeadOrgName != "" {
				v += " by " + r.LeadOrgName
			}
			ev.Rows = append(ev.Rows, map[string]string{"Key": "Resolved", "Value": r.At.In(pathway.London).Format("2 January 2006") + " by " + r.By.Name + ": " + v + ". " + r.Note})
		}
		out.Escalations = append(out.Escalations, ev)
	}
	out.Any = len(out.Meetings) > 0 || len(out.Escalations) > 0
	return out
}

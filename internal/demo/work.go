package demo

import (
	"context"
	"fmt"
	"time"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/catalog"
	"waymark/internal/pathway"
	"waymark/internal/store"
)

// A story can go on after the outcome, so that every role's home shows
// work waiting on first start: a social worker assigned, a meeting that
// agreed an NRM referral the police have not yet submitted, a referral
// awaiting its Reasonable Grounds decision, a negative decision still open
// to reconsideration, and a disagreement escalated to the partnership lead
// (§8.5–8.9).

// later is one thing done on a demo case after its outcome, by one person.
type later struct {
	at   moment
	by   string // email of the demo user who does it
	what string
	// cmd is the command, given the case as it then stands, the step's
	// moment and the time of seeding.
	cmd func(c pathway.Case, at, now time.Time, cal catalog.Calendar) pathway.Command
}

// The demo cases that go on after their outcome, by child.
var afterOutcome = map[string][]later{
	// A pilot site's panel decides (panel.go).
	"Erin Walsh": erinAfterOutcome(),
	// A negative Reasonable Grounds decision yesterday: the reconsideration
	// window is open (§8.9).
	"Sophie Lambert": append(meetingAgreesTheNRM(6, 5, "strat"),
		learnt(workingDaysAgoAt(5, 12, 30), socialWorker, sophieAtTheMeeting),
		learnt(workingDaysAgoAt(5, 15, 0), firstResponder, sophieFromThePolice),
		later{workingDaysAgoAt(4, 11, 0), firstResponder, "recording the NRM submission", func(_ pathway.Case, at, _ time.Time, _ catalog.Calendar) pathway.Command {
			return pathway.SubmitNRMReferral{SubmittedAt: at.Add(-30 * time.Minute), Via: "online-form", DeclarationMade: true, ExplainedToChild: pathway.ExplainedYes, ExplainedToCarer: pathway.ExplainedYes}
		}},
		// Eastshire is a pilot site: the local panel decides (panel.go).
		later{workingDaysAgoAt(1, 14, 0), partnershipLead, "recording the panel's negative Reasonable Grounds decision", panelDecision(pathway.ReasonableGrounds, pathway.DecisionNegative,
			"The panel found the account of the car and the parties worrying but, on what it has so far, not enough to found a suspicion that Sophie is being trafficked or exploited.")},
	),
	// Submitted yesterday: the Reasonable Grounds decision is awaited (§8.7).
	"Oliver Grant": append(meetingAgreesTheNRMSoon(3, "marm"),
		learnt(workingDaysAgoAt(2, 12, 30), socialWorker, oliverAtTheMeeting),
		learnt(workingDaysAgoAt(2, 14, 0), firstResponder, oliverFromThePolice),
		later{ago(26 * hour), firstResponder, "recording the NRM submission", func(_ pathway.Case, at, _ time.Time, _ catalog.Calendar) pathway.Command {
			return pathway.SubmitNRMReferral{SubmittedAt: at.Add(-time.Hour), Via: "online-form", DeclarationMade: true, ExplainedToChild: pathway.ExplainedYes, ExplainedToCarer: pathway.ExplainedYes}
		}},
	),
	// The meeting agreed the police submit the referral; they have not yet (§8.5).
	"Reece Hammond": {
		assignSocialWorker(workingDaysAgoAt(4, 9, 30)),
		convene(workingDaysAgoAt(4, 10, 0), "marm", ago(29*hour), firstResponder, youthWorker),
		recordMeeting(ago(26*hour), pathway.NRMSubmit, "Police to submit the NRM referral this week; Open Door to keep seeing Reece."),
		learnt(ago(25*hour), socialWorker, reeceAtTheMeeting),
		// §6.9, §6.10: arrested with the line's drugs; told his rights (support_criminal.go).
		{ago(24 * hour), socialWorker, "recording the offence Reece is suspected of", func(pathway.Case, time.Time, time.Time, catalog.Calendar) pathway.Command {
			return pathway.RecordSuspectedOffence{Offence: "Possession of class A drugs with intent to supply", ScheduleFour: pathway.ScheduleFourNotListed,
				Notes: "Released under investigation. His solicitor is to consider a section 45 defence."}
		}},
		{ago(23 * hour), socialWorker, "recording that Reece was told his rights", func(_ pathway.Case, at, _ time.Time, _ catalog.Calendar) pathway.Command {
			return pathway.RecordRightsTold{ToldOn: at.In(pathway.London).Format("2006-01-02"), ToldBy: "Jamie Fletcher of Open Door, with the social worker"}
		}},
	},
	// The meeting did not decide; the police disagree and escalate (§8.6).
	"Kayla Morris": {
		assignSocialWorker(workingDaysAgoAt(2, 9, 30)),
		convene(workingDaysAgoAt(2, 10, 0), "strat", ago(24*hour), firstResponder, teacher),
		recordMeeting(ago(21*hour), pathway.NRMNotDecided, "To decide on the NRM referral once the children's home has reported on the last missing episode."),
		learnt(ago(20*hour), socialWorker, kaylaAtTheMeeting),
		{ago(5 * hour), firstResponder, "escalating a disagreement about the NRM", func(pathway.Case, time.Time, time.Time, catalog.Calendar) pathway.Command {
			return pathway.RaiseEscalation{Reason: "Eastshire Police disagree with waiting: Kayla went missing again last night and was found in a car with two adult men. " +
				"The indicators are clear and the NRM referral should be submitted now, with the police as lead First Responder."}
		}},
	},
}

// meetingAgreesTheNRM assigns the social worker, convenes a meeting the
// working day after and records, a working day later, that it agreed the
// police submit the NRM referral.
func meetingAgreesTheNRM(daysAgo, heldDaysAgo int, kind string) []later {
	return []later{
		assignSocialWorker(workingDaysAgoAt(daysAgo, 9, 30)),
		convene(workingDaysAgoAt(daysAgo, 10, 0), kind, workingDaysAgoAt(heldDaysAgo, 10, 0), firstResponder, teacher),
		recordMeeting(workingDaysAgoAt(heldDaysAgo, 12, 0), pathway.NRMSubmit, "Police to submit the NRM referral today."),
	}
}

// meetingAgreesTheNRMSoon is meetingAgreesTheNRM for a case whose outcome
// was given daysAgo working days ago in the morning: all on the afternoon
// of that day and the next.
func meetingAgreesTheNRMSoon(daysAgo int, kind string) []later {
	return []later{
		assignSocialWorker(workingDaysAgoAt(daysAgo, 14, 0)),
		convene(workingDaysAgoAt(daysAgo, 14, 30), kind, workingDaysAgoAt(daysAgo-1, 10, 0), firstResponder, gp),
		recordMeeting(workingDaysAgoAt(daysAgo-1, 12, 0), pathway.NRMSubmit, "Police to submit the NRM referral; the GP to review Oliver's injuries."),
	}
}

func assignSocialWorker(at moment) later {
	return later{at, csWorker, "assigning the social worker", func(pathway.Case, time.Time, time.Time, catalog.Calendar) pathway.Command {
		return pathway.AssignWorker{WorkerEmail: socialWorker}
	}}
}

func convene(at moment, kind string, scheduledFor moment, invitees ...string) later {
	return later{at, socialWorker, "convening a multi-agency meeting", func(_ pathway.Case, _, now time.Time, cal catalog.Calendar) pathway.Command {
		return pathway.ConveneMeeting{Kind: kind, ScheduledFor: scheduledFor(now, cal), InviteeEmails: invitees}
	}}
}

func recordMeeting(at moment, decision, notes string) later {
	return later{at, socialWorker, "recording what the meeting agreed", func(c pathway.Case, _, _ time.Time, _ catalog.Calendar) pathway.Command {
		cmd := pathway.RecordMeetingHeld{NRMDecision: decision, Notes: notes,
			ChildProtectionConference: new(bool), ChildProtectionPlan: new(bool), InformationSharedWithPolice: ptrTrue()}
		if decision == pathway.NRMSubmit {
			cmd.LeadOrgID = orgPolice
		}
		ms := c.Meetings.Meetings
		m := ms[len(ms)-1]
		cmd.MeetingID = m.ID
		for _, p := range append([]pathway.Party{m.ConvenedBy}, m.Invitees...) {
			cmd.AttendeeIDs = append(cmd.AttendeeIDs, pathway.AttendeeUser(p.UserID)) // chosen, not typed (§6.8)
		}
		return cmd
	}}
}

func ptrTrue() *bool { t := true; return &t }

// doLater gives one later step's command to the case as it now stands.
func doLater(ctx context.Context, svc *casework.Service, v casework.Viewer, caseID string, l later, at, now time.Time) error {
	var c pathway.Case
	var version int // as v is shown the case (pathway.History)
	err := svc.DB.View(ctx, func(tx *store.Tx) error {
		var events []pathway.Event
		var err error
		if c, events, err = tx.LoadCase(caseID); err != nil {
			return err
		}
		m, err := tx.Membership(caseID, v.User.ID, v.User.OrgID)
		version = pathway.HistoryFor(c, events, m, v.User.ID).Version
		return err
	})
	if err != nil {
		return err
	}
	cmd := l.cmd(c, at, now, svc.Catalog.Holidays)
	if d, ok := cmd.(pathway.RecordPanelDecision); ok { // the panel's chair, not a member of the case (panel.go)
		err := svc.RecordPanelDecision(ctx, v, caseID, casework.PanelDecision{Grounds: d.Grounds, Outcome: d.Outcome, DecidedOn: d.DecidedOn, Reasons: d.Reasons, Present: panelPresent})
		if err != nil {
			return fmt.Errorf("%w %v", err, waymark.ErrorFields(err))
		}
		return nil
	}
	if err := svc.Act(ctx, v, caseID, version, cmd); err != nil {
		return fmt.Errorf("%w %v", err, waymark.ErrorFields(err))
	}
	return nil
}

// interpreters are the partnership's register (§6.7, §7.5): vetted
// interpreters for the demo children's languages, and one whose DBS check
// is not recorded, whom the pathway never lets interpret for a child.
var interpreters = []casework.InterpreterEntry{
	{Name: "Mehret Tesfaye", Languages: []string{"Tigrinya", "Amharic"}, Gender: "female", Professional: true, Approved: true, Active: true},
	{Name: "Yonas Haile", Languages: []string{"Tigrinya"}, Dialects: []string{"Asmara"}, Gender: "male", Professional: true, Approved: true, Active: true},
	{Name: "Akosua Mensah", Languages: []string{"Twi", "Ga"}, Gender: "female", Professional: true, Approved: true, Active: true},
	{Name: "Arben Krasniqi", Languages: []string{"Albanian"}, Dialects: []string{"Gheg"}, Gender: "male", Professional: true, Approved: true, Active: true},
	{Name: "Linh Pham", Languages: []string{"Vietnamese"}, Gender: "female", Professional: true, Approved: true, Active: true},
	{Name: "Karim Haddad", Languages: []string{"Arabic", "Kurdish (Sorani)"}, Gender: "male", Professional: true, Approved: false, Active: true},
}

// registerInterpreters has the administrator fill the register a month
// before the cases, the DBS checks dated a few months before that.
func registerInterpreters(now time.Time, cal catalog.Calendar) []step {
	var out []step
	for i, e := range interpreters {
		at := workingDaysAgoAt(20, 9, i)(now, cal)
		if e.Approved {
			e.DBSCheckedOn = at.In(pathway.London).AddDate(0, -3, -i).Format("2006-01-02")
		}
		out = append(out, step{at: at, what: "adding " + e.Name + " to the interpreter register",
			do: func(ctx context.Context, svc *casework.Service, vs map[string]casework.Viewer) error {
				_, err := svc.RegisterInterpreter(ctx, vs[administrator], e)
				return err
			}})
	}
	return out
}

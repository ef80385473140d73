package web

import (
	"strconv"
	"time"

	"waymark/internal/casework"
	"waymark/internal/pathway"
)

// The records of a child from abroad and of their placement (§4.11,
// §7.3–7.6), and the child's voice (§7.6, §8.3): pathway/support_abroad_records.go
// and pathway/support_voice.go decide them.
func addAbroadRecordActions(set *actionSet) {
	fixed := func(opts []struct{ Value, Text string }) func(*Server, casework.CaseView) []option {
		return func(*Server, casework.CaseView) []option { return supportOptions(opts) }
	}

	addAction[pathway.RecordUKVIContact](set, action{
		Slug: "ukvi-contact", Title: "Record a discussion with UKVI", Section: "§4.11", Group: "Child from abroad",
		Intro:  "Discuss the child's nationality or immigration with UK Visas and Immigration only once their protection from harm is addressed: a care plan agreed or a multi-agency meeting held, and the child not missing. A contact made sooner is still recorded, and marked.",
		Button: "Record the discussion",
		Fields: []field{
			{Name: "contactAt", Label: "When was it?", Kind: kindDateTime},
			{Name: "with", Label: "Who at UKVI was it with?", Kind: kindText, MaxLength: pathway.MaxShortText},
			{Name: "about", Label: "What was discussed?", Kind: kindTextarea, MaxLength: pathway.MaxNarrative, Rows: 4},
		},
	})
	addAction[pathway.SeekOverseasInformation](set, action{
		Slug: "overseas-request", Title: "Record a request to an overseas authority", Section: "§7.4", Group: "Child from abroad",
		Intro:  "Ask the authorities in the countries the child has lived in what they know. The Foreign, Commonwealth and Development Office, or the country's embassy or consulate in London, can say whom to ask.",
		Button: "Record the request",
		Fields: []field{
			{Name: "authority", Label: "Which authority was asked?", Kind: kindText, MaxLength: pathway.MaxShortText},
			{Name: "country", Label: "Which country?", Kind: kindText, MaxLength: pathway.MaxShortText},
			{Name: "via", Label: "Through whom (optional)", Hint: "For example, the embassy or consulate.", Kind: kindText, MaxLength: pathway.MaxShortText},
			{Name: "requestedOn", Label: "When was it asked?", Kind: kindDate},
			{Name: "asked", Label: "What was asked?", Kind: kindTextarea, MaxLength: pathway.MaxNarrative, Rows: 4},
		},
	})
	addAction[pathway.RecordOverseasReply](set, action{
		Slug: "overseas-reply", Title: "Record an overseas authority's reply", Section: "§7.4", Group: "Child from abroad",
		Button: "Record the reply",
		Fields: []field{
			{Name: "request", Label: "Which request does it answer?", Kind: kindSelect, Options: func(_ *Server, v casework.CaseView) []option {
				var out []option
				for _, q := range v.Case.Support.AbroadRecords.AwaitingOverseasReply() {
					out = append(out, option{Value: strconv.Itoa(q.Seq), Text: q.Authority + ", " + q.Country + " – asked " + q.RequestedOn})
				}
				return out
			}},
			{Name: "repliedOn", Label: "When did the reply come?", Kind: kindDate},
			{Name: "reply", Label: "What did it say?", Kind: kindTextarea, MaxLength: pathway.MaxNarrative, Rows: 5},
		},
	})
	addAction[pathway.RecordDocumentSeen](set, action{
		Slug: "document-seen", Title: "Record an identity or travel document seen", Section: "§7.4", Group: "Child from abroad",
		Intro:  "Record what was seen, as it was given. Add a copy of the document to the case's documents.",
		Button: "Record the document",
		Fields: []field{
			{Name: "kind", Label: "What kind of document?", Kind: kindRadios, Options: fixed(pathway.DocumentKinds())},
			{Name: "kindOther", Label: "If other, what is it?", Kind: kindText, MaxLength: pathway.MaxShortText},
			{Name: "number", Label: "Its number, as written (optional)", Kind: kindText, MaxLength: pathway.MaxShortText},
			{Name: "issuer", Label: "Who issued it, as written (optional)", Kind: kindText, MaxLength: pathway.MaxShortText},
			{Name: "heldBy", Label: "Who held it (optional)", Hint: "The child, the family, the referrer or another agency.", Kind: kindText, MaxLength: pathway.MaxShortText},
			{Name: "seenBy", Label: "Who saw it?", Kind: kindText, MaxLength: pathway.MaxShortText},
			{Name: "seenOn", Label: "When was it seen?", Kind: kindDate},
			{Name: "genuineness", Label: "Are there doubts that it is genuine?", Kind: kindRadios, Options: fixed(pathway.Genuineness())},
			{Name: "doubtsDetails", Label: "If there are doubts, what are they?", Kind: kindTextarea, MaxLength: pathway.MaxNarrative, Rows: 3},
		},
	})
	addAction[pathway.SharePoliceInformation](set, action{
		Slug: "police-sharing", Title: "Record information shared with the police", Section: "§7.3, §7.6", Group: "Placement and whereabouts",
		Intro:  "Keep sharing with the police what emerges during the placement: possible crimes against the child, risks to other children, immigration matters. Entries cannot be changed once recorded.",
		Button: "Add to the log",
		Fields: []field{
			{Name: "sharedAt", Label: "When was it shared?", Kind: kindDateTime},
			{Name: "topics", Label: "What was it about?", Hint: "Select all that apply (§7.3).", Kind: kindCheckboxes, Options: fixed(pathway.PoliceSharingTopics())},
			{Name: "what", Label: "What was shared?", Kind: kindTextarea, MaxLength: pathway.MaxNarrative, Rows: 5},
			{Name: "sharedWith", Label: "Who in the police was it shared with?", Kind: kindText, MaxLength: pathway.MaxShortText},
			{Name: "sharedBy", Label: "Who shared it?", Kind: kindText, MaxLength: pathway.MaxShortText},
			{Name: "revealsWhereabouts", Label: "Does it say where the child is living?", Hint: "If it does, only those who can see the child's whereabouts will read it (§7.6). An entry quoting a confidential address is treated as saying so.", Kind: kindYesNo, Required: true},
		},
	})
	addAction[pathway.NameKeyWorker](set, action{
		Slug: "key-worker", Title: "Name the child's key worker", Section: "§7.6", Group: "Placement and whereabouts",
		Intro:  "The key worker is the trusted adult who spends time with the child and builds their trust. Keep them the same: a change needs a reason.",
		Button: "Save the key worker",
		Fields: []field{
			{Name: "name", Label: "Key worker's name", Kind: kindText, MaxLength: pathway.MaxShortText},
			{Name: "role", Label: "Who are they to the child?", Hint: "For example, their foster carer or a worker at the children's home.", Kind: kindText, MaxLength: pathway.MaxShortText},
			{Name: "from", Label: "Since when?", Kind: kindDate},
			{Name: "reason", Label: "If this changes the key worker, why?", Kind: kindTextarea, MaxLength: pathway.MaxNarrative, Rows: 3},
		},
	})

	// The child's voice (§7.6, §8.3).
	addAction[pathway.RecordChildsWishes](set, action{
		Slug: "childs-wishes", Title: "Record the child's wishes and feelings", Section: "§7.6", Group: "The child's voice",
		Intro:  "Write what the child said, in their own words. Add a new entry each time: earlier entries are kept.",
		Button: "Save the entry",
		Fields: []field{
			{Name: "saidOn", Label: "When did the child say this?", Kind: kindDate},
			{Name: "words", Label: "What did the child say, in their words?", Kind: kindTextarea, MaxLength: pathway.MaxNarrative, Rows: 6},
			{Name: "how", Label: "How were they heard (optional)", Hint: "For example, at a visit, with an interpreter.", Kind: kindText, MaxLength: pathway.MaxShortText},
		},
	})
	addAction[pathway.RecordNRMExplained](set, action{
		Slug: "nrm-explained", Title: "Record that the NRM was explained", Section: "§8.3", Group: "The child's voice",
		Intro:  "Tell the child, and their parent, guardian or carer unless that puts the child at risk, what the NRM is and what being referred means.",
		Button: "Save",
		Fields: []field{
			{Name: "explainedOn", Label: "When was it explained?", Kind: kindDate},
			{Name: "explainedBy", Label: "Who explained it?", Kind: kindText, MaxLength: pathway.MaxShortText},
			{Name: "to", Label: "Who was it explained to?", Kind: kindCheckboxes, Options: fixed(pathway.ToldWhom())},
			{Name: "howUnderstood", Label: "How did they understand it?", Hint: "What they said back, and any interpreter used.", Kind: kindTextarea, MaxLength: pathway.MaxNarrative, Rows: 4},
		},
	})
	addAction[pathway.RecordNRMOutcomeTold](set, action{
		Slug: "nrm-outcome-told", Title: "Record that an NRM decision was told to the child", Section: "§8.3", Group: "The child's voice",
		Button: "Save",
		Fields: []field{
			{Name: "decision", Label: "Which decision?", Kind: kindSelect, Options: func(_ *Server, v casework.CaseView) []option {
				var out []option
				for _, d := range v.Case.OutcomesNotTold() {
					out = append(out, option{Value: strconv.Itoa(d.Seq), Text: d.Label() + ", " + d.DecidedOnLabel()})
				}
				return out
			}},
			{Name: "toldOn", Label: "When were they told?", Kind: kindDate},
			{Name: "toldBy", Label: "Who told them?", Kind: kindText, MaxLength: pathway.MaxShortText},
			{Name: "to", Label: "Who was told?", Kind: kindCheckboxes, Options: fixed(pathway.ToldWhom())},
			{Name: "howUnderstood", Label: "How did they understand it?", Kind: kindTextarea, MaxLength: pathway.MaxNarrative, Rows: 4},
		},
	})

	// The age decision and the Home Office (§7.4).
	addAction[pathway.RecordAgeDecision](set, action{
		Slug: "age-decision", Title: "Record whether an age assessment is needed", Section: "§7.4", Group: "Age assessment",
		Intro:  "Assess age only where there is significant reason to doubt the person is a child, never on appearance or manner. Then tell the Home Office of the decision.",
		Button: "Save the decision",
		Fields: []field{
			{Name: "guidanceConsulted", Label: "Was the Home Office guidance 'Assessing age' referred to?", Kind: kindYesNo, Required: true},
			{Name: "decision", Label: "What was decided?", Kind: kindRadios, Options: fixed(pathway.AgeDecisions())},
			{Name: "reasons", Label: "Why?", Kind: kindTextarea, MaxLength: pathway.MaxNarrative, Rows: 4},
		},
	})
	addAction[pathway.CommunicateAgeDecision](set, action{
		Slug: "age-decision-home-office", Title: "Record that the Home Office was told of the age decision", Section: "§7.4", Group: "Age assessment",
		Button: "Save",
		Fields: []field{
			{Name: "communicatedOn", Label: "When was the Home Office told?", Kind: kindDate},
			{Name: "communicatedTo", Label: "Who at the Home Office?", Kind: kindText, MaxLength: pathway.MaxShortText},
			{Name: "communicatedHow", Label: "How (optional)", Hint: "For example, by secure email.", Kind: kindText, MaxLength: pathway.MaxShortText},
		},
	})
}

// abroadRecordHappened is when an entry of these records happened, by its
// own date where it gives one (case_timeline.go).
func abroadRecordHappened(e pathway.Event) (at time.Time, dateOnly bool, area string, ok bool) {
	day := func(s string) time.Time {
		t, _ := time.ParseInLocation("2006-01-02", s, pathway.London)
		return t
	}
	switch d := e.Data.(type) {
	case pathway.UKVIContactRecorded:
		return d.ContactAt, false, "abroad", true
	case pathway.OverseasInformationSought:
		return day(d.RequestedOn), true, "abroad", true
	case pathway.OverseasInformationReceived:
		return day(d.RepliedOn), true, "abroad", true
	case pathway.IdentityDocumentSeen:
		return day(d.SeenOn), true, "abroad", true
	case pathway.PoliceInformationShared:
		return d.SharedAt, false, "support", true
	case pathway.KeyWorkerNamed:
		return day(d.From), true, "support", true
	case pathway.ChildsWishesRecorded:
		return day(d.SaidOn), true, "support", true
	case pathway.NRMExplained:
		return day(d.ExplainedOn), true, "support", true
	case pathway.NRMOutcomeTold:
		return day(d.ToldOn), true, "support", true
	case pathway.AgeDecisionRecorded:
		return time.Time{}, false, "age", true
	case pathway.AgeDecisionCommunicated:
		return day(d.CommunicatedOn), true, "age", true
	}
	return time.Time{}, false, "", false
}

// abroadRecordsHeld says whether the abroad area holds any of these records.
func abroadRecordsHeld(s pathway.SupportState) bool {
	r := s.AbroadRecords
	return len(r.UKVIContacts) > 0 || len(r.Documents) > 0 || len(r.OverseasRequests) > 0
}

// placementRecordsHeld says whether the support area holds any of them.
func placementRecordsHeld(s pathway.SupportState) bool {
	v := s.Voice
	return len(s.AbroadRecords.PoliceSharing) > 0 || len(s.AbroadRecords.KeyWorkers) > 0 || len(v.Wishes) > 0 || len(v.Explanations) > 0 || len(v.OutcomesTold) > 0
}

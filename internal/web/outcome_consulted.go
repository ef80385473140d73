package web

import (
	"net/url"

	"waymark/internal/pathway"
)

// consultedAnswers are the outcome form's answers on who the outcome was
// discussed with (§6.2, pathway/outcome_consulted.go).
type consultedAnswers struct {
	Consulted            map[string]bool
	ConsultedOthersNames string
	NotConsultedReason   string
	Parties              []map[string]string
}

func consultedFrom(f url.Values) consultedAnswers {
	a := consultedAnswers{Consulted: map[string]bool{}, ConsultedOthersNames: f.Get("consultedOthersNames"),
		NotConsultedReason: f.Get("notConsultedReason"), Parties: optionItems(pathway.ConsultedParties())}
	for _, v := range f["consulted"] {
		a.Consulted[v] = true
	}
	return a
}

func (a consultedAnswers) into(cmd *pathway.RecordOutcome) {
	cmd.Consulted = nil
	for _, p := range pathway.ConsultedParties() {
		if a.Consulted[p.Value] {
			cmd.Consulted = append(cmd.Consulted, p.Value)
		}
	}
	for v := range a.Consulted { // an answer not on the list reaches the pathway, which refuses it
		if pathway.OutcomeConsultedLabel(v) == "" {
			cmd.Consulted = append(cmd.Consulted, v)
		}
	}
	cmd.ConsultedOthersNames, cmd.NotConsultedReason = a.ConsultedOthersNames, a.NotConsultedReason
}

package web

import (
	"net/url"
	"strings"

	"waymark/internal/pathway"
)

// The concern form's optional page "What the child told you": the facts of
// the child's situation a referrer may learn when the signs are spotted
// (pathway.ConcernFacts, §5, §8.5). The team records the rest, and later
// answers, on the case (the situation action).

// toldStep is the optional page of the concern form.
var toldStep = concernStep{"told", "What the child told you (optional)", factNames(pathway.ConcernFacts())}

func factNames(fs []pathway.Fact) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = string(f)
	}
	return out
}

// applyTold copies the page's answers into the concern's facts.
func applyTold(c *pathway.Concern, f url.Values) {
	c.Facts = nil
	for _, fact := range pathway.ConcernFacts() {
		if v := strings.TrimSpace(f.Get(string(fact))); v != "" {
			c.Facts = append(c.Facts, pathway.FactAnswer{Fact: fact, Value: v})
		}
	}
}

// toldValues puts the concern's facts into the page's inputs.
func toldValues(c pathway.Concern, form map[string]string) {
	for _, a := range c.Facts {
		form[string(a.Fact)] = a.Value
	}
}

// toldCheckSection is the page's answers on check-your-answers.
func toldCheckSection(c pathway.Concern, href string) checkSection {
	var rows []checkRow
	for _, a := range c.Facts {
		rows = append(rows, checkRow{a.Fact.Label(), a.Text(), href})
	}
	if len(rows) == 0 {
		rows = []checkRow{{"What the child told you", "Nothing added (optional)", href}}
	}
	return checkSection{"What the child told you", rows}
}

package demo

import (
	"time"

	"waymark/internal/catalog"
	"waymark/internal/pathway"
)

// The same exploiters across children (§6.8, §8.8): Reece Hammond, running
// drugs on a county line, and Kayla Morris, exploited from her children's
// home, were both contacted on the same phone number, written differently
// on each case. The social worker chairs both cases' meetings, so they see
// on each case that the number is on the other, by reference only; the
// partnership lead sees it on the network view (/network). The numbers are
// from Ofcom's range for drama (07700 900000–900999). Wired into the plan
// beside the list choices (demo.go), after them.
var entityChoices = map[string][]later{
	"Reece Hammond": {
		entity(ago(3*hour), pathway.EntityPhone, "07700 900461", pathway.EntityRoleContact, "The line's number: it texted Reece where to go."),
		entity(ago(3*hour-10*time.Minute), pathway.EntityNickname, "Tiny", pathway.EntityRoleSuspectedExploiter, "Runs the line, Reece says; never seen."),
	},
	"Kayla Morris": {
		entity(ago(3*hour), pathway.EntityPhone, "+44 7700 900461", pathway.EntityRoleContact, "Texted Kayla to come out to the cars."),
		entity(ago(3*hour-10*time.Minute), pathway.EntityVehicle, "EK19 WQX", pathway.EntityRolePlace, "The grey car outside the children's home."),
	},
}

func entity(at moment, kind, value, role, notes string) later {
	return later{at, socialWorker, "recording a " + pathway.EntityKindLabel(kind) + " linked to the exploitation", func(pathway.Case, time.Time, time.Time, catalog.Calendar) pathway.Command {
		return pathway.RecordEntity{Kind: kind, Value: value, Role: role, Notes: notes}
	}}
}

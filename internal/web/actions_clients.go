package web

import (
	"waymark/internal/casework"
	"waymark/internal/pathway"
)

// Machine clients on a case (§6.5): the Children's Services team gives a
// program access to this case, or withdraws it. The access is an event in
// the case's log, so it is the log that makes the client a member.
func addClientActions(set *actionSet) {
	addAction[pathway.GiveClientAccess](set, action{
		Slug: "give-client-access", Title: "Give a machine client access to this case", Section: "§6.5", Group: "Notes and people",
		Intro:  "A machine client is a program, such as a link to a case management system, with a credential of its own. Once given access it can read the child's concern, the reference and the outcome on this case, and any notes it adds; it never sees the team's own work. Every read is recorded under its name. Give access only when the program needs this case.",
		Button: "Give access",
		Fields: []field{
			{Name: "clientId", Label: "Machine client id", Hint: "Your administrator gives you the id, for example client-3f2a…", Kind: kindText},
			{Name: "reason", Label: "Why does the program need this case?", Kind: kindTextarea, MaxLength: pathway.MaxClientAccessReason, Rows: 3},
		},
	})
	addAction[pathway.WithdrawClientAccess](set, action{
		Slug: "withdraw-client-access", Title: "Withdraw a machine client's access to this case", Section: "§6.5", Group: "Notes and people",
		Intro:  "The program stops seeing this case at its next request.",
		Button: "Withdraw access",
		Fields: []field{
			{Name: "clientId", Label: "Which machine client?", Kind: kindSelect, Options: func(_ *Server, v casework.CaseView) []option {
				var out []option
				for _, c := range v.Case.Clients.Clients {
					out = append(out, option{Value: c.ClientID, Text: c.Name + " (" + c.OrgName + ")"})
				}
				return out
			}},
		},
	})
}

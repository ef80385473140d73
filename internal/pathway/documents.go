package pathway

import "waymark"

// Documents held on a case: the files the team keeps as evidence, which the
// NRM referral uploads to the Home Office form (§8.7). They are a record
// beside the case's log, not events: the rules of who may see and add them,
// and the form's limits, are decided here.

// The Home Office form's limits on its uploads (§8.7), which Waymark keeps
// so that every document it holds can go with the referral as it is. A
// megabyte is counted as a million bytes, the smaller reading.
const (
	MaxDocuments     = 100
	MaxDocumentBytes = 25_000_000
)

// SeesDocuments reports whether the viewer may list and open the case's
// documents: they are the team's record, like its notes (§6.5); a referrer
// or a meeting invitee tells the team what they know instead.
func SeesDocuments(m Membership) bool { return m.Team() }

// MayAddDocument says whether the viewer may add a document to a case that
// holds held documents already, and why not.
func MayAddDocument(m Membership, held int) error {
	switch {
	case !SeesDocuments(m):
		return errDocumentsTeamOnly
	case m.Is(MemberBreakGlass) && len(m.Roles) == 1:
		return waymark.Errorf(waymark.EFORBIDDEN, "Emergency access is for reading the case (§6.5): ask the team working the case to add the document.")
	case held >= MaxDocuments:
		return waymark.Invalid([]waymark.FieldError{{Field: "file", Message: "The case already holds 100 documents, the most the Home Office form takes: combine some into one file before adding more"}})
	}
	return nil
}

var errDocumentsTeamOnly = waymark.Errorf(waymark.EFORBIDDEN, "The case's documents are the team's record, so only those working the case can see or add them (§6.5). Send what you have to the child's social worker.")

// ErrDocumentsTeamOnly is the refusal of the case's documents to a member
// outside the team.
func ErrDocumentsTeamOnly() error { return errDocumentsTeamOnly }

package pathway

import "waymark"

// LeadOrganisation is the organisation that leads for the child (annex steps
// 3–4): the one that submitted the NRM referral, else the one the last
// multi-agency meeting or escalation named lead First Responder; none
// before either.
func (c Case) LeadOrganisation() (id, name string) {
	if s := c.NRM.Submission; s != nil && s.LeadOrgID != "" {
		return s.LeadOrgID, s.LeadOrgName
	}
	return c.Meetings.leadOrg()
}

// beaconReferredByTheLead: only the lead organisation refers the child to
// Beacon (annex step 4).
func beaconReferredByTheLead(c Case, a Actor) error {
	id, name := c.LeadOrganisation()
	switch {
	case id == "":
		return waymark.Errorf(waymark.EFORBIDDEN, "No lead organisation has been agreed for this child yet. The multi-agency meeting names it, and the lead organisation refers to Beacon (annex steps 3 and 4).")
	case id != a.OrgID:
		return waymark.Errorf(waymark.EFORBIDDEN, "Only the lead organisation, %s, refers the child to Beacon (annex step 4). Ask them to make the referral, or add a case note with your view.", name)
	}
	return nil
}

// beaconOnlyWhenTheTeamAgreedItWouldHelp: the referral is made only when it
// was agreed the child would benefit from Beacon's support (annex step 4).
func beaconOnlyWhenTheTeamAgreedItWouldHelp(probs *waymark.Problems, agreed *bool) {
	switch {
	case agreed == nil:
		probs.Add("benefitAgreed", "Say whether the team agreed the child would benefit from Beacon's support (annex step 4)")
	case !*agreed:
		probs.Add("benefitAgreed", "A Beacon referral is made only when the team agreed the child would benefit from its support (annex step 4). Agree it first, for example at the multi-agency meeting, or record the referral as declined")
	}
}

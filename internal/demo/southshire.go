package demo

import (
	"time"

	"waymark/internal/pathway"
	"waymark/internal/store"
)

// A second partnership on the same deployment, so that a newcomer can try
// the hand-over of a case between partnerships (issue 14, "Across areas";
// §4.3, §7.1; pathway/partnerships.go): Eastshire's partnership lead
// proposes to share or transfer a case to Southshire, and Southshire's lead
// agrees, naming Southshire's Children's Services; its social worker then
// sees the case's whole history. Southshire has no cases of its own.

const (
	partnershipEastshire  = pathway.DefaultPartnership
	partnershipSouthshire = "southshire"
	orgSouthshireCS       = "org-southshire-cs"

	southshireLead         = "partnership.lead@southshire.example"
	southshireSocialWorker = "social.worker@southshire.example"
)

var southshireOrganisation = store.Organisation{ID: orgSouthshireCS, Name: "Southshire Council Children's Services", Kind: "local-authority",
	ChildrensServices: true, FirstResponderDesignation: "local-authority"}

var southshireUsers = []demoUser{
	{"user-demo-southshire-lead", orgSouthshireCS, DemoUser{southshireLead, "Owen Pritchard", pathway.RolePartnershipLead, ""}},
	{"user-demo-southshire-social-worker", orgSouthshireCS, DemoUser{southshireSocialWorker, "Layla Haddad", pathway.RoleSocialWorker, ""}},
}

// insertSouthshire names the default partnership Eastshire and adds
// Southshire with its Children's Services organisation. Its users are
// added with the others (users includes southshireUsers).
func insertSouthshire(tx *store.Tx, now time.Time) error {
	if err := tx.RenamePartnership(partnershipEastshire, "Eastshire Safeguarding Children Partnership"); err != nil {
		return err
	}
	if err := tx.InsertPartnership(store.Partnership{ID: partnershipSouthshire, Name: "Southshire Safeguarding Children Partnership", Slug: partnershipSouthshire,
		CreatedAt: now.AddDate(0, -3, 0)}); err != nil {
		return err
	}
	return tx.SetOrganisationPartnership(orgSouthshireCS, partnershipSouthshire)
}

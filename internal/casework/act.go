package casework

import (
	"context"
	"strings"

	"waymark"
	"waymark/internal/catalog"
	"waymark/internal/pathway"
	"waymark/internal/store"
)

// Act gives a command to a case on behalf of a member: it resolves what the
// command names (people, register entries), asks the pathway to decide,
// and writes the events, read models and audit entry in one transaction.
// A non-member gets "not found"; a stale expectedVersion gets a conflict.
func (s *Service) Act(ctx context.Context, v Viewer, caseID string, expectedVersion int, cmd pathway.Command) error {
	if err := v.require(ScopeWrite); err != nil {
		return err
	}
	err := s.updateCase(ctx, func(tx *store.Tx, writing *bool) error {
		c, events, m, err := s.load(tx, v, caseID)
		if err != nil {
			return err
		}
		// §6.5: a command that is not theirs to give is refused the same
		// way whatever the case holds, before anything else is looked at.
		if err := pathway.MayGive(m, v.Actor(s.Catalog), cmd); err != nil {
			return err
		}
		// The version is the one the viewer was shown: for someone outside
		// the team, that of the entries they can see (pathway.History says
		// why hidden work does not make their change stale).
		h := pathway.HistoryFor(c, events, m, v.User.ID)
		if h.Version != expectedVersion {
			return staleVersion()
		}
		cmd, err := s.resolve(tx, c, pathway.InViewOf(cmd, h))
		if err != nil {
			return err
		}
		decided, err := s.Pathway.DecideFor(c, m, v.actorOn(s.Catalog, m), cmd, s.now())
		if err != nil {
			return err
		}
		*writing = true
		return s.commit(tx, v, c, decided, "case."+strings.ReplaceAll(pathway.CommandName(cmd), " ", "_"))
	})
	if err == errDenied {
		return s.denied(ctx, v, caseID, pathway.CommandName(cmd))
	}
	return err
}

// appendRaceAttempts bounds how often a use case is tried again after losing
// a race to append to the case.
const appendRaceAttempts = 4

// updateCase runs a use case that writes to a case in one transaction. When
// the use case had decided and was writing, a conflict can only be another
// write to the same case that landed first (the version the person was
// shown was checked before): the whole use case is then tried again, a few
// times, against the case as it now is. Another member's write the viewer
// can see makes their version stale there, and that is the conflict they
// are told of; a write hidden from them (§6.5, pathway.History) does not,
// so it cannot be found out by watching for conflicts.
func (s *Service) updateCase(ctx context.Context, fn func(tx *store.Tx, writing *bool) error) error {
	var err error
	for range appendRaceAttempts {
		writing := false
		err = s.DB.Update(ctx, func(tx *store.Tx) error { return fn(tx, &writing) })
		if !writing || waymark.ErrorCode(err) != waymark.ECONFLICT {
			return err
		}
	}
	return err
}

// A resolver fills in what a command names but the pathway cannot look up
// itself (it does no I/O).
type resolver func(tx *store.Tx, c pathway.Case, cmd pathway.Command) (pathway.Command, error)

// caseResolvers is each area's resolver, for New to give the service.
func caseResolvers(cat *catalog.Catalog) []resolver {
	return []resolver{
		resolveWorker,
		resolveClient,
		func(tx *store.Tx, c pathway.Case, cmd pathway.Command) (pathway.Command, error) {
			return resolveMeeting(tx, cat, c, cmd)
		},
		resolveNRMAgreedLead,
		resolveInterpreter,
		resolveWhereaboutsGrantee,
		resolveDecisionRouting, // panel.go
	}
}

func (s *Service) resolve(tx *store.Tx, c pathway.Case, cmd pathway.Command) (pathway.Command, error) {
	var err error
	for _, r := range s.resolvers {
		if cmd, err = r(tx, c, cmd); err != nil {
			return nil, err
		}
	}
	return cmd, nil
}

// resolveWorker finds the user an AssignWorker names by email.
func resolveWorker(tx *store.Tx, c pathway.Case, cmd pathway.Command) (pathway.Command, error) {
	aw, ok := cmd.(pathway.AssignWorker)
	if !ok {
		return cmd, nil
	}
	email := strings.TrimSpace(aw.WorkerEmail)
	if email == "" {
		return aw, nil // the pathway reports the missing answer
	}
	// Someone of another partnership is answered as an address nobody has
	// (activeUserByEmail): assigning them would put them on the case
	// outside any hand-over.
	u, ok, err := activeUserByEmail(tx, c, email)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, waymark.Invalid([]waymark.FieldError{{Field: "workerEmail", Message: "There is no active Waymark user with that email address. Check it, or ask an administrator to add them"}})
	}
	aw.Worker = pathway.Party{UserID: u.ID, Name: u.Name, OrgID: u.OrgID, OrgName: u.Org.Name}
	aw.WorkerRole = u.Role
	return aw, nil
}

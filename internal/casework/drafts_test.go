package casework_test

import (
	"errors"
	"strings"
	"testing"

	"waymark"
	"waymark/internal/audit"
	"waymark/internal/casework"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// savedDraft is a new draft of the teacher's, saved once with a valid
// concern: the draft as made, the version the save gave, and the concern.
func (p *partnership) savedDraft(t *testing.T) (store.Draft, int, pathway.Concern) {
	t.Helper()
	d, err := p.svc.NewDraft(p.ctx, p.Teacher)
	if err != nil {
		t.Fatal(err)
	}
	concern := storetest.ValidConcern(p.clock.Now())
	v2, err := p.svc.SaveDraft(p.ctx, p.Teacher, d.ID, d.Version, casework.DraftAnswers{Concern: concern})
	if err != nil || v2 != d.Version+1 {
		t.Fatalf("saving a new draft: version %d, %v", v2, err)
	}
	return d, v2, concern
}

// A concern written in two tabs: the save from the tab that fell behind is
// refused rather than silently throwing away the other tab's answers.
func TestSavingADraftAtAStaleVersionIsAConflict(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		d, _, concern := p.savedDraft(t)

		stale := concern
		stale.Summary = "Typed in the other tab"
		before := p.rowCounts()
		_, err := p.svc.SaveDraft(p.ctx, p.Teacher, d.ID, d.Version, casework.DraftAnswers{Concern: stale})
		wantClash(t, err)
		p.wantNothingWritten(before)

		_, got, err := p.svc.Draft(p.ctx, p.Teacher, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Concern.Summary != concern.Summary {
			t.Fatalf("draft summary %q: the stale save overwrote the newer answers", got.Concern.Summary)
		}
	})
}

// A save from a tab still open on a concern that was sent from another is
// refused as sent: reloading would not let it be made, so it is not told
// to the writer as another tab's save, and nothing is written.
func TestSavingADraftAlreadySentSaysItWasSentNotThatAnotherTabSaved(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		d, v2, concern := p.savedDraft(t)
		if _, err := p.svc.SubmitDraft(p.ctx, p.Teacher, d.ID, v2); err != nil {
			t.Fatal(err)
		}
		later := concern
		later.Summary = "Typed in the tab left open"
		before := p.rowCounts()
		_, err := p.svc.SaveDraft(p.ctx, p.Teacher, d.ID, v2, casework.DraftAnswers{Concern: later})
		wantCode(t, err, waymark.ECONFLICT)
		if waymark.IsClash(err) || !strings.Contains(waymark.ErrorMessage(err), "already been sent") {
			t.Errorf("saving a sent draft: clash %v, %q; want the draft named as sent, not a clash", waymark.IsClash(err), waymark.ErrorMessage(err))
		}
		p.wantNothingWritten(before)
		// A stale save of a draft not sent is still a clash, and says so.
		d2, _, _ := p.savedDraft(t)
		_, err = p.svc.SaveDraft(p.ctx, p.Teacher, d2.ID, d2.Version, casework.DraftAnswers{Concern: later})
		wantClash(t, err)
		if strings.Contains(waymark.ErrorMessage(err), "sent") {
			t.Errorf("a stale save of an unsent draft speaks of sending: %q", waymark.ErrorMessage(err))
		}
	})
}

// Someone else's draft does not exist as far as they can tell.
func TestADraftIsOnlyItsAuthors(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		d, err := p.svc.NewDraft(p.ctx, p.Teacher)
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = p.svc.Draft(p.ctx, p.Colleague, d.ID)
		wantCode(t, err, waymark.ENOTFOUND)
		_, err = p.svc.SaveDraft(p.ctx, p.Colleague, d.ID, d.Version, casework.DraftAnswers{Concern: storetest.ValidConcern(p.clock.Now())})
		if code := waymark.ErrorCode(err); code != waymark.ECONFLICT && code != waymark.ENOTFOUND {
			t.Fatalf("a colleague saved the teacher's draft: %v", err)
		}
		_, err = p.svc.SubmitDraft(p.ctx, p.Colleague, d.ID, d.Version)
		wantCode(t, err, waymark.ENOTFOUND)
	})
}

// A double click on "Send to Children's Services" raises one concern, not two.
func TestSubmittingADraftTwiceRaisesOneCase(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		d, err := p.svc.NewDraft(p.ctx, p.Teacher)
		if err != nil {
			t.Fatal(err)
		}
		version, err := p.svc.SaveDraft(p.ctx, p.Teacher, d.ID, d.Version, casework.DraftAnswers{Concern: storetest.ValidConcern(p.clock.Now())})
		if err != nil {
			t.Fatal(err)
		}
		first, err := p.svc.SubmitDraft(p.ctx, p.Teacher, d.ID, version)
		if err != nil {
			t.Fatal(err)
		}
		second, err := p.svc.SubmitDraft(p.ctx, p.Teacher, d.ID, version)
		if err != nil {
			t.Fatalf("second submit: %v", err)
		}
		if second != first {
			t.Fatalf("second submit gave case %q, want the first case %q", second, first)
		}
		if n := p.count(`SELECT COUNT(*) FROM cases`); n != 1 {
			t.Fatalf("%d cases, want 1", n)
		}
		if n := p.count(`SELECT COUNT(*) FROM case_events`); n != 1 {
			t.Fatalf("%d events, want 1", n)
		}
		if n := p.count(`SELECT COUNT(*) FROM audit_log WHERE action = $1`, audit.ActionConcernRaised); n != 1 {
			t.Fatalf("%d concern.raised audit entries, want 1", n)
		}
		if open, err := p.svc.OpenDrafts(p.ctx, p.Teacher); err != nil || len(open) != 0 {
			t.Fatalf("open drafts after sending = %d, %v; want none", len(open), err)
		}
		if _, err := p.svc.SaveDraft(p.ctx, p.Teacher, d.ID, version, casework.DraftAnswers{Concern: storetest.ValidConcern(p.clock.Now())}); waymark.ErrorCode(err) != waymark.ECONFLICT {
			t.Fatalf("editing a sent draft: %v, want ECONFLICT", err)
		}
	})
}

func TestSubmittingADraftChangedInAnotherTabIsAConflict(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		d, err := p.svc.NewDraft(p.ctx, p.Teacher)
		if err != nil {
			t.Fatal(err)
		}
		checked, err := p.svc.SaveDraft(p.ctx, p.Teacher, d.ID, d.Version, casework.DraftAnswers{Concern: storetest.ValidConcern(p.clock.Now())})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.svc.SaveDraft(p.ctx, p.Teacher, d.ID, checked, casework.DraftAnswers{Concern: storetest.ValidConcern(p.clock.Now())}); err != nil {
			t.Fatal(err)
		}
		before := p.rowCounts()
		_, err = p.svc.SubmitDraft(p.ctx, p.Teacher, d.ID, checked)
		wantClash(t, err)
		p.wantNothingWritten(before)
	})
}

// A concern with problems is sent back with every problem named, and nothing
// of it reaches the case log.
func TestInvalidConcernIsRefusedWithFieldErrorsAndNothingSaved(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		bad := storetest.ValidConcern(p.clock.Now())
		bad.Child.CurrentLocation = ""
		bad.ImmediateRisk = true // §8.5: and the police were not told
		bad.Indicators[0].Evidence = ""

		before := p.rowCounts()
		_, err := p.svc.RaiseConcern(p.ctx, p.Teacher, bad)
		wantCode(t, err, waymark.EINVALID)
		fields := map[string]bool{}
		for _, f := range waymark.ErrorFields(err) {
			fields[f.Field] = true
		}
		for _, want := range []string{"currentLocation", "policeInformed", "evidence-" + bad.Indicators[0].ID} {
			if !fields[want] {
				t.Errorf("no problem named for %s; got %v", want, waymark.ErrorFields(err))
			}
		}
		p.wantNothingWritten(before)

		// The same through a draft: the draft stays open to be corrected.
		d, err := p.svc.NewDraft(p.ctx, p.Teacher)
		if err != nil {
			t.Fatal(err)
		}
		version, err := p.svc.SaveDraft(p.ctx, p.Teacher, d.ID, d.Version, casework.DraftAnswers{Concern: bad})
		if err != nil {
			t.Fatal(err)
		}
		_, err = p.svc.SubmitDraft(p.ctx, p.Teacher, d.ID, version)
		wantCode(t, err, waymark.EINVALID)
		if len(waymark.ErrorFields(err)) < 3 {
			t.Errorf("draft submit named %v, want every problem", waymark.ErrorFields(err))
		}
		if n := p.count(`SELECT COUNT(*) FROM cases`) + p.count(`SELECT COUNT(*) FROM case_events`); n != 0 {
			t.Fatalf("%d case rows and events written for an invalid concern", n)
		}
		if open, err := p.svc.OpenDrafts(p.ctx, p.Teacher); err != nil || len(open) != 1 {
			t.Fatalf("open drafts = %d, %v; want the draft kept", len(open), err)
		}
	})
}

// An administrator manages Waymark and raises no concerns.
func TestAdministratorCannotRaiseAConcern(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		_, err := p.svc.RaiseConcern(p.ctx, p.CSAdmin, storetest.ValidConcern(p.clock.Now()))
		wantCode(t, err, waymark.EFORBIDDEN)
		_, err = p.svc.NewDraft(p.ctx, p.CSAdmin)
		wantCode(t, err, waymark.EFORBIDDEN)
	})
}

// A draft cannot grow without bound; ordinary mistakes wait until it is sent.
func TestADraftFarBeyondAnyLimitIsNotSaved(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		d, err := p.svc.NewDraft(p.ctx, p.Teacher)
		if err != nil {
			t.Fatal(err)
		}
		huge := storetest.ValidConcern(p.clock.Now())
		huge.Summary = strings.Repeat("x", 600<<10)
		before := p.rowCounts()
		_, err = p.svc.SaveDraft(p.ctx, p.Teacher, d.ID, d.Version, casework.DraftAnswers{Concern: huge})
		wantCode(t, err, waymark.EINVALID)
		p.wantNothingWritten(before)

		tooLong := storetest.ValidConcern(p.clock.Now())
		tooLong.Summary = strings.Repeat("x", 20000) // over the limit, but kept to be corrected
		if _, err := p.svc.SaveDraft(p.ctx, p.Teacher, d.ID, d.Version, casework.DraftAnswers{Concern: tooLong}); err != nil {
			t.Fatalf("a draft with an over-long answer was not kept: %v", err)
		}
	})
}

// A draft holds a child's details, and only its writer may open it. Someone
// able to write to the database who gives another person's draft to their
// own account (concern_drafts.user_id) gets nothing: the draft's seal
// names its writer, so it does not open, list, save or send for the new
// "writer", nor for the old one, and `waymark verify` names it.
func TestADraftGivenToAnotherPersonBehindWaymarksBackOpensForNobody(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		d, err := p.svc.NewDraft(p.ctx, p.Colleague)
		if err != nil {
			t.Fatal(err)
		}
		c := storetest.ValidConcern(p.clock.Now())
		version, err := p.svc.SaveDraft(p.ctx, p.Colleague, d.ID, d.Version, casework.DraftAnswers{Concern: c})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Verify(p.ctx, store.VerifyOptions{ReadModels: true}); err != nil {
			t.Fatalf("verify before: %v", err)
		}
		if _, err := db.SQL().ExecContext(p.ctx, `UPDATE concern_drafts SET user_id = $2 WHERE id = $1`, d.ID, p.Teacher.User.ID); err != nil {
			t.Fatal(err)
		}
		for _, v := range []casework.Viewer{p.Teacher, p.Colleague} {
			if got, a, err := p.svc.Draft(p.ctx, v, d.ID); waymark.ErrorCode(err) != waymark.ENOTFOUND {
				t.Errorf("%s opens the draft: %q, %v", v.User.Name, a.Concern.Child.FullName(), err)
			} else if got.ID != "" {
				t.Errorf("%s was given the draft's row", v.User.Name)
			}
			if open, err := p.svc.OpenDrafts(p.ctx, v); err != nil || len(open) != 0 {
				t.Errorf("%s's unsent drafts: %d, %v; want none", v.User.Name, len(open), err)
			}
			if _, err := p.svc.SaveDraft(p.ctx, v, d.ID, version, casework.DraftAnswers{Concern: c}); waymark.ErrorCode(err) != waymark.ENOTFOUND {
				t.Errorf("%s saves over the draft: %v", v.User.Name, err)
			}
			if _, err := p.svc.SubmitDraft(p.ctx, v, d.ID, version); waymark.ErrorCode(err) != waymark.ENOTFOUND {
				t.Errorf("%s sends the draft: %v", v.User.Name, err)
			}
		}
		_, err = db.Verify(p.ctx, store.VerifyOptions{ReadModels: true})
		var te *store.TamperError
		if !errors.As(err, &te) || !strings.Contains(te.Reason, "concern draft "+d.ID) {
			t.Errorf("verify after the draft was given away: %v, want it named", err)
		}
	})
}

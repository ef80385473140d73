package web

import (
	"context"
	"errors"
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"

	"waymark/internal/store"
	"waymark/internal/storetest"
)

// A page of a concern saved in the moment after the concern was sent from
// another tab (the page's handler read the draft unsent; its save finds it
// sent) is answered as sent, with none of the page's answers marked wrong:
// there is nothing on it to put right, and the concern is a case now.
// (A page posted after the send is read as sent at once, and goes to the
// case: loadDraft.)
func TestAPageOfAConcernSentMeanwhileIsAnsweredAsSentNotAsAWrongAnswer(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	ctx := context.Background()
	d, err := e.svc.NewDraft(ctx, e.p.Teacher)
	if err != nil {
		t.Fatal(err)
	}
	_, a, err := e.svc.Draft(ctx, e.p.Teacher, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	a.Concern = storetest.ValidConcern(e.clock.Now())
	v2, err := e.svc.SaveDraft(ctx, e.p.Teacher, d.ID, d.Version, a)
	if err != nil {
		t.Fatal(err)
	}
	read, answers, err := e.svc.Draft(ctx, e.p.Teacher, d.ID) // the page's read, before the other tab sends
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SubmitDraft(ctx, e.p.Teacher, d.ID, v2); err != nil {
		t.Fatal(err)
	}
	st, idx, _ := stepBySlug("child")
	form := url.Values{"version": {strconv.Itoa(v2)}, "givenNames": {"Typed late"}}
	_, _, errs, err := e.srv.saveStep(httptest.NewRequest("POST", "/concerns/"+d.ID+"/child", nil), e.p.Teacher, read, answers, st, idx, form)
	if !errors.Is(err, store.ErrDraftSent) || len(errs) > 0 {
		t.Errorf("saving a page of a concern sent meanwhile: answers marked %+v, error %v; want none marked and the concern said to be sent", errs, err)
	}
}

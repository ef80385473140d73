package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"waymark"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// A refused step is a conflict (409) for two reasons: what the case
// already records rules it out (§5.4: contact is recorded once), or
// someone else saved the case after this person opened it. Only the
// second page is headed "Someone else saved first"; the first says the
// step cannot be done, and both keep the reason in their message. (The
// case's own forms show either again with an error summary instead; this
// error page is what a conflict reaching failErr shows, the store's
// clashes of two writes at the same moment among them.)
func TestAConflictPageSaysSomeoneSavedFirstOnlyWhenSomeoneDid(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		id := e.raiseCase()
		view, err := e.svc.Case(ctx, e.p.CSWorker, id)
		if err != nil {
			t.Fatal(err)
		}
		opened := view.Case.Version
		contact := pathway.RecordContact{Reference: "CS-2026-000001", Method: "phone"}
		if err := e.svc.Act(ctx, e.p.CSWorker, id, opened, contact); err != nil {
			t.Fatal(err)
		}
		now, err := e.svc.Case(ctx, e.p.CSWorker, id)
		if err != nil {
			t.Fatal(err)
		}
		ruledOut := e.svc.Act(ctx, e.p.CSWorker, id, now.Case.Version, contact)
		stale := e.svc.Act(ctx, e.p.CSWorker, id, opened, pathway.AddNote{Text: "Spoke to the school."})
		for _, tc := range []struct {
			name     string
			err      error
			heading  string
			notHead  string
			mentions string
		}{
			{"a step the case rules out", ruledOut, "This cannot be done", "Someone else saved first", "Contact was already recorded"},
			{"a save beaten by another's", stale, "Someone else saved first", "This cannot be done", "Someone else updated this case"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if waymark.ErrorCode(tc.err) != waymark.ECONFLICT {
					t.Fatalf("want a conflict, got %v", tc.err)
				}
				rec := httptest.NewRecorder()
				e.srv.failErr(rec, httptest.NewRequest("POST", "/cases/"+id, nil), tc.err)
				body := rec.Body.String()
				h1 := body[strings.Index(body, "<h1"):]
				h1 = h1[:strings.Index(h1, "</h1>")]
				if rec.Code != http.StatusConflict || !strings.Contains(h1, tc.heading) || strings.Contains(body, tc.notHead) || !strings.Contains(body, tc.mentions) {
					t.Fatalf("%d, heading %q; want 409 headed %q, not %q, saying %q:\n%s", rec.Code, h1, tc.heading, tc.notHead, tc.mentions, body)
				}
			})
		}
	})
}

// A sign-in whose write clashed with another at the same moment marks no
// field: nothing typed was wrong. A wrong password is still shown on the
// email address, and an answer's own field on its field.
func TestASignInClashMarksNoField(t *testing.T) {
	clash := &waymark.Error{Code: waymark.ECONFLICT, Message: "Another change to the same records was being saved at the same moment, so nothing of yours has been saved. Try again.", Clash: true}
	if got := signInProblems(clash); len(got) != 1 || got[0].Field != "" || got[0].Message != clash.Message {
		t.Errorf("a clash: %+v, want one line naming no field", got)
	}
	wrong := waymark.Errorf(waymark.EUNAUTHORIZED, "Enter a correct email address and password")
	if got := signInProblems(wrong); len(got) != 1 || got[0].Field != "email" {
		t.Errorf("a wrong password: %+v, want it on the email address", got)
	}
	own := waymark.Invalid([]waymark.FieldError{{Field: "password", Message: "Enter your password"}})
	if got := signInProblems(own); len(got) != 1 || got[0].Field != "password" {
		t.Errorf("an empty password: %+v, want it on the password", got)
	}
}

// A change of staff that clashed with another write marks no field, while
// one the rules refuse (the last administrator, an address in use) is
// shown on the field it concerns.
func TestAStaffChangeClashMarksNoField(t *testing.T) {
	s := &Server{}
	for _, tc := range []struct {
		name  string
		err   error
		field string
	}{
		{"a clash", &waymark.Error{Code: waymark.ECONFLICT, Message: "Another change to the same records was being saved at the same moment, so nothing of yours has been saved. Try again.", Clash: true}, ""},
		{"a refusal", waymark.Errorf(waymark.ECONFLICT, "A user with that email address already exists"), "email"},
	} {
		var got []waymark.FieldError
		needConfirm := false
		refused := s.staffChangeRefused(httptest.NewRecorder(), httptest.NewRequest("POST", "/staff", nil), tc.err, &needConfirm, "email", func(_ int, errs []waymark.FieldError) { got = errs })
		if !refused || len(got) != 1 || got[0].Field != tc.field {
			t.Errorf("%s: refused %v, %+v; want one line on field %q", tc.name, refused, got, tc.field)
		}
	}
}

package casework_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"waymark"
	"waymark/internal/access"
	"waymark/internal/casework"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// lead adds a partnership lead and signs them in; it returns the viewer and
// their session token (for re-authentication).
func (p *partnership) privacyLead() (casework.Viewer, string) {
	p.t.Helper()
	hash, err := access.HashPassword(storetest.Password, storetest.FastArgon)
	if err != nil {
		p.t.Fatal(err)
	}
	token, tokenHash := access.NewToken()
	var v casework.Viewer
	now := p.clock.Now()
	err = p.db.Update(p.ctx, func(tx *store.Tx) error {
		if err := tx.InsertUser(store.User{ID: "user-lead", OrgID: p.ChildrensServices.ID, Email: "lead@partnership.example", Name: "Pip Partnership",
			Role: pathway.RolePartnershipLead, PasswordHash: hash, CreatedAt: now}); err != nil {
			return err
		}
		if err := tx.InsertSession(store.Session{TokenHash: tokenHash, UserID: "user-lead", CSRFToken: "csrf", CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
			return err
		}
		u, err := tx.UserByID("user-lead")
		v = casework.Viewer{User: u}
		return err
	})
	if err != nil {
		p.t.Fatal(err)
	}
	return v, token
}

// child is one fictional child of the dump test, with everything that
// identifies them.
type child struct {
	given, family, alias, dob, location, summary string
}

func (c child) secrets() []string {
	return []string{c.given, c.family, c.alias, c.dob, c.location, c.summary}
}

var dumpChildren = []child{
	{"Zoë", "Brontë-Okonkwo", "Zizibelle", "2011-04-17", "Platform 3 at Northtown station", "Found sleeping in the waiting room with a stranger"},
	{"Nguyễn", "Thị Hương", "Little Rose", "2010-09-02", "Rear kitchen of the Golden Lotus nail bar", "Works twelve hours a day and owes a debt for her passage"},
	{"Darius", "Quillfeather", "Dizzy Quill", "2012-01-30", "Back seat of a silver hatchback on Mill Lane", "Carrying packages between towns for older boys"},
}

const dumpAddress = "7 Wrenfield Gardens, Easthaven EH9 2QT"

// raiseChild raises a concern about c as the teacher, through a draft (so
// the drafts table holds the child too) or in one step.
func (p *partnership) raiseChild(c child, viaDraft bool) string {
	p.t.Helper()
	concern := storetest.ValidConcern(p.clock.Now())
	concern.Child.GivenNames, concern.Child.FamilyName, concern.Child.Aliases = c.given, c.family, []string{c.alias}
	concern.Child.DateOfBirth, concern.Child.CurrentLocation, concern.Summary = c.dob, c.location, c.summary
	if !viaDraft {
		id, err := p.svc.RaiseConcern(p.ctx, p.Teacher, concern)
		if err != nil {
			p.t.Fatalf("raising: %v", err)
		}
		return id
	}
	d, err := p.svc.NewDraft(p.ctx, p.Teacher)
	if err != nil {
		p.t.Fatal(err)
	}
	v, err := p.svc.SaveDraft(p.ctx, p.Teacher, d.ID, d.Version, casework.DraftAnswers{Concern: concern})
	if err != nil {
		p.t.Fatal(err)
	}
	id, err := p.svc.SubmitDraft(p.ctx, p.Teacher, d.ID, v)
	if err != nil {
		p.t.Fatalf("submitting: %v", err)
	}
	return id
}

// dumpDatabase returns every value of every row of every table as text,
// read through a plain SQL connection, labelled by table. On SQLite it adds
// the raw bytes of the database file and its write-ahead log.
func dumpDatabase(t *testing.T, db *store.DB) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	var tables []string
	q := `SELECT name FROM sqlite_master WHERE type = 'table'`
	if db.Dialect == store.Postgres {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`
	}
	rows, err := db.SQL().Query(q)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name string
		rows.Scan(&name)
		tables = append(tables, name)
	}
	rows.Close()
	if len(tables) < 15 {
		t.Fatalf("found only %d tables: %v", len(tables), tables)
	}
	for _, table := range tables {
		var buf bytes.Buffer
		if db.Dialect == store.Postgres {
			rows, err := db.SQL().Query(`SELECT row_to_json(x)::text FROM ` + table + ` x`)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var s string
				rows.Scan(&s)
				buf.WriteString(s + "\n")
			}
			rows.Close()
		} else {
			rows, err := db.SQL().Query(`SELECT * FROM ` + table)
			if err != nil {
				t.Fatal(err)
			}
			cols, _ := rows.Columns()
			for rows.Next() {
				vals := make([]any, len(cols))
				ptrs := make([]any, len(cols))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				rows.Scan(ptrs...)
				for _, v := range vals {
					if b, ok := v.([]byte); ok {
						v = string(b)
					}
					fmt.Fprintf(&buf, "%v\t", v)
				}
				buf.WriteString("\n")
			}
			rows.Close()
		}
		out["table "+table] = buf.Bytes()
	}
	if db.Dialect == store.SQLite {
		var seq int
		var name, file string
		if err := db.SQL().QueryRow(`PRAGMA database_list`).Scan(&seq, &name, &file); err != nil {
			t.Fatal(err)
		}
		files, _ := filepath.Glob(file + "*") // the database, -wal and -shm
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			out["file "+filepath.Base(f)] = b
		}
		if len(files) < 2 {
			t.Fatalf("read only %v: want the database and its write-ahead log", files)
		}
	}
	return out
}

// leaks lists where any secret appears in the dump, in any letter case, and
// as JSON would escape it. Secrets shorter than 5 bytes are left out: they
// turn up by chance in base64 and random bytes.
func leaks(dump map[string][]byte, secrets []string) []string {
	var found []string
	for where, b := range dump {
		lower := bytes.ToLower(b)
		for _, s := range secrets {
			if len(s) < 5 {
				continue
			}
			forms := []string{s}
			if j, _ := json.Marshal(s); len(j) > 2 {
				forms = append(forms, string(j[1:len(j)-1]))
			}
			for _, f := range forms {
				if bytes.Contains(lower, bytes.ToLower([]byte(f))) {
					found = append(found, fmt.Sprintf("%q in %s", s, where))
					break
				}
			}
		}
	}
	slices.Sort(found)
	return found
}

// The dump test: cases with real-looking names, dates of birth, places and
// a placement address go through the whole use-case layer (drafts, search,
// lists, a correction, a placement), then every row of every table is read
// with a plain SQL connection (and, on SQLite, the raw bytes of the file and
// its write-ahead log): no child's name, date of birth, address or account
// of what happened appears anywhere. Search and lists still find them.
func TestDumpOfTheDatabaseHoldsNoChildsDetails(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		var ids []string
		for i, c := range dumpChildren {
			ids = append(ids, p.raiseChild(c, i%2 == 0))
		}
		p.contact(ids[0])
		p.supportAct(p.SocialWorker, ids[0], pathway.StartPlacement{StartedAt: p.clock.Now().Add(-time.Hour), PlacementType: "foster-care", Address: dumpAddress, WhereaboutsConfidential: true})
		if err := p.svc.Act(p.ctx, p.CSWorker, ids[1], p.version(ids[1]), pathway.CorrectChildDetails{GivenNames: "Marisol", FamilyName: "Fairweather-Quist", Reason: "Told us her real name"}); err != nil {
			t.Fatal(err)
		}
		// A draft never sent holds a child too.
		d, err := p.svc.NewDraft(p.ctx, p.Colleague)
		if err != nil {
			t.Fatal(err)
		}
		unsent := pathway.Concern{Child: pathway.Child{GivenNames: "Ottoline", FamilyName: "Vantablack", DateOfBirth: "2013-06-06"}, Summary: "Seen at the bus depot at night"}
		if _, err := p.svc.SaveDraft(p.ctx, p.Colleague, d.ID, d.Version, casework.DraftAnswers{Concern: unsent}); err != nil {
			t.Fatal(err)
		}
		// Everything still works for the people who need to know.
		for q, want := range map[string]string{"zoe": ids[0], "bronte okonkwo": ids[0], "ZIZIBELLE": ids[0], "quill": ids[2], "fairweather": ids[1], "marisol": ids[1]} {
			found, _, err := p.svc.SearchPage(p.ctx, p.Teacher, q, nil)
			if err != nil || len(found) != 1 || found[0].ID != want {
				t.Errorf("search %q found %+v, %v", q, found, err)
			}
		}
		mine, _, err := p.svc.MyCasesPage(p.ctx, p.Teacher, nil)
		if err != nil || len(mine) != 3 || !slices.ContainsFunc(mine, func(s store.CaseSummary) bool { return s.ChildName == "Zoë Brontë-Okonkwo" }) {
			t.Fatalf("my cases: %+v %v", mine, err)
		}
		if work, _, err := p.svc.MyWorkPage(p.ctx, p.CSWorker, nil); err != nil || len(work) == 0 || work[0].ChildName == "" {
			t.Fatalf("my work: %+v %v", work, err)
		}
		if _, a, err := p.svc.Draft(p.ctx, p.Colleague, d.ID); err != nil || a.Concern.Child.FamilyName != "Vantablack" {
			t.Fatalf("draft reads back %+v, %v", a.Concern.Child, err)
		}

		secrets := []string{dumpAddress, "Wrenfield", "Marisol", "Fairweather", "Ottoline", "Vantablack", "2013-06-06", "bus depot"}
		for _, c := range dumpChildren {
			secrets = append(secrets, c.secrets()...)
		}
		if found := leaks(dumpDatabase(t, db), secrets); len(found) > 0 {
			t.Fatalf("the database holds the children's details in the clear:\n%s", strings.Join(found, "\n"))
		}
	})
}

// The audit log records who did what to which case, never the child.
func TestAuditDetailsCarryNoChildsDetails(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id := p.raiseChild(dumpChildren[0], true)
		p.contact(id)
		p.svc.SearchPage(p.ctx, p.Teacher, "Zoë", nil)
		p.svc.Case(p.ctx, p.Teacher, id)
		rows, err := db.SQL().Query(`SELECT action, detail FROM audit_log`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var action, detail string
			rows.Scan(&action, &detail)
			for _, s := range append(dumpChildren[0].secrets(), "zoe", "bronte") {
				if strings.Contains(strings.ToLower(detail), strings.ToLower(s)) {
					t.Errorf("audit %s detail %q names the child (%q)", action, detail, s)
				}
			}
		}
	})
}

// closeCase takes a case to closure at the current time.
func (p *partnership) closeCase(id string) {
	p.t.Helper()
	if err := p.svc.Act(p.ctx, p.SocialWorker, id, p.version(id), pathway.CloseCase{NoNRMReason: "No indicators of exploitation after assessment.", Reason: "Child safe and settled; no further action", Monitoring: "School keeps watch"}); err != nil {
		p.t.Fatalf("closing: %v", err)
	}
}

// Retention never deletes by itself: what is past its period is listed for
// a partnership lead or administrator, without naming any child; keeping a
// record takes it off the list for one more period; an unsent draft can be
// deleted after review, and its key goes with it.
func TestRetentionReviewListsWhatIsDueAndDeletesNothingByItself(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		lead, _ := p.privacyLead()
		p.svc.Retention = casework.RetentionPolicy{ClosedCaseYears: 2, UnsentDraftDays: 10, AuditYears: 3}
		closed := p.raiseChild(dumpChildren[0], false)
		p.contact(closed)
		p.outcome(closed)
		p.closeCase(closed)
		open := p.raiseChild(dumpChildren[1], false)
		d, err := p.svc.NewDraft(p.ctx, p.Colleague)
		if err != nil {
			t.Fatal(err)
		}

		if items, err := p.svc.RetentionReview(p.ctx, lead); err != nil || len(items) != 0 {
			t.Fatalf("on day one: %+v %v", items, err)
		}
		p.clock.Advance(11 * 24 * time.Hour)
		items, err := p.svc.RetentionReview(p.ctx, p.CSAdmin)
		if err != nil || len(items) != 1 || items[0].Kind != casework.ReviewUnsentDraft || items[0].ID != d.ID || items[0].Owner != "Cal Colleague" {
			t.Fatalf("after 11 days: %+v %v", items, err)
		}
		p.clock.Advance(3*365*24*time.Hour + 24*time.Hour)
		items, err = p.svc.RetentionReview(p.ctx, lead)
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[string]casework.ReviewItem{}
		for _, it := range items {
			kinds[it.Kind] = it
		}
		if len(items) != 3 || kinds[casework.ReviewClosedCase].ID != closed || kinds[casework.ReviewAuditLog].Count == 0 {
			t.Fatalf("after three years: %+v", items)
		}
		blob, _ := json.Marshal(items)
		if found := leaks(map[string][]byte{"review": blob}, dumpChildren[0].secrets()); len(found) > 0 {
			t.Fatalf("the review list names a child: %v", found)
		}
		if _, err := p.loadCaseErr(open); err != nil {
			t.Fatal(err)
		}
		for _, v := range []casework.Viewer{p.Teacher, p.SocialWorker, p.Manager} {
			if _, err := p.svc.RetentionReview(p.ctx, v); waymark.ErrorCode(err) != waymark.EFORBIDDEN {
				t.Errorf("%s: %v", v.User.Name, err)
			}
		}
		// Nothing was deleted by the review itself.
		if n := p.count(`SELECT COUNT(*) FROM concern_drafts`) + p.count(`SELECT COUNT(*) FROM case_events WHERE case_id = $1`, closed); n < 2 {
			t.Fatal("the review deleted something")
		}

		if err := p.svc.KeepRecord(p.ctx, lead, casework.ReviewClosedCase, closed, ""); waymark.ErrorCode(err) != waymark.EINVALID {
			t.Fatalf("keeping without a reason: %v", err)
		}
		if err := p.svc.KeepRecord(p.ctx, lead, casework.ReviewClosedCase, closed, "Sibling's case still open"); err != nil {
			t.Fatal(err)
		}
		var sealed, wrapped string
		db.SQL().QueryRow(`SELECT data FROM concern_drafts WHERE id = $1`, d.ID).Scan(&sealed)
		db.SQL().QueryRow(`SELECT wrapped FROM data_keys WHERE owner_id = $1`, d.ID).Scan(&wrapped)
		if len(sealed) < 20 || len(wrapped) < 40 {
			t.Fatalf("draft %q, key %q", sealed, wrapped)
		}
		if err := p.svc.DeleteUnsentDraft(p.ctx, p.CSAdmin, d.ID); err != nil {
			t.Fatal(err)
		}
		// On SQLite neither the deleted draft nor its key is left in the files.
		if db.Dialect == store.SQLite {
			if found := leaks(dumpDatabase(t, db), []string{sealed, wrapped}); len(found) > 0 {
				t.Fatalf("after deletion the files still hold the draft or its key: %v", found)
			}
		}
		items, _ = p.svc.RetentionReview(p.ctx, lead)
		if len(items) != 1 || items[0].Kind != casework.ReviewAuditLog {
			t.Fatalf("after keeping the case and deleting the draft: %+v", items)
		}
		if n := p.count(`SELECT COUNT(*) FROM concern_drafts WHERE id = $1`, d.ID) + p.count(`SELECT COUNT(*) FROM data_keys WHERE owner_id = $1 AND wrapped <> ''`, d.ID); n != 0 {
			t.Fatal("the draft or its key is still there")
		}
		actions := map[string]bool{}
		for _, e := range p.auditSince(0) {
			actions[e.Action] = true
		}
		for _, a := range []string{casework.ActionRetentionReviewed, casework.ActionRetentionKept, casework.ActionDraftDeleted} {
			if !actions[a] {
				t.Errorf("no %s audit entry", a)
			}
		}
	})
}

func (p *partnership) loadCaseErr(id string) (pathway.Case, error) {
	var c pathway.Case
	err := p.db.Update(p.ctx, func(tx *store.Tx) error {
		var err error
		c, _, err = tx.LoadCase(id)
		return err
	})
	return c, err
}

// A partnership lead exports everything held about a case, after confirming
// who they are; the export is audited and lists its own audit entry.
func TestSubjectAccessExportHoldsEverythingAndIsAudited(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		lead, token := p.privacyLead()
		id := p.raiseChild(dumpChildren[0], true)
		ref := p.contact(id)
		p.supportAct(p.SocialWorker, id, pathway.StartPlacement{StartedAt: p.clock.Now().Add(-time.Hour), PlacementType: "foster-care", Address: dumpAddress, WhereaboutsConfidential: true})

		for _, v := range []casework.Viewer{p.Teacher, p.SocialWorker, p.CSAdmin} {
			if _, err := p.svc.ExportCase(p.ctx, v, token, storetest.Password, id); waymark.ErrorCode(err) != waymark.EFORBIDDEN {
				t.Errorf("%s exported: %v", v.User.Name, err)
			}
		}
		if _, err := p.svc.ExportCase(p.ctx, lead, token, "", id); waymark.ErrorCode(err) != waymark.EINVALID {
			t.Fatalf("without confirming: %v", err)
		}
		before := p.auditHead()
		if _, err := p.svc.ExportCase(p.ctx, lead, token, "not my password", id); waymark.ErrorCode(err) != waymark.EINVALID {
			t.Fatalf("with a wrong password: %v", err)
		}
		if n := len(p.auditSince(before)); n == 0 {
			t.Fatal("the failed confirmation was not audited")
		}
		row, err := p.svc.ResolveCase(p.ctx, lead, strings.ToLower(ref))
		if err != nil || row.ID != id || row.ChildName != "" {
			t.Fatalf("resolving %s: %+v %v", ref, row, err)
		}
		x, err := p.svc.ExportCase(p.ctx, lead, token, storetest.Password, id)
		if err != nil {
			t.Fatal(err)
		}
		if x.Reference != ref || x.Child.FamilyName != "Brontë-Okonkwo" || len(x.Events) != p.version(id) || x.ReadModel.ChildName != "Zoë Brontë-Okonkwo" {
			t.Fatalf("export: %+v", x)
		}
		last := x.Audit[len(x.Audit)-1]
		if last.Action != casework.ActionSubjectExported || last.ActorID != lead.User.ID {
			t.Fatalf("the export's own audit entry is missing: %+v", last)
		}
		text := x.Text()
		blob, _ := json.Marshal(x)
		for _, want := range []string{"Zoë Brontë-Okonkwo", "2011-04-17", dumpAddress, ref, casework.ActionSubjectExported} {
			if !strings.Contains(text, want) || !strings.Contains(string(blob), want) {
				t.Errorf("the export lacks %q", want)
			}
		}
	})
}

// Lawful erasure: only a partnership lead, confirming who they are, with a
// reason that does not name the child and a legal basis. The case's data
// key is destroyed: its events stay as ciphertext nobody can read, the read
// model loses the name and search tokens, members see "erased on … (reason)",
// and the erasure is audited with the reason and basis.
func TestLawfulErasureShredsTheCaseAndIsAudited(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		lead, token := p.privacyLead()
		id := p.raiseChild(dumpChildren[0], true)
		other := p.raiseChild(dumpChildren[2], false)
		p.contact(id)
		events := p.count(`SELECT COUNT(*) FROM case_events WHERE case_id = $1`, id)
		var wrapped string
		if err := db.SQL().QueryRow(`SELECT wrapped FROM data_keys WHERE owner_kind = 'case' AND owner_id = $1`, id).Scan(&wrapped); err != nil || len(wrapped) < 40 {
			t.Fatalf("the case's wrapped key %q: %v", wrapped, err)
		}
		reason := "Concern raised about the wrong child: confirmed by the school"

		if err := p.svc.EraseCase(p.ctx, p.Manager, token, storetest.Password, id, reason, "art17-1d"); waymark.ErrorCode(err) != waymark.EFORBIDDEN {
			t.Fatalf("a manager erased: %v", err)
		}
		for _, bad := range []struct{ reason, basis, confirm, field string }{
			{"short", "art17-1d", storetest.Password, "reason"},
			{reason, "because", storetest.Password, "legalBasis"},
			{reason, "art17-1d", "", "confirm"},
			{reason, "art17-1d", "wrong password", "confirm"},
			{"Zoe was never at our school, wrong child", "art17-1d", storetest.Password, "reason"},
			{"Wrong child: born 17/04/2011 not as recorded", "art17-1d", storetest.Password, "reason"},
		} {
			err := p.svc.EraseCase(p.ctx, lead, token, bad.confirm, id, bad.reason, bad.basis)
			if fs := waymark.ErrorFields(err); len(fs) == 0 || fs[0].Field != bad.field {
				t.Errorf("erasing with %+v: %v", bad, err)
			}
		}
		if _, err := p.loadCaseErr(id); err != nil {
			t.Fatalf("a refused erasure erased: %v", err)
		}

		if err := p.svc.EraseCase(p.ctx, lead, token, storetest.Password, id, reason, "art17-1d"); err != nil {
			t.Fatal(err)
		}
		// Members see that it was erased, when and why; nothing more.
		_, err := p.svc.Case(p.ctx, p.Teacher, id)
		if msg := waymark.ErrorMessage(err); !strings.Contains(msg, "erased on 10 March 2026") || !strings.Contains(msg, reason) {
			t.Fatalf("viewing the erased case: %v", err)
		}
		if err := p.svc.RecordOutcome(p.ctx, p.CSWorker, id, 2, "assessment", "x"); err == nil || !strings.Contains(waymark.ErrorMessage(err), "erased") {
			t.Fatalf("writing to the erased case: %v", err)
		}
		mine, _, _ := p.svc.MyCasesPage(p.ctx, p.Teacher, nil)
		for _, s := range mine {
			if s.ID == id && s.ChildName != "(details erased)" {
				t.Fatalf("listed as %q", s.ChildName)
			}
		}
		if found, _, _ := p.svc.SearchPage(p.ctx, p.Teacher, "zoe", nil); len(found) != 0 {
			t.Fatalf("search still finds the erased child: %+v", found)
		}
		// History is not rewritten, and not readable even with the master key.
		if n := p.count(`SELECT COUNT(*) FROM case_events WHERE case_id = $1`, id); n != events {
			t.Fatalf("%d events, was %d", n, events)
		}
		if _, err := p.loadCaseErr(id); !store.IsErased(err) {
			t.Fatalf("the erased case loads: %v", err)
		}
		if n := p.count(`SELECT COUNT(*) FROM data_keys WHERE wrapped = '' AND destroyed_at IS NOT NULL`); n != 2 { // the case's and its draft's
			t.Fatalf("%d keys destroyed, want 2", n)
		}
		if _, err := p.loadCaseErr(other); err != nil {
			t.Fatalf("another case: %v", err)
		}
		// On SQLite not even the destroyed wrapped key is left in the file or its log.
		secrets := append(dumpChildren[0].secrets(), "Zoë Brontë", "bronte-okonkwo")
		if db.Dialect == store.SQLite {
			secrets = append(secrets, wrapped)
		}
		if found := leaks(dumpDatabase(t, db), secrets); len(found) > 0 {
			t.Fatalf("after erasure the database still holds:\n%s", strings.Join(found, "\n"))
		}
		// Audited with its reason and legal basis.
		var erased bool
		for _, e := range p.auditSince(0) {
			if e.Action == casework.ActionCaseErased && e.CaseID == id && strings.Contains(e.Detail, "art17-1d") && strings.Contains(e.Detail, reason) {
				erased = true
			}
		}
		if !erased {
			t.Fatal("no audit entry of the erasure with its reason and basis")
		}
		// Rebuilding the read models keeps the erased case as erasure left it.
		if _, err := p.svc.RebuildReadModels(p.ctx); err != nil {
			t.Fatal(err)
		}
		if n := p.count(`SELECT COUNT(*) FROM cases WHERE id = $1 AND child_name = ''`, id); n != 1 {
			t.Fatal("the rebuild lost or refilled the erased case's row")
		}
		if err := p.svc.EraseCase(p.ctx, lead, token, storetest.Password, id, reason, "art17-1d"); waymark.ErrorCode(err) != waymark.ECONFLICT {
			t.Fatalf("erasing twice: %v", err)
		}
		x, err := p.svc.ExportCase(p.ctx, lead, token, storetest.Password, id)
		if err != nil || x.Erasure == nil || len(x.Events) != 0 || !strings.Contains(x.Text(), "ERASED") {
			t.Fatalf("export of the erased case: %+v %v", x, err)
		}
	})
}

// Keeping a record is for what is on the review list. An open case, a case
// closed too recently, or a draft someone is still writing answers exactly
// as an id that does not exist, and nothing is recorded: otherwise an
// administrator (who sees no case data) could test ids for cases and drafts
// (§6.5).
func TestKeepingWhatIsNotDueAnswersAsAnUnknownID(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		p.svc.Retention = casework.RetentionPolicy{ClosedCaseYears: 2, UnsentDraftDays: 10, AuditYears: 3}
		closed := p.raiseChild(dumpChildren[0], false)
		p.contact(closed)
		p.outcome(closed)
		p.closeCase(closed)
		open := p.raiseChild(dumpChildren[1], false)
		d, err := p.svc.NewDraft(p.ctx, p.Colleague)
		if err != nil {
			t.Fatal(err)
		}
		unknown := func(kind, id string) error {
			return p.svc.KeepRecord(p.ctx, p.CSAdmin, kind, id, "Kept while a related case is open")
		}
		want := unknown(casework.ReviewClosedCase, "no-such-case")
		wantCode(t, want, waymark.ENOTFOUND)
		before := p.count(`SELECT COUNT(*) FROM retention_decisions`)
		for name, err := range map[string]error{
			"an open case":             unknown(casework.ReviewClosedCase, open),
			"a case closed today":      unknown(casework.ReviewClosedCase, closed),
			"a draft being written":    unknown(casework.ReviewUnsentDraft, d.ID),
			"a draft id that is not":   unknown(casework.ReviewUnsentDraft, "no-such-draft"),
			"a case id given as draft": unknown(casework.ReviewUnsentDraft, open),
		} {
			if waymark.ErrorCode(err) != waymark.ENOTFOUND || err.Error() != want.Error() {
				t.Errorf("keeping %s: %v, want the same answer as an unknown id (%v)", name, err, want)
			}
		}
		if after := p.count(`SELECT COUNT(*) FROM retention_decisions`); after != before {
			t.Fatalf("a decision was recorded for something not due: %d -> %d", before, after)
		}
		// Once due, the same calls work.
		p.clock.Advance(3 * 365 * 24 * time.Hour)
		if err := unknown(casework.ReviewClosedCase, closed); err != nil {
			t.Fatalf("keeping a closed case now due: %v", err)
		}
		if err := unknown(casework.ReviewUnsentDraft, d.ID); err != nil {
			t.Fatalf("keeping a draft now due: %v", err)
		}
	})
}

// A partnership lead's look-up of a case for a subject-rights request is
// audited whether or not it finds one, so walking the references one by one
// leaves a trail.
func TestASubjectAccessLookUpIsAuditedFoundOrNot(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		lead, _ := p.privacyLead()
		id := p.raiseChild(dumpChildren[0], false)
		ref := p.contact(id)
		since := p.auditHead()
		if row, err := p.svc.ResolveCase(p.ctx, lead, ref); err != nil || row.ID != id {
			t.Fatalf("look-up by reference: %+v %v", row, err)
		}
		if _, err := p.svc.ResolveCase(p.ctx, lead, "CS-2026-999999"); waymark.ErrorCode(err) != waymark.ENOTFOUND {
			t.Fatalf("look-up of a reference that is not: %v", err)
		}
		if _, err := p.svc.ResolveCase(p.ctx, lead, "Amira Haddad"); waymark.ErrorCode(err) != waymark.ENOTFOUND {
			t.Fatalf("look-up by a name: %v", err)
		}
		var got []string
		for _, e := range p.auditSince(since) {
			got = append(got, e.Action+" "+e.CaseID+" "+e.Detail)
			if strings.Contains(e.Detail, "Amira") || strings.Contains(e.Detail, "999999") {
				t.Errorf("the audit repeats what was typed: %+v", e)
			}
		}
		want := []string{
			casework.ActionCaseResolved + " " + id + " subject access look-up",
			casework.ActionCaseResolveMissed + "  no case with that id or reference",
			casework.ActionCaseResolveMissed + "  no case with that id or reference",
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("audit:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
}

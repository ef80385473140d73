package e2e

import (
	"fmt"
	"io"
	"mime"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// The demo case the NRM draft test works on (internal/demo/stories.go): a
// county lines case with five indicators, whose outcome says a multi-agency
// meeting "will consider an NRM referral". It was raised by the youth worker,
// so the GP is no member of it.
const (
	nrmChildGiven  = "Reece"
	nrmChildFamily = "Hammond"
	nrmChild       = nrmChildGiven + " " + nrmChildFamily
	nrmIndicator   = "Found by police in a flat taken over by dealers."

	nrmSection = "exploitation"                  // the task list's section "What happened"
	nrmField   = "what-were-they-required-to-do" // its question "What they were made to do"
	nrmAnswer  = "Reece was kept for nine days in a flat in Harbourton that dealers had taken over. He slept on the floor, " +
		"answered a phone that took orders for drugs day and night, and delivered packages he was told were 'food' to " +
		"addresses across the town, with no set hours and no breaks. He was told he owed £800 after he was robbed."
)

// nrmTimeout bounds the test: it signs in twice, and the social worker's
// code may have to wait for the next 30-second step after the pathway test.
const nrmTimeout = 4 * time.Minute

func TestNRMDraftCarriesTheCaseIntoTheHomeOfficeForm(t *testing.T) {
	b := newBrowserFor(t, true, nrmTimeout)
	b.signIn(socialWorkerEmail, socialWorkerName) // Children's Services: the team of every demo case

	// The case, with its indicators, and its link to the draft.
	b.nav("/cases")
	follow(b, childLink(nrmChild))
	b.expectHeading(nrmChild)
	casePath := b.path()
	b.open(casePath + "/concern")
	b.expectText(nrmIndicator)
	base := casePath + "/nrm-draft"
	b.open(casePath + "/nrm")
	b.click(`main a[href="` + base + `"]`)

	// The task list.
	b.expectHeading("NRM referral draft")
	ref := referencePattern.FindString(b.text(".govuk-caption-l"))
	if ref == "" {
		b.fatalf("the task list's caption %q has no case reference", b.text(".govuk-caption-l"))
	}
	tasks := b.nrmTasks()
	if len(tasks) < 5 {
		b.fatalf("the task list has %d sections, want the form's sections: %+v", len(tasks), tasks)
	}
	statuses := map[string]int{}
	for _, tk := range tasks {
		statuses[tk.Status]++
		switch {
		case tk.Title == "" || tk.Href != base+"/"+tk.ID:
			t.Errorf("task %q links to %q, want a titled link to %s/%s", tk.Title, tk.Href, base, tk.ID)
		case tk.Status != "Completed" && tk.Status != "Incomplete" && tk.Status != "Over the limit":
			t.Errorf("task %q has the status %q, want Completed, Incomplete or Over the limit", tk.Title, tk.Status)
		case tk.Status != "Completed" && len(tk.Hints) == 0:
			t.Errorf("task %q is %s but says nothing about what is left to do", tk.Title, tk.Status)
		case !strings.Contains(tk.Described, tk.Status):
			t.Errorf("task %q: its link is described by %q, which does not hold its status %q", tk.Title, tk.Described, tk.Status)
		}
	}
	t.Logf("case %s: %d sections on the task list, statuses %v", ref, len(tasks), statuses)
	answered, _ := b.nrmAnswered()
	var onRoute int
	task, ok := nrmTaskByID(tasks, nrmSection)
	if !ok {
		b.fatalf("the task list has no section %q: %+v", nrmSection, tasks)
	}
	docs := map[string]string{} // link text → href
	for _, text := range []string{"Download the PDF", "Open the PDF to print it", "Download as plain text", "Copy the answers into the online form"} {
		href := run(b, "finding the link "+text, chromedp.Evaluate[string](fmt.Sprintf(
			`(() => { const a = Array.from(document.querySelectorAll('main a')).find(a => a.innerText.trim().startsWith(%q)); return a ? a.getAttribute('href') : ""; })()`, text)))
		if href == "" {
			b.fatalf("the task list has no link %q", text)
		}
		docs[text] = href
	}

	// One section: change an answer and continue.
	b.click(`#task-` + nrmSection + ` a.govuk-task-list__link`)
	b.expectHeading(task.Title)
	if got, want := b.text(".govuk-caption-l"), fmt.Sprintf("of %d", len(tasks)); !strings.Contains(got, ref) || !strings.Contains(got, want) {
		t.Errorf("the section's caption is %q, want the case reference %s and 'section N %s'", got, ref, want)
	}
	if !b.exists(`textarea[id="` + nrmField + `"]`) {
		b.fatalf("the section %q has no textarea #%s", task.Title, nrmField)
	}
	proposed := b.value(nrmField)
	if proposed == nrmAnswer {
		b.fatalf("#%s already holds the answer the test is about to type", nrmField)
	}
	b.fill(nrmField, nrmAnswer)
	if status := b.submit(); status != 200 {
		b.fatalf("continuing from the section %q: status %d; the page says: %s", task.Title, status, b.errorSummary())
	}
	if p := b.path(); p != base {
		b.fatalf("Continue landed on %s, want the task list %s; the page says: %s", p, base, b.errorSummary())
	}
	b.expectHeading("NRM referral draft")
	if got := b.text(".govuk-notification-banner--success"); !strings.Contains(got, "Your answers have been saved") {
		t.Errorf("after Continue the banner says %q, want 'Your answers have been saved'", got)
	}
	after, _ := nrmTaskByID(b.nrmTasks(), nrmSection)
	for _, h := range after.Hints {
		if strings.Contains(h, "What they were made to do") {
			t.Errorf("the task list still asks about 'What they were made to do' after a full answer was saved: %q", h)
		}
	}
	before := answered
	if answered, onRoute = b.nrmAnswered(); answered < before {
		t.Errorf("after saving an answer the task list says %d of %d answered, fewer than the %d before", answered, onRoute, before)
	}

	// The answer is kept: load the section afresh.
	b.open(base + "/" + nrmSection)
	b.expectHeading(task.Title)
	if got := b.value(nrmField); got != nrmAnswer {
		t.Errorf("after saving, the section's #%s holds %q, want the saved answer %q", nrmField, got, nrmAnswer)
	}
	b.expectText("Saved by "+socialWorkerName, "Earlier answers")
	earlier := run(b, "reading the earlier answers to #"+nrmField, chromedp.Evaluate[string](fmt.Sprintf(
		`(() => { const e = document.getElementById(%q).closest('.govuk-form-group'); let n = e.nextElementSibling;
		  while (n && n.tagName !== 'DETAILS' && !n.matches('.govuk-form-group, h2')) n = n.nextElementSibling;
		  return n && n.tagName === 'DETAILS' ? n.textContent : ""; })()`, nrmField)))
	if !strings.Contains(earlier, strings.TrimSpace(proposed)) {
		t.Errorf("the earlier answers to #%s do not keep Waymark's proposal %q; they say %q", nrmField, proposed, earlier)
	}

	// The copy view, with its copy buttons.
	b.click(`a.govuk-back-link[href="` + base + `"]`)
	b.click(`main a[href="` + docs["Copy the answers into the online form"] + `"]`)
	copyPath := b.path()
	b.expectHeading("Copy the NRM referral into the form")
	withJS := b.nrmCopyFields()
	b.checkCopyFields(withJS, onRoute, answered, ref)
	clipboard := run(b, "looking for the clipboard", chromedp.Evaluate[bool](`!!navigator.clipboard`))
	buttons := 0
	for _, f := range withJS {
		if f.Kind != "TEXTAREA" {
			continue
		}
		switch {
		case !f.HasButton:
			t.Errorf("the answer to %q has no copy button", f.Label)
		case clipboard && !f.ButtonShown:
			t.Errorf("the copy button of %q is hidden although the browser has a clipboard", f.Label)
		case !strings.Contains(f.ButtonName, f.Label):
			t.Errorf("the copy button of %q is named %q, which does not say which answer it copies", f.Label, f.ButtonName)
		default:
			buttons++
		}
	}
	if f, ok := withJS[nrmField]; ok && f.ButtonShown {
		b.do("pressing the copy button of #"+nrmField, clickInPage(`button[data-wm-copy="copy-`+nrmField+`"]`))
		said := run(b, "waiting for the copy status", chromedp.Poll[string](
			`(() => { const s = document.getElementById('wm-copy-status'); return s && s.textContent ? s.textContent : null; })()`,
			chromedp.WithPollingTimeout(5*time.Second)))
		if !strings.HasPrefix(said, "Copied.") && !strings.HasPrefix(said, "Copying was blocked") {
			t.Errorf("after pressing Copy the status says %q", said)
		}
		t.Logf("copy view: %d answers, %d copy buttons; pressing one said %q", len(withJS), buttons, said)
	}

	// Without JavaScript the copy view shows every answer, and no button
	// that would do nothing.
	b.nrmScripts(false)
	b.open(copyPath)
	b.expectHeading("Copy the NRM referral into the form")
	noJS := b.nrmCopyFields()
	b.checkCopyFields(noJS, onRoute, answered, ref)
	for id, f := range withJS {
		g, ok := noJS[id]
		switch {
		case !ok:
			t.Errorf("without JavaScript the copy view leaves out %q", f.Label)
		case g.Missing != f.Missing || g.Text != f.Text:
			t.Errorf("without JavaScript the copy view shows %q as %q (missing %v), want %q (missing %v)", f.Label, g.Text, g.Missing, f.Text, f.Missing)
		case g.ButtonShown:
			t.Errorf("without JavaScript the copy view shows the copy button of %q, which cannot work", f.Label)
		}
	}
	if len(noJS) != len(withJS) {
		t.Errorf("the copy view has %d answers without JavaScript and %d with it", len(noJS), len(withJS))
	}
	b.nrmScripts(true)

	// The documents, downloaded with the browser's session.
	client := b.nrmClient()
	pdf := b.nrmDownload(client, docs["Download the PDF"], "application/pdf", "attachment", ref)
	if !strings.HasPrefix(string(pdf), "%PDF-") {
		t.Errorf("the PDF starts with %q, want %%PDF-", nrmClip(string(pdf), 16))
	}
	printed := b.nrmDownload(client, docs["Open the PDF to print it"], "application/pdf", "inline", ref)
	if !strings.HasPrefix(string(printed), "%PDF-") {
		t.Errorf("the PDF to print starts with %q, want %%PDF-", nrmClip(string(printed), 16))
	}
	text := string(b.nrmDownload(client, docs["Download as plain text"], "text/plain; charset=utf-8", "attachment", ref))
	if !strings.HasPrefix(text, "OFFICIAL-SENSITIVE\n") {
		t.Errorf("the text export does not open with its marking OFFICIAL-SENSITIVE: %q", nrmClip(text, 80))
	}
	if !strings.Contains(text, "Case reference: "+ref) {
		t.Errorf("the text export does not give the case reference %s", ref)
	}
	if want := fmt.Sprintf("Answered: %d of the %d", answered, onRoute); !strings.Contains(text, want) {
		t.Errorf("the text export does not say %q", want)
	}
	exported := nrmTextAnswers(text)
	for id, f := range withJS {
		got, ok := exported[f.Label]
		switch {
		case !ok:
			t.Errorf("the text export has no answer to %q (field %s)", f.Label, id)
		case f.Missing && got != nrmNotAnswered:
			t.Errorf("the text export answers %q with %q, but the copy view says it is not answered yet", f.Label, got)
		case !f.Missing && got != strings.TrimSpace(f.Text):
			t.Errorf("the text export answers %q with %q, but the copy view has %q", f.Label, nrmClip(got, 200), nrmClip(f.Text, 200))
		}
	}
	t.Logf("text export: %d answers, compared with the copy view's %d", len(exported), len(withJS))
	if got := exported[withJS[nrmField].Label]; got != nrmAnswer {
		t.Errorf("the text export answers %s with %q, want the saved answer", nrmField, nrmClip(got, 200))
	}

	// The reconsideration draft, if a demo case has had a negative decision.
	if withReconsideration := b.nrmReconsiderable(client); withReconsideration != "" {
		rbase := withReconsideration + "/nrm-reconsideration"
		b.open(rbase)
		b.expectHeading("NRM reconsideration request draft")
		if len(b.nrmTasks()) == 0 {
			t.Errorf("the reconsideration draft %s lists no sections", rbase)
		}
		b.open(rbase + "/copy")
		b.expectHeading("Copy the NRM reconsideration request into the form")
		rtext := string(b.nrmDownload(client, rbase+".txt", "text/plain; charset=utf-8", "attachment", ""))
		if !strings.HasPrefix(rtext, "OFFICIAL-SENSITIVE\n") {
			t.Errorf("the reconsideration's text export does not open with OFFICIAL-SENSITIVE: %q", nrmClip(rtext, 80))
		}
	} else {
		t.Logf("no demo case has a negative NRM decision: the reconsideration draft is not opened")
		if status := b.open(casePath + "/nrm-reconsideration"); status != 404 {
			t.Errorf("the reconsideration draft of a case with no negative decision: status %d, want 404", status)
		}
		b.expectHeading("Page not found")
		b.expectText("There is no reconsideration to draft")
	}
	b.signOut()

	// The GP is no member of the case: the draft, its copy view and its
	// documents are "Page not found", saying nothing of the child.
	b.signIn(gpEmail, gpName)
	for _, p := range []string{base, base + "/" + nrmSection, copyPath, docs["Download the PDF"], docs["Download as plain text"]} {
		if status := b.open(p); status != 404 {
			t.Errorf("the GP opening %s: status %d, want 404", p, status)
		}
		b.expectHeading("Page not found")
		html := b.html()
		for _, secret := range []string{nrmChildGiven, nrmChildFamily, ref} {
			if strings.Contains(html, secret) {
				t.Errorf("the GP's page for %s mentions %q", p, secret)
			}
		}
	}
	// A case the GP referred: they are a member, but not of the team that
	// works it, so the draft is refused with the reason (§6.5).
	b.nav("/cases")
	own := b.attr(`main table a[href^="/cases/"]`, "href")
	if status := b.open(own + "/nrm-draft"); status != 403 {
		t.Errorf("the GP opening the draft of the case they referred (%s): status %d, want 403", own, status)
	}
	b.expectHeading("You cannot do that")
	b.expectText("only those working the case can open it")
	b.signOut()
}

// nrmScripts turns the page's scripts off or on for the pages opened next.
func (b *browser) nrmScripts(on bool) {
	b.t.Helper()
	b.setScripts(on)
	b.noJS = !on
}

type nrmTask struct {
	ID, Title, Href, Status, Described string
	Hints                              []string
}

// nrmTasks reads the GOV.UK task list of the page.
func (b *browser) nrmTasks() []nrmTask {
	b.t.Helper()
	return run(b, "reading the task list", chromedp.Evaluate[[]nrmTask](
		`Array.from(document.querySelectorAll('main .govuk-task-list__item')).map(li => {
		  const a = li.querySelector('a.govuk-task-list__link');
		  const described = (a.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean)
		    .map(id => document.getElementById(id)).filter(Boolean).map(e => e.innerText.trim()).join(' | ');
		  return {ID: li.id.replace(/^task-/, ''), Title: a.innerText.trim(), Href: a.getAttribute('href'),
		    Status: li.querySelector('.govuk-task-list__status').innerText.trim(), Described: described,
		    Hints: Array.from(li.querySelectorAll('.govuk-task-list__hint li')).map(e => e.innerText.trim())};
		})`))
}

func nrmTaskByID(tasks []nrmTask, id string) (nrmTask, bool) {
	for _, t := range tasks {
		if t.ID == id {
			return t, true
		}
	}
	return nrmTask{}, false
}

var nrmAnsweredPattern = regexp.MustCompile(`Answered: (\d+) of the (\d+) questions`)

// nrmAnswered is the task list's count of answered questions on the child's route.
func (b *browser) nrmAnswered() (answered, onRoute int) {
	b.t.Helper()
	m := nrmAnsweredPattern.FindStringSubmatch(b.text("main"))
	if m == nil {
		b.fatalf("the task list does not say how many questions are answered")
	}
	answered, _ = strconv.Atoi(m[1])
	onRoute, _ = strconv.Atoi(m[2])
	return answered, onRoute
}

// nrmCopyField is one question of the copy view as the browser shows it.
type nrmCopyField struct {
	ID, Label, Kind, Text string
	Missing               bool
	Shown                 bool   // the answer takes up space on the page
	UserSelect            string // its computed user-select
	Selected              string // what selecting all of it selects
	ReadOnly              bool
	HasButton             bool
	ButtonShown           bool // the button can be seen, whatever its hidden attribute says
	ButtonName            string
}

// nrmCopyFields reads every question of the copy view, selecting each answer
// as a person would (all the text of a read-only box, or of a paragraph).
func (b *browser) nrmCopyFields() map[string]nrmCopyField {
	b.t.Helper()
	list := run(b, "reading the copy view", chromedp.Evaluate[[]nrmCopyField](
		`Array.from(document.querySelectorAll('main .wm-copy')).map(g => {
		  const f = {ID: '', Label: '', Kind: '', Text: '', Missing: false, Shown: false, UserSelect: '', Selected: '', ReadOnly: false,
		    HasButton: false, ButtonShown: false, ButtonName: ''};
		  const label = g.querySelector('label, p.govuk-body');
		  f.Label = label ? label.textContent.trim() : '';
		  f.Missing = Array.from(g.querySelectorAll('.govuk-tag')).some(e => e.textContent.includes('Not answered yet') || e.textContent.includes('left blank'));
		  const e = g.querySelector('textarea[id^="copy-"], p[id^="copy-"]');
		  if (e) {
		    f.ID = e.id.replace(/^copy-/, ''); f.Kind = e.tagName; f.Shown = e.getClientRects().length > 0;
		    f.UserSelect = getComputedStyle(e).userSelect;
		    const sel = window.getSelection(); sel.removeAllRanges();
		    if (e.tagName === 'TEXTAREA') {
		      f.Text = e.value; f.ReadOnly = e.readOnly; e.focus(); e.select();
		      f.Selected = e.value.substring(e.selectionStart, e.selectionEnd); e.blur();
		    } else {
		      f.Text = e.textContent; const r = document.createRange(); r.selectNodeContents(e); sel.addRange(r);
		      f.Selected = sel.toString();
		    }
		    sel.removeAllRanges();
		  } else {
		    f.ID = g.dataset.field || '';
		  }
		  const btn = g.querySelector('button[data-wm-copy]');
		  if (btn) { f.HasButton = true; f.ButtonShown = btn.checkVisibility({visibilityProperty: true}); f.ButtonName = btn.textContent.replace(/\s+/g, ' ').trim(); }
		  return f;
		})`))
	out := map[string]nrmCopyField{}
	for _, f := range list {
		if f.ID == "" {
			b.t.Errorf("a question of the copy view has no form field id: %+v", f)
			continue
		}
		if _, dup := out[f.ID]; dup {
			b.t.Errorf("the copy view has the form field %s twice", f.ID)
		}
		out[f.ID] = f
	}
	return out
}

// checkCopyFields checks the copy view holds every question on the child's
// route, each answer present, shown and selectable, and the saved answer.
func (b *browser) checkCopyFields(fields map[string]nrmCopyField, onRoute, answered int, ref string) {
	b.t.Helper()
	missing := 0
	for _, f := range fields {
		if f.Missing {
			missing++
			continue
		}
		switch {
		case f.Kind == "":
			b.t.Errorf("the copy view shows no answer to %q and does not mark it missing", f.Label)
		case strings.TrimSpace(f.Text) == "":
			b.t.Errorf("the copy view's answer to %q is empty and not marked missing", f.Label)
		case !f.Shown:
			b.t.Errorf("the copy view's answer to %q is not shown", f.Label)
		case f.UserSelect == "none":
			b.t.Errorf("the copy view's answer to %q cannot be selected (user-select: none)", f.Label)
		case strings.TrimSpace(f.Selected) != strings.TrimSpace(f.Text):
			b.t.Errorf("selecting the copy view's answer to %q selects %q, want all of %q", f.Label, nrmClip(f.Selected, 100), nrmClip(f.Text, 100))
		case f.Kind == "TEXTAREA" && !f.ReadOnly:
			b.t.Errorf("the copy view's box for %q can be typed into; it should be read-only", f.Label)
		}
	}
	if len(fields) != onRoute || missing != onRoute-answered {
		b.t.Errorf("the copy view has %d questions, %d not answered; the task list says %d of the %d questions are answered",
			len(fields), missing, answered, onRoute)
	}
	if got := fields[nrmField].Text; got != nrmAnswer {
		b.t.Errorf("the copy view's answer to %s is %q, want the saved answer", nrmField, nrmClip(got, 200))
	}
	if got := fields["reference"].Text; got != ref {
		b.t.Errorf("the copy view's reference is %q, want the case reference %s", got, ref)
	}
}

// nrmClient is an HTTP client that carries the browser's session cookie and
// does not follow redirects, so that a redirect to sign in is seen.
func (b *browser) nrmClient() *http.Client {
	b.t.Helper()
	res, err := chromedp.Call(b.ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{b.base + "/"}})
	if err != nil {
		b.fatalf("reading the browser's cookies: %v", err)
	}
	var header []string
	for _, c := range res.Cookies {
		header = append(header, c.Name+"="+c.Value)
	}
	if len(header) == 0 {
		b.fatalf("the browser holds no cookie for %s", b.base)
	}
	return &http.Client{
		Timeout:       stepTimeout,
		Transport:     nrmCookies{strings.Join(header, "; ")},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

type nrmCookies struct{ header string }

func (c nrmCookies) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Cookie", c.header)
	return http.DefaultTransport.RoundTrip(r)
}

// nrmGet fetches path with the browser's session.
func (b *browser) nrmGet(client *http.Client, path string) (*http.Response, []byte) {
	b.t.Helper()
	resp, err := client.Get(b.base + path)
	if err != nil {
		b.fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.fatalf("reading GET %s: %v", path, err)
	}
	return resp, body
}

// nrmDownload fetches a document and checks how it is served: its type, that
// it is a download (or shown, inline) named by the case reference and not the
// child, and that it is not kept in a cache.
func (b *browser) nrmDownload(client *http.Client, path, contentType, disposition, ref string) []byte {
	b.t.Helper()
	resp, body := b.nrmGet(client, path)
	if resp.StatusCode != http.StatusOK {
		b.fatalf("GET %s: status %d (Location %q), want 200", path, resp.StatusCode, resp.Header.Get("Location"))
	}
	if got := resp.Header.Get("Content-Type"); got != contentType {
		b.t.Errorf("GET %s: Content-Type %q, want %q", path, got, contentType)
	}
	d, params, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition"))
	name := params["filename"]
	switch {
	case err != nil:
		b.t.Errorf("GET %s: Content-Disposition %q: %v", path, resp.Header.Get("Content-Disposition"), err)
	case d != disposition:
		b.t.Errorf("GET %s: Content-Disposition %q, want %s", path, resp.Header.Get("Content-Disposition"), disposition)
	case ref != "" && !strings.Contains(name, ref):
		b.t.Errorf("GET %s: the file is named %q, without the case reference %s", path, name, ref)
	}
	for _, n := range []string{nrmChildGiven, nrmChildFamily} {
		if strings.Contains(strings.ToLower(name), strings.ToLower(n)) {
			b.t.Errorf("GET %s: the file name %q holds the child's name", path, name)
		}
	}
	if got := resp.Header.Get("Cache-Control"); !strings.Contains(got, "no-store") {
		b.t.Errorf("GET %s: Cache-Control %q, want no-store for an OFFICIAL-SENSITIVE document", path, got)
	}
	if n := resp.Header.Get("Content-Length"); n != strconv.Itoa(len(body)) {
		b.t.Errorf("GET %s: Content-Length %s, body of %d bytes", path, n, len(body))
	}
	b.t.Logf("GET %s: %s, %s; filename=%q, %d bytes", path, resp.Header.Get("Content-Type"), d, name, len(body))
	return body
}

var (
	nrmCaseLink   = regexp.MustCompile(`href="(/cases/[0-9a-f]+)"`)
	nrmOpenAnswer = "--- answer ---"
	nrmEndAnswer  = "--- end ---"
	// nrmNotAnswered stands for a question the text export says is not answered.
	nrmNotAnswered = "(not answered)"
)

// nrmReconsiderable is the path of a case of the viewer's whose referral
// draft offers a reconsideration (after a negative decision), or "".
func (b *browser) nrmReconsiderable(client *http.Client) string {
	b.t.Helper()
	_, list := b.nrmGet(client, "/cases")
	seen := map[string]bool{}
	for _, m := range nrmCaseLink.FindAllStringSubmatch(string(list), -1) {
		if seen[m[1]] {
			continue
		}
		seen[m[1]] = true
		if resp, page := b.nrmGet(client, m[1]+"/nrm-draft"); resp.StatusCode == 200 && strings.Contains(string(page), `href="`+m[1]+`/nrm-reconsideration"`) {
			return m[1]
		}
	}
	if len(seen) == 0 {
		b.t.Errorf("the social worker's case list links to no case")
	}
	return ""
}

// nrmTextAnswers reads the plain-text export as a person would: each
// question's answer, by the question's words. A question opens a paragraph,
// and its answer follows (an instruction such as "Choose this entry from the
// form's list:" may come between); a page's only question that repeats the
// page's heading is not written again, so its answer opens the paragraph.
func nrmTextAnswers(text string) map[string]string {
	out := map[string]string{}
	lines := strings.Split(text, "\n")
	heading, question := "", ""
	underline := func(i int) bool {
		return i+1 < len(lines) && lines[i] != "" && strings.Trim(lines[i+1], "-") == "" && utf8.RuneCountInString(lines[i+1]) == utf8.RuneCountInString(lines[i])
	}
	answerOpens := func(l string) bool {
		return l == nrmOpenAnswer || strings.HasPrefix(l, "Not answered yet") || l == "Optional: left blank." || strings.HasSuffix(l, ":") && strings.HasPrefix(l, "Choose this entry")
	}
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		switch {
		case l == "":
			continue
		case underline(i):
			heading, question = l, ""
			i++
			continue
		case i > 0 && lines[i-1] == "":
			question = l
			if answerOpens(l) {
				question = heading
			}
		}
		switch {
		case l == nrmOpenAnswer:
			var answer []string
			for i++; i < len(lines) && lines[i] != nrmEndAnswer; i++ {
				answer = append(answer, lines[i])
			}
			out[question] = strings.TrimSpace(strings.Join(answer, "\n"))
		case strings.HasPrefix(l, "Not answered yet") || l == "Optional: left blank.":
			out[question] = nrmNotAnswered
		}
	}
	return out
}

func nrmClip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

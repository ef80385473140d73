package web

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"waymark/internal/storetest"
)

// The copy view reads as a document: one title, the form's sections and
// pages as headings a level and a size below it, a contents list linking to
// each of them, the declaration, and none of the form's specification.
func TestNRMCopyViewHeadingsStepDownFromItsContents(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	id, _ := e.nrmReadyCase()
	b := e.browser()
	b.signIn("social.worker@cs.example")
	rec := b.get("/cases/" + id + "/nrm-draft/copy")
	if rec.Code != http.StatusOK {
		t.Fatalf("copy view: %d", rec.Code)
	}
	body := rec.Body.String()
	main := body[strings.Index(body, "<main"):strings.Index(body, "</main>")]

	// Heading levels never skip one, and each is set smaller than the one above.
	sizes := map[string]int{"govuk-heading-xl": 4, "govuk-heading-l": 3, "govuk-heading-m": 2, "govuk-heading-s": 1}
	headings := regexp.MustCompile(`<h([1-6]) class="(govuk-heading-[a-z]+)[^"]*"(?: id="([^"]*)")?>`).FindAllStringSubmatch(main, -1)
	ids := map[string]int{}
	level, h1Size := 0, 0
	largest := map[string]int{}
	for _, h := range headings {
		n := int(h[1][0] - '0')
		if n > level+1 {
			t.Errorf("an h%s follows an h%d: heading levels skip one", h[1], level)
		}
		level = n
		if n == 1 {
			h1Size = sizes[h[2]]
		} else if largest[h[1]] < sizes[h[2]] {
			largest[h[1]] = sizes[h[2]]
		}
		if h[3] != "" {
			ids[h[3]] = n
		}
	}
	if strings.Count(main, "<h1") != 1 || h1Size == 0 {
		t.Fatalf("the copy view has %d titles (h1), want one", strings.Count(main, "<h1"))
	}
	if largest["2"] == 0 || largest["3"] == 0 {
		t.Fatalf("the copy view has no section (h2) or page (h3) headings: %v", largest)
	}
	if !(h1Size > largest["2"] && largest["2"] > largest["3"]) {
		t.Errorf("heading sizes: title %d, sections up to %d, pages up to %d; want each smaller than the one above", h1Size, largest["2"], largest["3"])
	}

	// The contents list links to every section and page heading, and to the declaration.
	nav := regexp.MustCompile(`(?s)<nav aria-labelledby="contents-title">.*?</nav>`).FindString(main)
	if nav == "" {
		t.Fatal("the copy view has no contents list")
	}
	linked := map[string]bool{}
	for _, m := range regexp.MustCompile(`href="#([^"]+)"`).FindAllStringSubmatch(nav, -1) {
		linked[m[1]] = true
		if ids[m[1]] == 0 {
			t.Errorf("the contents list links to #%s, which is no heading", m[1])
		}
	}
	for hid, n := range ids {
		if n >= 2 && hid != "contents-title" && !linked[hid] {
			t.Errorf("the heading #%s (h%d) is not in the contents list", hid, n)
		}
	}
	if ids["declaration"] != 2 {
		t.Error("the copy view has no section for the declaration")
	}

	for _, spec := range []string{"form page /", "Step 1:", "of 15000 characters", "characters, a line break", "Field "} {
		if strings.Contains(main, spec) {
			t.Errorf("the copy view says %q, which is the form's specification", spec)
		}
	}
}

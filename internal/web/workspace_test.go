package web

import (
	"strings"
)

// workspace is every page of a case's workspace the browser's person can
// open (the overview, each area in its side navigation, the timeline),
// joined: what they can learn of the case from its pages.
func workspace(b *browser, caseID string) string {
	overview := b.get("/cases/" + caseID).Body.String()
	var all strings.Builder
	all.WriteString(overview)
	for _, href := range sideNavLinks(overview) {
		if href != "/cases/"+caseID {
			all.WriteString(b.get(href).Body.String())
		}
	}
	return all.String()
}

// sideNavLinks are the hrefs of the case's side navigation on a page.
func sideNavLinks(page string) []string {
	start := strings.Index(page, `<nav class="moj-side-navigation"`)
	if start < 0 {
		return nil
	}
	nav := page[start:]
	nav = nav[:strings.Index(nav, "</nav>")]
	var out []string
	for {
		i := strings.Index(nav, `href="`)
		if i < 0 {
			return out
		}
		nav = nav[i+len(`href="`):]
		out = append(out, nav[:strings.Index(nav, `"`)])
	}
}

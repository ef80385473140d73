package templates

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"
	tparse "text/template/parse"
)

// The web package parses every file into one set (web.parsePagesOnce), where
// a second definition of a name silently replaces the first. So each name is
// defined in one file only, and each page file defines the template named
// after it, which the server renders between the layout's halves.
var callsPage = regexp.MustCompile(`\{\{-?\s*(template|block)\s+"page-`)

func TestEveryTemplateNameIsDefinedInOneFileOnly(t *testing.T) {
	files, err := fs.Glob(FS, "*.tmpl")
	if err != nil {
		t.Fatal(err)
	}
	definedIn := map[string]string{}
	for _, name := range files {
		src, err := fs.ReadFile(FS, name)
		if err != nil {
			t.Fatal(err)
		}
		trees := map[string]*tparse.Tree{}
		tree := tparse.New(name)
		tree.Mode = tparse.SkipFuncCheck
		if _, err := tree.Parse(string(src), "", "", trees); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for def := range trees {
			if def == name {
				continue // the file's own top level, which holds only definitions
			}
			if other, ok := definedIn[def]; ok {
				t.Errorf("template %q is defined in both %s and %s", def, other, name)
			}
			definedIn[def] = name
		}
		// A page is executed on its own (between the layout's halves), never
		// called from another template: html/template escapes a template
		// once, for the context of its first use, and one that failed
		// escaping on its own breaks every template that calls it.
		if callsPage.Match(src) {
			t.Errorf("%s calls a page template; pages are only rendered by the server", name)
		}
		if page := strings.TrimSuffix(name, ".tmpl"); strings.HasPrefix(page, "page-") && trees[page] == nil {
			t.Errorf("%s does not define %q", name, page)
		}
	}
	if definedIn["content"] != "partials.tmpl" {
		t.Errorf(`"content" is the layout's empty block, defined in partials.tmpl only; it is defined in %q`, definedIn["content"])
	}
}

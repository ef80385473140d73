package web

import (
	"html/template"
	"runtime"
	"strings"
	"testing"
)

// BenchmarkPageTemplatesHeap reports the heap that the parsed pages hold,
// every page escaped (parsePagesOnce escapes them). Every server holds this
// for as long as it runs, so it sets the floor of a quiet server's memory
// (docs/performance.md).
//
//	go test -run '^$' -bench PageTemplatesHeap -benchtime 3x ./internal/web
func BenchmarkPageTemplatesHeap(b *testing.B) {
	for b.Loop() {
		before := liveHeap()
		set, err := parsePagesOnce()
		if err != nil {
			b.Fatal(err)
		}
		held := liveHeap() - before
		pages := 0
		for _, t := range set.Templates() {
			if name := t.Name(); strings.HasPrefix(name, "page-") && !strings.HasSuffix(name, ".tmpl") {
				pages++
			}
		}
		runtime.KeepAlive(set)
		b.ReportMetric(float64(held)/1e6, "MB-held")
		b.ReportMetric(float64(pages), "pages")
	}
}

// The server escapes every page as it starts: a page html/template cannot
// escape stops start-up, while a page that only fails on the empty page
// used for escaping (a missing field, a function given nothing) does not.
func TestAPageThatCannotBeEscapedStopsStartUp(t *testing.T) {
	set := template.Must(template.New("t").Funcs(template.FuncMap{"boom": func(i int) string { var s []string; return s[i] }}).Parse(
		`{{define "page-unclosed"}}<a href="{{.Title}}{{end}}` +
			`{{define "page-missing-field"}}<p>{{.Data.Case.Reference}}</p>{{end}}` +
			`{{define "page-panics"}}<p>{{boom 3}}</p>{{end}}` +
			`{{define "page-fine"}}<p>{{.Title}}</p>{{end}}`))
	if err := escapeOnly(set, "page-unclosed"); err == nil {
		t.Error("a page that ends inside an attribute was escaped without error")
	}
	for _, name := range []string{"page-missing-field", "page-panics", "page-fine"} {
		if err := escapeOnly(set, name); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := parsePagesOnce(); err != nil {
		t.Fatalf("the real pages: %v", err)
	}
}

// Every server holds the parsed pages for as long as it runs, inside the
// 32 MiB of live heap that serve's memory limit allows for (cmd/waymark,
// baseMemory). A copy of the partials for each page (55.8 MB) once made the
// collector run without pause beside each password hash; the set must stay
// far below that allowance.
func TestThePagesFitTheHeapTheServerAllowsThem(t *testing.T) {
	before := liveHeap()
	set, err := parsePagesOnce() // escapes every page too
	if err != nil {
		t.Fatal(err)
	}
	held := int64(liveHeap()) - int64(before)
	runtime.KeepAlive(set)
	if held > 8<<20 {
		t.Fatalf("the parsed and escaped pages hold %.1f MiB of heap; they must stay under 8 MiB of the 32 MiB a server allows for its whole live heap", float64(held)/(1<<20))
	}
}

func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

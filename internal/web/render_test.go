package web

import (
	"io"
	"runtime"
	"strings"
	"testing"
)

// BenchmarkPageTemplatesHeap reports the heap that the parsed pages hold once
// every page has been escaped (each page's first render escapes it and the
// partials it calls). Every server holds this for as long as it runs, so it
// sets the floor of a quiet server's memory (docs/performance.md).
//
//	go test -run '^$' -bench PageTemplatesHeap -benchtime 3x ./internal/web
func BenchmarkPageTemplatesHeap(b *testing.B) {
	for b.Loop() {
		before := liveHeap()
		set, err := parsePagesOnce()
		if err != nil {
			b.Fatal(err)
		}
		pages := 0
		for _, t := range set.Templates() {
			if name := t.Name(); strings.HasPrefix(name, "page-") && !strings.HasSuffix(name, ".tmpl") {
				t.Execute(io.Discard, Page{}) // escapes the page whole; with no data it stops early
				pages++
			}
		}
		set.ExecuteTemplate(io.Discard, "layout-start", Page{})
		set.ExecuteTemplate(io.Discard, "layout-end", Page{})
		held := liveHeap() - before
		runtime.KeepAlive(set)
		b.ReportMetric(float64(held)/1e6, "MB-held")
		b.ReportMetric(float64(pages), "pages")
	}
}

func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

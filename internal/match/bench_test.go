package match

import "testing"

func BenchmarkDedupeFEBRL1(b *testing.B) { benchDedupe(b, "dataset1.csv") }
func BenchmarkDedupeFEBRL2(b *testing.B) { benchDedupe(b, "dataset2.csv") }

func benchDedupe(b *testing.B, file string) {
	people := readFEBRL(b, file)
	b.ResetTimer()
	for b.Loop() {
		Dedupe(people, 0.5)
	}
}

func BenchmarkCompareChild(b *testing.B) {
	m := DefaultModel()
	x, y := child(), child()
	y.Given, y.Family = "Nguyen", "Van Anh"
	for b.Loop() {
		m.Compare(x, y)
	}
}

func BenchmarkLinkFEBRL2(b *testing.B) {
	orig, dup := split(readFEBRL(b, "dataset2.csv"))
	b.ResetTimer()
	for b.Loop() {
		Link(orig, dup, 0.5)
	}
}

func BenchmarkBlockingKeysChild(b *testing.B) {
	p := child()
	p.Aliases = []string{"Minh Le", "Kevin Nguyen"}
	for b.Loop() {
		BlockingKeys(p)
	}
}

package stats_test

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"waymark/internal/stats"
)

// BenchmarkPublishYear publishes an ended year of a random partnership (its
// four quarterly cuts, protected together) as the statistics page does,
// for small partnerships, where many figures are held back and the joint
// system is largest, and a larger one (docs/statistics.md, "Cost"):
//
//	go test ./internal/stats -run '^$' -bench BenchmarkPublishYear -benchtime 10x
func BenchmarkPublishYear(b *testing.B) {
	for _, n := range []int{20, 80, 155, 1000} {
		raws := yearCuts(rand.New(rand.NewPCG(15, uint64(n))), n)
		b.Run(strconv.Itoa(n)+"-cases", func(b *testing.B) {
			for range b.N {
				stats.PublishSeries(raws, stats.Config{Threshold: 5})
			}
		})
	}
}

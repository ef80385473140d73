package match

import "math"

func log2(x float64) float64 { return math.Log2(x) }

// probability turns a log2 odds into a probability.
func probability(weight float64) float64 {
	odds := math.Exp2(weight)
	return odds / (1 + odds)
}

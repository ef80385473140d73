package casework

import (
	"crypto/sha256"
	"encoding/json"
	"sync"

	"waymark/internal/stats"
)

// publishedStatistics keeps the last few statistics reports published,
// each under a digest of everything its figures follow from: the rows
// counted, the cuts of the year, the threshold and rounding, the
// partnership, and the UK day (a deadline still running is counted by
// the day). A year published as several cuts (stats.PublishSeries) takes
// hundreds of milliseconds to protect, and a lead who reads the page and
// then downloads its CSV, spreadsheet, ODS and PDF asks for the same
// report five times; any change to a row, a setting or the day is a new
// digest, so a report is never served for inputs it was not computed
// from. It holds reports of counts already under disclosure control, no
// case data, and a partnership's digest covers its own name and rows.
type publishedStatistics struct {
	mu      sync.Mutex
	most    int
	order   [][sha256.Size]byte // oldest first
	reports map[[sha256.Size]byte]stats.Report
}

func newPublishedStatistics(most int) *publishedStatistics {
	return &publishedStatistics{most: most, reports: map[[sha256.Size]byte]stats.Report{}}
}

// statisticsInputs is what a report's digest is taken over.
type statisticsInputs struct {
	Cases     []stats.CaseRow
	Events    []stats.EventRow
	Cuts      []stats.Period
	Threshold int
	Round     int
	Name      string
	Slug      string
	Day       string
}

func (in statisticsInputs) digest() ([sha256.Size]byte, bool) {
	b, err := json.Marshal(in)
	if err != nil {
		return [sha256.Size]byte{}, false
	}
	return sha256.Sum256(b), true
}

// get is the report published for digest d, if kept. The tables are
// shared with the kept report, and nothing changes them once published.
func (p *publishedStatistics) get(d [sha256.Size]byte) (stats.Report, bool) {
	if p == nil {
		return stats.Report{}, false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	r, ok := p.reports[d]
	return r, ok
}

// put keeps r under d, forgetting the oldest beyond the most kept.
func (p *publishedStatistics) put(d [sha256.Size]byte, r stats.Report) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.reports[d]; ok {
		return
	}
	p.reports[d] = r
	p.order = append(p.order, d)
	for len(p.order) > p.most {
		delete(p.reports, p.order[0])
		p.order = p.order[1:]
	}
}

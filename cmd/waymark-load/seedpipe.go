package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// The seed's pipeline (--workers N): N goroutines decide and prepare cases
// (the pathway's decisions, encoding, encryption, seals, read models and
// search tokens: store.CasePreparer), while the one goroutine that writes
// takes them in case order and only checks and inserts. Cases are planned
// in order by one goroutine, which hands each its contact reference's
// number from the counter as the one-goroutine seed would take it; the
// writer takes the same number from the counter and refuses a case whose
// number differs. What is written is the same, case for case, as the
// one-goroutine seed writes (seed_test.go), but for the random data keys
// and nonces of the encryption.

// seedChunk is how many consecutive cases a worker prepares at a time
// (handing cases over in chunks keeps the goroutines from waking each
// other for every case), and seedAhead bounds the chunks prepared and not
// yet written.
const (
	seedChunk = 32
	seedAhead = 16
)

type seedJob struct {
	plans   []seedPlan
	numbers []int64 // the contact number each takes, or 0
	done    chan seedPrepared
}

type seedPrepared struct {
	first int // the first case's index
	cases []*seedCase
	err   error
}

type seedPipeline struct {
	ordered chan chan seedPrepared
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	chunk   seedPrepared // being written
	pos     int          // of chunk.cases
}

// startPipeline prepares cases start… in order; firstNumber is the next
// number of the contact reference counter.
func (s *seeder) startPipeline(ctx context.Context, start int, firstNumber int64) *seedPipeline {
	ctx, cancel := context.WithCancel(ctx)
	p := &seedPipeline{ordered: make(chan chan seedPrepared, seedAhead), cancel: cancel}
	jobs := make(chan seedJob, seedAhead)
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		defer close(jobs)
		number := firstNumber
		for i := start; i < s.cfg.cases; i += seedChunk {
			j := seedJob{done: make(chan seedPrepared, 1)}
			for k := i; k < min(i+seedChunk, s.cfg.cases); k++ {
				pl := s.plan(k)
				var n int64
				if pl.numbered() {
					n = number
					number++
				}
				j.plans, j.numbers = append(j.plans, pl), append(j.numbers, n)
			}
			select {
			case jobs <- j:
			case <-ctx.Done():
				return
			}
			select {
			case p.ordered <- j.done:
			case <-ctx.Done():
				return
			}
		}
	}()
	for range s.cfg.workers {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			for j := range jobs {
				out := seedPrepared{first: j.plans[0].i}
				for k, pl := range j.plans {
					if out.err = ctx.Err(); out.err != nil {
						break
					}
					var sc *seedCase
					if sc, out.err = s.prepare(pl, j.numbers[k]); out.err != nil {
						out.err = fmt.Errorf("seed: case %d: %w", pl.i, out.err)
						break
					}
					out.cases = append(out.cases, sc)
				}
				j.done <- out
			}
		}()
	}
	return p
}

// prepare decides a planned case and prepares it for the writer; number
// is the contact number planned for it.
func (s *seeder) prepare(pl seedPlan, number int64) (*seedCase, error) {
	sc, err := s.decide(pl, func() (int64, error) {
		if number == 0 {
			return 0, errors.New("a case took a contact number it was not planned to take")
		}
		return number, nil
	})
	if err != nil {
		return nil, err
	}
	sc.prepared, err = s.prep.NewCase(sc.c, sc.appends, sc.last)
	return sc, err
}

// next is case i, prepared.
func (p *seedPipeline) next(ctx context.Context, i int) (*seedCase, error) {
	if p.pos >= len(p.chunk.cases) {
		var done chan seedPrepared
		select {
		case done = <-p.ordered:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		select {
		case p.chunk = <-done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		p.pos = 0
		if p.chunk.err != nil {
			return nil, p.chunk.err
		}
	}
	if p.chunk.first+p.pos != i {
		return nil, fmt.Errorf("seed: case %d prepared where case %d was expected", p.chunk.first+p.pos, i)
	}
	sc := p.chunk.cases[p.pos]
	p.pos++
	return sc, nil
}

// stop ends the pipeline's goroutines.
func (p *seedPipeline) stop() {
	p.cancel()
	p.wg.Wait()
}

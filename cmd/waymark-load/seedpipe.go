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

// seedAhead bounds the cases prepared and not yet written.
const seedAhead = 1024

type seedJob struct {
	plan   seedPlan
	number int64 // the contact number it takes, or 0
	done   chan seedPrepared
}

type seedPrepared struct {
	i   int
	sc  *seedCase
	err error
}

type seedPipeline struct {
	ordered chan chan seedPrepared
	cancel  context.CancelFunc
	wg      sync.WaitGroup
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
		for i := start; i < s.cfg.cases; i++ {
			j := seedJob{plan: s.plan(i), done: make(chan seedPrepared, 1)}
			if j.plan.numbered() {
				j.number = number
				number++
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
				if err := ctx.Err(); err != nil {
					j.done <- seedPrepared{i: j.plan.i, err: err}
					continue
				}
				j.done <- s.prepare(j)
			}
		}()
	}
	return p
}

func (s *seeder) prepare(j seedJob) seedPrepared {
	out := seedPrepared{i: j.plan.i}
	out.sc, out.err = s.decide(j.plan, func() (int64, error) {
		if j.number == 0 {
			return 0, errors.New("seed: a case took a contact number it was not planned to take")
		}
		return j.number, nil
	})
	if out.err == nil {
		out.sc.prepared, out.err = s.prep.NewCase(out.sc.c, out.sc.appends, out.sc.last)
	}
	return out
}

// next is case i, prepared.
func (p *seedPipeline) next(ctx context.Context, i int) (*seedCase, error) {
	var done chan seedPrepared
	select {
	case done = <-p.ordered:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	select {
	case r := <-done:
		if r.err != nil {
			return nil, r.err
		}
		if r.i != i {
			return nil, fmt.Errorf("seed: case %d prepared where case %d was expected", r.i, i)
		}
		return r.sc, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// stop ends the pipeline's goroutines.
func (p *seedPipeline) stop() {
	p.cancel()
	p.wg.Wait()
}

package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/quarry-sec/quarry/engine/intel"
	"github.com/quarry-sec/quarry/providers/ti"
	"github.com/quarry-sec/quarry/views/pane"
)

// intelBackend is a backend that can look indicators up: it builds the
// threat-intelligence engine from the analyst's settings (nil providers = the
// default set). done flushes and closes the cache.
type intelBackend interface {
	LookupEngine(providers []string) (e *ti.Engine, notes []string, done func(), err error)
}

// tiBatch is how many results go to the pane at once, and tiFlush how long a
// partial batch may wait: the pane redraws a few times a second, not once a result.
const (
	tiBatch = 64
	tiFlush = 100 * time.Millisecond
)

// tiEnded ends a look-up task; its messages have all gone through the pump.
type tiEnded struct{}

// tiPump carries the next message of a running look-up.
type tiPump struct {
	ch  <-chan tea.Msg
	msg tea.Msg
}

// lookupTI starts a look-up for the Threat intel pane, which it focuses; a newer
// look-up supersedes an older one.
func (m *Model) lookupTI(req pane.LookupTI) tea.Cmd {
	m.cancelFor(pane.ThreatIntel)
	m.seq[pane.ThreatIntel]++
	seq := m.seq[pane.ThreatIntel]
	m.setFocus(pane.ThreatIntel)
	ib, ok := m.backend.(intelBackend)
	if !ok {
		return tea.Batch(m.intel.Update(req), pane.Cmd(pane.TIStarted{Seq: seq, Request: req,
			Err: errors.New("threat intelligence is not set up in this session")}))
	}
	ch := make(chan tea.Msg, 8)
	work := m.spawn("threat intel", pane.ThreatIntel, func(ctx context.Context, t *task) tea.Msg {
		defer close(ch)
		return runLookup(ctx, ib, req, seq, t, ch)
	})
	return tea.Batch(m.intel.Update(req), work, pump(ch))
}

// pump waits for the next message of a look-up.
func pump(ch <-chan tea.Msg) tea.Cmd {
	return func() tea.Msg {
		msg, ok := <-ch
		if !ok {
			return nil
		}
		return tiPump{ch: ch, msg: msg}
	}
}

// pumped routes a look-up's message to the pane and waits for the next.
func (m *Model) pumped(p tiPump) tea.Cmd {
	var cmd tea.Cmd
	switch msg := p.msg.(type) {
	case pane.TIStarted:
		if msg.Seq == m.seq[pane.ThreatIntel] {
			cmd = m.intel.Update(msg)
		}
	case pane.TIResults:
		if msg.Seq == m.seq[pane.ThreatIntel] {
			cmd = m.intel.Update(msg)
		}
	case pane.TIDone:
		cmd = m.tiDone(msg)
	}
	return tea.Batch(cmd, pump(p.ch))
}

// tiDone routes the end of a look-up to the pane, dropping superseded ones.
func (m *Model) tiDone(msg pane.TIDone) tea.Cmd {
	if msg.Seq != m.seq[pane.ThreatIntel] {
		return nil
	}
	cmd := m.intel.Update(msg)
	if errors.Is(msg.Err, context.Canceled) {
		cmd = tea.Batch(cmd, pane.Notice("threat-intel look-up cancelled"))
	}
	return cmd
}

// runLookup is the look-up's work: the indicators gathered (a value that is
// not itself an indicator has its indicators extracted), the engine built, the
// plan announced, and the results sent in batches as they arrive. A cancelled
// look-up ends with its TIDone as the task's own message (the channel no
// longer takes messages then); otherwise with tiEnded.
func runLookup(ctx context.Context, ib intelBackend, req pane.LookupTI, seq int, t *task, ch chan<- tea.Msg) tea.Msg {
	began := time.Now()
	send := func(msg tea.Msg) bool {
		select {
		case ch <- msg:
			return true
		case <-ctx.Done():
			return false
		}
	}
	var qs []ti.Query
	for _, in := range req.Indicators {
		if in.Type != "" {
			qs = append(qs, ti.Query{Ioc: in.Value, Type: string(in.Type)})
			continue
		}
		found := ti.Indicators(in.Value)
		if len(found) == 0 {
			found = []ti.Query{{Ioc: strings.TrimSpace(in.Value)}}
		}
		qs = append(qs, found...)
	}
	e, notes, done, err := ib.LookupEngine(req.Providers)
	if err != nil {
		send(pane.TIStarted{Seq: seq, Request: req, Notes: notes, Err: err})
		send(pane.TIDone{Seq: seq, Elapsed: time.Since(began), Err: err})
		return tiEnded{}
	}
	defer done()
	plan := e.Prepare(qs)
	start := pane.TIStarted{Seq: seq, Request: req, Totals: plan.Per, Bad: plan.Bad, Notes: notes}
	total := 0
	for _, p := range e.Providers {
		if plan.Per[p.Name()] > 0 {
			start.Providers = append(start.Providers, p.Name())
			total += plan.Per[p.Name()]
		}
	}
	if len(plan.Queries) == 0 && len(plan.Bad) == 0 {
		start.Err = fmt.Errorf("no indicators to look up in %s", req.Source)
	}
	t.total.Store(int64(total))
	if !send(start) {
		return pane.TIDone{Seq: seq, Elapsed: time.Since(began), Err: ctx.Err()}
	}
	plan.Bad = nil // already in TIStarted
	rch := make(chan intel.Result, tiBatch)
	var runErr error
	go func() {
		defer close(rch)
		runErr = e.Run(ctx, plan, func(r intel.Result) {
			select {
			case rch <- r:
			case <-ctx.Done():
			}
		})
	}()
	tick := time.NewTicker(tiFlush)
	defer tick.Stop()
	var batch []intel.Result
	flush := func() {
		if len(batch) > 0 {
			send(pane.TIResults{Seq: seq, Results: batch})
			batch = nil
		}
	}
	for open := true; open; {
		select {
		case r, ok := <-rch:
			if !ok {
				open = false
				break
			}
			t.done.Add(1)
			batch = append(batch, r)
			if len(batch) >= tiBatch {
				flush()
			}
		case <-tick.C:
			flush()
		}
	}
	flush()
	if ctx.Err() != nil {
		return pane.TIDone{Seq: seq, Elapsed: time.Since(began), Err: ctx.Err()}
	}
	send(pane.TIDone{Seq: seq, Elapsed: time.Since(began), Err: runErr})
	return tiEnded{}
}

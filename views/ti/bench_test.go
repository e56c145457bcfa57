package ti

import (
	"slices"
	"testing"
	"time"

	"github.com/quarry-sec/quarry/views/pane"
)

// The benchmark's look-up: 1,000 indicators × 4 providers, arriving in batches
// of 50.
const (
	benchIndicators = 1000
	benchBatch      = 50
)

// bigPane is a 120×40 pane showing the whole benchmark look-up, drawn once.
func bigPane(tb testing.TB) *Model {
	tb.Helper()
	m := New(testCtx())
	m.SetSize(120, 40)
	start, batches := bigLookup(1, benchIndicators, benchBatch)
	m.Update(start)
	for _, b := range batches {
		m.Update(b)
	}
	m.Update(pane.TIDone{Seq: 1, Elapsed: time.Minute})
	if m.nResults != 4*benchIndicators || len(m.groups) != benchIndicators {
		tb.Fatalf("%d results in %d groups", m.nResults, len(m.groups))
	}
	_ = m.View()
	return m
}

// BenchmarkView is a frame of the finished look-up of 4,000 answers after a key:
// moving the selection, paging, and changing a filter (which lays the list out
// again).
func BenchmarkView(b *testing.B) {
	b.Run("move", func(b *testing.B) {
		m := bigPane(b)
		press(m, "pgdown", "pgdown")
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			press(m, []string{"j", "k"}[i%2])
			_ = m.View()
			i++
		}
	})
	b.Run("page", func(b *testing.B) {
		m := bigPane(b)
		b.ReportAllocs()
		for b.Loop() {
			press(m, "pgdown")
			_ = m.View()
		}
	})
	b.Run("filter", func(b *testing.B) {
		m := bigPane(b)
		b.ReportAllocs()
		for b.Loop() {
			press(m, "s")
			_ = m.View()
		}
	})
	b.Run("order", func(b *testing.B) {
		m := bigPane(b)
		b.ReportAllocs()
		for b.Loop() {
			press(m, "o")
			_ = m.View()
		}
	})
}

// BenchmarkUpdateBatch is a batch of 50 answers arriving and the frame after it,
// over the whole look-up of 1,000 indicators × 4 providers (the pane starting
// afresh after the 80th batch), in arrival order and worst first.
func BenchmarkUpdateBatch(b *testing.B) {
	start, batches := bigLookup(1, benchIndicators, benchBatch)
	for _, order := range []struct {
		name    string
		presses int
	}{{"arrival", 0}, {"worst-first", 1}} {
		b.Run(order.name, func(b *testing.B) {
			var m *Model
			fresh := func() {
				m = New(testCtx())
				m.SetSize(120, 40)
				m.Update(start)
				for range order.presses {
					press(m, "o")
				}
				press(m, "j")
			}
			fresh()
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if i == len(batches) {
					b.StopTimer()
					fresh()
					i = 0
					b.StartTimer()
				}
				m.Update(batches[i])
				_ = m.View()
				i++
			}
		})
	}
}

// TestFrameBudget holds Update + View to 2 ms a frame while a look-up of 1,000
// indicators × 4 providers streams in by 50s (in arrival order and worst
// first), and for keys on the finished list: the 95th percentile of all frames.
// Skipped under the race detector, which slows everything several times over.
func TestFrameBudget(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("timing test")
	}
	var took []time.Duration
	measure := func(m *Model, f func()) {
		began := time.Now()
		f()
		_ = m.View()
		took = append(took, time.Since(began))
	}
	start, batches := bigLookup(1, benchIndicators, benchBatch)
	for _, presses := range []int{0, 1} {
		m := New(testCtx())
		m.SetSize(120, 40)
		m.Update(start)
		for range presses {
			press(m, "o")
		}
		for _, b := range batches {
			measure(m, func() { m.Update(b) })
			measure(m, func() { press(m, "j") })
		}
	}
	m := bigPane(t)
	for _, k := range []string{"pgdown", "j", "enter", "s", "s", "s", "s", "p", "f", "f", "o", "o", "o", "C", "E", "G", "g"} {
		measure(m, func() { press(m, k) })
	}
	slices.Sort(took)
	var total time.Duration
	for _, d := range took {
		total += d
	}
	p95 := took[len(took)*95/100]
	t.Logf("Update + View on a 4,000-answer look-up: %d frames, mean %v, p95 %v, worst %v",
		len(took), total/time.Duration(len(took)), p95, took[len(took)-1])
	if p95 > 2*time.Millisecond {
		t.Errorf("p95 %v, budget 2ms", p95)
	}
}

package proctree

import (
	"slices"
	"testing"
	"time"
)

// big is a 120×40 pane showing a tree of 100,000 processes: 1,000 roots, each
// with a random subtree of 99 more.
func big(tb testing.TB) *Model {
	tb.Helper()
	m := New(testCtx())
	m.SetSize(120, 40)
	m.Update(built(1, randomTree(1000, 100, 42)))
	if m.f.size() != 100_000 || len(m.f.roots) != 1000 {
		tb.Fatalf("%d processes, %d roots", m.f.size(), len(m.f.roots))
	}
	return m
}

// BenchmarkToggle100k is one fold or unfold and the frame after it, on a tree of
// 100,000 processes: as loaded (roots unfolded, their children folded), with
// everything unfolded (100,000 rows, the fold spliced out of the middle of them),
// unfold-all and fold-to-roots themselves, and a 100,000-deep chain.
func BenchmarkToggle100k(b *testing.B) {
	b.Run("as-loaded", func(b *testing.B) {
		m := big(b)
		press(m, "j") // a child of the first root, folded
		b.ReportAllocs()
		for b.Loop() {
			press(m, "enter")
			_ = m.View()
		}
	})
	b.Run("all-unfolded", func(b *testing.B) {
		m := big(b)
		press(m, "E")
		for range 50_000 {
			press(m, "j") // half-way down
		}
		for !m.f.hasKids(m.selPos()) {
			press(m, "j")
		}
		b.ReportAllocs()
		for b.Loop() {
			press(m, "enter")
			_ = m.View()
		}
	})
	b.Run("expand-collapse-all", func(b *testing.B) {
		m := big(b)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			press(m, []string{"E", "C"}[i%2])
			_ = m.View()
			i++
		}
	})
	b.Run("chain", func(b *testing.B) {
		m := New(testCtx())
		m.SetSize(120, 40)
		m.Update(built(1, chainTree(100_000)))
		press(m, "E")
		b.ReportAllocs()
		for b.Loop() {
			press(m, "enter") // folds or unfolds all 99,999 below the root
			_ = m.View()
		}
	})
	b.Run("view", func(b *testing.B) {
		m := big(b)
		press(m, "E", "s", "u", "d")
		b.ReportAllocs()
		for b.Loop() {
			_ = m.View()
		}
	})
}

// TestToggleBudget100k holds a fold or unfold on a tree of 100,000 processes,
// with the frame after it, to 16 ms: the 99th percentile of 377 key presses
// folding and unfolding roots and inner processes as loaded and fully unfolded,
// unfolding all and folding to roots, searching and going to matches, and on a
// 100,000-deep chain.
func TestToggleBudget100k(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 100,000-process tree")
	}
	var took []time.Duration
	measure := func(m *Model, keys ...string) {
		began := time.Now()
		press(m, keys...)
		_ = m.View()
		took = append(took, time.Since(began))
	}
	m := big(t)
	rows := len(m.rows)
	for range 50 { // as loaded
		measure(m, "enter")
		measure(m, "enter")
		press(m, "j", "j", "j", "j", "j", "j", "j")
	}
	if len(m.rows) != rows {
		t.Fatalf("folding and unfolding left %d rows, want %d", len(m.rows), rows)
	}
	measure(m, "E")
	if len(m.rows) != 100_000 {
		t.Fatalf("E shows %d rows", len(m.rows))
	}
	for range 50 { // all unfolded
		measure(m, "enter")
		measure(m, "enter")
		for range 997 {
			press(m, "j")
		}
	}
	if len(m.rows) != 100_000 || !slices.IsSorted(m.rows) {
		t.Fatalf("folding and unfolding left %d rows", len(m.rows))
	}
	for range 25 {
		measure(m, "C")
		measure(m, "E")
	}
	// The first search lower-cases every image and command line (once per tree):
	// reported, not part of the fold budget.
	press(m, "/", "u", "s", "e", "r", " ", "4", "2")
	began := time.Now()
	press(m, "enter")
	_ = m.View()
	first := time.Since(began)
	if len(m.matches) < 100 {
		t.Fatalf("%d matches for \"user 42\"", len(m.matches))
	}
	for range 25 { // fold to roots, unfold one, and go to a match, unfolding what hides it
		measure(m, "C")
		measure(m, "l")
		measure(m, "n")
		if !slices.Contains(m.matches, m.selPos()) {
			t.Fatal("n did not select a match")
		}
	}
	c := New(testCtx())
	c.SetSize(120, 40)
	c.Update(built(1, chainTree(100_000)))
	measure(c, "E")
	for range 50 {
		measure(c, "enter")
	}
	slices.Sort(took)
	var total time.Duration
	for _, d := range took {
		total += d
	}
	p99 := took[len(took)*99/100]
	t.Logf("fold/unfold + frame on 100,000 processes: %d presses, mean %v, p99 %v, worst %v; first search %v",
		len(took), total/time.Duration(len(took)), p99, took[len(took)-1], first)
	if p99 > 16*time.Millisecond {
		t.Errorf("p99 %v, budget 16ms", p99)
	}
}

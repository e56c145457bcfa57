package proctree

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/quarry-sec/quarry/engine/proctree"
)

func TestForestOfSample(t *testing.T) {
	f := newForest(sampleTree())
	if !slices.Equal(f.order, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}) {
		t.Errorf("order %v: the sample is already depth-first", f.order)
	}
	if !slices.Equal(f.end, []int{6, 5, 4, 4, 5, 6, 10, 9, 9, 10}) {
		t.Errorf("end %v", f.end)
	}
	if !slices.Equal(f.roots, []int{0, 6}) || f.maxDepth != 3 || f.nMarked != 4 {
		t.Errorf("roots %v, max depth %d, marked %d", f.roots, f.maxDepth, f.nMarked)
	}
	if got := []bool{f.last[iSvchost], f.last[iTaskhost], f.last[iCmd], f.last[iConhost]}; !slices.Equal(got, []bool{false, true, false, true}) {
		t.Errorf("last %v", got)
	}
	if f.markedBelow(iServices) != 2 || f.markedBelow(iExplorer) != 2 || f.markedBelow(iPowerShell) != 0 {
		t.Error("marked-below counts")
	}
	if f.descendants(iServices) != 5 || f.rootOf(iPowerShell) != iServices || f.rootOf(iEvil) != iExplorer {
		t.Error("descendants or roots")
	}
	if f.pidW != 5 || f.userW != len(`bad\x1b[2Juser\x9b31m`) {
		t.Errorf("pid width %d, user width %d", f.pidW, f.userW)
	}
	collapsed := make(folds, f.size())
	collapsed.set(iSvchost, true)
	collapsed.set(iExplorer, true)
	if got := f.visible(collapsed); !slices.Equal(got, []int{0, 1, 5, 6}) {
		t.Errorf("visible %v", got)
	}
}

// TestForestRepairsOrder gives the pane trees the engine should never make: out
// of depth-first order, with a dangling child index, a root missing from Roots,
// and a cycle. Every process is still drawn exactly once, each subtree contiguous.
func TestForestRepairsOrder(t *testing.T) {
	procs := []proctree.Proc{
		{Name: "child-of-2", Parent: 2},                        // 0
		{Name: "unlisted-root", Parent: -1, Children: []int{}}, // 1
		{Name: "root", Parent: -1, Children: []int{0, 99, 3}},  // 2 (99 dangles)
		{Name: "second-child", Parent: 2},                      // 3
		{Name: "cycle-a", Parent: 5, Children: []int{5}},       // 4
		{Name: "cycle-b", Parent: 4, Children: []int{4}},       // 5
	}
	f := newForest(&proctree.Tree{Procs: procs, Roots: []int{2, 2, -4}})
	if f.size() != len(procs) {
		t.Fatalf("%d positions for %d processes", f.size(), len(procs))
	}
	seen := map[int]bool{}
	for _, p := range f.order {
		if seen[p] {
			t.Errorf("process %d drawn twice", p)
		}
		seen[p] = true
	}
	if !slices.Equal(f.order, []int{2, 0, 3, 1, 4, 5}) {
		t.Errorf("order %v", f.order)
	}
	for p := range f.size() {
		if f.pos[f.order[p]] != p {
			t.Errorf("pos is not order's inverse at %d", p)
		}
		if q := f.parent[p]; q >= 0 && (p <= q || p >= f.end[q]) {
			t.Errorf("position %d lies outside its parent %d's run", p, q)
		}
	}
	if !slices.Equal(f.roots, []int{0, 3, 4}) {
		t.Errorf("roots %v", f.roots)
	}

	m := New(testCtx())
	m.SetSize(80, 24)
	m.Update(built(1, &proctree.Tree{Procs: procs, Roots: []int{2}}))
	if len(m.rows) != len(procs) {
		t.Errorf("%d rows shown", len(m.rows))
	}
	press(m, "G", "R", "P", "C", "E", "/")
	checkSize(t, "repaired", m.View(), 80, 24)
}

func TestSearchFindsInTreeOrder(t *testing.T) {
	f := newForest(sampleTree())
	if got := f.search("CMD.exe"); !slices.Equal(got, []int{iCmd, iCmd2}) {
		t.Errorf("search cmd.exe = %v", got)
	}
	if got := f.search("/domain"); !slices.Equal(got, []int{iNet}) {
		t.Errorf("search /domain = %v", got)
	}
	if got := f.search("system32"); !slices.Equal(got, []int{iServices, iSvchost, iCmd, iPowerShell, iConhost, iTaskhost, iCmd2, iNet}) {
		t.Errorf("search system32 = %v", got)
	}
	if got := f.search(""); got != nil {
		t.Errorf("empty search = %v", got)
	}
}

func TestRowOf(t *testing.T) {
	rows := []int{0, 3, 4, 9}
	for p, want := range map[int][2]int{0: {0, 1}, 4: {2, 1}, 5: {3, 0}, 10: {4, 0}} {
		r, ok := rowOf(rows, p)
		if r != want[0] || ok != (want[1] == 1) {
			t.Errorf("rowOf(%d) = %d %v", p, r, ok)
		}
	}
}

// naiveVisible is the shown positions by definition: those without a folded
// ancestor.
func naiveVisible(f *forest, fs folds) []int {
	var out []int
	for p := range f.size() {
		shown := true
		for q := f.parent[p]; q >= 0; q = f.parent[q] {
			if fs.at(q) {
				shown = false
			}
		}
		if shown {
			out = append(out, p)
		}
	}
	return out
}

// TestFoldsSpliceLikeARecount folds and unfolds random processes of random trees
// with the keys and checks, after each, that the spliced rows are exactly those
// without a folded ancestor.
func TestFoldsSpliceLikeARecount(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for seed := range uint64(20) {
		tr := randomTree(1+r.IntN(5), 1+r.IntN(60), seed)
		m := New(testCtx())
		m.SetSize(80, 24)
		m.Update(built(1, tr))
		for range 60 {
			m.move(r.IntN(len(m.rows)))
			k := []string{"enter", "enter", "h", "l", "C", "E", "n", "R"}[r.IntN(8)]
			if k == "n" {
				m.applySearch("rundll32")
			}
			press(m, k)
			if want := naiveVisible(m.f, m.collapsed); !slices.Equal(m.rows, want) {
				t.Fatalf("seed %d after %q: rows %v, want %v", seed, k, m.rows, want)
			}
		}
	}
}

package proctree

import (
	"bytes"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/quarry-sec/quarry/engine/proctree"
)

// forest is a tree laid out for drawing: its processes in depth-first order
// ("positions"), each subtree a contiguous run of positions, so that a node's
// descendants are the positions after it up to its end. The visible rows are then
// an ascending list of positions, cut and spliced when a node folds or unfolds.
//
// The engine already orders a Tree depth-first; the order is rebuilt here from
// Roots and Children all the same, so that a tree with an inconsistent order, a
// dangling index or a cycle still draws every process once.
type forest struct {
	t *proctree.Tree
	// order maps a position to its index in t.Procs; pos is the inverse.
	order, pos []int
	// parent is a position's parent position (-1 for a root); end is one past
	// its last descendant; depth is 0 for a root.
	parent, end, depth []int
	// last reports a position that is its parent's last child.
	last []bool
	// branch marks the positions with children: the folds of "fold to roots".
	branch folds
	// roots are the roots' positions.
	roots []int
	// marked counts the marked positions before each position (len n+1), so
	// that a subtree's marked count is a subtraction.
	marked []int
	// severity is a position's highest mark (sevNone when unmarked).
	severity []severity
	// maxDepth is the deepest position's depth; nMarked the marked processes.
	maxDepth, nMarked int
	// pidW and userW are the widths of the widest pid and user (escaped).
	pidW, userW int
	// firstTime is the first start time in tree order (zero when none has one):
	// it names the display zone's abbreviation in the column header.
	firstTime time.Time
	// lower holds each process's image and command line lower-cased, for the
	// search; made at the first search.
	lowerName, lowerCmd []string
}

// severity is a mark's weight; more is worse.
type severity int

// The severities of a mark.
const (
	sevNone severity = iota
	sevLow
	sevMedium
	sevHigh
)

// severityOf reads a mark's severity; anything unknown counts as low, since a
// mark is there to be seen.
func severityOf(s string) severity {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "high", "critical":
		return sevHigh
	case "medium":
		return sevMedium
	}
	return sevLow
}

// newForest lays out a tree.
func newForest(t *proctree.Tree) *forest {
	n := len(t.Procs)
	f := &forest{
		t:        t,
		order:    make([]int, 0, n),
		pos:      make([]int, n),
		parent:   make([]int, 0, n),
		depth:    make([]int, 0, n),
		severity: make([]severity, 0, n),
	}
	seen := make([]bool, n)
	type item struct{ proc, parent, depth int }
	var stack []item
	walk := func(root int) {
		if root < 0 || root >= n || seen[root] {
			return
		}
		seen[root] = true
		stack = append(stack[:0], item{root, -1, 0})
		for len(stack) > 0 {
			it := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			p := len(f.order)
			f.order = append(f.order, it.proc)
			f.pos[it.proc] = p
			f.parent = append(f.parent, it.parent)
			f.depth = append(f.depth, it.depth)
			if it.parent < 0 {
				f.roots = append(f.roots, p)
			}
			kids := t.Procs[it.proc].Children
			for i := len(kids) - 1; i >= 0; i-- {
				if c := kids[i]; c >= 0 && c < n && !seen[c] {
					seen[c] = true
					stack = append(stack, item{c, p, it.depth + 1})
				}
			}
		}
	}
	for _, r := range t.Roots {
		walk(r)
	}
	// Processes the roots do not reach: those without a valid parent first, then
	// any left over (a cycle), each drawn as a root.
	for i := range t.Procs {
		if p := t.Procs[i].Parent; p < 0 || p >= n {
			walk(i)
		}
	}
	for i := range t.Procs {
		walk(i)
	}

	f.end = make([]int, n)
	for p := n - 1; p >= 0; p-- {
		f.end[p] = max(f.end[p], p+1)
		if q := f.parent[p]; q >= 0 {
			f.end[q] = max(f.end[q], f.end[p])
		}
	}
	f.last = make([]bool, n)
	f.branch = make(folds, n)
	f.marked = make([]int, n+1)
	for p := range n {
		f.branch.set(p, f.end[p] > p+1)
		if q := f.parent[p]; q >= 0 {
			f.last[p] = f.end[p] == f.end[q]
		}
		proc := &t.Procs[f.order[p]]
		sev := sevNone
		for _, mk := range proc.Marks {
			sev = max(sev, severityOf(mk.Severity))
		}
		f.severity = append(f.severity, sev)
		f.marked[p+1] = f.marked[p]
		if sev != sevNone {
			f.marked[p+1]++
		}
		f.maxDepth = max(f.maxDepth, f.depth[p])
		f.pidW = max(f.pidW, clippedWidth(proc.PID))
		f.userW = max(f.userW, clippedWidth(proc.User))
		if f.firstTime.IsZero() {
			f.firstTime = proc.Time
		}
	}
	f.nMarked = f.marked[n]
	return f
}

// size is the number of processes.
func (f *forest) size() int { return len(f.order) }

// proc is the process at a position.
func (f *forest) proc(p int) *proctree.Proc { return &f.t.Procs[f.order[p]] }

// hasKids reports whether a position has children.
func (f *forest) hasKids(p int) bool { return f.end[p] > p+1 }

// descendants counts a position's descendants.
func (f *forest) descendants(p int) int { return f.end[p] - p - 1 }

// markedBelow counts a position's marked descendants.
func (f *forest) markedBelow(p int) int { return f.marked[f.end[p]] - f.marked[p+1] }

// rootOf is the root above a position.
func (f *forest) rootOf(p int) int {
	for f.parent[p] >= 0 {
		p = f.parent[p]
	}
	return p
}

// folds marks the folded positions, a byte each (1 for folded), so that the next
// fold in a run of positions is found with one bytes.IndexByte.
type folds []byte

// at reports whether a position is folded.
func (fs folds) at(p int) bool { return fs[p] != 0 }

// set folds or unfolds a position.
func (fs folds) set(p int, folded bool) {
	fs[p] = 0
	if folded {
		fs[p] = 1
	}
}

// next is the first folded position in [from, to), or to when there is none.
func (fs folds) next(from, to int) int {
	if i := bytes.IndexByte(fs[from:to], 1); i >= 0 {
		return from + i
	}
	return to
}

// visible lists the positions shown when the folded positions hide their
// descendants.
func (f *forest) visible(fs folds) []int {
	rows := make([]int, 0, min(f.size(), 4096))
	return f.appendVisible(rows, 0, f.size(), fs)
}

// appendVisible appends the shown positions in [from, to), whose ancestors
// before from are all shown and unfolded: every position up to the next fold is
// shown, then the fold itself, whose descendants are skipped.
func (f *forest) appendVisible(rows []int, from, to int, fs folds) []int {
	for p := from; p < to; {
		c := fs.next(p, to)
		last := min(c+1, to)
		n := len(rows)
		rows = slices.Grow(rows, last-p)[:n+last-p]
		for i := range last - p {
			rows[n+i] = p + i
		}
		if c == to {
			break
		}
		p = f.end[c]
	}
	return rows
}

// rowOf finds a position among ascending rows: its row, and whether it is shown.
func rowOf(rows []int, p int) (int, bool) {
	r := sort.SearchInts(rows, p)
	return r, r < len(rows) && rows[r] == p
}

// search lists the positions whose image or command line holds q, ignoring
// case, in tree order.
func (f *forest) search(q string) []int {
	q = strings.ToLower(q)
	if q == "" {
		return nil
	}
	if f.lowerName == nil {
		f.lowerName = make([]string, f.size())
		f.lowerCmd = make([]string, f.size())
		for p := range f.size() {
			pr := f.proc(p)
			f.lowerName[p] = strings.ToLower(pr.Name)
			f.lowerCmd[p] = strings.ToLower(pr.CmdLine)
		}
	}
	var out []int
	for p := range f.size() {
		if strings.Contains(f.lowerName[p], q) || strings.Contains(f.lowerCmd[p], q) {
			out = append(out, p)
		}
	}
	return out
}

// clippedWidth is the drawn width of a column value, measured no further than a
// column can be wide.
func clippedWidth(s string) int {
	c, _ := clip(s, 64)
	return width(safe(c))
}

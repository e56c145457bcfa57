package proctree

import "strconv"

// Parent is the index of process i's parent, -1 for a root.
func (t *Tree) Parent(i int) int { return t.Procs[i].Parent }

// Children are the indexes of process i's children, by start time.
func (t *Tree) Children(i int) []int { return t.Procs[i].Children }

// Root is the index of the root of process i's tree.
func (t *Tree) Root(i int) int {
	for t.Procs[i].Parent >= 0 {
		i = t.Procs[i].Parent
	}
	return i
}

// Ancestors are the indexes of process i's ancestors, its root first.
func (t *Tree) Ancestors(i int) []int {
	var up []int
	for p := t.Procs[i].Parent; p >= 0; p = t.Procs[p].Parent {
		up = append(up, p)
	}
	for a, b := 0, len(up)-1; a < b; a, b = a+1, b-1 {
		up[a], up[b] = up[b], up[a]
	}
	return up
}

// Size is how many descendants process i has. In tree order they are the
// processes right after it.
func (t *Tree) Size(i int) int {
	d := t.Procs[i].Depth
	j := i + 1
	for j < len(t.Procs) && t.Procs[j].Depth > d {
		j++
	}
	return j - i - 1
}

// Descendants are the indexes of process i's descendants in tree order, down to
// maxLevels below it (0 or less: all).
func (t *Tree) Descendants(i, maxLevels int) []int {
	d := t.Procs[i].Depth
	var out []int
	for j := i + 1; j < len(t.Procs) && t.Procs[j].Depth > d; j++ {
		if maxLevels <= 0 || t.Procs[j].Depth-d <= maxLevels {
			out = append(out, j)
		}
	}
	return out
}

// Siblings are the other children of process i's parent (the other roots for a
// root).
func (t *Tree) Siblings(i int) []int {
	all := t.Roots
	if p := t.Procs[i].Parent; p >= 0 {
		all = t.Procs[p].Children
	}
	out := make([]int, 0, len(all))
	for _, j := range all {
		if j != i {
			out = append(out, j)
		}
	}
	return out
}

// Session is the processes of one logon session (by the effective logon id), in
// tree order, with their ancestors so the tree they form stays whole.
func (t *Tree) Session(logonID string) []int {
	keep := make([]bool, len(t.Procs))
	for i := range t.Procs {
		if t.Procs[i].LogonID == logonID && logonID != "" {
			for j := i; j >= 0 && !keep[j]; j = t.Procs[j].Parent {
				keep[j] = true
			}
		}
	}
	var out []int
	for i, k := range keep {
		if k {
			out = append(out, i)
		}
	}
	return out
}

// Summary counts the tree as msticpy's get_summary_info does; LargestTreeDepth
// counts levels (a lone root is 1).
func (t *Tree) Summary() Summary {
	s := Summary{Processes: len(t.Procs)}
	for i := range t.Procs {
		p := &t.Procs[i]
		switch {
		case p.IsRoot() && p.IsLeaf():
			s.RootProcesses++
			s.LeafProcesses++
			s.IsolatedProcesses++
		case p.IsRoot():
			s.RootProcesses++
		case p.IsLeaf():
			s.LeafProcesses++
		default:
			s.BranchProcesses++
		}
		s.LargestTreeDepth = max(s.LargestTreeDepth, p.Depth+1)
	}
	return s
}

// Path is msticpy's path of process i: the source indexes from its root down to
// it, joined by "/" ("363/75/54/55"). It is made on demand: stored for every
// process it would cost the square of the depth.
func (t *Tree) Path(i int) string {
	var b []byte
	for _, a := range t.Ancestors(i) {
		b = strconv.AppendInt(b, int64(t.Procs[a].Source), 10)
		b = append(b, '/')
	}
	return string(strconv.AppendInt(b, int64(t.Procs[i].Source), 10))
}

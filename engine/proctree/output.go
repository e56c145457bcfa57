package proctree

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/quarry-sec/quarry/engine/frame"
)

// Frame returns the tree as a table in tree order: the input's columns (empty
// for processes not in the input: inferred parents and Defender's initiating
// processes), then process_name, process_id, parent_id, inferred, proc_key,
// parent_key, path, parent_index (the parent's source index), IsRoot, IsLeaf,
// IsBranch, depth and child_count, and marks (the suspicion rules matched,
// comma-separated).
func (t *Tree) Frame(input *frame.Frame) (*frame.Frame, error) {
	var cols []*frame.Column
	if input != nil {
		rows := make([]int, len(t.Procs))
		for i := range t.Procs {
			rows[i] = t.Procs[i].Row
		}
		for _, c := range input.Columns() {
			cols = append(cols, pick(c, rows))
		}
	}
	n := len(t.Procs)
	str := func(name string, f func(p *Proc, i int) string) {
		v := make([]string, n)
		for i := range t.Procs {
			v[i] = f(&t.Procs[i], i)
		}
		cols = append(cols, &frame.Column{Name: name, Kind: frame.String, Strings: v})
	}
	num := func(name string, f func(p *Proc) int) {
		v := make([]int64, n)
		for i := range t.Procs {
			v[i] = int64(f(&t.Procs[i]))
		}
		cols = append(cols, &frame.Column{Name: name, Kind: frame.Int, Ints: v})
	}
	flag := func(name string, f func(p *Proc) bool) {
		v := make([]bool, n)
		for i := range t.Procs {
			v[i] = f(&t.Procs[i])
		}
		cols = append(cols, &frame.Column{Name: name, Kind: frame.Bool, Bools: v})
	}
	str("process_name", func(p *Proc, _ int) string { return p.Name })
	str("process_id", func(p *Proc, _ int) string { return p.PID })
	str("parent_id", func(p *Proc, _ int) string { return p.PPID })
	flag("inferred", func(p *Proc) bool { return p.Inferred })
	str("proc_key", func(p *Proc, _ int) string { return p.Key })
	str("parent_key", func(p *Proc, _ int) string { return p.ParentKey })
	paths := t.paths()
	str("path", func(_ *Proc, i int) string { return paths[i] })
	pi := make([]int64, n)
	piNull := make([]bool, n)
	for i := range t.Procs {
		if p := t.Procs[i].Parent; p >= 0 {
			pi[i] = int64(t.Procs[p].Source)
		} else {
			piNull[i] = true
		}
	}
	cols = append(cols, &frame.Column{Name: "parent_index", Kind: frame.Int, Ints: pi, Null: piNull})
	flag("IsRoot", (*Proc).IsRoot)
	flag("IsLeaf", (*Proc).IsLeaf)
	flag("IsBranch", (*Proc).IsBranch)
	num("depth", func(p *Proc) int { return p.Depth })
	num("child_count", func(p *Proc) int { return len(p.Children) })
	str("marks", func(p *Proc, _ int) string {
		names := make([]string, len(p.Marks))
		for k, m := range p.Marks {
			names[k] = m.Rule
		}
		return strings.Join(names, ",")
	})
	f, err := frame.New(cols...)
	if err != nil {
		return nil, err
	}
	if input != nil {
		f.Meta = input.Meta
	}
	return f, nil
}

// paths are every process's Path, made in one walk (parents come first).
func (t *Tree) paths() []string {
	out := make([]string, len(t.Procs))
	for i := range t.Procs {
		p := &t.Procs[i]
		s := fmt.Sprint(p.Source)
		if p.Parent >= 0 {
			s = out[p.Parent] + "/" + s
		}
		out[i] = s
	}
	return out
}

// pick takes rows of c in order; -1 is a null.
func pick(c *frame.Column, rows []int) *frame.Column {
	out := &frame.Column{Name: c.Name, Kind: c.Kind, Null: make([]bool, len(rows))}
	for i, r := range rows {
		if r < 0 || c.IsNull(r) {
			out.Null[i] = true
		}
	}
	switch c.Kind {
	case frame.Int:
		out.Ints = make([]int64, len(rows))
		for i, r := range rows {
			if r >= 0 {
				out.Ints[i] = c.Ints[r]
			}
		}
	case frame.Float:
		out.Floats = make([]float64, len(rows))
		for i, r := range rows {
			if r >= 0 {
				out.Floats[i] = c.Floats[r]
			}
		}
	case frame.Bool:
		out.Bools = make([]bool, len(rows))
		for i, r := range rows {
			if r >= 0 {
				out.Bools[i] = c.Bools[r]
			}
		}
	case frame.Time:
		out.Times = make([]time.Time, len(rows))
		for i, r := range rows {
			if r >= 0 {
				out.Times[i] = c.Times[r]
			}
		}
	default:
		out.Strings = make([]string, len(rows))
		for i, r := range rows {
			if r >= 0 {
				out.Strings[i] = c.Strings[r]
			}
		}
	}
	return out
}

// WriteText writes the tree as indented text, one process a line: the image's
// base name, pid, start time (UTC) and command line, under "+ " for roots and
// "+-- " for children, as msticpy's tree_to_text, with marks in brackets.
// Control characters are escaped (frame.SafeText): the text is for a terminal.
func (t *Tree) WriteText(w io.Writer) error {
	var b strings.Builder
	for i := range t.Procs {
		p := &t.Procs[i]
		b.Reset()
		if p.Depth == 0 {
			b.WriteString("+ ")
		} else {
			b.WriteString(strings.Repeat("   ", p.Depth-1))
			b.WriteString("+-- ")
		}
		name := p.Name
		if k := strings.LastIndexAny(name, `\/`); k >= 0 && k < len(name)-1 {
			name = name[k+1:]
		}
		b.WriteString(frame.SafeText(name))
		fmt.Fprintf(&b, "  pid: %s", frame.SafeText(p.PID))
		if p.Inferred {
			b.WriteString("  (inferred: not in the log)")
		} else if !p.Time.IsZero() {
			b.WriteString("  time: " + frame.FormatTime(p.Time))
		}
		if p.CmdLine != "" {
			b.WriteString("  cmd: " + frame.SafeText(p.CmdLine))
		}
		for _, m := range p.Marks {
			fmt.Fprintf(&b, "  [%s %s]", m.Severity, m.Rule)
		}
		b.WriteByte('\n')
		if _, err := io.WriteString(w, b.String()); err != nil {
			return err
		}
	}
	return nil
}

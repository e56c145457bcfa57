package tui

import (
	"context"
	"errors"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/quarry-sec/quarry/engine/proctree"
	"github.com/quarry-sec/quarry/views/pane"
)

// treeRuler is a backend with the analyst's suspicion rules (the settings'
// process_trees.rules over the built-in ones).
type treeRuler interface {
	TreeRules(path string) (*proctree.Rules, error)
}

// buildTree builds a result's process tree as a task for the Process tree pane,
// which it focuses; a newer request supersedes an older one.
func (m *Model) buildTree(req pane.BuildTree) tea.Cmd {
	m.cancelFor(pane.ProcTree)
	m.seq[pane.ProcTree]++
	seq := m.seq[pane.ProcTree]
	m.setFocus(pane.ProcTree)
	rules := proctree.DefaultRules()
	if tr, ok := m.backend.(treeRuler); ok {
		r, err := tr.TreeRules("")
		if err != nil {
			return pane.Fail(err)
		}
		rules = r
	}
	return tea.Batch(m.trees.Update(req), m.spawn("process tree", pane.ProcTree, func(ctx context.Context, _ *task) tea.Msg {
		return buildAndMark(ctx, req, rules, seq)
	}))
}

// buildAndMark is the pane's work: the tree (schema named or inferred) with the
// suspicion marks.
func buildAndMark(ctx context.Context, req pane.BuildTree, rules *proctree.Rules, seq int) pane.TreeBuilt {
	out := pane.TreeBuilt{Seq: seq, Request: req}
	var sch *proctree.Schema
	if req.Schema != "" {
		s, err := proctree.SchemaByName(req.Schema)
		if err != nil {
			out.Err = err
			return out
		}
		sch = &s
	}
	tr, err := proctree.Build(ctx, req.Frame, sch)
	if err != nil {
		out.Err = err
		return out
	}
	rules.Mark(tr)
	out.Tree = tr
	return out
}

// treeBuilt routes a finished tree to the pane, dropping superseded ones.
func (m *Model) treeBuilt(msg pane.TreeBuilt) tea.Cmd {
	if msg.Seq != m.seq[pane.ProcTree] {
		return nil
	}
	if errors.Is(msg.Err, context.Canceled) {
		return pane.Notice("building the process tree was cancelled")
	}
	m.setFocus(pane.ProcTree)
	return m.trees.Update(msg)
}

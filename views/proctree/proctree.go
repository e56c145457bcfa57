// Package proctree is the Process tree pane of the workbench: the processes of a
// process-creation log drawn as the trees they form, parent above child, each
// foldable, with the processes that matched a suspicion rule marked, a search
// over images and command lines that unfolds what hides its matches, and the
// selected process's every field one key away.
//
// The pane does no work itself: the Results pane asks for a tree with a
// pane.BuildTree, the shell's runner builds it (engine/proctree) and the answer
// arrives as a pane.TreeBuilt. Copying and decoding a command line leave as
// pane.Copy and pane.DecodeText. Only the rows on screen are drawn, and folding
// splices the list of shown rows, so a tree of 100,000 processes answers a key at
// once. Everything drawn from the data passes through frame.SafeText, because
// process names, command lines, users and hosts are attacker-controlled.
package proctree

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/quarry-sec/quarry/engine/proctree"
	"github.com/quarry-sec/quarry/themes"
	"github.com/quarry-sec/quarry/views/draw"
	"github.com/quarry-sec/quarry/views/pane"
)

// Empty is what the pane says before any tree has been built.
const Empty = "Run a process query (e.g. WindowsSecurity.list_host_processes) and press T in Results to see its tree."

// About says what the pane shows, under Empty.
const About = "A process's parent is the latest process on the same host with the parent's id that started " +
	"before it, as msticpy links them; parents missing from the log are inferred and shown as such. " +
	"Processes that match a suspicion rule are marked ‼ high, ! medium or · low."

// expandAllUpTo is the largest tree shown fully unfolded when it arrives; a larger
// one shows its roots and their children, each child folded.
const expandAllUpTo = 2000

// columns are the optional columns of a row.
type columns struct {
	pid, time, user, cmd bool
}

// Model is the Process tree pane.
type Model struct {
	// Keys is the pane's keys; rebind them with Rebind or pane.Rebind(&m.Keys, …).
	Keys KeyMap

	ctx           *pane.Context
	width, height int

	f       *forest // nil until the first tree
	title   string  // the tree's source, as the request named it
	seq     int     // the latest answer's sequence number
	waiting bool    // a build was asked for and not answered yet
	pending string  // that build's title
	failure string  // the last failed build's error (escaped when drawn)

	collapsed folds // by position
	scratch   []int // the rows an unfold splices in
	rows      []int // the shown positions, ascending
	cur, top  int   // the selected row and the first row on screen
	cols      columns
	details   bool

	searching bool
	input     textinput.Model
	query     string // the applied search ("" for none)
	matches   []int  // the positions that match it, ascending

	detail    []string // the details' lines, made for detailFor
	detailFor detailKey
	detailTop int // the details' first shown line
}

// New makes an empty pane.
func New(ctx *pane.Context) *Model {
	if ctx == nil {
		ctx = pane.NewContext(themes.Default())
	}
	return &Model{Keys: DefaultKeyMap(), ctx: ctx, cols: columns{pid: true, cmd: true}}
}

// Title is the pane's name in the navigator.
func (m *Model) Title() string { return "Process tree" }

// SetSize gives the pane its size.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = max(0, w), max(0, h)
	m.clamp()
}

// Capturing reports whether the search input is open.
func (m *Model) Capturing() bool { return m.searching }

// Back closes the search input, else the details, else clears the search.
func (m *Model) Back() bool {
	switch {
	case m.searching:
		m.closeSearch()
	case m.details:
		m.details = false
		m.clamp()
	case m.query != "":
		m.query, m.matches = "", nil
	default:
		return false
	}
	return true
}

// ShortHelp is the footer's keys.
func (m *Model) ShortHelp() []key.Binding {
	switch {
	case m.searching:
		return []key.Binding{m.Keys.Apply, pane.EscHelp("cancel")}
	case m.f == nil:
		return nil
	}
	return m.Keys.ShortHelp()
}

// FullHelp is every key of the pane.
func (m *Model) FullHelp() [][]key.Binding {
	if m.searching {
		return [][]key.Binding{{m.Keys.Apply, pane.EscHelp("cancel")}}
	}
	return m.Keys.FullHelp()
}

// Selected is the selected process's index in the tree's Procs, -1 when there
// is none.
func (m *Model) Selected() int {
	p := m.selPos()
	if p < 0 {
		return -1
	}
	return m.f.order[p]
}

// Tree is the tree shown, nil before the first.
func (m *Model) Tree() *proctree.Tree {
	if m.f == nil {
		return nil
	}
	return m.f.t
}

// selPos is the selected position, -1 when there is none.
func (m *Model) selPos() int {
	if m.f == nil || m.cur < 0 || m.cur >= len(m.rows) {
		return -1
	}
	return m.rows[m.cur]
}

// Update handles build requests and answers, and the keys.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case pane.BuildTree:
		// The shell hands the pane the request it is about to run, so that it says
		// "building…" at once.
		m.waiting, m.pending = true, msg.Title
		return nil
	case pane.TreeBuilt:
		m.answer(msg)
		return nil
	case tea.KeyMsg:
		if m.searching {
			return m.searchKey(msg)
		}
		return m.key(msg)
	}
	return nil
}

// answer takes a built tree: one older than the latest seen is dropped; a failure
// is shown and keeps the tree shown before.
func (m *Model) answer(msg pane.TreeBuilt) {
	if msg.Seq < m.seq {
		return
	}
	m.seq, m.waiting = msg.Seq, false
	title := msg.Request.Title
	if title == "" {
		title = "the result"
	}
	switch {
	case msg.Err != nil:
		m.failure = "building the process tree of " + title + " failed: " + msg.Err.Error()
		return
	case msg.Tree == nil:
		m.failure = "building the process tree of " + title + " gave no tree"
		return
	}
	m.failure = ""
	m.load(msg.Tree, title)
}

// load shows a tree: fully unfolded when it is small, else its roots unfolded and
// their children folded; the first root selected. An applied search is run again
// on it.
func (m *Model) load(t *proctree.Tree, title string) {
	f := newForest(t)
	m.f, m.title = f, title
	m.collapsed = make(folds, f.size())
	if f.size() > expandAllUpTo {
		for p := range f.size() {
			m.collapsed.set(p, f.depth[p] > 0 && f.hasKids(p))
		}
	}
	m.rows = f.visible(m.collapsed)
	m.cur, m.top = 0, 0
	m.matches = f.search(m.query)
	m.detail = nil
	m.clamp()
}

// key handles a key while the search input is closed.
func (m *Model) key(msg tea.KeyMsg) tea.Cmd {
	p := m.selPos()
	if p < 0 {
		return nil
	}
	k, f := &m.Keys, m.f
	page := max(1, m.layout().treeRows)
	switch {
	case key.Matches(msg, k.Down):
		m.move(m.cur + 1)
	case key.Matches(msg, k.Up):
		m.move(m.cur - 1)
	case key.Matches(msg, k.PageDown):
		m.move(m.cur + page)
	case key.Matches(msg, k.PageUp):
		m.move(m.cur - page)
	case key.Matches(msg, k.Top):
		m.move(0)
	case key.Matches(msg, k.Bottom):
		m.move(len(m.rows) - 1)
	case key.Matches(msg, k.Toggle):
		if f.hasKids(p) {
			m.fold(p, !m.collapsed.at(p))
		}
	case key.Matches(msg, k.Collapse):
		switch {
		case f.hasKids(p) && !m.collapsed.at(p):
			m.fold(p, true)
		case f.parent[p] >= 0:
			m.jump(f.parent[p])
		}
	case key.Matches(msg, k.Expand):
		switch {
		case f.hasKids(p) && m.collapsed.at(p):
			m.fold(p, false)
		case f.hasKids(p):
			m.move(m.cur + 1)
		}
	case key.Matches(msg, k.ExpandAll):
		m.expandAll()
	case key.Matches(msg, k.CollapseAll):
		m.collapseAll()
	case key.Matches(msg, k.Parent):
		if f.parent[p] < 0 {
			return pane.Notice("This process is a root: it has no parent in the tree.")
		}
		m.jump(f.parent[p])
	case key.Matches(msg, k.Root):
		m.jump(f.rootOf(p))
	case key.Matches(msg, k.Search):
		m.openSearch()
	case key.Matches(msg, k.NextMatch):
		return m.nextMatch(1)
	case key.Matches(msg, k.PrevMatch):
		return m.nextMatch(-1)
	case key.Matches(msg, k.ShowPID):
		m.cols.pid = !m.cols.pid
	case key.Matches(msg, k.ShowTime):
		m.cols.time = !m.cols.time
	case key.Matches(msg, k.ShowUser):
		m.cols.user = !m.cols.user
	case key.Matches(msg, k.ShowCmdLine):
		m.cols.cmd = !m.cols.cmd
	case key.Matches(msg, k.Details):
		m.details = !m.details
		m.clamp()
	case key.Matches(msg, k.DetailsDown):
		m.scrollDetails(max(1, m.detailRows()/2))
	case key.Matches(msg, k.DetailsUp):
		m.scrollDetails(-max(1, m.detailRows()/2))
	case key.Matches(msg, k.Copy):
		return m.copy(p)
	case key.Matches(msg, k.Decode):
		return m.decode(p)
	case key.Matches(msg, k.Intel):
		return m.intel(p)
	}
	return nil
}

// move selects a row, scrolling as little as needed.
func (m *Model) move(row int) {
	m.cur = row
	m.clamp()
}

// clamp keeps the selection among the rows and on screen.
func (m *Model) clamp() {
	if m.f == nil {
		return
	}
	h := max(1, m.layout().treeRows)
	m.cur = min(max(m.cur, 0), max(0, len(m.rows)-1))
	m.top = min(max(m.top, m.cur-h+1), m.cur)
	m.top = max(0, min(m.top, len(m.rows)-h))
}

// fold collapses or expands a shown position by splicing the shown rows: its
// shown descendants are cut out, or worked out and put back. The work is the
// size of the subtree (plus one copy of the row list), whatever the tree's size.
func (m *Model) fold(p int, collapse bool) {
	r, ok := rowOf(m.rows, p)
	if !ok || m.collapsed.at(p) == collapse {
		return
	}
	m.collapsed.set(p, collapse)
	if collapse {
		k, _ := rowOf(m.rows, m.f.end[p])
		m.rows = slices.Delete(m.rows, r+1, k)
	} else {
		m.scratch = m.f.appendVisible(m.scratch[:0], p+1, m.f.end[p], m.collapsed)
		m.rows = slices.Insert(m.rows, r+1, m.scratch...)
	}
	m.cur = r
	m.clamp()
}

// expandAll unfolds everything; the selection stays on its process. The shown
// rows are then every position, written in one pass.
func (m *Model) expandAll() {
	p := m.selPos()
	clear(m.collapsed)
	n := m.f.size()
	if cap(m.rows) < n {
		m.rows = make([]int, n)
	}
	m.rows = m.rows[:n]
	for i := range m.rows {
		m.rows[i] = i
	}
	m.place(p)
}

// collapseAll folds the tree to its roots and selects the selection's root.
func (m *Model) collapseAll() {
	root := m.f.rootOf(m.selPos())
	copy(m.collapsed, m.f.branch)
	m.rows = append(m.rows[:0], m.f.roots...)
	m.place(root)
}

// jump selects a position, unfolding the ancestors that hide it, from the top
// down, each by splicing its shown descendants in.
func (m *Model) jump(p int) {
	if _, ok := rowOf(m.rows, p); !ok {
		var hidden []int
		for q := m.f.parent[p]; q >= 0; q = m.f.parent[q] {
			if m.collapsed.at(q) {
				hidden = append(hidden, q)
			}
		}
		for i := len(hidden) - 1; i >= 0; i-- {
			m.fold(hidden[i], false)
		}
	}
	m.place(p)
}

// place selects a shown position: when it is off screen, it is brought to a
// third of the way down, so that what leads to it shows too.
func (m *Model) place(p int) {
	r, _ := rowOf(m.rows, p)
	h := max(1, m.layout().treeRows)
	if r < m.top || r >= m.top+h {
		m.top = r - h/3
	}
	m.cur = r
	m.clamp()
}

// openSearch opens the search input with the applied search in it.
func (m *Model) openSearch() {
	m.searching = true
	m.input = pane.NewInput()
	m.input.Prompt = ""
	m.input.Focus()
	m.input.SetValue(m.query)
	m.input.CursorEnd()
	m.clamp()
}

// closeSearch closes the search input, leaving the applied search as it was.
func (m *Model) closeSearch() {
	m.searching = false
	m.input.Blur()
	m.clamp()
}

// searchKey handles a key while the search input is open: Apply runs the search,
// Esc closes the input, anything else edits it.
func (m *Model) searchKey(msg tea.KeyMsg) tea.Cmd {
	switch {
	case key.Matches(msg, m.Keys.Apply):
		q := m.input.Value()
		m.closeSearch()
		return m.applySearch(q)
	case msg.Type == tea.KeyEsc:
		m.closeSearch()
		return nil
	case msg.Type == tea.KeySpace:
		msg = tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{' '}}
	case msg.Type == tea.KeyRunes:
		msg.Runes = draw.CleanInput(msg.Runes)
	}
	m.input, _ = m.input.Update(msg)
	return nil
}

// applySearch finds the processes whose image or command line holds q and
// selects the first, unfolding what hides it; an empty q clears the search.
func (m *Model) applySearch(q string) tea.Cmd {
	if strings.TrimSpace(q) == "" {
		m.query, m.matches = "", nil
		return nil
	}
	m.query = q
	m.matches = m.f.search(q)
	if len(m.matches) == 0 {
		return pane.Cmd(pane.Notify{Level: pane.Warn, Text: fmt.Sprintf("No process's image or command line holds %q.", safe(q))})
	}
	m.jump(m.matches[0])
	return nil
}

// nextMatch selects the next match after the selection (dir 1) or the one before
// it (dir -1), round the tree's end.
func (m *Model) nextMatch(dir int) tea.Cmd {
	switch {
	case m.query == "":
		return pane.Notice("No search: press " + m.Keys.Search.Help().Key + " to search images and command lines.")
	case len(m.matches) == 0:
		return pane.Cmd(pane.Notify{Level: pane.Warn, Text: fmt.Sprintf("No process's image or command line holds %q.", safe(m.query))})
	}
	p := m.selPos()
	var i int
	wrapped := false
	if dir > 0 {
		i = sort.SearchInts(m.matches, p+1)
		if i == len(m.matches) {
			i, wrapped = 0, true
		}
	} else {
		i = sort.SearchInts(m.matches, p) - 1
		if i < 0 {
			i, wrapped = len(m.matches)-1, true
		}
	}
	m.jump(m.matches[i])
	if wrapped && len(m.matches) > 1 {
		if dir > 0 {
			return pane.Notice("Search went on from the top.")
		}
		return pane.Notice("Search went on from the bottom.")
	}
	return nil
}

// copy copies a process's command line, or its image when it has none.
func (m *Model) copy(p int) tea.Cmd {
	pr := m.f.proc(p)
	switch {
	case pr.CmdLine != "":
		return pane.Cmd(pane.Copy{Text: pr.CmdLine, What: "command line"})
	case pr.Name != "":
		return pane.Cmd(pane.Copy{Text: pr.Name, What: "image"})
	}
	return pane.Notice("This process has no command line or image to copy.")
}

// decode sends a process's command line to the Decode pane.
func (m *Model) decode(p int) tea.Cmd {
	pr := m.f.proc(p)
	if pr.CmdLine == "" {
		return pane.Cmd(pane.Notify{Level: pane.Warn, Text: "This process has no command line to decode."})
	}
	return pane.Cmd(pane.DecodeText{Text: pr.CmdLine, Source: "process tree · " + m.imageOf(pr) + " pid " + pr.PID})
}

// intel looks the indicators in a process's command line up in the Threat
// intel pane.
func (m *Model) intel(p int) tea.Cmd {
	pr := m.f.proc(p)
	if pr.CmdLine == "" {
		return pane.Cmd(pane.Notify{Level: pane.Warn, Text: "This process has no command line to look up."})
	}
	return pane.Cmd(pane.LookupTI{Indicators: []pane.Indicator{{Value: pr.CmdLine}}, Source: "process tree · " + m.imageOf(pr) + " pid " + pr.PID})
}

// imageOf is a process's image base name, split at the schema's path separator
// (either separator when the schema names none).
func (m *Model) imageOf(pr *proctree.Proc) string {
	return baseName(pr.Name, m.f.t.Schema.PathSep)
}

// baseName is the last part of a path (the whole name when it ends with a
// separator).
func baseName(name, sep string) string {
	cut := 0
	if sep == "" {
		cut = strings.LastIndexAny(name, `\/`) + 1
	} else if i := strings.LastIndex(name, sep); i >= 0 {
		cut = i + len(sep)
	}
	if cut <= 0 || cut >= len(name) {
		return name
	}
	return name[cut:]
}

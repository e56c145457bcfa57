// Package decode is the Decode pane of the workbench: it shows what the engine
// unpacked from a text (a result cell, or text pasted into the pane) as a tree of
// payloads — base64 and hex runs, archives and their members, layer inside layer —
// beside the selected node's text with its indicators highlighted, and the list of
// those indicators, ready to copy or to start a query from.
//
// The pane does no work itself: pressing p and ctrl+s leaves as a pane.DecodeText
// intent, the shell's runner unpacks the text and extracts its IoCs, and the
// answer arrives as a pane.Decoded. Copying and querying leave as pane.Copy and
// pane.UseValue. Everything drawn from the data passes through frame.SafeText,
// because log text is attacker-controlled.
package decode

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textarea"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/quarry-sec/quarry/engine/ioc"
	"github.com/quarry-sec/quarry/themes"
	"github.com/quarry-sec/quarry/views/draw"
	"github.com/quarry-sec/quarry/views/pane"
)

// Empty is what the pane says before anything has been decoded.
const Empty = "Select a cell in Results and press D, or press p to paste text."

// About says what the pane does, under Empty.
const About = "Base64 and hex runs are unpacked layer by layer (gzip, zip, tar, utf-16le and more), " +
	"and the IoCs of the input and of every payload are listed, to copy or to query."

// section is a part of the pane that can have the keys.
type section int

// The sections, in the order NextSection visits them.
const (
	secTree section = iota
	secText
	secIoCs
	sections
)

// Model is the Decode pane.
type Model struct {
	// Keys is the pane's keys; rebind them with Rebind or pane.Rebind(&m.Keys, …).
	Keys KeyMap

	ctx           *pane.Context
	width, height int

	doc     *document // nil until the first answer
	seq     int       // the latest answer's sequence number
	pending string    // the source of a decode asked for and not answered yet
	waiting bool
	failure string // the last failed decode's error (escaped when drawn)

	focus     section
	collapsed map[int]bool
	rows      []int // the tree's visible nodes
	cur, top  int   // the tree's selected row and first shown row
	tagged    bool  // the input shows Result.Decoded

	text     *body // the selected node's text, wrapped to the text section
	bodyFor  bodyKey
	textOff  int // where the node's own text starts in text.raw
	textTop  int
	all      bool    // the IoC list shows every IoC
	list     []entry // the IoC list
	iocCur   int
	iocTop   int
	pasting  bool
	pasteBox textarea.Model
}

// bodyKey is what a text body was made for.
type bodyKey struct {
	node   int
	tagged bool
	width  int
	doc    *document
}

// New makes an empty pane.
func New(ctx *pane.Context) *Model {
	if ctx == nil {
		ctx = pane.NewContext(themes.Default())
	}
	return &Model{Keys: DefaultKeyMap(), ctx: ctx, collapsed: map[int]bool{}}
}

// Title is the pane's name in the navigator.
func (m *Model) Title() string { return "Decode" }

// SetSize gives the pane its size.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = max(0, w), max(0, h)
	if m.pasting {
		m.sizePasteBox()
	}
	m.clampTree()
	m.clampList()
}

// Capturing reports whether the paste box is open.
func (m *Model) Capturing() bool { return m.pasting }

// Back closes the paste box, else leaves the list of all IoCs.
func (m *Model) Back() bool {
	switch {
	case m.pasting:
		m.closePaste()
	case m.all:
		m.setAll(false)
	default:
		return false
	}
	return true
}

// ShortHelp is the footer's keys for what has focus.
func (m *Model) ShortHelp() []key.Binding {
	switch {
	case m.pasting:
		return []key.Binding{m.Keys.Decode, pane.EscHelp("cancel")}
	case m.doc == nil:
		return []key.Binding{m.Keys.Paste}
	}
	return m.Keys.shortHelp(m.focus)
}

// FullHelp is every key of the pane.
func (m *Model) FullHelp() [][]key.Binding {
	if m.pasting {
		return [][]key.Binding{{m.Keys.Decode, pane.EscHelp("cancel")}}
	}
	return m.Keys.FullHelp()
}

// Selected is the selected tree node: -1 for the input, else an index into the
// result's items.
func (m *Model) Selected() int {
	if m.doc == nil || m.cur >= len(m.rows) {
		return inputNode
	}
	return m.rows[m.cur]
}

// Update handles the answers to decode requests and the keys.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case pane.DecodeText:
		// The shell may hand the pane the request it is about to run, so that it
		// says "decoding…" at once; the pane's own requests come back here too.
		m.waiting, m.pending = true, msg.Source
		return nil
	case pane.Decoded:
		m.answer(msg)
		return nil
	case tea.KeyMsg:
		if m.pasting {
			return m.pasteKey(msg)
		}
		return m.key(msg)
	}
	return nil
}

// answer takes a decoding: one older than the latest seen is dropped; a failure
// is shown and keeps what was shown before.
func (m *Model) answer(d pane.Decoded) {
	if d.Seq < m.seq {
		return
	}
	m.seq, m.waiting = d.Seq, false
	if d.Err != nil {
		src := d.Request.Source
		if src == "" {
			src = "text"
		}
		m.failure = "decoding " + src + " failed: " + d.Err.Error()
		return
	}
	m.failure = ""
	m.doc = newDocument(d)
	m.collapsed = map[int]bool{}
	m.rows = m.doc.visible(m.collapsed)
	m.cur, m.top, m.tagged, m.focus = 0, 0, false, secTree
	m.all = false
	m.selectionChanged()
}

// key handles a key while the paste box is closed.
func (m *Model) key(msg tea.KeyMsg) tea.Cmd {
	k := &m.Keys
	if key.Matches(msg, k.Paste) {
		m.openPaste()
		return nil
	}
	if m.doc == nil {
		return nil
	}
	switch {
	case key.Matches(msg, k.NextSection):
		m.setFocus((m.focus + 1) % sections)
		return nil
	case key.Matches(msg, k.PrevSection):
		m.setFocus((m.focus + sections - 1) % sections)
		return nil
	case key.Matches(msg, k.Tagged):
		if m.Selected() != inputNode {
			m.cur = 0
			m.tagged = true
			m.clampTree()
			m.selectionChanged()
			return nil
		}
		m.tagged = !m.tagged
		m.textTop = 0
		return nil
	case key.Matches(msg, k.AllIoCs):
		m.setAll(!m.all)
		if m.all {
			m.setFocus(secIoCs)
		}
		return nil
	case key.Matches(msg, k.Intel):
		return m.lookup()
	}
	switch m.focus {
	case secTree:
		return m.treeKey(msg)
	case secText:
		return m.textKey(msg)
	}
	return m.listKey(msg)
}

// setFocus gives a section the keys.
func (m *Model) setFocus(s section) {
	m.focus = s
	m.clampTree()
	m.clampList()
	if s == secIoCs {
		m.revealIoC()
	}
}

// setAll switches the IoC list between the selected node's and all.
func (m *Model) setAll(all bool) {
	m.all = all
	m.iocCur, m.iocTop = 0, 0
	m.refreshList()
	if m.focus == secIoCs {
		m.revealIoC()
	}
}

// selectionChanged shows the newly selected node from its top.
func (m *Model) selectionChanged() {
	m.textTop = 0
	m.iocCur, m.iocTop = 0, 0
	m.refreshList()
}

// refreshList rebuilds the IoC list for the selection and the mode.
func (m *Model) refreshList() {
	switch {
	case m.doc == nil:
		m.list = nil
	case m.all:
		m.list = m.doc.all
	default:
		m.list = m.doc.entries(m.Selected())
	}
	m.clampList()
}

// treeKey handles a key in the tree. The page keys scroll the text, so that a
// payload can be read without leaving the tree.
func (m *Model) treeKey(msg tea.KeyMsg) tea.Cmd {
	k := &m.Keys
	node := m.Selected()
	hasKids := len(m.doc.children(node)) > 0
	move := func(to int) {
		if to = min(max(to, 0), len(m.rows)-1); to != m.cur {
			m.cur = to
			m.clampTree()
			m.selectionChanged()
		}
	}
	switch {
	case key.Matches(msg, k.Down):
		move(m.cur + 1)
	case key.Matches(msg, k.Up):
		move(m.cur - 1)
	case key.Matches(msg, k.Top):
		move(0)
	case key.Matches(msg, k.Bottom):
		move(len(m.rows) - 1)
	case key.Matches(msg, k.Toggle):
		if hasKids {
			m.fold(node, !m.collapsed[node])
		}
	case key.Matches(msg, k.Collapse):
		switch {
		case hasKids && !m.collapsed[node]:
			m.fold(node, true)
		case node != inputNode:
			move(m.rowOf(m.doc.parent[node]))
		}
	case key.Matches(msg, k.Expand):
		switch {
		case hasKids && m.collapsed[node]:
			m.fold(node, false)
		case hasKids:
			move(m.cur + 1)
		}
	case key.Matches(msg, k.Copy):
		return m.copyText()
	default:
		return m.pageText(msg)
	}
	return nil
}

// fold collapses or expands a node; the selection stays on it.
func (m *Model) fold(node int, collapse bool) {
	if collapse {
		m.collapsed[node] = true
	} else {
		delete(m.collapsed, node)
	}
	m.rows = m.doc.visible(m.collapsed)
	m.cur = m.rowOf(node)
	m.clampTree()
}

// rowOf is a visible node's row (0 when it is not shown).
func (m *Model) rowOf(node int) int {
	for i, n := range m.rows {
		if n == node {
			return i
		}
	}
	return 0
}

// clampTree keeps the selected row inside the tree section.
func (m *Model) clampTree() {
	if m.doc == nil {
		return
	}
	h := max(1, m.layout().treeRows)
	m.cur = min(max(m.cur, 0), len(m.rows)-1)
	m.top = min(max(m.top, m.cur-h+1), m.cur)
	m.top = max(0, min(m.top, len(m.rows)-h))
}

// textKey handles a key in the text.
func (m *Model) textKey(msg tea.KeyMsg) tea.Cmd {
	k := &m.Keys
	switch {
	case key.Matches(msg, k.Down):
		m.scrollText(1)
	case key.Matches(msg, k.Up):
		m.scrollText(-1)
	case key.Matches(msg, k.Top):
		m.textTop = 0
	case key.Matches(msg, k.Bottom):
		m.textTop = max(0, m.body().total()-m.layout().textRows)
	case key.Matches(msg, k.Copy):
		return m.copyText()
	default:
		return m.pageText(msg)
	}
	return nil
}

// pageText scrolls the text for the page keys.
func (m *Model) pageText(msg tea.KeyMsg) tea.Cmd {
	k := &m.Keys
	page := max(1, m.layout().textRows)
	switch {
	case key.Matches(msg, k.PageDown):
		m.scrollText(page)
	case key.Matches(msg, k.PageUp):
		m.scrollText(-page)
	case key.Matches(msg, k.HalfDown):
		m.scrollText(max(1, page/2))
	case key.Matches(msg, k.HalfUp):
		m.scrollText(-max(1, page/2))
	}
	return nil
}

// scrollText moves the text's first shown row by d rows, no further than the
// last screenful.
func (m *Model) scrollText(d int) {
	b := m.body()
	rows := max(1, m.layout().textRows)
	top := max(0, m.textTop+d)
	b.ensure(top + rows)
	if b.done {
		top = min(top, max(0, b.count()-rows))
	}
	m.textTop = top
}

// copyText copies what the text section shows: the input (as given or fully
// decoded) or a payload's decoded text, or a binary payload's SHA-256.
func (m *Model) copyText() tea.Cmd {
	node := m.Selected()
	switch {
	case node == inputNode && m.tagged && m.doc.tagged != "":
		return pane.Cmd(pane.Copy{Text: m.doc.tagged, What: "decoded text"})
	case node == inputNode:
		return pane.Cmd(pane.Copy{Text: m.doc.input, What: "input text"})
	}
	it := m.doc.items[node]
	if !it.Text && it.SHA256 != "" {
		return pane.Cmd(pane.Copy{Text: it.SHA256, What: "SHA-256"})
	}
	return pane.Cmd(pane.Copy{Text: it.Decoded, What: "decoded text"})
}

// listKey handles a key in the IoC list.
func (m *Model) listKey(msg tea.KeyMsg) tea.Cmd {
	k := &m.Keys
	page := max(1, m.layout().listRows)
	move := func(to int) {
		m.iocCur = to
		m.clampList()
		m.revealIoC()
	}
	switch {
	case key.Matches(msg, k.Down):
		move(m.iocCur + 1)
	case key.Matches(msg, k.Up):
		move(m.iocCur - 1)
	case key.Matches(msg, k.Top):
		move(0)
	case key.Matches(msg, k.Bottom):
		move(len(m.list) - 1)
	case key.Matches(msg, k.PageDown):
		move(m.iocCur + page)
	case key.Matches(msg, k.PageUp):
		move(m.iocCur - page)
	case key.Matches(msg, k.HalfDown):
		move(m.iocCur + max(1, page/2))
	case key.Matches(msg, k.HalfUp):
		move(m.iocCur - max(1, page/2))
	case key.Matches(msg, k.Use):
		if e, ok := m.current(); ok {
			return pane.Cmd(pane.UseValue{Type: e.typ, Value: e.value})
		}
	case key.Matches(msg, k.Copy):
		if e, ok := m.current(); ok {
			return pane.Cmd(pane.Copy{Text: e.value, What: "IoC"})
		}
	case key.Matches(msg, k.CopyAll):
		return m.copyAll()
	}
	return nil
}

// current is the IoC under the list's cursor.
func (m *Model) current() (entry, bool) {
	if m.iocCur < 0 || m.iocCur >= len(m.list) {
		return entry{}, false
	}
	return m.list[m.iocCur], true
}

// copyAll copies the listed values, one a line, each once.
// lookup sends IoCs to the Threat intel pane: the selected one in the IoC
// list; from the tree or the text, every IoC of the input and its payloads.
// Paths are left out (no provider takes them).
func (m *Model) lookup() tea.Cmd {
	var list []entry
	if m.focus == secIoCs {
		if e, ok := m.current(); ok {
			list = []entry{e}
		}
	} else {
		list = m.doc.all
	}
	seen := map[string]bool{}
	var ins []pane.Indicator
	for _, e := range list {
		if e.typ == ioc.WindowsPath || e.typ == ioc.LinuxPath {
			continue
		}
		if k := string(e.typ) + "\x00" + e.value; !seen[k] {
			seen[k] = true
			ins = append(ins, pane.Indicator{Value: e.value, Type: e.typ})
		}
	}
	if len(ins) == 0 {
		return pane.Notice("No IoCs to look up (file paths are not looked up).")
	}
	return pane.Cmd(pane.LookupTI{Indicators: ins, Source: "Decode · " + m.doc.source})
}

func (m *Model) copyAll() tea.Cmd {
	if len(m.list) == 0 {
		return pane.Notice("No IoCs to copy.")
	}
	seen := map[string]bool{}
	var vals []string
	for _, e := range m.list {
		if k := string(e.typ) + "\x00" + e.value; !seen[k] {
			seen[k] = true
			vals = append(vals, e.value)
		}
	}
	return pane.Cmd(pane.Copy{Text: strings.Join(vals, "\n"), What: draw.Plural(len(vals), "IoC")})
}

// clampList keeps the IoC cursor inside the list and the list section.
func (m *Model) clampList() {
	h := max(1, m.layout().listRows)
	m.iocCur = min(max(m.iocCur, 0), max(0, len(m.list)-1))
	m.iocTop = min(max(m.iocTop, m.iocCur-h+1), m.iocCur)
	m.iocTop = max(0, min(m.iocTop, len(m.list)-h))
}

// active is the selected IoC's bytes in the text body, when the list has focus
// and lists the shown node's own IoCs at offsets into the shown text.
func (m *Model) active() (span, bool) {
	if m.focus != secIoCs || m.all || (m.tagged && m.Selected() == inputNode) {
		return span{}, false
	}
	e, ok := m.current()
	if !ok || e.end <= e.start {
		return span{}, false
	}
	return span{start: e.start + m.textOff, end: e.end + m.textOff, mark: markActive}, true
}

// revealIoC scrolls the text so that the selected IoC shows.
func (m *Model) revealIoC() {
	if m.doc == nil {
		return
	}
	b := m.body() // first: it sets textOff, which active uses
	a, ok := m.active()
	if !ok {
		return
	}
	rows := max(1, m.layout().textRows)
	r := b.rowAt(a.start)
	if r < m.textTop || r >= m.textTop+rows {
		m.textTop = max(0, r-rows/3)
	}
}

// body is the selected node's text, wrapped to the text section's width; it is
// made again only when the node, the view or the width changes.
func (m *Model) body() *body {
	k := bodyKey{node: m.Selected(), tagged: m.tagged && m.Selected() == inputNode, width: max(1, m.layout().textW), doc: m.doc}
	if m.text != nil && m.bodyFor == k {
		return m.text
	}
	// Keep the first shown byte in view across a change of width.
	anchor := -1
	if m.text != nil && m.bodyFor.node == k.node && m.bodyFor.tagged == k.tagged && m.bodyFor.doc == k.doc && m.textTop < len(m.text.rows) {
		anchor = m.text.rows[m.textTop].start
	}
	raw, spans, off := m.doc.content(k.node, k.tagged, k.width)
	m.text, m.bodyFor, m.textOff = newBody(raw, spans, k.width), k, off
	if anchor >= 0 {
		m.textTop = m.text.rowAt(anchor)
	}
	return m.text
}

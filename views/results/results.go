// Package results is the results pane of the workbench: every query's answer opens
// as a card (a tab) holding a virtualised table over the frame, so an analyst can
// keep several results side by side, sort, filter, count values, read one row in
// full, copy cells and rows, and export what is shown. The pane owns only UI state:
// frames arrive in pane.QueryResult messages, and copying, exporting and re-running
// leave as intents (pane.Copy, pane.Export, pane.RunQuery) for the shell to carry
// out. Every string drawn passes through frame.SafeText, so hostile log data cannot
// reach the terminal as control sequences.
package results

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/quarry-sec/quarry/engine/frame"
	"github.com/quarry-sec/quarry/themes"
	"github.com/quarry-sec/quarry/views/pane"
)

// MaxCards is how many cards stay open; opening one more closes the oldest.
const MaxCards = 20

// maxTabWidth caps one tab's label in the card bar.
const maxTabWidth = 32

// Empty is what the pane says before any result has arrived.
const Empty = "No results yet. Pick a query in Queries (1) and press Enter, or type :q NAME."

// Model is the results pane: a bar of cards over the current card's table.
type Model struct {
	// Keys is the pane's keys, shared by every card; rebind them with
	// pane.Rebind(&m.Keys, overrides).
	Keys KeyMap

	ctx           *pane.Context
	cards         []card
	cur           int
	width, height int
}

// card is one result: its table and the request that made it (nil when it was
// opened directly and cannot be re-run).
type card struct {
	t   *Table
	req *pane.RunQuery
}

// New makes an empty pane.
func New(ctx *pane.Context) *Model {
	if ctx == nil {
		ctx = pane.NewContext(themes.Default())
	}
	return &Model{Keys: DefaultKeyMap(), ctx: ctx}
}

// Title is the pane's name in the navigator.
func (m *Model) Title() string { return "Results" }

// Cards is the number of open cards.
func (m *Model) Cards() int { return len(m.cards) }

// Current is the current card's table, or nil when no card is open.
func (m *Model) Current() *Table {
	if m.cur < 0 || m.cur >= len(m.cards) {
		return nil
	}
	return m.cards[m.cur].t
}

// Open shows f in a new card and selects it, as receiving a query result does. It
// returns a notice when the oldest card had to close to keep MaxCards.
func (m *Model) Open(f *frame.Frame, title, crumb string) tea.Cmd {
	return m.open(f, title, crumb, nil)
}

func (m *Model) open(f *frame.Frame, title, crumb string, req *pane.RunQuery) tea.Cmd {
	t := NewTable(m.ctx, f, title, crumb)
	t.keys = &m.Keys
	t.SetSize(m.width, m.height-1)
	var cmd tea.Cmd
	if len(m.cards) >= MaxCards {
		old := m.cards[0].t.Title()
		m.cards = append(m.cards[:0], m.cards[1:]...)
		cmd = pane.Cmd(pane.Notify{Level: pane.Info, Text: frame.SafeText("Closed the oldest card (" + old + "): at most 20 stay open.")})
	}
	m.cards = append(m.cards, card{t: t, req: req})
	m.cur = len(m.cards) - 1
	return cmd
}

// Update opens a card for each successful query result, reports failed ones, hands
// background answers to the card that asked, and sends keys to the current card
// after the card keys (previous, next, close, re-run).
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case pane.QueryResult:
		return m.result(msg)
	case orderDone:
		return m.route(msg.t, msg)
	case freqDone:
		return m.route(msg.t, msg)
	case tea.KeyMsg:
		t := m.Current()
		if t == nil {
			return nil
		}
		if t.mode == modeTable {
			if cmd, ok := m.cardKey(msg); ok {
				return cmd
			}
		}
		return t.Update(msg)
	}
	if t := m.Current(); t != nil {
		return t.Update(msg)
	}
	return nil
}

func (m *Model) result(r pane.QueryResult) tea.Cmd {
	title := r.Request.Query
	if title == "" && r.Frame != nil {
		title = r.Frame.Meta.Query
	}
	if r.Err != nil {
		text := r.Err.Error()
		if title != "" {
			text = title + ": " + text
		}
		return fail(frame.SafeText(text))
	}
	if title == "" {
		title = "results"
	}
	req := r.Request
	return m.open(r.Frame, title, r.Request.Crumb, &req)
}

// Owns reports whether msg is one of the pane's own background answers (a finished
// sort, filter or count). The shell must hand such messages to the results pane
// whatever has focus; the pane drops answers for closed cards and stale requests.
func Owns(msg tea.Msg) bool {
	switch msg.(type) {
	case orderDone, freqDone:
		return true
	}
	return false
}

// route gives a background answer to the card that asked; a closed card's answer
// is dropped.
func (m *Model) route(t *Table, msg tea.Msg) tea.Cmd {
	for _, c := range m.cards {
		if c.t == t {
			return t.Update(msg)
		}
	}
	return nil
}

func (m *Model) cardKey(msg tea.KeyMsg) (tea.Cmd, bool) {
	k := &m.Keys
	switch {
	case key.Matches(msg, k.PrevCard):
		if m.cur > 0 {
			m.cur--
		}
	case key.Matches(msg, k.NextCard):
		if m.cur < len(m.cards)-1 {
			m.cur++
		}
	case key.Matches(msg, k.CloseCard):
		m.cards = append(m.cards[:m.cur], m.cards[m.cur+1:]...)
		m.cur = max(0, min(m.cur, len(m.cards)-1))
	case key.Matches(msg, k.Rerun):
		req := m.cards[m.cur].req
		if req == nil {
			return warn("This card was not made by a library query, so it cannot be re-run."), true
		}
		return pane.Cmd(*req), true
	default:
		return nil, false
	}
	return nil, true
}

// SetSize gives the pane its size; every card gets the space below the card bar.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = max(0, w), max(0, h)
	for _, c := range m.cards {
		c.t.SetSize(m.width, max(0, m.height-1))
	}
}

// Capturing reports whether the current card's filter or export prompt is open.
func (m *Model) Capturing() bool {
	t := m.Current()
	return t != nil && t.Capturing()
}

// Back closes the current card's detail view, frequency table or column chooser.
func (m *Model) Back() bool {
	t := m.Current()
	return t != nil && t.Back()
}

// ShortHelp is the footer's keys for what the pane shows now.
func (m *Model) ShortHelp() []key.Binding {
	t := m.Current()
	if t == nil {
		return nil
	}
	return t.ShortHelp()
}

// FullHelp is every key of what the pane shows now, the card keys included.
func (m *Model) FullHelp() [][]key.Binding {
	t := m.Current()
	if t == nil {
		return nil
	}
	if t.mode == modeTable {
		return m.Keys.tableHelp(true)
	}
	return t.FullHelp()
}

// View draws the card bar and the current card, or says how to get a result.
func (m *Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return block(nil, m.width, m.height)
	}
	t := m.Current()
	if t == nil {
		var lines []string
		for _, l := range strings.Split(ansi.Wrap(Empty, max(1, m.width-2), ""), "\n") {
			lines = append(lines, " "+l)
		}
		return block(lines, m.width, m.height)
	}
	if m.height == 1 {
		return block([]string{m.tabBar()}, m.width, 1)
	}
	return m.tabBar() + "\n" + t.View()
}

// tabBar lists the cards as numbered tabs, the current one marked "▸" and styled;
// when they do not all fit, the bar starts late enough to show the current one.
func (m *Model) tabBar() string {
	th := m.ctx.Theme
	labels := make([]string, len(m.cards))
	for i, c := range m.cards {
		mark := "  "
		if i == m.cur {
			mark = "▸ "
		}
		labels[i] = mark + truncate(strconv.Itoa(i+1)+" "+frame.SafeText(c.t.Title()), maxTabWidth)
	}
	const sep = " │ "
	start := 0
	for start < m.cur {
		w := 0
		for i := start; i <= m.cur; i++ {
			w += ansi.StringWidth(labels[i]) + 3 // " │ "
		}
		if start > 0 {
			w += 2
		}
		if w <= m.width {
			break
		}
		start++
	}
	var b strings.Builder
	if start > 0 {
		b.WriteString(th.Muted.Render("… "))
	}
	for i := start; i < len(labels); i++ {
		if i > start {
			b.WriteString(th.Muted.Render(sep))
		}
		if i == m.cur {
			b.WriteString(th.TabActive.Render(labels[i]))
		} else {
			b.WriteString(th.Tab.Render(labels[i]))
		}
	}
	return truncate(b.String(), m.width)
}

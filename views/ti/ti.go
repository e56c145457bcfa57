// Package ti is the Threat intel pane of the workbench: the answers of a
// threat-intelligence look-up grouped by indicator, one line per provider with
// its severity (as a label and a colour), whether it found the indicator, and
// its details in brief; a progress bar per provider while the answers arrive;
// filters by severity, provider and found-or-not; and any answer whole, raw
// response pretty-printed, one key away.
//
// The pane does no work itself: a look-up is asked for with a pane.LookupTI
// (typed here with i, or sent from another pane), the shell's runner asks the
// providers, and the answers arrive as a pane.TIStarted, batches of
// pane.TIResults and a pane.TIDone, all carrying the request's sequence number so
// that a superseded look-up's answers are dropped. Copying and querying leave as
// pane.Copy and pane.UseValue. Each line is drawn once and kept until the width or
// the theme changes, and only the lines on screen are drawn, so a look-up of
// thousands of indicators stays quick while it streams in. Everything drawn from
// the answers passes through frame.SafeText, because indicators, provider details
// and raw responses are attacker-controlled.
package ti

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/quarry-sec/quarry/engine/ioc"
	"github.com/quarry-sec/quarry/themes"
	"github.com/quarry-sec/quarry/views/pane"
)

// Empty is what the pane says before any look-up.
const Empty = "Press i to type indicators, or I on a result cell, a process or a decoded IoC."

// About says what the pane shows, under Empty.
const About = "Each indicator is looked up with every provider that takes its type; the answers are " +
	"grouped by indicator, one line per provider, with msticpy's severity (HIGH, WARN, INFO or —) " +
	"and the provider's details. Enter opens an answer whole, with its raw response."

// Model is the Threat intel pane.
type Model struct {
	// Keys is the pane's keys; rebind them with Rebind or pane.Rebind(&m.Keys, …).
	Keys KeyMap

	ctx           *pane.Context
	width, height int

	// The look-up shown.
	seq       int  // its sequence number
	started   bool // a TIStarted has come
	req       pane.LookupTI
	last      *pane.LookupTI // the latest request, for Rerun
	waiting   bool           // a request was forwarded and its TIStarted has not come
	pending   pane.LookupTI  // that request
	providers []string
	rank      map[string]int // providers' places
	totals    map[string]int
	done      map[string]int // answers per provider
	errs      map[string]int // failed look-ups per provider
	seen      map[string]bool
	notes     []string
	startErr  string // why the look-up could not start (raw)
	began     time.Time
	finished  bool
	elapsed   time.Duration
	endErr    error
	groups    []*group // in arrival order
	byIoc     map[string]*group
	nResults  int // every answer
	nAsked    int // the providers' answers (not the engine's rejections)
	nErrors   int // failed look-ups
	nBad      int // indicators the engine rejected

	// The list of it.
	f      filters
	rows   []row
	sorted []*group // scratch for the other orders
	dirty  bool     // rows need a refresh
	nShown int      // result lines the filters let through
	nHigh  int      // groups whose worst found severity is high
	nWarn  int      // and warning
	cur    int
	top    int
	provW  int // the provider column's width
	gen    int // the drawing generation cached lines belong to
	genFor genKey

	// The detail view.
	detail    *entry
	detailTop int
	lines     []string // the detail view's lines, made for lineFor
	lineFor   detailKey

	// The look-up input.
	typing bool
	input  textinput.Model
}

// genKey is what the cached lines depend on besides their own data.
type genKey struct {
	width, provW int
	theme        string
}

// New makes an empty pane.
func New(ctx *pane.Context) *Model {
	if ctx == nil {
		ctx = pane.NewContext(themes.Default())
	}
	m := &Model{Keys: DefaultKeyMap(), ctx: ctx}
	m.reset()
	return m
}

// reset forgets the look-up shown, keeping the filters and the last request.
func (m *Model) reset() {
	m.started, m.providers, m.notes, m.startErr = false, nil, nil, ""
	m.rank, m.totals = map[string]int{}, map[string]int{}
	m.done, m.errs, m.seen = map[string]int{}, map[string]int{}, map[string]bool{}
	m.began, m.finished, m.elapsed, m.endErr = time.Time{}, false, 0, nil
	m.groups, m.byIoc = nil, map[string]*group{}
	m.nResults, m.nAsked, m.nErrors, m.nBad = 0, 0, 0, 0
	m.rows, m.cur, m.top, m.dirty = nil, 0, 0, false
	m.nShown, m.nHigh, m.nWarn = 0, 0, 0
	m.provW = 8
	m.detail, m.lines = nil, nil
	m.gen++
}

// Title is the pane's name in the navigator.
func (m *Model) Title() string { return "Threat intel" }

// SetSize gives the pane its size.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = max(0, w), max(0, h)
	m.clamp()
}

// Capturing reports whether the look-up input is open.
func (m *Model) Capturing() bool { return m.typing }

// Back closes the look-up input, else the detail view.
func (m *Model) Back() bool {
	switch {
	case m.typing:
		m.closeInput()
	case m.detail != nil:
		m.closeDetail()
	default:
		return false
	}
	return true
}

// ShortHelp is the footer's keys.
func (m *Model) ShortHelp() []key.Binding {
	switch {
	case m.typing:
		return []key.Binding{m.Keys.Apply, pane.EscHelp("cancel")}
	case m.detail != nil:
		return m.Keys.detailShortHelp()
	case !m.started:
		return []key.Binding{m.Keys.Lookup}
	}
	return m.Keys.ShortHelp()
}

// FullHelp is every key of the pane.
func (m *Model) FullHelp() [][]key.Binding {
	switch {
	case m.typing:
		return [][]key.Binding{m.Keys.inputKeys(), {pane.EscHelp("cancel")}}
	case m.detail != nil:
		return m.Keys.detailFullHelp()
	}
	return m.Keys.FullHelp()
}

// Update handles the look-up's messages and the keys.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case pane.LookupTI:
		// The shell hands the pane the request it is about to run, so that it says
		// "looking up…" at once, and r can ask for it again.
		req := msg
		m.waiting, m.pending, m.last = true, req, &req
	case pane.TIStarted:
		m.start(msg)
	case pane.TIResults:
		if m.started && msg.Seq == m.seq {
			for _, r := range msg.Results {
				m.add(r)
			}
			m.refresh()
		}
	case pane.TIDone:
		if m.started && msg.Seq == m.seq && !m.finished {
			m.finished, m.elapsed, m.endErr = true, msg.Elapsed, msg.Err
		}
	case tea.KeyMsg:
		if m.typing {
			return m.inputKey(msg)
		}
		return m.key(msg)
	}
	return nil
}

// start takes a look-up's plan: an older or repeated one is dropped; a newer
// one replaces what was shown, its rejected indicators filed at once.
func (m *Model) start(msg pane.TIStarted) {
	if m.started && msg.Seq <= m.seq {
		return
	}
	m.reset()
	if m.f.provider != "" && !slices.Contains(msg.Providers, m.f.provider) {
		m.f.provider = "" // the new look-up did not ask it
	}
	m.started, m.seq, m.waiting = true, msg.Seq, false
	m.req = msg.Request
	req := msg.Request
	m.last = &req
	m.providers = append([]string(nil), msg.Providers...)
	for i, p := range m.providers {
		m.rank[p] = i
		m.provW = max(m.provW, min(width(safe(p)), maxProvW))
	}
	for p, n := range msg.Totals {
		m.totals[p] = n
	}
	m.notes = append([]string(nil), msg.Notes...)
	if msg.Err != nil {
		m.startErr = msg.Err.Error()
	}
	m.began = m.ctx.Clock()
	for _, r := range msg.Bad {
		m.add(r)
	}
	m.refresh()
}

// cancelled reports whether the look-up was cancelled.
func (m *Model) cancelled() bool { return errors.Is(m.endErr, context.Canceled) }

// totalLookups is how many look-ups the plan counted.
func (m *Model) totalLookups() int {
	n := 0
	for _, p := range m.providers {
		n += m.totals[p]
	}
	return n
}

// key handles a key while the input is closed.
func (m *Model) key(msg tea.KeyMsg) tea.Cmd {
	k := &m.Keys
	switch {
	case key.Matches(msg, k.Lookup):
		m.openInput()
		return nil
	case key.Matches(msg, k.Rerun):
		return m.rerun()
	}
	if m.detail != nil {
		return m.keyInDetail(msg)
	}
	if !m.started {
		return nil
	}
	switch {
	case key.Matches(msg, k.Severity):
		m.f.sev = (m.f.sev + 1) % len(sevSteps)
		m.refresh()
		return nil
	case key.Matches(msg, k.Provider):
		return m.nextProvider()
	case key.Matches(msg, k.FoundOnly):
		m.f.foundOnly = !m.f.foundOnly
		m.refresh()
		return nil
	case key.Matches(msg, k.Order):
		m.f.order = (m.f.order + 1) % orders
		m.refresh()
		return nil
	case key.Matches(msg, k.ExpandAll):
		m.foldAll(false)
		return nil
	case key.Matches(msg, k.CollapseAll):
		m.foldAll(true)
		return nil
	}
	r, ok := m.selected()
	if !ok {
		return nil
	}
	page := max(1, m.listRows())
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
	case r.e == nil && key.Matches(msg, k.Toggle):
		m.fold(r.g, !r.g.folded)
	case r.e != nil && key.Matches(msg, k.Open):
		m.openDetail(r.e)
	case key.Matches(msg, k.Collapse):
		m.fold(r.g, true)
	case key.Matches(msg, k.Expand):
		switch {
		case r.e == nil && r.g.folded:
			m.fold(r.g, false)
		case r.e == nil:
			m.move(m.cur + 1)
		}
	case key.Matches(msg, k.Copy):
		if r.e == nil {
			return pane.Cmd(pane.Copy{Text: r.g.ioc, What: "indicator"})
		}
		return m.copyReference(r.e)
	case key.Matches(msg, k.Use):
		return useValue(r.g.typ, r.g.ioc)
	}
	return nil
}

// nextProvider shows the next provider's lines only, after the last all again.
func (m *Model) nextProvider() tea.Cmd {
	choices := m.providerChoices()
	if len(choices) == 0 {
		return pane.Notice("No provider has answered yet.")
	}
	next := choices[0]
	if m.f.provider != "" {
		next = ""
		for i, p := range choices {
			if p == m.f.provider && i+1 < len(choices) {
				next = choices[i+1]
			}
		}
	}
	m.f.provider = next
	m.refresh()
	return nil
}

// rerun asks for the latest look-up again.
func (m *Model) rerun() tea.Cmd {
	if m.last == nil {
		return pane.Notice("Nothing to look up again yet: press " + m.Keys.Lookup.Help().Key + " to type indicators.")
	}
	return pane.Cmd(*m.last)
}

// useValue asks the shell to start a query from an indicator.
func useValue(typ, value string) tea.Cmd {
	return pane.Cmd(pane.UseValue{Type: ioc.Type(typ), Value: value})
}

// copyReference copies a result's reference link.
func (m *Model) copyReference(e *entry) tea.Cmd {
	if e.r.Reference == "" {
		return pane.Cmd(pane.Notify{Level: pane.Warn, Text: "This answer has no reference link."})
	}
	return pane.Cmd(pane.Copy{Text: e.r.Reference, What: "reference link"})
}

// move selects a line, scrolling as little as needed.
func (m *Model) move(i int) {
	m.cur = i
	m.clamp()
}

// clamp keeps the selection among the lines and on screen.
func (m *Model) clamp() {
	h := max(1, m.listRows())
	m.cur = min(max(m.cur, 0), max(0, len(m.rows)-1))
	m.top = min(max(m.top, m.cur-h+1), m.cur)
	m.top = max(0, min(m.top, len(m.rows)-h))
}

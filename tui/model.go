// Package tui is Quarry's interactive workbench shell: the root model that lays
// out the navigator, the focused pane, the status bar and the help footer; routes
// keys; runs long work as cancellable tasks; and routes results back to the pane
// that asked.
//
// Keys go, in this order, to: an open dialog (time range, help, quit confirmation);
// the command line or palette when open; the focused pane when one of its text
// inputs has the keys (a filter, a form, a prompt); the global keys (KeyMap); and
// last the focused pane. Ctrl+C is the one exception: it always reaches the shell,
// cancelling running tasks first and quitting second.
package tui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/progress"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/quarry-sec/quarry/engine/frame"
	"github.com/quarry-sec/quarry/providers/config"
	"github.com/quarry-sec/quarry/providers/data"
	"github.com/quarry-sec/quarry/queries"
	"github.com/quarry-sec/quarry/themes"
	decodeview "github.com/quarry-sec/quarry/views/decode"
	"github.com/quarry-sec/quarry/views/pane"
	treeview "github.com/quarry-sec/quarry/views/proctree"
	"github.com/quarry-sec/quarry/views/querybrowser"
	"github.com/quarry-sec/quarry/views/results"
	intelview "github.com/quarry-sec/quarry/views/ti"
	"github.com/quarry-sec/quarry/views/timerange"
	"github.com/quarry-sec/quarry/views/upcoming"
)

// Backend is what the shell needs from the rest of Quarry; the command line's App
// is one. Open and RunQuery are called from task goroutines.
type Backend interface {
	// Library is the query library.
	Library() (*queries.Library, error)
	// Open opens the data provider and describes it.
	Open(ctx context.Context) (data.Info, error)
	// RunQuery binds a library query for the provider and runs it.
	RunQuery(ctx context.Context, name string, params map[string]any) (*frame.Frame, error)
}

// progressReporter is a backend that can tell the shell about slow steps (the
// CLI's App does: imports of big workspace files), instead of writing to stderr.
type progressReporter interface {
	SetProgress(func(msg string))
}

// Options are the shell's settings.
type Options struct {
	// UI is the settings file's ui section with the command-line flags over it.
	UI config.UI
	// NoColor forces the mono theme (NO_COLOR is set, or the terminal has no colour).
	NoColor bool
	// Clipboard is where OSC 52 copy sequences are written (the terminal).
	Clipboard io.Writer
	// Now is the clock (nil: time.Now); tests fix it.
	Now func() time.Time
}

// MinWidth and MinHeight are the smallest terminal the shell draws in.
const (
	MinWidth  = 80
	MinHeight = 24
)

// navWidth is the navigator's width, its separator included.
const navWidth = 18

type dialog int

const (
	dialogNone dialog = iota
	dialogRange
	dialogHelp
	dialogQuit
)

// Model is the root model.
type Model struct {
	ctx     context.Context
	backend Backend
	pctx    *pane.Context
	keys    KeyMap
	spin    spinner.Model
	bar     progress.Model

	lib     *queries.Library
	libErr  error
	info    data.Info
	ready   bool
	openErr error
	rng     pane.Range

	browser *querybrowser.Model
	results *results.Model
	picker  *timerange.Model
	decoder *decodeview.Model
	trees   *treeview.Model
	intel   *intelview.Model
	panes   map[pane.ID]pane.Component
	focused pane.ID
	dialog  dialog
	cmd     cmdline
	cmds    []command

	tasks    []*task
	nextTask int
	seq      map[pane.ID]int

	flash         *pane.Notify
	width, height int
	hideNav       bool
	mouse         bool
	noColor       bool
	clip          clipboard
	clock         func() time.Time
	quitting      bool
	// note is the provider's latest progress message, written from its goroutine.
	note atomic.Pointer[string]
}

// New makes the shell. The library is loaded now (it is fast); the provider is
// opened by Init as a task, so the first frame does not wait for it.
func New(ctx context.Context, b Backend, opts Options) (*Model, error) {
	theme, err := themes.Pick(opts.UI.Theme, opts.NoColor)
	if err != nil {
		return nil, err
	}
	pctx := pane.NewContext(theme)
	if opts.UI.Zone != "" {
		z, err := time.LoadLocation(opts.UI.Zone)
		if err != nil {
			return nil, fmt.Errorf("ui.zone: %w", err)
		}
		pctx.Zone = z
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	pctx.Now = now
	m := &Model{
		ctx: ctx, backend: b, pctx: pctx, keys: DefaultKeyMap(),
		spin:    spinner.New(spinner.WithSpinner(spinner.Line)),
		bar:     progress.New(progress.WithoutPercentage(), progress.WithWidth(12), progress.WithSolidFill("#5fd7ff")),
		seq:     map[pane.ID]int{},
		focused: pane.Queries,
		mouse:   opts.UI.Mouse,
		noColor: opts.NoColor,
		clip:    newClipboard(opts.Clipboard),
		clock:   now,
		cmd:     newCmdline(),
	}
	if pr, ok := b.(progressReporter); ok {
		pr.SetProgress(func(msg string) { m.note.Store(&msg) })
	}
	m.lib, m.libErr = b.Library()
	if m.lib == nil {
		m.lib = queries.Empty()
	}
	m.browser = querybrowser.New(pctx, m.lib)
	m.results = results.New(pctx)
	m.picker = timerange.New(pctx)
	m.decoder = decodeview.New(pctx)
	m.trees = treeview.New(pctx)
	m.intel = intelview.New(pctx)
	m.panes = map[pane.ID]pane.Component{pane.Queries: m.browser, pane.Results: m.results, pane.Decode: m.decoder,
		pane.ProcTree: m.trees, pane.ThreatIntel: m.intel}
	for _, p := range paneOrder {
		if _, ok := m.panes[p.id]; !ok {
			m.panes[p.id] = upcoming.New(pctx, p.title, p.about)
		}
	}
	m.cmds = commands()
	if err := m.rebind(opts.UI.Keys); err != nil {
		return nil, err
	}
	m.restyle()
	return m, nil
}

// rebind applies the settings' key overrides.
func (m *Model) rebind(keys map[string]map[string][]string) error {
	for where, over := range keys {
		var target any
		switch strings.ToLower(where) {
		case "global":
			target = &m.keys
		case "results":
			target = &m.results.Keys
		case "queries":
			target = &m.browser.Keys
		case "timerange":
			target = &m.picker.Keys
		case "decode":
			target = &m.decoder.Keys
		case "proctree":
			target = &m.trees.Keys
		case "ti":
			target = &m.intel.Keys
		default:
			return fmt.Errorf("ui.keys: no keymap %q (known: global, queries, results, timerange, decode, proctree, ti)", where)
		}
		if err := pane.Rebind(target, over); err != nil {
			return fmt.Errorf("ui.keys.%s: %w", where, err)
		}
	}
	return nil
}

// restyle applies the theme to the shell's own widgets.
func (m *Model) restyle() {
	th := m.pctx.Theme
	m.spin.Style = th.Accent
	m.cmd.input.PromptStyle = th.Accent
}

// Init opens the provider.
func (m *Model) Init() tea.Cmd {
	if m.mouse {
		return tea.Batch(m.open(), tea.EnableMouseCellMotion)
	}
	return m.open()
}

// Focused is the focused pane.
func (m *Model) Focused() pane.ID { return m.focused }

// Range is the current time range.
func (m *Model) Range() pane.Range { return m.rng }

// Tasks is the number of running tasks.
func (m *Model) Tasks() int { return len(m.tasks) }

// Flash is the notification shown, if any.
func (m *Model) Flash() (pane.Notify, bool) {
	if m.flash == nil {
		return pane.Notify{}, false
	}
	return *m.flash, true
}

// Update routes a message; it never blocks (work runs in tasks).
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.layout()
		return m, nil
	case tea.KeyMsg:
		m.flash = nil
		return m, m.key(msg)
	case tea.MouseMsg:
		return m, m.mouseEvent(msg)
	case spinner.TickMsg:
		if len(m.tasks) == 0 {
			return m, nil
		}
		var cmd tea.Cmd
		m.spin, cmd = m.spin.Update(msg)
		return m, cmd
	case taskDone:
		m.finish(msg.id)
		return m.Update(msg.msg)
	case opened:
		return m, m.opened(msg)
	case exported:
		switch {
		case errors.Is(msg.err, context.Canceled):
			return m, pane.Notice("export cancelled; nothing written")
		case msg.err != nil:
			return m, pane.Fail(fmt.Errorf("export %s: %w", msg.path, msg.err))
		}
		return m, pane.Notice(fmt.Sprintf("wrote %d rows to %s", msg.rows, msg.path))
	case pane.QueryResult:
		return m, m.result(msg)
	case pane.RunQuery:
		return m, m.runQuery(msg)
	case pane.Export:
		return m, m.export(msg)
	case pane.DecodeText:
		return m, m.decodeText(msg)
	case pane.Decoded:
		return m, m.decoded(msg)
	case pane.UseValue:
		return m, m.useValue(msg)
	case pane.BuildTree:
		return m, m.buildTree(msg)
	case pane.TreeBuilt:
		return m, m.treeBuilt(msg)
	case pane.LookupTI:
		return m, m.lookupTI(msg)
	case tiPump:
		return m, m.pumped(msg)
	case pane.TIDone:
		return m, m.tiDone(msg)
	case pane.TIStarted:
		// Only when no backend can look up (the pump carries the rest).
		if msg.Seq == m.seq[pane.ThreatIntel] {
			return m, m.intel.Update(msg)
		}
		return m, nil
	case tiEnded:
		return m, nil
	case pane.Copy:
		// The write goes to the terminal, which a slow link can stall: off the loop.
		clip := m.clip
		return m, func() tea.Msg {
			if err := clip.copy(msg.Text); err != nil {
				return pane.Notify{Level: pane.Error, Text: fmt.Sprintf("copy %s: %v", msg.What, err)}
			}
			return pane.Notify{Level: pane.Info, Text: fmt.Sprintf("copied %s (%d characters) to the clipboard via OSC 52", msg.What, len([]rune(msg.Text)))}
		}
	case pane.Notify:
		n := msg
		n.Text = frame.SafeText(n.Text)
		m.flash = &n
		return m, nil
	case pane.RangeChanged:
		m.rng = msg.Range
		m.picker.SetRange(msg.Range)
		if m.dialog == dialogRange {
			m.dialog = dialogNone
		}
		return m, m.browser.Update(msg)
	case pane.Focus:
		return m, m.focus(msg.Pane)
	}
	// Anything else is a pane's own message (an async sort, a cursor blink):
	// every pane sees it and ignores what is not its own.
	var cmds []tea.Cmd
	for _, c := range []pane.Component{m.browser, m.results, m.picker} {
		cmds = append(cmds, c.Update(msg))
	}
	return m, tea.Batch(cmds...)
}

// opened records the provider's description and gives the picker the data's span.
func (m *Model) opened(msg opened) tea.Cmd {
	if msg.err != nil {
		m.openErr = msg.err
		if errors.Is(msg.err, context.Canceled) {
			return pane.Notice("opening the workspace was cancelled; :open retries")
		}
		return pane.Fail(fmt.Errorf("open workspace: %w", msg.err))
	}
	m.info, m.ready, m.openErr = msg.info, true, nil
	m.note.Store(nil)
	cmd := m.picker.Update(pane.Span{Start: msg.info.Start, End: msg.info.End})
	if m.rng.IsZero() {
		m.rng = m.picker.Range()
	}
	return tea.Batch(cmd, m.browser.Update(pane.RangeChanged{Range: m.rng}))
}

// result routes a finished query to its pane, dropping superseded answers.
func (m *Model) result(msg pane.QueryResult) tea.Cmd {
	if msg.Seq != m.seq[msg.To] {
		return nil
	}
	if errors.Is(msg.Err, context.Canceled) {
		return pane.Notice(msg.Request.Query + " cancelled")
	}
	c, ok := m.panes[msg.To]
	if !ok {
		return nil
	}
	cmd := c.Update(msg)
	if msg.Err == nil && (msg.Request.From == m.focused || msg.Request.From == "") {
		m.setFocus(msg.To)
	}
	if msg.Err == nil && msg.Frame != nil && msg.Frame.Len() == 0 {
		cmd = tea.Batch(cmd, pane.Cmd(pane.Notify{Level: pane.Warn, Text: fmt.Sprintf("%s: no rows matched in %s; widen the range with t or [", msg.Request.Query, m.rangeText(msg.Request.Range))}))
	}
	return cmd
}

// key routes a key press in the documented order.
func (m *Model) key(msg tea.KeyMsg) tea.Cmd {
	if key.Matches(msg, m.keys.Cancel) {
		if m.dialog == dialogQuit {
			return m.forceQuit()
		}
		if n := m.cancelTasks(); n > 0 {
			return m.cancelNotice(n)
		}
		return m.forceQuit()
	}
	if m.dialog != dialogNone {
		return m.dialogKey(msg)
	}
	if m.cmd.open {
		r, cmd := m.cmd.update(msg)
		switch {
		case r.run != "":
			return tea.Batch(cmd, m.execute(r.run))
		case r.key != "":
			return tea.Batch(cmd, m.panes[m.focused].Update(pane.Key(r.key)))
		}
		return cmd
	}
	p := m.panes[m.focused]
	if p.Capturing() {
		return p.Update(msg)
	}
	k := m.keys
	switch {
	case key.Matches(msg, k.Quit):
		return m.quit()
	case key.Matches(msg, k.Help):
		m.dialog = dialogHelp
		return nil
	case key.Matches(msg, k.Command):
		return m.cmd.start(false, m.entries())
	case key.Matches(msg, k.Palette):
		return m.cmd.start(true, m.entries())
	case key.Matches(msg, k.Next), key.Matches(msg, k.Prev):
		i := paneIndex(m.focused)
		d := 1
		if key.Matches(msg, k.Prev) {
			d = len(paneOrder) - 1
		}
		return m.focus(paneOrder[(i+d)%len(paneOrder)].id)
	case key.Matches(msg, k.TimeRange):
		m.dialog = dialogRange
		return nil
	case key.Matches(msg, k.StepBack):
		return m.picker.Step(-1)
	case key.Matches(msg, k.StepForward):
		return m.picker.Step(1)
	case key.Matches(msg, k.Nav):
		m.hideNav = !m.hideNav
		m.layout()
		return nil
	case key.Matches(msg, k.Back):
		if p.Back() {
			return nil
		}
		if n := m.cancelTasks(); n > 0 {
			return m.cancelNotice(n)
		}
		return nil
	}
	for i, b := range k.panes() {
		if key.Matches(msg, b) {
			return m.focus(paneOrder[i].id)
		}
	}
	return p.Update(msg)
}

// dialogKey handles a key while a dialog is open.
func (m *Model) dialogKey(msg tea.KeyMsg) tea.Cmd {
	switch m.dialog {
	case dialogQuit:
		switch msg.String() {
		case "y", "Y", "enter":
			return m.forceQuit()
		case "n", "N", "esc", "q":
			m.dialog = dialogNone
		}
		return nil
	case dialogHelp:
		if key.Matches(msg, m.keys.Back, m.keys.Help, m.keys.Quit) {
			m.dialog = dialogNone
		}
		return nil
	case dialogRange:
		if key.Matches(msg, m.keys.Back) {
			if !m.picker.Back() {
				m.dialog = dialogNone
			}
			return nil
		}
		if !m.picker.Capturing() && key.Matches(msg, m.keys.TimeRange, m.keys.Quit) {
			m.dialog = dialogNone
			return nil
		}
		return m.picker.Update(msg)
	}
	return nil
}

// mouseEvent handles the mouse when it is on: the wheel scrolls the focused pane
// and a click in the navigator focuses a pane.
func (m *Model) mouseEvent(msg tea.MouseMsg) tea.Cmd {
	if !m.mouse || m.dialog != dialogNone || m.cmd.open {
		return nil
	}
	switch msg.Button {
	case tea.MouseButtonWheelUp:
		return m.panes[m.focused].Update(tea.KeyMsg{Type: tea.KeyUp})
	case tea.MouseButtonWheelDown:
		return m.panes[m.focused].Update(tea.KeyMsg{Type: tea.KeyDown})
	case tea.MouseButtonLeft:
		if msg.Action == tea.MouseActionPress && !m.hideNav && msg.X < navWidth {
			if i := msg.Y - 2; i >= 0 && i < len(paneOrder) {
				return m.focus(paneOrder[i].id)
			}
		}
	}
	return nil
}

// focus moves the focus to a pane.
func (m *Model) focus(id pane.ID) tea.Cmd {
	if id == pane.TimeRange {
		// The picker is a dialog over the panes: what a form holds stays put.
		m.dialog = dialogRange
		return nil
	}
	if _, ok := m.panes[id]; !ok {
		return pane.Fail(fmt.Errorf("no pane %q", id))
	}
	m.setFocus(id)
	return nil
}

func (m *Model) setFocus(id pane.ID) { m.focused = id }

// quit quits, asking first while tasks run.
func (m *Model) quit() tea.Cmd {
	if len(m.tasks) > 0 {
		m.dialog = dialogQuit
		return nil
	}
	return m.forceQuit()
}

func (m *Model) forceQuit() tea.Cmd {
	m.cancelTasks()
	m.quitting = true
	return tea.Quit
}

func (m *Model) cancelNotice(n int) tea.Cmd {
	if n == 0 {
		return pane.Notice("nothing is running")
	}
	return pane.Cmd(pane.Notify{Level: pane.Warn, Text: fmt.Sprintf("cancelled %d task(s); ctrl+c again quits", n)})
}

// entries lists the palette: every command, then the focused pane's keys.
func (m *Model) entries() []entry {
	var out []entry
	for _, c := range m.cmds {
		label := c.name
		if c.args != "" {
			label += " " + c.args
		}
		out = append(out, entry{label: fmt.Sprintf("%-28s %s", label, c.help), line: c.name + " ", takesArgs: c.args != "" && !strings.HasPrefix(c.args, "[")})
	}
	title := m.title(m.focused)
	for _, g := range m.panes[m.focused].FullHelp() {
		for _, b := range g {
			if !b.Enabled() || len(b.Keys()) == 0 {
				continue
			}
			out = append(out, entry{label: fmt.Sprintf("%-28s %s", strings.ToLower(title)+": "+b.Help().Desc, "("+b.Help().Key+")"), key: b.Keys()[0]})
		}
	}
	return out
}

// title is a pane's navigator title.
func (m *Model) title(id pane.ID) string {
	if i := paneIndex(id); i >= 0 {
		return paneOrder[i].title
	}
	return string(id)
}

// layout gives every pane the main area's size.
func (m *Model) layout() {
	w, h := m.mainSize()
	for _, p := range m.panes {
		p.SetSize(w, h)
	}
	m.picker.SetSize(min(w-4, 76), min(h-2, 22))
}

// mainSize is the main area: the screen less the navigator, status and help lines.
func (m *Model) mainSize() (int, int) {
	w := m.width
	if !m.hideNav {
		w -= navWidth
	}
	return max(w, 1), max(m.height-2, 1)
}

// now is the clock in UTC.
func (m *Model) now() time.Time { return m.clock().UTC() }

// rangeText is a short form of a range for the status bar and breadcrumbs.
func (m *Model) rangeText(r pane.Range) string {
	if r.IsZero() {
		return "whole span"
	}
	z := m.pctx.Zone
	if z == nil {
		z = time.UTC
	}
	s, e := r.Start.In(z), r.End.In(z)
	layout := "2006-01-02 15:04"
	end := e.Format(layout)
	if s.Year() == e.Year() && s.YearDay() == e.YearDay() {
		end = e.Format("15:04")
	}
	out := s.Format(layout) + " → " + end + " " + e.Format("MST")
	if r.Label != "" {
		out = r.Label + " " + out
	}
	return out
}

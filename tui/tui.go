// Package tui is Quarry's interactive workbench shell: the root model that routes
// keys, lays out panes, runs long work as cancellable tasks and routes results back.
// This first shell opens on the workspace's alerts; the full shell (query browser,
// time-range picker, pane focus ring) grows here.
package tui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/quarry-sec/quarry/engine/frame"
	"github.com/quarry-sec/quarry/themes"
	"github.com/quarry-sec/quarry/views/results"
)

// Backend is what the shell needs to run queries; the command line's App is one.
type Backend interface {
	RunQuery(ctx context.Context, name string, params map[string]any) (*frame.Frame, error)
}

// StartQuery is the query the shell runs when it opens.
const StartQuery = "SecurityAlert.list_alerts"

// MinWidth and MinHeight are the smallest terminal the shell draws in.
const (
	MinWidth  = 80
	MinHeight = 24
)

type keyMap struct {
	Quit, Cancel, Reload, Help key.Binding
	pane                       results.KeyMap
}

func (k keyMap) ShortHelp() []key.Binding {
	return append(k.pane.ShortHelp(), k.Reload, k.Help, k.Quit)
}

func (k keyMap) FullHelp() [][]key.Binding {
	return append(k.pane.FullHelp(), []key.Binding{k.Reload, k.Cancel, k.Help, k.Quit})
}

// queryDone carries a finished query back to the shell, tagged with its request
// number so that a stale result is dropped.
type queryDone struct {
	seq   int
	frame *frame.Frame
	err   error
}

// Model is the root model.
type Model struct {
	ctx     context.Context
	backend Backend
	theme   themes.Theme
	keys    keyMap
	help    help.Model
	spin    spinner.Model
	pane    results.Model

	width, height int
	seq           int
	cancel        context.CancelFunc
	loading       bool
	began         time.Time
	frame         *frame.Frame
	err           error
}

// New makes the shell.
func New(ctx context.Context, b Backend, theme themes.Theme) Model {
	pane := results.New(theme, "TimeGenerated", "AlertSeverity", "DisplayName", "CompromisedEntity", "ProviderName")
	return Model{
		ctx: ctx, backend: b, theme: theme, pane: pane,
		help: help.New(),
		spin: spinner.New(spinner.WithSpinner(spinner.Line)),
		keys: keyMap{
			Quit:   key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
			Cancel: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
			Reload: key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "reload")),
			Help:   key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
			pane:   pane.Keys,
		},
	}
}

// Init starts the first query.
func (m Model) Init() tea.Cmd { return nil }

func (m *Model) start() tea.Cmd {
	if m.cancel != nil {
		m.cancel()
	}
	m.seq++
	seq := m.seq
	ctx, cancel := context.WithCancel(m.ctx)
	m.cancel, m.loading, m.began, m.err = cancel, true, time.Now(), nil
	b := m.backend
	run := func() tea.Msg {
		f, err := b.RunQuery(ctx, StartQuery, nil)
		return queryDone{seq: seq, frame: f, err: err}
	}
	return tea.Batch(run, m.spin.Tick)
}

// Update routes messages: global keys first, then the pane.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		first := m.width == 0
		m.width, m.height = msg.Width, msg.Height
		m.help.Width = msg.Width
		m.layout()
		if first {
			return m, m.start()
		}
		return m, nil
	case queryDone:
		if msg.seq != m.seq {
			return m, nil
		}
		m.loading, m.cancel = false, nil
		m.frame, m.err = msg.frame, msg.err
		if msg.err == nil {
			m.pane.SetFrame(msg.frame)
		}
		return m, nil
	case spinner.TickMsg:
		if !m.loading {
			return m, nil
		}
		var cmd tea.Cmd
		m.spin, cmd = m.spin.Update(msg)
		return m, cmd
	case tea.KeyMsg:
		switch {
		case key.Matches(msg, m.keys.Quit):
			if m.cancel != nil {
				m.cancel()
			}
			return m, tea.Quit
		case key.Matches(msg, m.keys.Cancel):
			if m.loading && m.cancel != nil {
				m.cancel()
				m.seq++
				m.loading, m.err = false, context.Canceled
			}
			return m, nil
		case key.Matches(msg, m.keys.Reload):
			return m, m.start()
		case key.Matches(msg, m.keys.Help):
			m.help.ShowAll = !m.help.ShowAll
			m.layout()
			return m, nil
		}
	}
	var cmd tea.Cmd
	m.pane, cmd = m.pane.Update(msg)
	return m, cmd
}

// View draws the shell.
func (m Model) View() string {
	if m.width == 0 {
		return ""
	}
	if m.width < MinWidth || m.height < MinHeight {
		return fmt.Sprintf("Terminal is too small: have %d×%d, need %d×%d.\nEnlarge the window, or press q to quit.", m.width, m.height, MinWidth, MinHeight)
	}
	title := m.theme.Title.Render("Quarry") + m.theme.Muted.Render(" · "+StartQuery)
	var body string
	switch {
	case m.err != nil:
		body = m.theme.Error.Render("Error: ") + frame.SafeText(m.err.Error()) + "\n" + m.theme.Muted.Render("press r to retry")
	case m.frame == nil:
		body = m.theme.Muted.Render("loading…")
	default:
		body = m.pane.View()
	}
	var status string
	switch {
	case m.loading:
		status = fmt.Sprintf(" %s running %s (%s) · esc to cancel", m.spin.View(), StartQuery, time.Since(m.began).Round(100*time.Millisecond))
	case m.frame != nil && m.err == nil:
		status = fmt.Sprintf(" %d rows · %s · row %d", m.frame.Len(), m.frame.Meta.Elapsed.Round(time.Millisecond), m.pane.Cursor()+1)
		if m.frame.Meta.Truncated {
			status += fmt.Sprintf(" · cut at %d rows", m.frame.Meta.Limit)
		}
	}
	status = m.theme.Status.Width(m.width).Render(status)
	helpView := m.help.View(m.keys)
	avail := m.height - 2 - lipgloss.Height(helpView)
	lines := strings.Split(body, "\n")
	if len(lines) > avail {
		lines = lines[:max(avail, 0)]
	}
	for len(lines) < avail {
		lines = append(lines, "")
	}
	return title + "\n" + strings.Join(lines, "\n") + "\n" + status + "\n" + helpView
}

// layout sizes the pane to what the title, status bar and help leave.
func (m *Model) layout() {
	h := m.height - 2 - lipgloss.Height(m.help.View(m.keys))
	m.pane.SetSize(m.width, max(h, 1))
}

// Run starts the shell on the terminal and returns when the user quits.
func Run(ctx context.Context, b Backend) error {
	p := tea.NewProgram(New(ctx, b, themes.Default()), tea.WithAltScreen(), tea.WithContext(ctx))
	_, err := p.Run()
	if err == tea.ErrProgramKilled && ctx.Err() != nil {
		return nil
	}
	return err
}

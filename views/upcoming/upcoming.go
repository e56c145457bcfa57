// Package upcoming is the pane shown for a part of the workbench that is not built
// yet: it says plainly what the pane will hold and how to reach that work today,
// and shows no data at all (no sample rows that could be mistaken for findings).
package upcoming

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/quarry-sec/quarry/views/pane"
)

// Model is a pane that describes what it will hold.
type Model struct {
	ctx           *pane.Context
	title, about  string
	width, height int
}

// New makes the pane with its title and a description of what it will hold.
func New(ctx *pane.Context, title, about string) *Model {
	return &Model{ctx: ctx, title: title, about: about}
}

// Title is the pane's name in the navigator.
func (m *Model) Title() string { return m.title }

// Update does nothing: the pane has no state.
func (m *Model) Update(tea.Msg) tea.Cmd { return nil }

// SetSize sets the pane's size.
func (m *Model) SetSize(w, h int) { m.width, m.height = w, h }

// Capturing is always false.
func (m *Model) Capturing() bool { return false }

// Back has nothing to close.
func (m *Model) Back() bool { return false }

// ShortHelp has no keys of its own.
func (m *Model) ShortHelp() []key.Binding { return nil }

// FullHelp has no keys of its own.
func (m *Model) FullHelp() [][]key.Binding { return nil }

// View draws the title, the description wrapped to the width and a "not yet" note.
func (m *Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	th := m.ctx.Theme
	lines := []string{th.Title.Render(ansi.Truncate(m.title, m.width, "…")), ""}
	for _, l := range strings.Split(ansi.Wordwrap(m.about, max(m.width-1, 1), " "), "\n") {
		lines = append(lines, ansi.Truncate(l, m.width, "…"))
	}
	lines = append(lines, "", th.Muted.Render(ansi.Truncate("Not built yet: this pane is empty on purpose.", m.width, "…")))
	if len(lines) > m.height {
		lines = lines[:m.height]
	}
	for len(lines) < m.height {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

package pane

import tea "github.com/charmbracelet/bubbletea"

// Program adapts a Component to a tea.Model so that one pane can run alone: in
// teatest golden tests, and in benchmarks of Update + View. Window sizes go to
// SetSize, Ctrl+C quits, everything else (the pane's own intents included) goes to
// the pane's Update.
type Program struct{ C Component }

// Init does nothing.
func (p Program) Init() tea.Cmd { return nil }

// Update routes a message to the pane.
func (p Program) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch m := msg.(type) {
	case tea.WindowSizeMsg:
		p.C.SetSize(m.Width, m.Height)
		return p, nil
	case tea.KeyMsg:
		if m.Type == tea.KeyCtrlC {
			return p, tea.Quit
		}
	}
	return p, p.C.Update(msg)
}

// View draws the pane.
func (p Program) View() string { return p.C.View() }

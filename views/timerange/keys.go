package timerange

import "github.com/charmbracelet/bubbles/key"

// KeyMap is the dialog's keys. Up, Down, Edit, Earlier and Later act on the
// preset list; NextField and PrevField move between the list and the Start and
// End fields; Apply applies the preset under the cursor or the typed range;
// Cancel leaves a field and drops its edits. The shell closes the dialog on esc
// when no field is focused, and binds [ and ] globally to Step.
type KeyMap struct {
	// Up and Down move the cursor over the presets.
	Up, Down key.Binding
	// Apply applies the preset under the cursor, or the Start and End fields.
	Apply key.Binding
	// Edit moves to the Start field.
	Edit key.Binding
	// NextField and PrevField cycle list → Start → End.
	NextField, PrevField key.Binding
	// Earlier and Later step the range back and forward by its width.
	Earlier, Later key.Binding
	// Cancel leaves the Start or End field, dropping what was typed.
	Cancel key.Binding
}

// DefaultKeyMap has vim and arrow keys both.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:        key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:      key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		Apply:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "apply")),
		Edit:      key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "absolute start/end")),
		NextField: key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next field")),
		PrevField: key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous field")),
		Earlier:   key.NewBinding(key.WithKeys("["), key.WithHelp("[", "step back")),
		Later:     key.NewBinding(key.WithKeys("]"), key.WithHelp("]", "step forward")),
		Cancel:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "leave field")),
	}
}

// ShortHelp lists the keys of the focused part for the footer.
func (m *Model) ShortHelp() []key.Binding {
	k := m.Keys
	if m.focus != onList {
		return []key.Binding{k.NextField, k.PrevField, k.Apply, k.Cancel}
	}
	return []key.Binding{k.Up, k.Down, k.Apply, k.Edit, k.Earlier, k.Later}
}

// FullHelp lists every key of the focused part for the ? screen.
func (m *Model) FullHelp() [][]key.Binding {
	k := m.Keys
	if m.focus != onList {
		return [][]key.Binding{{k.NextField, k.PrevField}, {k.Apply, k.Cancel}}
	}
	return [][]key.Binding{{k.Up, k.Down, k.Apply}, {k.Edit, k.NextField, k.PrevField}, {k.Earlier, k.Later}}
}

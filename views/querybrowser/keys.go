package querybrowser

import "github.com/charmbracelet/bubbles/key"

// KeyMap is the browser's keys. Up to Filter act in the list; Enter and Cancel
// act in every mode (open a query, keep the filter, next field or run; clear the
// filter, close the form); NextField, PrevField and Submit act in the parameter
// form only, where the text inputs have the keys, so tab and shift+tab (global
// keys of the shell elsewhere) are free there. No key the shell owns globally in
// list mode (q ? : ctrl+p tab shift+tab 1-8 ctrl+c t [ ] esc) is bound in the list.
type KeyMap struct {
	// Up and Down move the selection one query (family headers are skipped).
	Up, Down key.Binding
	// PageUp and PageDown move the selection a page.
	PageUp, PageDown key.Binding
	// Top and Bottom select the first and last query.
	Top, Bottom key.Binding
	// DetailUp and DetailDown scroll the detail (description, parameters, templates).
	DetailUp, DetailDown key.Binding
	// Filter opens the fuzzy filter input.
	Filter key.Binding
	// Enter opens the parameter form of the selected query (or runs it when it
	// has no parameters but the time range); in the filter it keeps the filter
	// and leaves the input; in the form it moves to the next field, and runs the
	// query from the last one.
	Enter key.Binding
	// Cancel clears the filter and leaves its input, or closes the form without
	// running. The shell routes esc here while the pane is capturing.
	Cancel key.Binding
	// NextField and PrevField move between the form's fields.
	NextField, PrevField key.Binding
	// Submit runs the query from any field of the form.
	Submit key.Binding
	// Range opens the time-range picker from the form, keeping what was typed.
	Range key.Binding
	// Run runs the selected query at once with its defaults and the picker's
	// range; a query with a required parameter opens its form instead.
	Run key.Binding
}

// DefaultKeyMap has vim and arrow keys both.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:         key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:       key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PageUp:     key.NewBinding(key.WithKeys("pgup", "b"), key.WithHelp("pgup/b", "page up")),
		PageDown:   key.NewBinding(key.WithKeys("pgdown", "f"), key.WithHelp("pgdn/f", "page down")),
		Top:        key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g", "first query")),
		Bottom:     key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G", "last query")),
		DetailUp:   key.NewBinding(key.WithKeys("K"), key.WithHelp("K", "scroll detail up")),
		DetailDown: key.NewBinding(key.WithKeys("J"), key.WithHelp("J", "scroll detail down")),
		Filter:     key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		Enter:      key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "parameters / run")),
		Cancel:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
		NextField:  key.NewBinding(key.WithKeys("tab", "down"), key.WithHelp("tab/↓", "next field")),
		PrevField:  key.NewBinding(key.WithKeys("shift+tab", "up"), key.WithHelp("shift+tab/↑", "previous field")),
		Submit:     key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "run")),
		Run:        key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "run with defaults")),
		Range:      key.NewBinding(key.WithKeys("ctrl+t"), key.WithHelp("ctrl+t", "time range")),
	}
}

// withDesc returns b with its help description replaced, for a mode's help.
func withDesc(b key.Binding, desc string) key.Binding {
	b.SetHelp(b.Help().Key, desc)
	return b
}

// ShortHelp lists the keys of the current mode for the footer.
func (m *Model) ShortHelp() []key.Binding {
	k := m.Keys
	switch m.mode() {
	case modeForm:
		return []key.Binding{withDesc(k.Enter, "next field · run"), k.Submit, k.NextField, k.PrevField, k.Range, withDesc(k.Cancel, "close form")}
	case modeFilter:
		return []key.Binding{withDesc(k.Enter, "keep filter"), withDesc(k.Cancel, "clear filter"), arrowsOnly(k.Up), arrowsOnly(k.Down)}
	}
	return []key.Binding{k.Up, k.Down, k.Filter, withDesc(k.Enter, "parameters / run"), k.Run, k.DetailDown}
}

// FullHelp lists every key of the current mode for the ? screen.
func (m *Model) FullHelp() [][]key.Binding {
	k := m.Keys
	switch m.mode() {
	case modeForm:
		return [][]key.Binding{
			{withDesc(k.Enter, "next field · run from the last"), k.Submit},
			{k.NextField, k.PrevField, k.Range, withDesc(k.Cancel, "close form")},
		}
	case modeFilter:
		return [][]key.Binding{
			{withDesc(k.Enter, "keep filter"), withDesc(k.Cancel, "clear filter")},
			{arrowsOnly(k.Up), arrowsOnly(k.Down)},
		}
	}
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.Filter, withDesc(k.Enter, "parameters / run"), k.Run, withDesc(k.Cancel, "clear filter")},
		{k.DetailDown, k.DetailUp},
	}
}

// arrowsOnly is a binding's arrow keys: while the filter input has the keys,
// letters type and only the arrows move the selection.
func arrowsOnly(b key.Binding) key.Binding {
	var keys []string
	for _, k := range b.Keys() {
		if k == "up" || k == "down" {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return key.NewBinding(key.WithDisabled())
	}
	label := "↑"
	if keys[0] == "down" {
		label = "↓"
	}
	return key.NewBinding(key.WithKeys(keys...), key.WithHelp(label, b.Help().Desc))
}

package results

import "github.com/charmbracelet/bubbles/key"

// KeyMap is the results pane's keys. Every field is a key.Binding, so the shell can
// rebind it from the settings with pane.Rebind and list it with pane.Bindings. The
// shell's global keys (q ? : ctrl+p tab shift+tab 1–8 ctrl+c ctrl+n t [ ] esc) are
// deliberately absent: Esc reaches the pane through Back, or as a key while a text
// input is capturing.
type KeyMap struct {
	// Up and Down move the selection one row (one field, one item in sub-views).
	Up, Down key.Binding
	// PageUp and PageDown move a screenful.
	PageUp, PageDown key.Binding
	// Top and Bottom jump to the first and last row.
	Top, Bottom key.Binding
	// Left and Right move the current column.
	Left, Right key.Binding
	// FirstColumn and LastColumn jump to the first and last shown column.
	FirstColumn, LastColumn key.Binding
	// PrevCard and NextCard switch between result cards.
	PrevCard, NextCard key.Binding
	// CloseCard closes the current card.
	CloseCard key.Binding
	// Rerun runs the card's query again; the answer opens as a new card.
	Rerun key.Binding
	// Sort cycles the current column through ascending, descending and unsorted.
	Sort key.Binding
	// Filter opens the filter prompt.
	Filter key.Binding
	// Frequency opens the frequency table of the current column.
	Frequency key.Binding
	// HideColumn hides the current column; ShowColumns shows every hidden one.
	HideColumn, ShowColumns key.Binding
	// MoveLeft and MoveRight move the current column one place.
	MoveLeft, MoveRight key.Binding
	// Columns opens the column chooser.
	Columns key.Binding
	// Detail opens the selected row as a list of fields.
	Detail key.Binding
	// CopyCell copies the current cell (the field under the cursor in the detail view).
	CopyCell key.Binding
	// CopyRow copies the selected row as a JSON object.
	CopyRow key.Binding
	// Decode sends the current cell (or detail field) to the Decode pane: its
	// encoded payloads unpacked and its indicators listed.
	Decode key.Binding
	// Intel looks the current cell's indicators up with the threat-intelligence
	// providers (the cell itself when it is one, else those written in it).
	Intel key.Binding
	// Tree builds the process tree of the result (a process log) in the Process
	// tree pane.
	Tree key.Binding
	// Export opens the export prompt.
	Export key.Binding
	// Toggle shows or hides the column under the cursor in the column chooser.
	Toggle key.Binding
	// ShiftUp and ShiftDown move the column under the cursor in the column chooser.
	ShiftUp, ShiftDown key.Binding
	// Apply confirms a prompt, applies the selected value's filter in the frequency
	// table and closes the column chooser.
	Apply key.Binding
}

// DefaultKeyMap is the keys as shipped: vim keys and arrow keys both.
func DefaultKeyMap() KeyMap {
	b := func(keys []string, label, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(label, desc))
	}
	return KeyMap{
		Up:          b([]string{"k", "up"}, "↑/k", "up"),
		Down:        b([]string{"j", "down"}, "↓/j", "down"),
		PageUp:      b([]string{"pgup", "ctrl+u"}, "pgup/ctrl+u", "page up"),
		PageDown:    b([]string{"pgdown", "ctrl+d"}, "pgdn/ctrl+d", "page down"),
		Top:         b([]string{"g", "home"}, "g/home", "top"),
		Bottom:      b([]string{"G", "end"}, "G/end", "bottom"),
		Left:        b([]string{"h", "left"}, "←/h", "column left"),
		Right:       b([]string{"l", "right"}, "→/l", "column right"),
		FirstColumn: b([]string{"0"}, "0", "first column"),
		LastColumn:  b([]string{"$"}, "$", "last column"),
		PrevCard:    b([]string{"H", "shift+left"}, "H/⇧←", "previous card"),
		NextCard:    b([]string{"L", "shift+right"}, "L/⇧→", "next card"),
		CloseCard:   b([]string{"x"}, "x", "close card"),
		Rerun:       b([]string{"r"}, "r", "re-run query"),
		Sort:        b([]string{"s"}, "s", "sort ▲/▼/off"),
		Filter:      b([]string{"/"}, "/", "filter"),
		Frequency:   b([]string{"F"}, "F", "frequency"),
		HideColumn:  b([]string{"-"}, "-", "hide column"),
		ShowColumns: b([]string{"+"}, "+", "show all columns"),
		MoveLeft:    b([]string{"<"}, "<", "move column left"),
		MoveRight:   b([]string{">"}, ">", "move column right"),
		Columns:     b([]string{"c"}, "c", "choose columns"),
		Detail:      b([]string{"enter"}, "enter", "row detail"),
		CopyCell:    b([]string{"y"}, "y", "copy cell"),
		CopyRow:     b([]string{"Y"}, "Y", "copy row (JSON)"),
		Decode:      b([]string{"D"}, "D", "decode"),
		Tree:        b([]string{"T"}, "T", "process tree"),
		Intel:       b([]string{"I"}, "I", "threat-intel look-up"),
		Export:      b([]string{"e"}, "e", "export"),
		Toggle:      b([]string{" "}, "space", "show/hide column"),
		ShiftUp:     b([]string{"K"}, "K", "move column up"),
		ShiftDown:   b([]string{"J"}, "J", "move column down"),
		Apply:       b([]string{"enter"}, "enter", "apply"),
	}
}

// ShortHelp is the handful of table keys for the footer: move, sort, filter, detail,
// frequency and copy.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Down, k.Up, k.Right, k.Sort, k.Filter, k.Detail, k.Frequency, k.CopyCell}
}

// FullHelp is every key, in groups: moving, columns, rows, actions, cards and the
// sub-views' own keys.
func (k KeyMap) FullHelp() [][]key.Binding {
	return append(k.tableHelp(true), []key.Binding{k.Toggle, k.ShiftDown, k.ShiftUp, k.Apply})
}

// tableHelp is the table's keys in groups; cards adds the card keys, which only the
// pane (not a lone Table) handles.
func (k KeyMap) tableHelp(cards bool) [][]key.Binding {
	g := [][]key.Binding{
		{k.Down, k.Up, k.PageDown, k.PageUp, k.Top, k.Bottom},
		{k.Left, k.Right, k.FirstColumn, k.LastColumn, k.HideColumn, k.ShowColumns, k.MoveLeft, k.MoveRight, k.Columns},
		{k.Sort, k.Filter, k.Frequency, k.Detail},
		{k.CopyCell, k.CopyRow, k.Decode, k.Intel, k.Tree, k.Export},
	}
	if cards {
		g = append(g, []key.Binding{k.PrevCard, k.NextCard, k.CloseCard, k.Rerun})
	}
	return g
}

// modeKeys is the bindings a sub-view answers to, for its help and for the test that
// no two of them share a key.
func (k KeyMap) modeKeys(m mode) []key.Binding {
	switch m {
	case modeDetail:
		return []key.Binding{k.Down, k.Up, k.PageDown, k.PageUp, k.Top, k.Bottom, k.CopyCell, k.Decode, k.Intel}
	case modeFreq:
		return []key.Binding{k.Down, k.Up, k.PageDown, k.PageUp, k.Top, k.Bottom, k.Apply}
	case modeChooser:
		return []key.Binding{k.Down, k.Up, k.Top, k.Bottom, k.Toggle, k.ShiftDown, k.ShiftUp, k.Apply}
	case modeFilter, modeExport:
		return []key.Binding{k.Apply}
	}
	var all []key.Binding
	for _, g := range k.tableHelp(true) {
		all = append(all, g...)
	}
	return all
}

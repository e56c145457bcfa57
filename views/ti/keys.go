package ti

import (
	"github.com/charmbracelet/bubbles/key"

	"github.com/quarry-sec/quarry/views/pane"
)

// KeyMap is the Threat intel pane's keys. Every field is a key.Binding, so the
// shell can rebind it from the settings (ui.keys.ti) with pane.Rebind and list it
// with pane.Bindings. The shell's global keys (q ? : ctrl+p tab shift+tab 1–8
// ctrl+c ctrl+n t [ ] esc) are deliberately absent; Esc reaches the pane through
// Back, or as a key while the look-up input is capturing.
type KeyMap struct {
	// Up and Down move the selection one line (scroll the detail view one line);
	// PageUp and PageDown a screenful.
	Up, Down, PageUp, PageDown key.Binding
	// Top and Bottom jump to the first and last line.
	Top, Bottom key.Binding
	// Toggle folds or unfolds the selected indicator's group (on a group header).
	Toggle key.Binding
	// Collapse folds the selected group (from a provider line, it folds the line's
	// group and selects its header); Expand unfolds it, or goes to its first line.
	Collapse, Expand key.Binding
	// ExpandAll unfolds every group; CollapseAll folds them all.
	ExpandAll, CollapseAll key.Binding
	// Open shows the selected provider line's result whole: its details, the
	// reference link and the raw response pretty-printed (on a provider line).
	Open key.Binding
	// Severity cycles the lowest severity shown: all, information, warning, high.
	Severity key.Binding
	// Provider cycles the provider shown: all, then each in turn.
	Provider key.Binding
	// FoundOnly hides or shows the results that found nothing.
	FoundOnly key.Binding
	// Order cycles the groups' order: arrival, worst severity first, indicator.
	Order key.Binding
	// Copy copies the selected indicator (on a group header) or the result's
	// reference link (on a provider line and in the detail view).
	Copy key.Binding
	// CopyRaw copies the raw response, pretty-printed (in the detail view).
	CopyRaw key.Binding
	// Use starts a query from the selected indicator (the shell opens the query
	// browser on the queries that take it).
	Use key.Binding
	// Rerun asks for the last look-up again.
	Rerun key.Binding
	// Lookup opens the input to type indicators to look up; Apply sends them.
	Lookup, Apply key.Binding
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
		Toggle:      b([]string{"enter", " "}, "enter/space", "fold/unfold indicator"),
		Collapse:    b([]string{"h", "left"}, "←/h", "fold"),
		Expand:      b([]string{"l", "right"}, "→/l", "unfold"),
		ExpandAll:   b([]string{"E"}, "E", "unfold all"),
		CollapseAll: b([]string{"C"}, "C", "fold all"),
		Open:        b([]string{"enter"}, "enter", "open result"),
		Severity:    b([]string{"s"}, "s", "minimum severity"),
		Provider:    b([]string{"p"}, "p", "provider filter"),
		FoundOnly:   b([]string{"f"}, "f", "found only"),
		Order:       b([]string{"o"}, "o", "order"),
		Copy:        b([]string{"y"}, "y", "copy IoC / link"),
		CopyRaw:     b([]string{"Y"}, "Y", "copy raw JSON"),
		Use:         b([]string{"u"}, "u", "query with IoC"),
		Rerun:       b([]string{"r"}, "r", "look up again"),
		Lookup:      b([]string{"i"}, "i", "type indicators"),
		Apply:       b([]string{"enter"}, "enter", "look up"),
	}
}

// Rebind applies key overrides from the settings: each entry names a KeyMap field
// (case-insensitive) and gives its new keys.
func (m *Model) Rebind(overrides map[string][]string) error {
	return pane.Rebind(&m.Keys, overrides)
}

// listKeys is every binding the list answers to whatever line is selected.
func (k KeyMap) listKeys() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom, k.Collapse, k.Expand,
		k.ExpandAll, k.CollapseAll, k.Severity, k.Provider, k.FoundOnly, k.Order, k.Copy, k.Use, k.Rerun, k.Lookup}
}

// headerKeys is every binding live on a group header, for the test that no two
// of them share a key.
func (k KeyMap) headerKeys() []key.Binding { return append(k.listKeys(), k.Toggle) }

// resultKeys is every binding live on a provider line.
func (k KeyMap) resultKeys() []key.Binding { return append(k.listKeys(), k.Open) }

// detailKeys is every binding live in the detail view.
func (k KeyMap) detailKeys() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom, k.Copy, k.CopyRaw, k.Use, k.Rerun, k.Lookup}
}

// inputKeys is every binding live while the look-up input is open.
func (k KeyMap) inputKeys() []key.Binding { return []key.Binding{k.Apply} }

// ShortHelp is the footer's keys for the list.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Toggle, k.Open, k.Severity, k.Provider, k.FoundOnly, k.Order, k.Copy, k.Use, k.Lookup}
}

// FullHelp is every key of the list, in groups: moving, folding, the selected
// line, and filters and look-ups. Toggle and Open share enter (the one on group
// headers, the other on provider lines), so they sit in different groups.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Down, k.Up, k.PageDown, k.PageUp, k.Top, k.Bottom},
		{k.Toggle, k.Collapse, k.Expand, k.ExpandAll, k.CollapseAll},
		{k.Open, k.Copy, k.Use},
		{k.Severity, k.Provider, k.FoundOnly, k.Order, k.Rerun, k.Lookup},
	}
}

// detailShortHelp is the footer's keys in the detail view.
func (k KeyMap) detailShortHelp() []key.Binding {
	return []key.Binding{k.Down, k.Up, k.PageDown, k.detailCopy(), k.CopyRaw, k.Use, pane.EscHelp("back")}
}

// detailCopy is Copy as the detail view describes it.
func (k KeyMap) detailCopy() key.Binding {
	c := k.Copy
	c.SetHelp(c.Help().Key, "copy reference link")
	return c
}

// detailFullHelp is every key of the detail view.
func (k KeyMap) detailFullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Down, k.Up, k.PageDown, k.PageUp, k.Top, k.Bottom},
		{k.detailCopy(), k.CopyRaw, k.Use, k.Rerun, k.Lookup, pane.EscHelp("back")},
	}
}

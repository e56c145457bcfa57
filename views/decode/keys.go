package decode

import (
	"github.com/charmbracelet/bubbles/key"

	"github.com/quarry-sec/quarry/views/pane"
)

// KeyMap is the Decode pane's keys. Every field is a key.Binding, so the shell can
// rebind it from the settings (ui.keys.decode) with pane.Rebind and list it with
// pane.Bindings. The shell's global keys (q ? : ctrl+p tab shift+tab 1–8 ctrl+c
// ctrl+n t [ ] esc) are deliberately absent: the pane's sections take turns with
// NextSection (w) rather than tab, which moves between panes; Esc reaches the pane
// through Back, or as a key while the paste box is capturing.
type KeyMap struct {
	// Up and Down move the selection in the tree and the IoC list, and scroll the
	// text one row when it has focus.
	Up, Down key.Binding
	// Top and Bottom jump to the first and last row of the focused section.
	Top, Bottom key.Binding
	// PageUp and PageDown scroll the text a screenful (the IoC list when it has
	// focus); HalfUp and HalfDown scroll half as far.
	PageUp, PageDown, HalfUp, HalfDown key.Binding
	// Toggle folds or unfolds the selected tree node.
	Toggle key.Binding
	// Collapse folds the selected node, or goes to its parent when it is folded
	// or has no children; Expand unfolds it, or goes to its first child.
	Collapse, Expand key.Binding
	// NextSection and PrevSection move the focus between the tree, the text and
	// the IoC list.
	NextSection, PrevSection key.Binding
	// Tagged switches the input's text between as-given and fully decoded
	// (msticpy's <decoded …> tags).
	Tagged key.Binding
	// AllIoCs switches the IoC list between the selected node's and every IoC of
	// the input and its payloads, deduplicated.
	AllIoCs key.Binding
	// Use starts a query from the selected IoC (the shell opens the query browser
	// on the queries that take it).
	Use key.Binding
	// Intel looks IoCs up with the threat-intelligence providers: the selected
	// one in the IoC list; from the tree or the text, every IoC of the input
	// and its payloads.
	Intel key.Binding
	// Copy copies the selected IoC's value, or, in the tree and the text, what the
	// text shows (a binary payload's SHA-256).
	Copy key.Binding
	// CopyAll copies every listed IoC value, one a line.
	CopyAll key.Binding
	// Paste opens the paste box.
	Paste key.Binding
	// Decode sends the paste box's text to be decoded.
	Decode key.Binding
}

// DefaultKeyMap is the keys as shipped: vim keys and arrow keys both.
func DefaultKeyMap() KeyMap {
	b := func(keys []string, label, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(label, desc))
	}
	return KeyMap{
		Up:          b([]string{"k", "up"}, "↑/k", "up"),
		Down:        b([]string{"j", "down"}, "↓/j", "down"),
		Top:         b([]string{"g", "home"}, "g/home", "top"),
		Bottom:      b([]string{"G", "end"}, "G/end", "bottom"),
		PageUp:      b([]string{"pgup"}, "pgup", "page up"),
		PageDown:    b([]string{"pgdown"}, "pgdn", "page down"),
		HalfUp:      b([]string{"ctrl+u"}, "ctrl+u", "half page up"),
		HalfDown:    b([]string{"ctrl+d"}, "ctrl+d", "half page down"),
		Toggle:      b([]string{"enter", " "}, "enter/space", "fold/unfold"),
		Collapse:    b([]string{"h", "left"}, "←/h", "fold / parent"),
		Expand:      b([]string{"l", "right"}, "→/l", "unfold / child"),
		NextSection: b([]string{"w"}, "w", "next section"),
		PrevSection: b([]string{"W"}, "W", "previous section"),
		Tagged:      b([]string{"m"}, "m", "input ⇄ fully decoded"),
		AllIoCs:     b([]string{"a"}, "a", "node's ⇄ all IoCs"),
		Use:         b([]string{"enter"}, "enter", "query with IoC"),
		Intel:       b([]string{"I"}, "I", "threat-intel look-up"),
		Copy:        b([]string{"y"}, "y", "copy IoC / text"),
		CopyAll:     b([]string{"Y"}, "Y", "copy all listed IoCs"),
		Paste:       b([]string{"p"}, "p", "paste text"),
		Decode:      b([]string{"ctrl+s"}, "ctrl+s", "decode pasted text"),
	}
}

// Rebind applies key overrides from the settings: each entry names a KeyMap field
// (case-insensitive) and gives its new keys.
func (m *Model) Rebind(overrides map[string][]string) error {
	return pane.Rebind(&m.Keys, overrides)
}

// FullHelp is every key, in groups: moving, the tree, sections and views, IoCs,
// and pasting.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Down, k.Up, k.Top, k.Bottom, k.PageDown, k.PageUp, k.HalfDown, k.HalfUp},
		{k.Toggle, k.Collapse, k.Expand},
		{k.NextSection, k.PrevSection, k.Tagged, k.AllIoCs},
		{k.Use, k.Intel, k.Copy, k.CopyAll},
		{k.Paste, k.Decode},
	}
}

// sectionKeys is the bindings a section answers to, for its help and for the test
// that no two of them share a key.
func (k KeyMap) sectionKeys(s section) []key.Binding {
	common := []key.Binding{k.NextSection, k.PrevSection, k.Tagged, k.AllIoCs, k.Paste, k.Copy, k.Intel}
	switch s {
	case secTree:
		return append([]key.Binding{k.Down, k.Up, k.Top, k.Bottom, k.PageDown, k.PageUp, k.HalfDown, k.HalfUp, k.Toggle, k.Collapse, k.Expand}, common...)
	case secText:
		return append([]key.Binding{k.Down, k.Up, k.Top, k.Bottom, k.PageDown, k.PageUp, k.HalfDown, k.HalfUp}, common...)
	case secIoCs:
		return append([]key.Binding{k.Down, k.Up, k.Top, k.Bottom, k.PageDown, k.PageUp, k.HalfDown, k.HalfUp, k.Use, k.CopyAll}, common...)
	}
	return nil
}

// shortHelp is the footer's keys for a section.
func (k KeyMap) shortHelp(s section) []key.Binding {
	switch s {
	case secText:
		return []key.Binding{k.Down, k.Up, k.PageDown, k.PageUp, k.NextSection, k.Tagged, k.Copy, k.Paste}
	case secIoCs:
		return []key.Binding{k.Down, k.Up, k.Use, k.Intel, k.Copy, k.CopyAll, k.AllIoCs, k.NextSection}
	}
	return []key.Binding{k.Down, k.Up, k.Toggle, k.NextSection, k.Tagged, k.AllIoCs, k.PageDown, k.Paste}
}

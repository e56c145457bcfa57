package proctree

import (
	"github.com/charmbracelet/bubbles/key"

	"github.com/quarry-sec/quarry/views/pane"
)

// KeyMap is the Process tree pane's keys. Every field is a key.Binding, so the
// shell can rebind it from the settings (ui.keys.proctree) with pane.Rebind and
// list it with pane.Bindings. The shell's global keys (q ? : ctrl+p tab shift+tab
// 1–8 ctrl+c ctrl+n t [ ] esc) are deliberately absent; Esc reaches the pane
// through Back, or as a key while the search input is capturing.
type KeyMap struct {
	// Up and Down move the selection one row; PageUp and PageDown a screenful.
	Up, Down, PageUp, PageDown key.Binding
	// Top and Bottom jump to the first and last row.
	Top, Bottom key.Binding
	// Toggle folds or unfolds the selected process.
	Toggle key.Binding
	// Collapse folds the selected process, or goes to its parent when it is
	// folded or has no children; Expand unfolds it, or goes to its first child.
	Collapse, Expand key.Binding
	// ExpandAll unfolds every process; CollapseAll folds the tree to its roots.
	ExpandAll, CollapseAll key.Binding
	// Parent jumps to the selected process's parent, Root to its root.
	Parent, Root key.Binding
	// Search opens the search input (image or command line, ignoring case);
	// Apply runs it. NextMatch and PrevMatch go to the next and previous match,
	// unfolding what hides it.
	Search, Apply, NextMatch, PrevMatch key.Binding
	// ShowPID, ShowTime, ShowUser and ShowCmdLine show or hide those columns.
	ShowPID, ShowTime, ShowUser, ShowCmdLine key.Binding
	// Details shows or hides every field of the selected process;
	// DetailsDown and DetailsUp scroll them.
	Details, DetailsDown, DetailsUp key.Binding
	// Copy copies the selected process's command line (its image when it has
	// none).
	Copy key.Binding
	// Decode sends the command line to the Decode pane, which unpacks its
	// encoded payloads and lists its indicators.
	Decode key.Binding
	// Intel looks the indicators in the command line up with the
	// threat-intelligence providers.
	Intel key.Binding
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
		Toggle:      b([]string{"enter", " "}, "enter/space", "fold/unfold"),
		Collapse:    b([]string{"h", "left"}, "←/h", "fold / parent"),
		Expand:      b([]string{"l", "right"}, "→/l", "unfold / child"),
		ExpandAll:   b([]string{"E"}, "E", "unfold all"),
		CollapseAll: b([]string{"C"}, "C", "fold to roots"),
		Parent:      b([]string{"P"}, "P", "go to parent"),
		Root:        b([]string{"R"}, "R", "go to root"),
		Search:      b([]string{"/"}, "/", "search image/command"),
		Apply:       b([]string{"enter"}, "enter", "search"),
		NextMatch:   b([]string{"n"}, "n", "next match"),
		PrevMatch:   b([]string{"N"}, "N", "previous match"),
		ShowPID:     b([]string{"p"}, "p", "pid column"),
		ShowTime:    b([]string{"s"}, "s", "start-time column"),
		ShowUser:    b([]string{"u"}, "u", "user column"),
		ShowCmdLine: b([]string{"c"}, "c", "command-line column"),
		Details:     b([]string{"d"}, "d", "details"),
		DetailsDown: b([]string{"J"}, "J", "scroll details down"),
		DetailsUp:   b([]string{"K"}, "K", "scroll details up"),
		Copy:        b([]string{"y"}, "y", "copy command line"),
		Decode:      b([]string{"D"}, "D", "decode command line"),
		Intel:       b([]string{"I"}, "I", "threat-intel look-up"),
	}
}

// Rebind applies key overrides from the settings: each entry names a KeyMap field
// (case-insensitive) and gives its new keys.
func (m *Model) Rebind(overrides map[string][]string) error {
	return pane.Rebind(&m.Keys, overrides)
}

// treeKeys is every binding the tree answers to while the search input is
// closed, for the test that no two of them share a key.
func (k KeyMap) treeKeys() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom, k.Toggle, k.Collapse, k.Expand,
		k.ExpandAll, k.CollapseAll, k.Parent, k.Root, k.Search, k.NextMatch, k.PrevMatch,
		k.ShowPID, k.ShowTime, k.ShowUser, k.ShowCmdLine, k.Details, k.DetailsDown, k.DetailsUp, k.Copy, k.Decode, k.Intel}
}

// ShortHelp is the footer's keys for the tree.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Down, k.Up, k.Toggle, k.Search, k.NextMatch, k.Details, k.Copy, k.Decode}
}

// FullHelp is every key of the tree, in groups: moving, folding, searching,
// columns and the selected process. Apply is left to the search input's help
// (and its hint line), since it shares enter with Toggle.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Down, k.Up, k.PageDown, k.PageUp, k.Top, k.Bottom, k.Parent, k.Root},
		{k.Toggle, k.Collapse, k.Expand, k.ExpandAll, k.CollapseAll},
		{k.Search, k.NextMatch, k.PrevMatch},
		{k.ShowPID, k.ShowTime, k.ShowUser, k.ShowCmdLine},
		{k.Details, k.DetailsDown, k.DetailsUp, k.Copy, k.Decode, k.Intel},
	}
}

package tui

import (
	"github.com/charmbracelet/bubbles/key"
)

// KeyMap is the shell's global keys: they work whatever pane has focus, unless a
// dialog or a text input has the keys (see the key order in the package comment).
type KeyMap struct {
	Quit, Cancel, Back, Help, Command, Palette, Next, Prev, TimeRange, StepBack, StepForward, Nav key.Binding
	Pane1, Pane2, Pane3, Pane4, Pane5, Pane6, Pane7, Pane8                                        key.Binding
}

// DefaultKeyMap is the global keys as shipped.
func DefaultKeyMap() KeyMap {
	b := func(keys []string, label, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(label, desc))
	}
	return KeyMap{
		Quit:        b([]string{"q"}, "q", "quit"),
		Cancel:      b([]string{"ctrl+c"}, "ctrl+c", "cancel task, then quit"),
		Back:        b([]string{"esc"}, "esc", "back / cancel"),
		Help:        b([]string{"?"}, "?", "all keys"),
		Command:     b([]string{":"}, ":", "command line"),
		Palette:     b([]string{"ctrl+p"}, "ctrl+p", "command palette"),
		Next:        b([]string{"tab"}, "tab", "next pane"),
		Prev:        b([]string{"shift+tab"}, "shift+tab", "previous pane"),
		TimeRange:   b([]string{"t"}, "t", "time range"),
		StepBack:    b([]string{"["}, "[", "range back"),
		StepForward: b([]string{"]"}, "]", "range forward"),
		Nav:         b([]string{"ctrl+n"}, "ctrl+n", "hide/show navigator"),
		Pane1:       b([]string{"1"}, "1", "queries"),
		Pane2:       b([]string{"2"}, "2", "results"),
		Pane3:       b([]string{"3"}, "3", "alerts"),
		Pane4:       b([]string{"4"}, "4", "process tree"),
		Pane5:       b([]string{"5"}, "5", "time series"),
		Pane6:       b([]string{"6"}, "6", "threat intel"),
		Pane7:       b([]string{"7"}, "7", "pivots"),
		Pane8:       b([]string{"8"}, "8", "decode"),
	}
}

// panes returns the number-key bindings in navigator order.
func (k KeyMap) panes() []key.Binding {
	return []key.Binding{k.Pane1, k.Pane2, k.Pane3, k.Pane4, k.Pane5, k.Pane6, k.Pane7, k.Pane8}
}

// ShortHelp is the global part of the footer.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Next, k.TimeRange, k.Command, k.Help, k.Quit}
}

// FullHelp is the global part of the ? screen.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Next, k.Prev, k.Pane1, k.Pane2, k.Nav},
		{k.TimeRange, k.StepBack, k.StepForward, k.Command, k.Palette},
		{k.Back, k.Cancel, k.Help, k.Quit},
	}
}

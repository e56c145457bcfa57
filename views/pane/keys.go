package pane

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// Key makes the key press a binding names ("enter", "s", "ctrl+d", "alt+x"): the
// palette sends a chosen pane key with it, and tests type with it.
func Key(name string) tea.KeyMsg {
	if name == " " || name == "space" {
		return tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}}
	}
	if t, ok := keyTypes[name]; ok {
		return tea.KeyMsg{Type: t}
	}
	alt := false
	if rest, ok := strings.CutPrefix(name, "alt+"); ok && rest != "" {
		alt, name = true, rest
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(name), Alt: alt}
}

// Press sends key presses to a pane and returns the last command.
func Press(c Component, keys ...string) tea.Cmd {
	var cmd tea.Cmd
	for _, k := range keys {
		cmd = c.Update(Key(k))
	}
	return cmd
}

// Type sends s to a pane one rune at a time, as typing does.
func Type(c Component, s string) {
	for _, r := range s {
		c.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
}

// keyTypes maps Bubble Tea's key names back to key types.
var keyTypes = func() map[string]tea.KeyType {
	out := map[string]tea.KeyType{}
	for t := tea.KeyType(-60); t <= 127; t++ {
		if t == tea.KeyRunes {
			continue
		}
		if s := (tea.Key{Type: t}).String(); s != "" && !strings.HasPrefix(s, "KeyType(") {
			if _, dup := out[s]; !dup {
				out[s] = t
			}
		}
	}
	return out
}()

// EscHelp documents Esc in a pane's help ("back", "cancel", "close search"). It
// is never matched against keys: the shell owns Esc and calls Back, and a
// capturing input sees it as tea.KeyEsc.
func EscHelp(desc string) key.Binding {
	return key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", desc))
}

package panetest

import (
	"strings"
	"testing"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

type echo struct{ typed string }

func (e *echo) Update(msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyMsg); ok && k.Type == tea.KeyRunes {
		e.typed += string(k.Runes)
	}
	return nil
}
func (e *echo) View() string              { return "typed:" + e.typed }
func (e *echo) SetSize(int, int)          {}
func (e *echo) Capturing() bool           { return false }
func (e *echo) Back() bool                { return false }
func (e *echo) ShortHelp() []key.Binding  { return nil }
func (e *echo) FullHelp() [][]key.Binding { return nil }

func TestFinalView(t *testing.T) {
	if got := FinalView(t, &echo{}, 20, 5, Keys("a", "b", "c")...); got != "typed:abc" {
		t.Errorf("FinalView = %q", got)
	}
}

func TestControlBytes(t *testing.T) {
	s := "ok\nthen \x1b[2J and \x07 and \u009b and é"
	got := ControlBytes(s)
	if len(got) != 3 || got[0] != strings.Index(s, "\x1b") || got[1] != strings.Index(s, "\x07") {
		t.Errorf("ControlBytes = %v", got)
	}
	if ControlBytes("plain\ntext é ▶") != nil {
		t.Error("false positives")
	}
}

package pane

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/quarry-sec/quarry/themes"
)

type keys struct {
	Up, Down key.Binding
	other    int
}

func TestRebind(t *testing.T) {
	k := keys{
		Up:   key.NewBinding(key.WithKeys("k"), key.WithHelp("k", "up")),
		Down: key.NewBinding(key.WithKeys("j"), key.WithHelp("j", "down")),
	}
	if err := Rebind(&k, map[string][]string{"UP": {"w", "up"}}); err != nil {
		t.Fatal(err)
	}
	if got := k.Up.Keys(); len(got) != 2 || got[0] != "w" || k.Up.Help().Key != "w/up" || k.Up.Help().Desc != "up" {
		t.Errorf("rebound Up = %v %+v", got, k.Up.Help())
	}
	if err := Rebind(&k, map[string][]string{"left": {"h"}}); err == nil || !strings.Contains(err.Error(), "Down, Up") {
		t.Errorf("unknown name: %v", err)
	}
	if err := Rebind(&k, map[string][]string{"down": nil}); err == nil {
		t.Error("empty keys accepted")
	}
	if err := Rebind(k, nil); err == nil {
		t.Error("a non-pointer accepted")
	}
	b := Bindings(k)
	if len(b) != 2 || b[0].Name != "Up" || b[1].Name != "Down" {
		t.Errorf("Bindings = %+v", b)
	}
}

func TestFormatTime(t *testing.T) {
	c := NewContext(themes.Mono())
	at := time.Date(2022, 5, 13, 8, 54, 11, 0, time.UTC)
	if got := c.FormatTime(at); got != "2022-05-13 08:54:11 UTC" {
		t.Errorf("UTC: %q", got)
	}
	c.Zone = time.FixedZone("JST", 9*3600)
	if got := c.FormatTime(at); got != "2022-05-13 17:54:11 JST" {
		t.Errorf("JST: %q", got)
	}
	if got := c.FormatTime(time.Time{}); got != "—" {
		t.Errorf("zero: %q", got)
	}
	c.Now = func() time.Time { return at.In(c.Zone) }
	if got := c.Clock(); got.Location() != time.UTC || !got.Equal(at) {
		t.Errorf("Clock = %v", got)
	}
	r := Range{Start: at.Add(-time.Hour), End: at}
	if r.Width() != time.Hour || r.IsZero() || !(Range{}).IsZero() {
		t.Errorf("range helpers: %v %v", r.Width(), r.IsZero())
	}
}

type counter struct {
	w, h, n int
}

func (c *counter) Update(tea.Msg) tea.Cmd    { c.n++; return nil }
func (c *counter) View() string              { return strings.Repeat("x", c.w) }
func (c *counter) SetSize(w, h int)          { c.w, c.h = w, h }
func (c *counter) Capturing() bool           { return false }
func (c *counter) Back() bool                { return false }
func (c *counter) ShortHelp() []key.Binding  { return nil }
func (c *counter) FullHelp() [][]key.Binding { return nil }

func TestProgram(t *testing.T) {
	c := &counter{}
	var p tea.Model = Program{C: c}
	p, _ = p.Update(tea.WindowSizeMsg{Width: 7, Height: 3})
	p.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("j")})
	if c.w != 7 || c.h != 3 || c.n != 1 || p.View() != "xxxxxxx" {
		t.Errorf("program: %+v %q", c, p.View())
	}
	if _, cmd := p.Update(tea.KeyMsg{Type: tea.KeyCtrlC}); cmd == nil {
		t.Error("ctrl+c does not quit")
	} else if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Error("ctrl+c does not quit")
	}
	if msg := Cmd(Focus{Pane: Results})(); msg != (Focus{Pane: Results}) {
		t.Errorf("Cmd = %#v", msg)
	}
	if n, ok := Notice("hi")().(Notify); !ok || n.Level != Info || n.Text != "hi" {
		t.Errorf("Notice = %#v", n)
	}
}

func TestKey(t *testing.T) {
	for name, want := range map[string]tea.KeyMsg{
		"enter":     {Type: tea.KeyEnter},
		"esc":       {Type: tea.KeyEsc},
		"shift+tab": {Type: tea.KeyShiftTab},
		"ctrl+d":    {Type: tea.KeyCtrlD},
		"pgdown":    {Type: tea.KeyPgDown},
		"up":        {Type: tea.KeyUp},
		"s":         {Type: tea.KeyRunes, Runes: []rune("s")},
		"alt+x":     {Type: tea.KeyRunes, Runes: []rune("x"), Alt: true},
		" ":         {Type: tea.KeySpace, Runes: []rune{' '}},
		"space":     {Type: tea.KeySpace, Runes: []rune{' '}},
	} {
		got := Key(name)
		if got.Type != want.Type || string(got.Runes) != string(want.Runes) || got.Alt != want.Alt {
			t.Errorf("Key(%q) = %#v, want %#v", name, got, want)
		}
		if got.String() != name && name != "space" {
			t.Errorf("Key(%q) reads back as %q", name, got.String())
		}
	}
	c := &counter{}
	Press(c, "j", "k")
	Type(c, "abc")
	if c.n != 5 {
		t.Errorf("%d updates, want 5", c.n)
	}
}

package results

import (
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/quarry-sec/quarry/themes"
	"github.com/quarry-sec/quarry/views/draw"
	"github.com/quarry-sec/quarry/views/pane"
)

// lineInput is the one-line text input of the filter and export prompts: a
// bubbles textinput (emacs-style editing keys, a cursor that does not blink)
// that takes printable text only — control and format characters are dropped as
// they are typed or pasted, tabs and line breaks become spaces — drawn with its
// value escaped.
type lineInput struct {
	prompt      string
	placeholder string
	width       int // the whole line, prompt included
	ti          textinput.Model
}

// set replaces the text and puts the cursor at its end.
func (in *lineInput) set(s string) {
	if !in.ti.Focused() {
		in.ti = pane.NewInput()
		in.ti.Prompt = ""
		in.ti.Focus()
	}
	in.ti.SetValue(string(draw.CleanInput([]rune(s))))
	in.ti.CursorEnd()
}

// text is the input's value.
func (in *lineInput) text() string { return in.ti.Value() }

// pos is the cursor, in runes.
func (in *lineInput) pos() int { return in.ti.Position() }

// update edits the text with one key.
func (in *lineInput) update(msg tea.KeyMsg) {
	if !in.ti.Focused() {
		in.set("")
	}
	switch msg.Type {
	case tea.KeySpace:
		msg = tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{' '}}
	case tea.KeyRunes:
		msg.Runes = draw.CleanInput(msg.Runes)
	}
	in.ti, _ = in.ti.Update(msg)
}

// view draws the prompt and the input (its placeholder when empty), in width cells.
func (in *lineInput) view(th themes.Theme) string {
	room := max(1, in.width-width(in.prompt))
	if in.ti.Value() == "" {
		return in.prompt + th.Cursor.Render(" ") + th.Muted.Render(truncate(in.placeholder, room-1))
	}
	return in.prompt + draw.Input(in.ti, room)
}

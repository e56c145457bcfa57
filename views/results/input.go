package results

import (
	"strings"
	"unicode"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/mattn/go-runewidth"

	"github.com/quarry-sec/quarry/engine/frame"
	"github.com/quarry-sec/quarry/themes"
)

// lineInput is the one-line text input of the filter and export prompts. (The
// bubbles textinput would pull in a clipboard module this repository does not
// carry.) It takes printable text only: control and format characters are dropped
// as they are typed or pasted, tabs and line breaks become spaces.
type lineInput struct {
	prompt      string
	placeholder string
	value       []rune
	pos         int // cursor, in runes
	width       int // the whole line, prompt included
}

// set replaces the text and puts the cursor at its end.
func (in *lineInput) set(s string) {
	in.value = clean([]rune(s))
	in.pos = len(in.value)
}

// text is the input's value.
func (in *lineInput) text() string { return string(in.value) }

func clean(rs []rune) []rune {
	out := make([]rune, 0, len(rs))
	for _, r := range rs {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			out = append(out, ' ')
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029' || r == unicode.ReplacementChar:
		default:
			out = append(out, r)
		}
	}
	return out
}

// update edits the text: typing and pasting insert, Backspace/Delete (and Ctrl+H,
// Ctrl+W, Ctrl+U, Ctrl+K) delete, the arrows, Home/End and Ctrl+A/E/B/F move.
func (in *lineInput) update(msg tea.KeyMsg) {
	switch msg.Type {
	case tea.KeyRunes, tea.KeySpace:
		rs := msg.Runes
		if msg.Type == tea.KeySpace {
			rs = []rune{' '}
		}
		rs = clean(rs)
		v := make([]rune, 0, len(in.value)+len(rs))
		v = append(append(append(v, in.value[:in.pos]...), rs...), in.value[in.pos:]...)
		in.value, in.pos = v, in.pos+len(rs)
	case tea.KeyBackspace, tea.KeyCtrlH:
		if in.pos > 0 {
			in.value = append(in.value[:in.pos-1], in.value[in.pos:]...)
			in.pos--
		}
	case tea.KeyDelete:
		if in.pos < len(in.value) {
			in.value = append(in.value[:in.pos], in.value[in.pos+1:]...)
		}
	case tea.KeyCtrlW:
		i := in.pos
		for i > 0 && in.value[i-1] == ' ' {
			i--
		}
		for i > 0 && in.value[i-1] != ' ' {
			i--
		}
		in.value = append(in.value[:i], in.value[in.pos:]...)
		in.pos = i
	case tea.KeyCtrlU:
		in.value = append([]rune(nil), in.value[in.pos:]...)
		in.pos = 0
	case tea.KeyCtrlK:
		in.value = in.value[:in.pos]
	case tea.KeyLeft, tea.KeyCtrlB:
		in.pos = max(0, in.pos-1)
	case tea.KeyRight, tea.KeyCtrlF:
		in.pos = min(len(in.value), in.pos+1)
	case tea.KeyHome, tea.KeyCtrlA:
		in.pos = 0
	case tea.KeyEnd, tea.KeyCtrlE:
		in.pos = len(in.value)
	}
}

// view draws the prompt, the part of the text around the cursor and the cursor
// itself (the theme's cursor style; in plain text the cell under it shows as is).
func (in *lineInput) view(th themes.Theme) string {
	room := max(1, in.width-runewidth.StringWidth(in.prompt)) // the cursor cell included
	if len(in.value) == 0 {
		return in.prompt + th.Cursor.Render(" ") + th.Muted.Render(truncate(in.placeholder, room-1))
	}
	// Show from the first rune that keeps the cursor on screen.
	off := 0
	for off < in.pos && span(in.value[off:in.pos]) >= room {
		off++
	}
	var b strings.Builder
	w := 0
	for i := off; i <= len(in.value); i++ {
		ch := " "
		if i < len(in.value) {
			ch = frame.SafeText(string(in.value[i]))
		}
		cw := runewidth.StringWidth(ch)
		if w+cw > room || (i == len(in.value) && i != in.pos) {
			break
		}
		if i == in.pos {
			b.WriteString(th.Cursor.Render(ch))
		} else {
			b.WriteString(ch)
		}
		w += cw
	}
	return in.prompt + b.String()
}

func span(rs []rune) int {
	w := 0
	for _, r := range rs {
		w += runewidth.RuneWidth(r)
	}
	return w
}

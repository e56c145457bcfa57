package ti

import (
	"strings"
	"unicode"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/quarry-sec/quarry/views/draw"
	"github.com/quarry-sec/quarry/views/pane"
)

// inputPrompt and inputHint frame the look-up input.
const (
	inputPrompt = "look up: "
	inputHint   = "8.8.8.8, evil.example.com, a hash…"
)

// openInput opens the look-up input, empty.
func (m *Model) openInput() {
	m.typing = true
	m.input = pane.NewInput()
	m.input.Prompt = ""
	m.input.CharLimit = 64 << 10
	m.input.Focus()
	m.clamp()
}

// closeInput closes the look-up input.
func (m *Model) closeInput() {
	m.typing = false
	m.input.Blur()
	m.clamp()
}

// inputKey handles a key while the input is open: Apply asks for the typed
// indicators to be looked up, Esc closes the input, anything else edits it.
func (m *Model) inputKey(msg tea.KeyMsg) tea.Cmd {
	switch {
	case key.Matches(msg, m.Keys.Apply):
		ins := ParseIndicators(m.input.Value())
		if len(ins) == 0 {
			return pane.Cmd(pane.Notify{Level: pane.Warn, Text: "Type one or more indicators, separated by spaces or commas."})
		}
		m.closeInput()
		return pane.Cmd(pane.LookupTI{Indicators: ins, Source: "typed"})
	case msg.Type == tea.KeyEsc:
		m.closeInput()
		return nil
	case msg.Type == tea.KeySpace:
		msg = tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{' '}}
	case msg.Type == tea.KeyRunes:
		msg.Runes = draw.CleanInput(msg.Runes)
	}
	m.input, _ = m.input.Update(msg)
	return nil
}

// ParseIndicators splits typed text into indicators to look up: separated by
// spaces, commas or semicolons, each once, in the order typed, their types left
// for the runner to detect.
func ParseIndicators(s string) []pane.Indicator {
	fields := strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == ',' || r == ';' })
	seen := make(map[string]bool, len(fields))
	var out []pane.Indicator
	for _, f := range fields {
		if seen[f] {
			continue
		}
		seen[f] = true
		out = append(out, pane.Indicator{Value: f})
	}
	return out
}

// inputLine is the look-up input: its prompt, the text (or a hint) and what the
// keys do.
func (m *Model) inputLine(w int) string {
	th := m.ctx.Theme
	hint := "  " + m.Keys.Apply.Help().Key + " look up · esc cancel"
	if width(inputPrompt)+width(hint)+16 > w {
		hint = ""
	}
	room := max(1, w-width(inputPrompt)-width(hint))
	var in string
	if m.input.Value() == "" {
		in = th.Cursor.Render(" ") + th.Muted.Render(padRight(inputHint, max(0, room-1)))
	} else {
		in = draw.Input(m.input, room)
	}
	return th.Accent.Render(inputPrompt) + draw.FitLine(in, room) + th.Muted.Render(hint)
}

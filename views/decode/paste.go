package decode

import (
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textarea"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/quarry-sec/quarry/engine/frame"
	"github.com/quarry-sec/quarry/views/draw"
	"github.com/quarry-sec/quarry/views/pane"
)

// PastedSource is the source of text pasted into the pane.
const PastedSource = "pasted"

// newPasteBox is the paste box's text area: no prompt decorations, no limit on
// length or lines but the text area's own, no blinking cursor (a blinking cursor
// redraws the screen twice a second, traffic a slow SSH link does not need), and
// no ctrl+v, which would read the clipboard of the machine Quarry runs on rather
// than the analyst's.
func newPasteBox(m *Model) textarea.Model {
	th := m.ctx.Theme
	ta := textarea.New()
	ta.ShowLineNumbers = false
	ta.Prompt = "│ "
	ta.CharLimit = 0
	ta.MaxHeight = 0
	ta.Placeholder = ""
	ta.KeyMap.Paste.SetEnabled(false)
	st := textarea.Style{
		Base:        lipgloss.NewStyle(),
		CursorLine:  lipgloss.NewStyle(),
		EndOfBuffer: th.Muted,
		LineNumber:  th.Muted,
		Placeholder: th.Muted,
		Prompt:      th.Muted,
		Text:        lipgloss.NewStyle(),
	}
	ta.FocusedStyle, ta.BlurredStyle = st, st
	ta.Cursor.SetMode(cursor.CursorStatic)
	return ta
}

// openPaste opens an empty paste box.
func (m *Model) openPaste() {
	m.pasteBox = newPasteBox(m)
	m.pasting = true
	m.sizePasteBox()
	m.pasteBox.Focus()
}

// closePaste closes the paste box.
func (m *Model) closePaste() {
	m.pasting = false
	m.pasteBox.Blur()
}

// pasteRows is the paste box's height: a few lines, more in a tall pane.
func (m *Model) pasteRows() int { return min(max(m.height-3, 1), 12) }

// sizePasteBox fits the text area to the pane.
func (m *Model) sizePasteBox() {
	m.pasteBox.SetWidth(max(m.width, 4))
	m.pasteBox.SetHeight(m.pasteRows())
}

// pasteKey handles a key while the paste box is open: the decode key sends its
// text, Esc closes it, everything else edits (typed and pasted text made safe to
// show first).
func (m *Model) pasteKey(msg tea.KeyMsg) tea.Cmd {
	switch {
	case msg.Type == tea.KeyEsc:
		m.closePaste()
		return nil
	case key.Matches(msg, m.Keys.Decode):
		text := m.pasteBox.Value()
		if strings.TrimSpace(text) == "" {
			return pane.Notice("Nothing to decode: paste or type some text first.")
		}
		m.closePaste()
		m.waiting, m.pending = true, PastedSource
		return pane.Cmd(pane.DecodeText{Text: text, Source: PastedSource})
	case msg.Type == tea.KeyTab:
		msg = tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{'\t'}}
	case msg.Type == tea.KeyRunes:
		msg.Runes = []rune(visible(string(msg.Runes)))
	}
	var cmd tea.Cmd
	m.pasteBox, cmd = m.pasteBox.Update(msg)
	return cmd
}

// visible prepares typed or pasted text for the text area, which silently drops
// control characters and would draw Unicode format characters (bidi overrides)
// as they are: line breaks (a terminal pastes them as CR) become newlines, tabs
// stay, and every other character frame.SafeText escapes is written as its
// escape, so what the box shows — and what is decoded — is what was pasted, made
// visible.
func visible(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	if !strings.ContainsFunc(s, func(r rune) bool { return r != '\n' && r != '\t' && frame.SafeText(string(r)) != string(r) }) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if r == '\n' || r == '\t' {
			b.WriteRune(r)
			continue
		}
		b.WriteString(frame.SafeText(string(r)))
	}
	return b.String()
}

// pasteView draws the paste box over the whole pane: a title with its keys, the
// text area, and a line about what it holds.
func (m *Model) pasteView() string {
	th := m.ctx.Theme
	w := m.width
	keys := "   " + m.Keys.Decode.Help().Key + " decodes · esc cancels"
	lines := []string{draw.Segs([]draw.Seg{draw.S("▸ Paste text to decode", th.Title), draw.S(keys, th.Muted)}, w, nil)}
	box := strings.Split(m.pasteBox.View(), "\n")
	for i := 0; i < m.pasteRows(); i++ {
		l := ""
		if i < len(box) {
			l = box[i]
		}
		lines = append(lines, draw.FitLine(l, w))
	}
	v := m.pasteBox.Value()
	info := draw.Plural(m.pasteBox.LineCount(), "line") + " · " + draw.Plural(len(v), "byte") + " · control characters are kept as visible escapes"
	lines = append(lines, draw.Segs([]draw.Seg{draw.S(info, th.Muted)}, w, nil))
	return draw.FitBlock(lines, w, m.height)
}

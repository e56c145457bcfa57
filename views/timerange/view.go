package timerange

import (
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/quarry-sec/quarry/engine/frame"
	"github.com/quarry-sec/quarry/views/draw"
	"github.com/quarry-sec/quarry/views/pane"
)

// labelWidth is the width of the preset label column.
const labelWidth = 5

// View draws the dialog in exactly the size last set: the title, the current
// range, the presets with their concrete ranges, the Start and End fields with
// their errors, and a one-line help at the bottom.
func (m *Model) View() string {
	w, h := m.width, m.height
	if h <= 0 {
		return ""
	}
	t := m.ctx.Theme
	now := m.ctx.Clock()
	anchor := Anchor(now, m.span)
	anchorText := "relative to now"
	if !anchor.Equal(now) {
		anchorText = "relative to the end of the data, " + m.formatTime(anchor)
	}
	label := m.rng.Label
	if label == "" {
		label = "custom"
	}
	lines := []string{
		draw.Segs([]draw.Seg{draw.S(m.Title(), t.Title), draw.S(" · ", t.Muted), draw.Plain(frame.SafeText(label))}, w, nil),
		draw.Segs([]draw.Seg{draw.Plain("  " + m.rangeText(m.rng))}, w, nil),
		draw.Segs([]draw.Seg{draw.S(anchorText, t.Muted)}, w, nil),
	}
	for i, l := range Labels(m.span) {
		r, err := Preset(l, anchor, m.span)
		text := m.rangeText(r)
		if err != nil {
			text = frame.SafeText(err.Error())
		}
		row := l + strings.Repeat(" ", max(labelWidth-len(l), 0)) + " " + text
		if i == m.cursor && m.focus == onList {
			lines = append(lines, draw.Segs([]draw.Seg{draw.S("▶ "+row, t.Selected)}, w, &t.Selected))
			continue
		}
		lines = append(lines, draw.Segs([]draw.Seg{draw.Plain("  " + row)}, w, nil))
	}
	lines = append(lines, "")
	zone := m.zone().String()
	lines = append(lines,
		m.fieldLine("Start", m.start, onStart, zone, w),
		m.errLine(m.startErr, w),
		m.fieldLine("End", m.end, onEnd, zone, w),
		m.errLine(m.endErr, w),
	)
	help := t.Muted.Render(m.helpLine())
	if h >= 3 {
		for len(lines) < h-1 {
			lines = append(lines, "")
		}
		lines = append(lines[:h-1], help)
	}
	return draw.FitBlock(lines, w, h)
}

// rangeText shows a range as "start → end" in the display zone.
func (m *Model) rangeText(r pane.Range) string {
	return m.formatTime(r.Start) + " → " + m.formatTime(r.End)
}

// formatTime shows an instant as the panes do, escaped: the zone's name comes
// from the settings, not from this package.
func (m *Model) formatTime(t time.Time) string { return frame.SafeText(m.ctx.FormatTime(t)) }

// fieldLine draws the Start or End field with its label and zone.
func (m *Model) fieldLine(name string, ti textinput.Model, f focus, zone string, w int) string {
	t := m.ctx.Theme
	glyph, style := "  ", lipgloss.NewStyle()
	if m.focus == f {
		glyph, style = "▶ ", t.Selected
	}
	head := glyph + style.Render(name+strings.Repeat(" ", 6-len(name))) + t.Muted.Render("> ")
	tail := t.Muted.Render("  " + frame.SafeText(zone))
	iw := min(w-ansi.StringWidth(head)-ansi.StringWidth(tail), 30)
	if iw < 8 {
		tail = ""
		iw = w - ansi.StringWidth(head)
	}
	return head + draw.Input(ti, max(iw, 0)) + tail
}

// errLine shows a field's error under it (blank when there is none).
func (m *Model) errLine(err error, w int) string {
	if err == nil {
		return ""
	}
	return draw.Segs([]draw.Seg{draw.Plain("  "), draw.S("✗ "+frame.SafeText(err.Error()), m.ctx.Theme.Error)}, w, nil)
}

// helpLine is the dialog's one-line help for the focused part, one key per
// action so that it fits the dialog's 60 cells.
func (m *Model) helpLine() string {
	k := m.Keys
	if m.focus != onList {
		return lastKey(k.NextField) + "/" + lastKey(k.PrevField) + " move · " + lastKey(k.Apply) + " apply · " +
			lastKey(k.Cancel) + " leave field"
	}
	return lastKey(k.Up) + "/" + lastKey(k.Down) + " move · " + lastKey(k.Apply) + " apply · " + lastKey(k.Edit) +
		" edit · " + lastKey(k.Earlier) + "/" + lastKey(k.Later) + " step · esc close"
}

// lastKey is a binding's last key (the vim one, when it has arrows and letters).
func lastKey(b key.Binding) string {
	ks := b.Keys()
	if len(ks) == 0 {
		return ""
	}
	return ks[len(ks)-1]
}

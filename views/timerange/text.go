package timerange

import (
	"strings"

	"github.com/charmbracelet/bubbles/textinput"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/quarry-sec/quarry/engine/frame"
)

// seg is a run of text drawn in one style. Its text has already been through
// frame.SafeText (or is the pane's own wording).
type seg struct {
	text  string
	style lipgloss.Style
}

// plain is a segment without styling.
func plain(s string) seg { return seg{text: s, style: lipgloss.NewStyle()} }

// drawSegs draws segments in at most w cells; when they are wider, the text is
// cut at w-1 cells and "…" ends it in the style of the segment that was cut. When
// pad is set, the line is filled to w cells in that style, so that a selection bar
// spans the whole row.
func drawSegs(segs []seg, w int, pad *lipgloss.Style) string {
	if w <= 0 {
		return ""
	}
	total := 0
	for _, s := range segs {
		total += ansi.StringWidth(s.text)
	}
	var b strings.Builder
	left := w
	if total > w {
		left = w - 1
	}
	for _, s := range segs {
		sw := ansi.StringWidth(s.text)
		if sw <= left {
			b.WriteString(s.style.Render(s.text))
			left -= sw
			continue
		}
		cut := ansi.Truncate(s.text, left, "") + "…"
		b.WriteString(s.style.Render(cut))
		left -= ansi.StringWidth(cut)
		break
	}
	if pad != nil {
		if rest := w - ansi.StringWidth(b.String()); rest > 0 {
			b.WriteString(pad.Render(strings.Repeat(" ", rest)))
		}
	}
	return b.String()
}

// fitLine cuts a (possibly styled) line to w cells and pads it with spaces to
// exactly w cells.
func fitLine(s string, w int) string {
	if w <= 0 {
		return ""
	}
	sw := ansi.StringWidth(s)
	if sw > w {
		s = ansi.Truncate(s, w, "…")
		sw = ansi.StringWidth(s)
	}
	if sw < w {
		s += strings.Repeat(" ", w-sw)
	}
	return s
}

// fitBlock returns exactly h lines of exactly w cells: lines cut or padded, and
// missing lines blank.
func fitBlock(lines []string, w, h int) string {
	if h <= 0 {
		return ""
	}
	out := make([]string, h)
	for i := range out {
		var l string
		if i < len(lines) {
			l = lines[i]
		}
		out[i] = fitLine(l, w)
	}
	return strings.Join(out, "\n")
}

// drawInput draws a text input in w cells with its value escaped by SafeText, so
// that pasted or typed control characters show as visible escapes. A focused input
// shows its cursor (reverse video) and scrolls to keep it in view.
func drawInput(ti textinput.Model, w int) string {
	if w <= 0 {
		return ""
	}
	runes := []rune(ti.Value())
	if !ti.Focused() {
		return fitLine(frame.SafeText(string(runes)), w)
	}
	pos := min(max(ti.Position(), 0), len(runes))
	pre := frame.SafeText(string(runes[:pos]))
	cur, post := " ", ""
	if pos < len(runes) {
		cur = frame.SafeText(string(runes[pos]))
		post = frame.SafeText(string(runes[pos+1:]))
	}
	cw := ansi.StringWidth(cur)
	avail := w - cw
	if avail < 0 {
		return fitLine(cur, w)
	}
	if pw := ansi.StringWidth(pre); pw > avail {
		keep := max(avail-1, 0)
		pre = "…" + ansi.TruncateLeft(pre, pw-keep, "")
		if avail == 0 {
			pre = ""
		}
	}
	room := w - ansi.StringWidth(pre) - cw
	if ansi.StringWidth(post) > room {
		if room > 0 {
			post = ansi.Truncate(post, room-1, "") + "…"
		} else {
			post = ""
		}
	}
	return fitLine(pre+lipgloss.NewStyle().Reverse(true).Render(cur)+post, w)
}

// Package draw is the cell-exact text drawing the panes share: runs of styled text
// cut to an exact width with an ellipsis, blocks of exactly w×h cells, fuzzy-match
// highlighting, and a text input drawn with its value escaped. Text from data must
// already have been through frame.SafeText, except where a function says it does
// that itself (Highlight, Input).
package draw

import (
	"strings"

	"github.com/charmbracelet/bubbles/textinput"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/quarry-sec/quarry/engine/frame"
)

// Seg is a run of text drawn in one style. Its text has already been through
// frame.SafeText (or is the pane's own wording).
type Seg struct {
	// Text is the run's text; Style draws it.
	Text  string
	Style lipgloss.Style
}

// Plain is a segment without styling.
func Plain(s string) Seg { return Seg{Text: s, Style: lipgloss.NewStyle()} }

// Segs draws segments in at most w cells; when they are wider, the text is
// cut at w-1 cells and "…" ends it in the style of the segment that was cut. When
// pad is set, the line is filled to w cells in that style, so that a selection bar
// spans the whole row.
func Segs(segs []Seg, w int, pad *lipgloss.Style) string {
	if w <= 0 {
		return ""
	}
	total := 0
	for _, s := range segs {
		total += ansi.StringWidth(s.Text)
	}
	var b strings.Builder
	left := w
	if total > w {
		left = w - 1
	}
	for _, s := range segs {
		sw := ansi.StringWidth(s.Text)
		if sw <= left {
			b.WriteString(s.Style.Render(s.Text))
			left -= sw
			continue
		}
		cut := ansi.Truncate(s.Text, left, "") + "…"
		b.WriteString(s.Style.Render(cut))
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

// FitLine cuts a (possibly styled) line to w cells and pads it with spaces to
// exactly w cells.
func FitLine(s string, w int) string {
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

// FitBlock returns exactly h lines of exactly w cells: lines cut or padded, and
// missing lines blank.
func FitBlock(lines []string, w, h int) string {
	if h <= 0 {
		return ""
	}
	out := make([]string, h)
	for i := range out {
		var l string
		if i < len(lines) {
			l = lines[i]
		}
		out[i] = FitLine(l, w)
	}
	return strings.Join(out, "\n")
}

// Beside joins two blocks of equal height side by side with sep between.
func Beside(left, sep, right string) string {
	ls, rs := strings.Split(left, "\n"), strings.Split(right, "\n")
	out := make([]string, len(ls))
	for i := range ls {
		r := ""
		if i < len(rs) {
			r = rs[i]
		}
		out[i] = ls[i] + sep + r
	}
	return strings.Join(out, "\n")
}

// Highlight splits raw text into segments, styling the bytes at the matched
// offsets (rune starts, as sahilm/fuzzy reports them) with match and the rest with
// base. Each run goes through frame.SafeText on its own, which gives the same
// text as escaping the whole since SafeText works rune by rune.
func Highlight(raw string, matched map[int]bool, base, match lipgloss.Style) []Seg {
	if len(matched) == 0 {
		return []Seg{{Text: frame.SafeText(raw), Style: base}}
	}
	var out []Seg
	start, on := 0, matched[0]
	flush := func(end int) {
		if end > start {
			st := base
			if on {
				st = match
			}
			out = append(out, Seg{Text: frame.SafeText(raw[start:end]), Style: st})
		}
	}
	for i := range raw {
		if m := matched[i]; m != on {
			flush(i)
			start, on = i, m
		}
	}
	flush(len(raw))
	return out
}

// Input draws a text input in w cells with its value escaped by SafeText, so
// that pasted or typed control characters show as visible escapes. A focused input
// shows its cursor (reverse video) and scrolls to keep it in view.
func Input(ti textinput.Model, w int) string {
	if w <= 0 {
		return ""
	}
	runes := []rune(ti.Value())
	if !ti.Focused() {
		return FitLine(frame.SafeText(string(runes)), w)
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
		return FitLine(cur, w)
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
	return FitLine(pre+lipgloss.NewStyle().Reverse(true).Render(cur)+post, w)
}

// Wrap wraps plain text (already escaped) to w cells, breaking words that
// do not fit.
func Wrap(s string, w int) []string {
	if w <= 0 {
		return nil
	}
	if s == "" {
		return []string{""}
	}
	return strings.Split(ansi.Wrap(s, w, ""), "\n")
}

// S is a run of text in a style.
func S(text string, style lipgloss.Style) Seg { return Seg{Text: text, Style: style} }

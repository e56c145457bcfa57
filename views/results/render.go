package results

import (
	"strings"

	"github.com/charmbracelet/lipgloss"

	"github.com/quarry-sec/quarry/engine/frame"
	"github.com/quarry-sec/quarry/themes"
	"github.com/quarry-sec/quarry/views/draw"
)

// seg is one column on screen: its frame index, its position among the shown
// columns, the width its cells get and whether that is its whole natural width.
type seg struct {
	col, pos, w int
	full        bool
}

// segments lays out the shown columns for the card's width: the gutter, the first
// shown column (frozen), then the columns from the scroll position on while they
// fit; the last may be cut. Each cell has one space of padding on each side and
// columns are separated by "│".
func (t *Table) segments(vis []int) []seg {
	avail := t.width - 1
	if avail < 3 || len(vis) == 0 {
		return nil
	}
	cur := t.curPos(vis)
	nat0 := t.colW(vis[0])
	fw := min(nat0, avail-2)
	if cur > 0 {
		// Leave the current column some room beside a wide frozen one.
		keep := min(t.colW(vis[cur]), 12)
		if fw+2+3+keep > avail {
			fw = max(1, avail-5-keep)
		}
	}
	segs := []seg{{col: vis[0], pos: 0, w: fw, full: fw == nat0}}
	used := fw + 2
	for p := max(1, t.coff); p < len(vis); p++ {
		room := avail - used - 3
		if room < 1 {
			break
		}
		nat := t.colW(vis[p])
		w := min(nat, room)
		segs = append(segs, seg{col: vis[p], pos: p, w: w, full: w == nat})
		used += w + 3
	}
	return segs
}

// colW is column c's width before the card's width is considered: its natural
// width, widened for the sorted column so that the "▲"/"▼" fits beside the name.
func (t *Table) colW(c int) int {
	w := t.natural[c]
	if t.have.dir != Unsorted && t.have.col == c {
		w = max(w, min(width(frame.SafeText(t.f.Columns()[c].Name))+2, MaxColWidth))
	}
	return max(1, w)
}

// scroll moves the horizontal scroll position so that the current column is on
// screen whole (or as much of it as the width allows).
func (t *Table) scroll(vis []int) {
	t.coff = max(1, min(t.coff, len(vis)-1))
	cur := t.curPos(vis)
	if cur <= 0 {
		return
	}
	if cur < t.coff {
		t.coff = cur
		return
	}
	for t.coff < cur && !t.wholeOnScreen(vis, cur) {
		t.coff++
	}
}

func (t *Table) wholeOnScreen(vis []int, pos int) bool {
	for _, s := range t.segments(vis) {
		if s.pos == pos {
			return s.full
		}
	}
	return false
}

// View draws the card in exactly the size last set: the card line, then the table
// (or the detail view, frequency table or column chooser), then an open prompt.
func (t *Table) View() string {
	if t.width <= 0 || t.height <= 0 {
		return block(nil, t.width, t.height)
	}
	var lines []string
	switch {
	case t.mode == modeDetail && t.detail != nil:
		lines = t.detail.view(t)
	case t.mode == modeFreq && t.freq != nil:
		lines = t.freq.view(t)
	case t.mode == modeChooser:
		lines = t.chooserView()
	default:
		lines = t.tableView()
	}
	return block(lines, t.width, t.height)
}

func (t *Table) tableView() []string {
	th := t.ctx.Theme
	lines := make([]string, 0, t.height)
	lines = append(lines, t.cardLine())
	vis := t.visible()
	segs := t.segments(vis)
	if len(vis) == 0 {
		lines = append(lines, th.Muted.Render(" This result has no columns."))
	} else {
		lines = append(lines, t.headerLine(segs), t.ruleLine(segs))
		n := t.Len()
		if n == 0 {
			msg := " No rows."
			if !t.have.flt.IsZero() {
				msg = " No rows match the filter."
			}
			lines = append(lines, th.Muted.Render(msg))
		}
		for p := t.top; p < n && p < t.top+t.bodyHeight(); p++ {
			lines = append(lines, t.rowLine(segs, p))
		}
	}
	if t.Capturing() {
		for len(lines) < t.height-1 {
			lines = append(lines, "")
		}
		lines = append(lines[:max(0, t.height-1)], t.input.view(t.ctx.Theme))
	}
	return lines
}

// cardLine is the breadcrumb on the left and the rows, filter and running work on
// the right.
func (t *Table) cardLine() string {
	th := t.ctx.Theme
	crumb := t.crumb
	if crumb == "" {
		crumb = t.title
	}
	var parts []string
	if t.busy != "" {
		parts = append(parts, th.Warn.Render(t.busy))
	}
	if t.have.text != "" {
		parts = append(parts, th.Accent.Render("filter: "+truncate(frame.SafeText(t.have.text), 40)))
	}
	n, total := t.Len(), t.f.Len()
	if len(t.f.Columns()) == 0 {
		total = 0
	}
	if n > 0 {
		parts = append(parts, "row "+draw.Thousands(t.cur+1))
	}
	parts = append(parts, draw.Thousands(n)+" of "+plural(total, "row", "rows"))
	if m := t.f.Meta; m.Truncated {
		parts = append(parts, th.Warn.Render("⚠ limit "+draw.Thousands(m.Limit)+" reached"))
	}
	return spread(th.Muted.Render(frame.SafeText(crumb)), strings.Join(parts, " · "), t.width)
}

func (t *Table) headerLine(segs []seg) string {
	cols := t.f.Columns()
	var b strings.Builder
	b.WriteByte(' ')
	for i, s := range segs {
		if i > 0 {
			b.WriteString("│")
		}
		c := cols[s.col]
		mark := ""
		if t.have.dir != Unsorted && t.have.col == s.col {
			mark = " " + t.have.dir.String()
		}
		name := frame.SafeText(c.Name)
		b.WriteByte(' ')
		if width(name)+width(mark) <= s.w {
			b.WriteString(pad(name+mark, s.w, numeric(c), false))
		} else if s.w > width(mark) {
			b.WriteString(pad(name, s.w-width(mark), false, false) + mark)
		} else {
			b.WriteString(pad(name, s.w, false, false))
		}
		b.WriteByte(' ')
	}
	return headerStyle(t.ctx.Theme).Render(b.String())
}

// ruleLine underlines the header; the current column's stretch is heavy, so the
// current column shows without colour.
func (t *Table) ruleLine(segs []seg) string {
	var b strings.Builder
	b.WriteString("─")
	for i, s := range segs {
		if i > 0 {
			b.WriteString("┼")
		}
		ch := "─"
		if s.col == t.ccol {
			ch = "━"
		}
		b.WriteString(strings.Repeat(ch, s.w+2))
	}
	return t.ctx.Theme.Muted.Render(b.String())
}

// rowLine draws the row at position p of the order shown. Only these cells are
// ever formatted: this is what keeps a million rows fast.
func (t *Table) rowLine(segs []seg, p int) string {
	th := t.ctx.Theme
	cols := t.f.Columns()
	r := t.row(p)
	sel := p == t.cur
	var b strings.Builder
	b.Grow(t.width + 16)
	if sel {
		b.WriteString("▶")
	} else {
		b.WriteByte(' ')
	}
	var before, cell string
	for i, s := range segs {
		if i > 0 {
			b.WriteString("│")
		}
		c := cols[s.col]
		text := " " + fit(cellText(c, r, t.ctx.Zone), s.w, numeric(c)) + " "
		if sel && s.col == t.ccol {
			before, cell = b.String(), text
			b.Reset()
			continue
		}
		b.WriteString(text)
	}
	if !sel {
		return b.String()
	}
	if cell == "" {
		return th.Selected.Render(b.String())
	}
	out := th.Selected.Render(before) + th.Cursor.Render(cell)
	if b.Len() > 0 {
		out += th.Selected.Render(b.String())
	}
	return out
}

func numeric(c *frame.Column) bool { return c.Kind == frame.Int || c.Kind == frame.Float }

// headerStyle is the theme's header style without its bottom border: the table
// draws its own rule, marking the current column.
func headerStyle(th themes.Theme) lipgloss.Style { return th.Header.UnsetBorderStyle() }

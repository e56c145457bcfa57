package decode

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/quarry-sec/quarry/engine/frame"
	"github.com/quarry-sec/quarry/views/draw"
)

// wideAt is the width from which the tree and the text sit side by side.
const wideAt = 100

// typeWidth is the IoC list's type column ("windows_path").
const typeWidth = 12

// layout is where the sections go. Rows counts exclude each section's title line.
type layout struct {
	header                       int
	wide                         bool
	treeW, textW                 int
	treeRows, textRows, listRows int
}

// layout works out the sections for the pane's size: the header lines, then
// either the tree beside the text over the IoC list (wide), or the three stacked
// (narrow). The tree and the list take what they need up to a share of the
// height (half when they have the keys); the text takes the rest.
func (m *Model) layout() layout {
	var l layout
	if m.doc == nil {
		return l
	}
	l.header = 1
	if m.doc.stopped != "" {
		l.header++
	}
	if m.failure != "" {
		l.header++
	}
	b := max(0, m.height-l.header)
	nTree, nList := len(m.rows), max(1, len(m.list))
	l.wide = m.width >= wideAt
	if l.wide {
		l.treeW = min(max(m.width*3/8, 30), 56)
		l.textW = max(1, m.width-l.treeW-3)
		listH := min(nList+1, max(3, b/share(m.focus == secIoCs, 3)))
		listH = max(0, min(listH, b-3))
		upper := b - listH
		l.treeRows, l.textRows, l.listRows = max(0, upper-1), max(0, upper-1), max(0, listH-1)
		return l
	}
	l.treeW, l.textW = m.width, max(1, m.width)
	treeH := min(nTree+1, max(3, b/share(m.focus == secTree, 4)))
	listH := min(nList+1, max(3, b/share(m.focus == secIoCs, 4)))
	for treeH+listH > max(0, b-3) && (treeH > 2 || listH > 2) {
		if listH >= treeH {
			listH--
		} else {
			treeH--
		}
	}
	treeH, listH = min(treeH, b), min(listH, max(0, b-treeH))
	l.treeRows, l.listRows = max(0, treeH-1), max(0, listH-1)
	l.textRows = max(0, b-treeH-listH-1)
	return l
}

// View draws the pane in exactly its size.
func (m *Model) View() string {
	w, h := m.width, m.height
	if w <= 0 || h <= 0 {
		return draw.FitBlock(nil, w, h)
	}
	if m.pasting {
		return m.pasteView()
	}
	if m.doc == nil {
		return m.emptyView()
	}
	l := m.layout()
	lines := m.headerLines()
	if l.wide {
		sep := m.ctx.Theme.Muted.Render(" │ ")
		left := append([]string{m.sectionTitle(secTree, m.treeTitle(), m.treePosition(l), l.treeW)}, m.treeLines(l.treeW, l.treeRows)...)
		right := append([]string{m.sectionTitle(secText, m.textTitle(), m.textPosition(l), l.textW)}, m.textLines(l.textRows)...)
		upper := draw.Beside(draw.FitBlock(left, l.treeW, l.treeRows+1), sep, draw.FitBlock(right, l.textW, l.textRows+1))
		lines = append(lines, strings.Split(upper, "\n")...)
	} else {
		lines = append(lines, m.sectionTitle(secTree, m.treeTitle(), m.treePosition(l), w))
		lines = append(lines, pad(m.treeLines(w, l.treeRows), l.treeRows)...)
		lines = append(lines, m.sectionTitle(secText, m.textTitle(), m.textPosition(l), w))
		lines = append(lines, pad(m.textLines(l.textRows), l.textRows)...)
	}
	lines = append(lines, m.sectionTitle(secIoCs, m.listTitle(), m.listPosition(l), w))
	lines = append(lines, m.listLines(w, l.listRows)...)
	return draw.FitBlock(lines, w, h)
}

// share is the divisor of the height a section may take: 2 when it has the keys,
// else its usual one.
func share(focused bool, usual int) int {
	if focused {
		return 2
	}
	return usual
}

// pad adds empty lines up to n (FitBlock makes them the width).
func pad(lines []string, n int) []string {
	for len(lines) < n {
		lines = append(lines, "")
	}
	return lines
}

// headerLines are the source and counts, then a warning when the work stopped
// early and the last failure, if any.
func (m *Model) headerLines() []string {
	th := m.ctx.Theme
	d := m.doc
	counts := " · " + draw.Plural(len(d.items), "payload") + " · " + draw.Plural(len(d.all), "IoC")
	segs := []draw.Seg{draw.S(frame.SafeText(d.source), th.Title), draw.S(counts, th.Muted)}
	if m.waiting {
		segs = append(segs, draw.S(" · decoding "+frame.SafeText(m.pending)+"…", th.Accent))
	}
	lines := []string{draw.Segs(segs, m.width, nil)}
	if d.stopped != "" {
		lines = append(lines, draw.Segs([]draw.Seg{draw.S("⚠ partial: stopped by "+frame.SafeText(d.stopped)+"; what was decoded before is shown", th.Warn)}, m.width, nil))
	}
	if m.failure != "" {
		lines = append(lines, draw.Segs([]draw.Seg{draw.S("✗ "+frame.SafeText(m.failure), th.Error)}, m.width, nil))
	}
	return lines
}

// emptyView says how to decode something, and what is going on if anything is.
func (m *Model) emptyView() string {
	th := m.ctx.Theme
	w := m.width
	var lines []string
	switch {
	case m.waiting:
		lines = append(lines, th.Accent.Render(ansi.Truncate(" Decoding "+frame.SafeText(m.pending)+"…", w, "…")))
	default:
		lines = append(lines, th.Title.Render(ansi.Truncate(" Nothing decoded yet.", w, "…")))
	}
	if m.failure != "" {
		lines = append(lines, "")
		for _, l := range draw.Wrap("✗ "+frame.SafeText(m.failure), max(1, w-2)) {
			lines = append(lines, " "+th.Error.Render(l))
		}
	}
	lines = append(lines, "")
	for _, l := range draw.Wrap(Empty, max(1, w-2)) {
		lines = append(lines, " "+l)
	}
	lines = append(lines, "")
	for _, l := range draw.Wrap(About, max(1, w-2)) {
		lines = append(lines, " "+th.Muted.Render(l))
	}
	return draw.FitBlock(lines, w, m.height)
}

// sectionTitle draws a section's title line: "▸" and the title style when it has
// the keys, muted otherwise; right is drawn at the right edge.
func (m *Model) sectionTitle(s section, title, right string, w int) string {
	th := m.ctx.Theme
	st, mark := th.Muted, "  "
	if m.focus == s {
		st, mark = th.Title, "▸ "
	}
	rw := ansi.StringWidth(right)
	if rw+4 > w {
		right, rw = "", 0
	}
	left := draw.Segs([]draw.Seg{draw.S(mark+title, st)}, max(0, w-rw-1), nil)
	gap := max(0, w-ansi.StringWidth(left)-rw)
	if right == "" {
		return left + strings.Repeat(" ", gap)
	}
	return left + strings.Repeat(" ", gap) + th.Muted.Render(right)
}

// treeTitle is the tree's title.
func (m *Model) treeTitle() string { return "Payloads" }

// treePosition is the selected row's position when the tree is longer than its
// section.
func (m *Model) treePosition(l layout) string {
	if len(m.rows) <= l.treeRows {
		return ""
	}
	return fmt.Sprintf("%d/%d", m.cur+1, len(m.rows))
}

// treeLines draws the tree's visible rows.
func (m *Model) treeLines(w, h int) []string {
	th := m.ctx.Theme
	out := make([]string, 0, h)
	for i := m.top; i < len(m.rows) && len(out) < h; i++ {
		node := m.rows[i]
		label, meta := m.nodeLabel(node)
		switch {
		case i == m.cur && m.focus == secTree:
			out = append(out, draw.Segs([]draw.Seg{draw.S("› "+label+meta, th.Selected)}, w, &th.Selected))
		case i == m.cur:
			out = append(out, draw.Segs([]draw.Seg{draw.S("› "+label, th.Title), draw.S(meta, th.Muted)}, w, nil))
		default:
			out = append(out, draw.Segs([]draw.Seg{draw.Plain("  " + label), draw.S(meta, th.Muted)}, w, nil))
		}
	}
	return out
}

// nodeLabel is a tree row: indentation by depth, ▾/▸ for a node with children
// (expanded/collapsed) or • for a leaf, the reference and the encoding chain (or
// an archive member's name); then, apart, the file type, size and IoC count.
func (m *Model) nodeLabel(node int) (label, meta string) {
	d := m.doc
	glyph := "• "
	if len(d.children(node)) > 0 {
		glyph = "▾ "
		if m.collapsed[node] {
			glyph = "▸ "
		}
	}
	n := len(d.matches(node))
	iocs := ""
	if n > 0 {
		iocs = ", " + draw.Plural(n, "IoC")
	}
	if node == inputNode {
		return glyph + "input", fmt.Sprintf("  (%s%s)", size(len(d.input)), iocs)
	}
	it := d.items[node]
	name := it.Encoding
	if it.FileName != "" {
		name = it.FileName
	}
	label = strings.Repeat("  ", d.depth[node]-1) + glyph + d.ref(node) + "  " + frame.SafeText(name)
	return label, fmt.Sprintf("  (%s, %s%s)", frame.SafeText(kindName(it)), size(it.Size), iocs)
}

// textTitle names what the text section shows.
func (m *Model) textTitle() string {
	node := m.Selected()
	switch {
	case node != inputNode:
		return "Text · " + m.doc.ref(node)
	case m.tagged && m.doc.tagged != "":
		return "Text · input, fully decoded"
	}
	return "Text · input"
}

// textPosition says which rows show: "1–12/40", or, before the whole text has
// been wrapped, how far into it they reach ("1–12 · 3%").
func (m *Model) textPosition(l layout) string {
	b := m.body()
	if l.textRows <= 0 {
		return ""
	}
	last := m.textTop + l.textRows
	b.ensure(last)
	if b.done {
		n := b.count()
		if n <= l.textRows && m.textTop == 0 {
			return ""
		}
		return fmt.Sprintf("%d–%d/%d", m.textTop+1, min(last, n), n)
	}
	pct := 100 * b.rows[min(last, len(b.rows))-1].end / max(1, len(b.raw))
	return fmt.Sprintf("%d–%d · %d%%", m.textTop+1, last, pct)
}

// textLines draws the text's shown rows.
func (m *Model) textLines(h int) []string {
	b := m.body()
	active, ok := m.active()
	if !ok {
		active = span{}
	}
	b.ensure(m.textTop + h)
	p := paintsFor(m.ctx.Theme)
	out := make([]string, 0, h)
	for i := m.textTop; i < b.count() && len(out) < h; i++ {
		out = append(out, b.draw(i, p, active))
	}
	return out
}

// listTitle names the IoC list.
func (m *Model) listTitle() string {
	if m.all {
		found := 0
		for _, e := range m.list {
			found += e.count
		}
		return fmt.Sprintf("All IoCs · %s distinct, %s found", draw.Thousands(len(m.list)), draw.Thousands(found))
	}
	return fmt.Sprintf("IoCs in %s · %s", m.doc.ref(m.Selected()), draw.Thousands(len(m.list)))
}

// listPosition is the list's cursor position when the list is longer than its
// section.
func (m *Model) listPosition(l layout) string {
	if len(m.list) <= l.listRows {
		return ""
	}
	return fmt.Sprintf("%d/%d", m.iocCur+1, len(m.list))
}

// listLines draws the IoC list's shown rows: type, value in its mark, and a
// "⚠ defanged" mark and (in the all list) the count at the right.
func (m *Model) listLines(w, h int) []string {
	th := m.ctx.Theme
	if h <= 0 {
		return nil
	}
	if len(m.list) == 0 {
		msg := "  No IoCs in this text."
		if node := m.Selected(); !m.all && node != inputNode && !m.doc.items[node].Text {
			msg = "  No IoCs: a binary payload is not searched (y copies its SHA-256)."
		}
		if m.all {
			msg = "  No IoCs in the input or any payload."
		}
		return []string{th.Muted.Render(ansi.Truncate(msg, w, "…"))}
	}
	p := paintsFor(th)
	out := make([]string, 0, h)
	for i := m.iocTop; i < len(m.list) && len(out) < h; i++ {
		e := m.list[i]
		suffix := ""
		if e.defanged {
			suffix = "  ⚠ defanged"
		}
		if m.all {
			suffix += fmt.Sprintf("  ×%d", e.count)
		}
		typ := draw.FitLine(frame.SafeText(string(e.typ)), typeWidth)
		vw := max(1, w-2-typeWidth-2-ansi.StringWidth(suffix))
		val := ansi.Truncate(frame.SafeText(e.value), vw, "…")
		pad := strings.Repeat(" ", max(0, vw-ansi.StringWidth(val)))
		gutter := "  "
		if i == m.iocCur {
			gutter = "› "
		}
		if i == m.iocCur && m.focus == secIoCs {
			out = append(out, draw.Segs([]draw.Seg{draw.S(gutter+typ+"  "+val+pad+suffix, th.Selected)}, w, &th.Selected))
			continue
		}
		var b strings.Builder
		b.WriteString(gutter + th.Muted.Render(typ) + "  ")
		p.paint(&b, val, markOf(e.typ))
		b.WriteString(pad)
		if e.defanged {
			b.WriteString(th.Warn.Render("  ⚠ defanged"))
		}
		if m.all {
			b.WriteString(th.Muted.Render(fmt.Sprintf("  ×%d", e.count)))
		}
		out = append(out, draw.FitLine(b.String(), w))
	}
	return out
}

package proctree

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/quarry-sec/quarry/views/draw"
)

// sideAt is the width from which the details sit beside the tree rather than
// under it.
const sideAt = 110

// timeLayout is the start-time column's short form (the details give it whole).
const timeLayout = "01-02 15:04:05"

// timeW is the start-time column's width.
const timeW = len(timeLayout)

// prefixW is the cells before a row's columns: the selection mark, the
// suspicion glyph and a space.
const prefixW = 3

// layout is where the parts of the pane go. treeRows excludes the column header;
// detailH (details under the tree) includes the details' title line.
type layout struct {
	header          int
	treeW, treeRows int
	side            bool
	detailW         int
	detailH         int
}

// layout works out the parts for the pane's size: the header lines, the column
// header and the tree, the details beside the tree (wide) or under it, and the
// search input on the last line while it is open.
func (m *Model) layout() layout {
	l := layout{header: 2, treeW: m.width}
	if m.failure != "" {
		l.header++
	}
	body := m.height - l.header
	if m.searching {
		body--
	}
	body = max(0, body)
	switch {
	case m.details && m.width >= sideAt:
		l.side = true
		l.detailW = min(max(m.width*2/5, 40), 72)
		l.treeW = max(1, m.width-l.detailW-3)
		l.treeRows = max(0, body-1)
	case m.details:
		l.detailH = body / 2
		l.treeRows = max(0, body-1-l.detailH)
	default:
		l.treeRows = max(0, body-1)
	}
	return l
}

// View draws the pane in exactly its size.
func (m *Model) View() string {
	w, h := m.width, m.height
	if w <= 0 || h <= 0 {
		return draw.FitBlock(nil, w, h)
	}
	if m.f == nil {
		return m.emptyView()
	}
	l := m.layout()
	lines := m.headerLines()
	tree := append([]string{m.columnHeader(l.treeW)}, m.treeLines(l.treeW, l.treeRows)...)
	switch {
	case l.side:
		sep := m.ctx.Theme.Muted.Render(" │ ")
		detail := m.detailView(l.detailW, l.treeRows+1, false)
		upper := draw.Beside(draw.FitBlock(tree, l.treeW, l.treeRows+1), sep, draw.FitBlock(detail, l.detailW, l.treeRows+1))
		lines = append(lines, strings.Split(upper, "\n")...)
	default:
		for len(tree) < l.treeRows+1 {
			tree = append(tree, "")
		}
		lines = append(lines, tree...)
		if l.detailH > 0 {
			lines = append(lines, m.detailView(w, l.detailH, true)...)
		}
	}
	if m.searching {
		for len(lines) < h-1 {
			lines = append(lines, "")
		}
		lines = append(lines[:h-1], m.searchLine(w))
	}
	return draw.FitBlock(lines, w, h)
}

// emptyView says how to get a tree, and what is going on if anything is.
func (m *Model) emptyView() string {
	th := m.ctx.Theme
	w := m.width
	var lines []string
	if m.waiting {
		lines = append(lines, th.Accent.Render(ansi.Truncate(" Building the process tree of "+m.pendingTitle()+"…", w, "…")))
	} else {
		lines = append(lines, th.Title.Render(ansi.Truncate(" No process tree yet.", w, "…")))
	}
	if m.failure != "" {
		lines = append(lines, "")
		for _, l := range draw.Wrap("✗ "+m.failureText(), max(1, w-2)) {
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

// pendingTitle is the escaped title of the build under way.
func (m *Model) pendingTitle() string {
	if m.pending == "" {
		return "the result"
	}
	t, _ := clip(m.pending, 200)
	return safe(t)
}

// failureText is the last failure, escaped and cut to a screenful.
func (m *Model) failureText() string {
	t, _ := clip(m.failure, 2000)
	return safe(t)
}

// headerLines are the source and schema, the counts and the search, and the last
// failure if any.
func (m *Model) headerLines() []string {
	th := m.ctx.Theme
	f := m.f
	w := m.width
	title, _ := clip(m.title, 2*w)
	segs := []draw.Seg{draw.S(safe(title), th.Title)}
	if name := f.t.Schema.Name; name != "" {
		n, _ := clip(name, w)
		segs = append(segs, draw.S(" · schema "+safe(n), th.Muted))
	}
	if m.waiting {
		segs = append(segs, draw.S(" · building "+m.pendingTitle()+"…", th.Accent))
	}
	lines := []string{draw.Segs(segs, w, nil)}

	counts := fmt.Sprintf("%s · %s · depth %d", draw.Plural(f.size(), "process"), draw.Plural(len(f.roots), "root"), f.maxDepth+1)
	if f.size() == 0 {
		counts = "no processes in the log"
	}
	segs = []draw.Seg{draw.S(counts, th.Muted)}
	if f.nMarked > 0 {
		segs = append(segs, draw.S(" · ", th.Muted), draw.S(draw.Thousands(f.nMarked)+" marked", th.Warn))
	} else if f.size() > 0 {
		segs = append(segs, draw.S(" · none marked", th.Muted))
	}
	if s := m.searchStatus(); s != "" {
		segs = append(segs, draw.S(" · ", th.Muted), draw.S(s, th.Accent))
	}
	lines = append(lines, draw.Segs(segs, w, nil))
	if m.failure != "" {
		lines = append(lines, draw.Segs([]draw.Seg{draw.S("✗ "+m.failureText(), th.Error)}, w, nil))
	}
	return lines
}

// searchStatus says what the applied search found: "/psexec: match 2 of 5",
// "/psexec: 5 matches" when the selection is not one, "/psexec: no match".
func (m *Model) searchStatus() string {
	if m.query == "" {
		return ""
	}
	q, cut := clip(m.query, 40)
	s := "/" + safe(q)
	if cut {
		s += "…"
	}
	switch {
	case len(m.matches) == 0:
		return s + ": no match"
	}
	if i, ok := rowOf(m.matches, m.selPos()); ok {
		return fmt.Sprintf("%s: match %s of %s", s, draw.Thousands(i+1), draw.Thousands(len(m.matches)))
	}
	return s + ": " + draw.Plural(len(m.matches), "match")
}

// widths are the optional columns' widths for a tree of width w.
func (m *Model) widths(w int) (pidW, userW int) {
	pidW = min(max(m.f.pidW, 3), 12)
	userW = min(max(m.f.userW, 4), 20, max(4, w/5))
	return pidW, userW
}

// zoneName is the display zone's abbreviation at the tree's first start time.
func (m *Model) zoneName() string {
	z := m.ctx.Zone
	if z == nil {
		z = time.UTC
	}
	at := m.f.firstTime
	if at.IsZero() {
		at = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return at.In(z).Format("MST")
}

// columnHeader names the shown columns, with the selected row's position at the
// right when the rows do not all fit.
func (m *Model) columnHeader(w int) string {
	th := m.ctx.Theme
	pidW, userW := m.widths(w)
	var b strings.Builder
	b.WriteString(strings.Repeat(" ", prefixW))
	if m.cols.pid {
		b.WriteString(padLeft("PID", pidW) + "  ")
	}
	if m.cols.time {
		b.WriteString(padRight("START "+m.zoneName(), timeW) + "  ")
	}
	if m.cols.user {
		b.WriteString(padRight("USER", userW) + "  ")
	}
	b.WriteString("PROCESS")
	if m.cols.cmd {
		b.WriteString("  COMMAND LINE")
	}
	right := ""
	if len(m.rows) > m.layout().treeRows {
		right = fmt.Sprintf("%s/%s", draw.Thousands(m.cur+1), draw.Thousands(len(m.rows)))
	}
	rw := width(right)
	if rw+8 > w {
		right, rw = "", 0
	}
	left := draw.Segs([]draw.Seg{draw.S(b.String(), th.Muted)}, max(0, w-rw-1), nil)
	gap := max(0, w-width(left)-rw)
	return left + strings.Repeat(" ", gap) + th.Muted.Render(right)
}

// treeLines draws the rows on screen.
func (m *Model) treeLines(w, h int) []string {
	if m.f.size() == 0 {
		return []string{m.ctx.Theme.Muted.Render(ansi.Truncate("  The log has no process-creation events.", w, "…"))}
	}
	out := make([]string, 0, h)
	for i := m.top; i < len(m.rows) && len(out) < h; i++ {
		out = append(out, m.row(i, w))
	}
	return out
}

// row draws one shown process: the selection mark (›), its suspicion glyph, the
// shown columns, the tree guides and the fold glyph, the image's base name (muted
// with "(inferred)" for an inferred parent, in its mark's style for a marked
// process), the count of what a fold hides, and the command line.
func (m *Model) row(i, w int) string {
	th := m.ctx.Theme
	f := m.f
	p := m.rows[i]
	pr := f.proc(p)
	sel := i == m.cur
	plain := lipgloss.NewStyle()
	st := func(s lipgloss.Style) lipgloss.Style {
		if sel {
			return th.Selected
		}
		return s
	}
	pidW, userW := m.widths(w)

	gutter := " "
	if sel {
		gutter = "›"
	}
	glyph, markSt := m.markGlyph(f.severity[p])
	segs := []draw.Seg{draw.S(gutter, st(plain)), draw.S(glyph, st(markSt)), draw.S(" ", st(plain))}
	if m.cols.pid {
		v, _ := clip(pr.PID, pidW+1)
		segs = append(segs, draw.S(padLeft(safe(v), pidW)+"  ", st(plain)))
	}
	if m.cols.time {
		segs = append(segs, draw.S(padRight(m.shortTime(pr.Time), timeW)+"  ", st(th.Muted)))
	}
	if m.cols.user {
		v, _ := clip(pr.User, userW+1)
		segs = append(segs, draw.S(padRight(safe(v), userW)+"  ", st(plain)))
	}
	used := prefixW
	for _, s := range segs[3:] {
		used += width(s.Text)
	}
	segs = append(segs, draw.S(m.guides(p, max(2, (w-used)/6)), st(th.Muted)), draw.S(m.foldGlyph(p), st(plain)))

	nameSt := plain
	switch {
	case pr.Inferred:
		nameSt = th.Muted
	case f.severity[p] != sevNone:
		nameSt = markSt
	}
	if name := baseName(pr.Name, f.t.Schema.PathSep); name != "" {
		raw, cut := clip(name, w)
		segs = append(segs, m.highlight(raw, st(nameSt), sel)...)
		if cut {
			segs = append(segs, draw.S("…", st(nameSt)))
		}
	} else {
		segs = append(segs, draw.S("(unknown image)", st(th.Muted)))
	}
	if pr.Inferred {
		segs = append(segs, draw.S(" (inferred)", st(th.Muted)))
	}
	if m.collapsed.at(p) {
		segs = append(segs, draw.S(" +"+draw.Thousands(f.descendants(p)), st(th.Muted)))
		if n := f.markedBelow(p); n > 0 {
			segs = append(segs, draw.S(", "+draw.Thousands(n)+" marked", st(th.Warn)))
		}
	}
	if m.cols.cmd && pr.CmdLine != "" {
		raw, cut := clip(pr.CmdLine, w)
		segs = append(segs, draw.S("  ", st(plain)))
		segs = append(segs, m.highlight(raw, st(th.Muted), sel)...)
		if cut {
			segs = append(segs, draw.S("…", st(th.Muted)))
		}
	}
	if sel {
		return draw.Segs(segs, w, &th.Selected)
	}
	return draw.Segs(segs, w, nil)
}

// markGlyph is a severity's glyph and style: ‼ high, ! medium, · low, a space
// when unmarked.
func (m *Model) markGlyph(s severity) (string, lipgloss.Style) {
	th := m.ctx.Theme
	switch s {
	case sevHigh:
		return "‼", th.MarkHigh
	case sevMedium:
		return "!", th.MarkMedium
	case sevLow:
		return "·", th.MarkLow
	}
	return " ", lipgloss.NewStyle()
}

// foldGlyph is ▾ for an unfolded process with children, ▸ for a folded one, and
// for a leaf a line ending its guide ("├── cmd.exe"), or • for a lone root.
func (m *Model) foldGlyph(p int) string {
	switch {
	case m.f.hasKids(p) && m.collapsed.at(p):
		return "▸ "
	case m.f.hasKids(p):
		return "▾ "
	case m.f.depth[p] == 0:
		return "• "
	}
	return "─ "
}

// guides is a row's indentation: for each ancestor below the root, "│ " while it
// has siblings to come, else blanks; then "├─" or "└─" for the process itself.
// Deeper than levels, only the nearest levels are drawn, after "… ".
func (m *Model) guides(p, levels int) string {
	f := m.f
	d := f.depth[p]
	if d == 0 {
		return ""
	}
	n := min(d, levels)
	parts := make([]string, n)
	parts[n-1] = "├─"
	if f.last[p] {
		parts[n-1] = "└─"
	}
	q := f.parent[p]
	for k := n - 2; k >= 0; k-- {
		parts[k] = "│ "
		if f.last[q] {
			parts[k] = "  "
		}
		q = f.parent[q]
	}
	if d > n {
		parts[0] = "… "
	}
	return strings.Join(parts, "")
}

// shortTime is a start time in the display zone, in the column's short form.
func (m *Model) shortTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	z := m.ctx.Zone
	if z == nil {
		z = time.UTC
	}
	return t.In(z).Format(timeLayout)
}

// highlight splits raw text into segments with the applied search's matches
// underlined. Matches are found in the lower-cased text; when lower-casing
// changes the text's length the offsets would not line up, and nothing is marked.
func (m *Model) highlight(raw string, base lipgloss.Style, sel bool) []draw.Seg {
	th := m.ctx.Theme
	hit := th.Accent.Underline(true)
	if sel {
		hit = th.Selected.Underline(true)
	}
	return draw.Highlight(raw, hits(raw, m.query), base, hit)
}

// hits are the byte offsets of q's occurrences in s, ignoring case.
func hits(s, q string) map[int]bool {
	if q == "" {
		return nil
	}
	ls, lq := strings.ToLower(s), strings.ToLower(q)
	if len(ls) != len(s) {
		return nil
	}
	var out map[int]bool
	for off := 0; off < len(ls); {
		i := strings.Index(ls[off:], lq)
		if i < 0 {
			break
		}
		if out == nil {
			out = map[int]bool{}
		}
		for b := off + i; b < off+i+len(lq); b++ {
			out[b] = true
		}
		off += i + len(lq)
	}
	return out
}

// searchLine is the search input: its prompt, the text and what the keys do.
func (m *Model) searchLine(w int) string {
	th := m.ctx.Theme
	hint := "  " + m.Keys.Apply.Help().Key + " search · esc cancel"
	if width(hint)+12 > w {
		hint = ""
	}
	room := max(1, w-1-width(hint))
	var in string
	if m.input.Value() == "" {
		in = th.Cursor.Render(" ") + th.Muted.Render(padRight("image or command line", max(0, room-1)))
	} else {
		in = draw.Input(m.input, room)
	}
	return th.Accent.Render("/") + draw.FitLine(in, room) + th.Muted.Render(hint)
}

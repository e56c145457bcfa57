package ti

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/quarry-sec/quarry/engine/intel"
	"github.com/quarry-sec/quarry/views/draw"
	"github.com/quarry-sec/quarry/views/pane"
)

// maxNotes and maxProgress bound the header's notes and progress lines; what is
// left over is counted on the last line.
const (
	maxNotes    = 3
	maxProgress = 8
)

// prefixW is the cells before a provider line's provider: the selection mark, a
// space and the indent under the group's header.
const prefixW = 4

// cachedMark ends the line of an answer that came from the cache.
const cachedMark = " (cached)"

// View draws the pane in exactly its size.
func (m *Model) View() string {
	w, h := m.width, m.height
	if w <= 0 || h <= 0 {
		return draw.FitBlock(nil, w, h)
	}
	m.syncGen()
	if m.dirty {
		m.refresh()
	}
	body := h
	if m.typing {
		body--
	}
	var lines []string
	switch {
	case m.detail != nil:
		lines = m.detailView(w, body)
	case !m.started || (m.startErr != "" && m.nResults == 0):
		lines = m.emptyLines()
	default:
		lines = m.headerLines()
		lines = append(lines, m.columnHeader(w))
		lines = append(lines, m.listLines(w, m.listRows())...)
	}
	if m.typing {
		for len(lines) < h-1 {
			lines = append(lines, "")
		}
		lines = append(lines[:h-1], m.inputLine(w))
	}
	return draw.FitBlock(lines, w, h)
}

// syncGen starts a new drawing generation, which makes every cached line stale,
// when the width, the provider column or the theme changed.
func (m *Model) syncGen() {
	k := genKey{width: m.width, provW: m.provW, theme: m.ctx.Theme.Name}
	if k != m.genFor {
		m.genFor = k
		m.gen++
	}
}

// listRows is how many lines of the list show.
func (m *Model) listRows() int {
	if !m.started {
		return 0
	}
	n := m.height - m.headerCount() - 1
	if m.typing {
		n--
	}
	return max(0, n)
}

// headerCount is how many lines headerLines makes.
func (m *Model) headerCount() int {
	return 3 + len(m.problems()) + min(len(m.notes), maxNotes) + min(len(m.providers), maxProgress)
}

// problems are the header's error lines, escaped: the look-up could not start,
// it failed, or every look-up failed.
func (m *Model) problems() []string {
	var out []string
	if m.startErr != "" {
		out = append(out, "✗ the look-up could not start: "+safe(shorten(m.startErr, 500)))
	}
	if m.finished && m.endErr != nil && !m.cancelled() && m.startErr == "" {
		out = append(out, "✗ the look-up failed: "+safe(shorten(m.endErr.Error(), 500)))
	}
	if m.finished && m.nAsked > 0 && m.nErrors == m.nAsked {
		out = append(out, "✗ every look-up failed: the reasons are on the lines below")
	}
	return out
}

// sourceText is the look-up's source, escaped and cut.
func (m *Model) sourceText(req pane.LookupTI) string {
	return safe(shorten(req.Source, 80))
}

// pendingText says what the forwarded request will look up.
func (m *Model) pendingText() string {
	s := "looking up " + draw.Plural(len(m.pending.Indicators), "indicator")
	if m.pending.Source != "" {
		s += " from " + m.sourceText(m.pending)
	}
	return s + "…"
}

// state is where the look-up stands, in its style: running with its time and
// count, done, cancelled or failed.
func (m *Model) state() (string, lipgloss.Style) {
	th := m.ctx.Theme
	n, total := draw.Thousands(m.nAsked), draw.Thousands(m.totalLookups())
	switch {
	case !m.finished:
		secs := int(m.ctx.Clock().Sub(m.began).Seconds())
		return fmt.Sprintf("running %ds · %s/%s look-ups", max(0, secs), n, total), th.Accent
	case m.cancelled():
		return fmt.Sprintf("cancelled after %s of %s look-ups", n, total), th.Warn
	case m.endErr != nil || m.startErr != "":
		return fmt.Sprintf("failed after %s of %s look-ups", n, total), th.Error
	}
	return fmt.Sprintf("done in %s · %s", duration(m.elapsed), draw.Plural(m.nAsked, "look-up")), th.OK
}

// headerLines are the source and state, the counts, the filters, any problem,
// the notes and the providers' progress.
func (m *Model) headerLines() []string {
	th := m.ctx.Theme
	w := m.width
	var segs []draw.Seg
	if m.waiting {
		// The forwarded request's answers replace these when its TIStarted comes.
		segs = append(segs, draw.S("L"+m.pendingText()[1:], th.Accent), draw.S(" · below, the last look-up: ", th.Muted))
	}
	state, st := m.state()
	if !m.waiting {
		state = strings.ToUpper(state[:1]) + state[1:]
	}
	segs = append(segs, draw.S(state, st))
	if m.req.Source != "" {
		segs = append(segs, draw.S(" · from ", th.Muted), draw.S(m.sourceText(m.req), th.Title))
	}
	lines := []string{draw.Segs(segs, w, nil)}

	sevSt := func(n int, s lipgloss.Style) lipgloss.Style {
		if n == 0 {
			return th.Muted
		}
		return s
	}
	segs = []draw.Seg{
		draw.S(draw.Plural(len(m.groups), "indicator")+" · "+draw.Plural(len(m.providers), "provider")+" · ", th.Muted),
		draw.S(draw.Thousands(m.nHigh)+" high", sevSt(m.nHigh, th.SevHigh)),
		draw.S(" · ", th.Muted),
		draw.S(draw.Thousands(m.nWarn)+" warning", sevSt(m.nWarn, th.SevWarning)),
	}
	if m.nBad > 0 {
		segs = append(segs, draw.S(" · ", th.Muted), draw.S(draw.Thousands(m.nBad)+" rejected", th.Warn))
	}
	lines = append(lines, draw.Segs(segs, w, nil), m.filterLine(w))
	for _, p := range m.problems() {
		lines = append(lines, draw.Segs([]draw.Seg{draw.S(p, th.Error)}, w, nil))
	}
	for i, n := range m.notes {
		if i == maxNotes-1 && len(m.notes) > maxNotes {
			lines = append(lines, th.Muted.Render(fmt.Sprintf("  … and %d more notes", len(m.notes)-i)))
			break
		}
		lines = append(lines, draw.Segs([]draw.Seg{draw.S("⚠ "+safe(shorten(n, 2*w)), th.Warn)}, w, nil))
	}
	lines = append(lines, m.progressLines(w)...)
	return lines
}

// filterLine says what the list shows: the lowest severity, the provider,
// found or not, and the order; what differs from the default is highlighted.
func (m *Model) filterLine(w int) string {
	th := m.ctx.Theme
	on := func(active bool) lipgloss.Style {
		if active {
			return th.Accent
		}
		return th.Muted
	}
	prov := "all providers"
	if m.f.provider != "" {
		prov = "provider " + safe(shorten(m.f.provider, 30))
	}
	found := "found and not found"
	if m.f.foundOnly {
		found = "found only"
	}
	sep := draw.S(" · ", th.Muted)
	return draw.Segs([]draw.Seg{
		draw.S("show ", th.Muted), draw.S(sevStepNames[m.f.sev], on(m.f.sev > 0)), sep,
		draw.S(prov, on(m.f.provider != "")), sep,
		draw.S(found, on(m.f.foundOnly)), sep,
		draw.S(m.f.order.String(), on(m.f.order != byArrival)),
	}, w, nil)
}

// progressLines are a line per provider: its name, a bar whose fill is its
// answers over its look-ups, the counts, and its failures.
func (m *Model) progressLines(w int) []string {
	th := m.ctx.Theme
	countW := 3
	for _, p := range m.providers {
		countW = max(countW, 2*len(draw.Thousands(m.totals[p]))+1)
	}
	barW := min(max(w-prefixW-m.provW-countW-14, 6), 40)
	var out []string
	for i, p := range m.providers {
		if i == maxProgress-1 && len(m.providers) > maxProgress {
			out = append(out, th.Muted.Render(fmt.Sprintf("  … and %d more providers", len(m.providers)-i)))
			break
		}
		done, total := m.done[p], m.totals[p]
		full, part := bar(done, total, barW)
		segs := []draw.Seg{
			draw.S("  "+padRight(safe(p), m.provW)+" ", th.Muted),
			draw.S(full, th.Accent), draw.S(part, th.Muted),
			draw.S(" "+padLeft(draw.Thousands(done)+"/"+draw.Thousands(total), countW), lipgloss.NewStyle()),
		}
		switch n := m.errs[p]; {
		case n > 0:
			segs = append(segs, draw.S("  "+draw.Plural(n, "error"), th.Error))
		case total > 0 && done >= total:
			segs = append(segs, draw.S("  ✓", th.OK))
		}
		out = append(out, draw.Segs(segs, w, nil))
	}
	return out
}

// eighths are the partial blocks of a bar, by eighths filled.
var eighths = [...]string{"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"}

// bar draws done/total in w cells: full blocks and an eighth block for the
// filled part, light shade for the rest.
func bar(done, total, w int) (filled, rest string) {
	if w <= 0 {
		return "", ""
	}
	e := 0
	if total > 0 {
		e = min(done, total) * w * 8 / total
	}
	full := e / 8
	filled = strings.Repeat("█", full)
	n := full
	if full < w && e%8 > 0 {
		filled += eighths[e%8]
		n++
	}
	return filled, strings.Repeat("░", w-n)
}

// columnHeader names the provider lines' columns, with what the filters let
// through and the selection's position at the right.
func (m *Model) columnHeader(w int) string {
	th := m.ctx.Theme
	left := strings.Repeat(" ", prefixW) + padRight("PROVIDER", m.provW) + "  SEV   " + padRight("STATUS", statusW) + "  DETAILS"
	var right []string
	if m.f.active() {
		right = append(right, fmt.Sprintf("%s of %s shown", draw.Thousands(m.nShown), draw.Plural(m.nResults, "answer")))
	}
	if len(m.rows) > m.listRows() {
		right = append(right, fmt.Sprintf("%s/%s", draw.Thousands(m.cur+1), draw.Thousands(len(m.rows))))
	}
	r := strings.Join(right, " · ")
	rw := width(r)
	if rw+10 > w {
		r, rw = "", 0
	}
	l := draw.Segs([]draw.Seg{draw.S(left, th.Muted)}, max(0, w-rw-1), nil)
	return l + strings.Repeat(" ", max(0, w-width(l)-rw)) + th.Muted.Render(r)
}

// listLines draws the list's lines on screen, or says why there are none.
func (m *Model) listLines(w, h int) []string {
	th := m.ctx.Theme
	if len(m.rows) == 0 {
		msg := "  No answer matches the filters: " + m.Keys.Severity.Help().Key + ", " +
			m.Keys.Provider.Help().Key + " and " + m.Keys.FoundOnly.Help().Key + " change them."
		switch {
		case m.nResults == 0 && !m.finished:
			msg = "  Waiting for the first answers…"
		case m.nResults == 0:
			msg = "  No answers."
		}
		return []string{th.Muted.Render(ansi.Truncate(msg, w, "…"))}
	}
	out := make([]string, 0, h)
	for i := m.top; i < len(m.rows) && len(out) < h; i++ {
		out = append(out, m.line(i, w))
	}
	return out
}

// line is a shown line, from the cache unless it is selected (the selection is
// drawn afresh each frame, being one line).
func (m *Model) line(i, w int) string {
	r := m.rows[i]
	sel := i == m.cur
	if r.e == nil {
		if sel {
			return m.headerLine(r.g, w, true)
		}
		if r.g.lineGen != m.gen {
			r.g.line, r.g.lineGen = m.headerLine(r.g, w, false), m.gen
		}
		return r.g.line
	}
	if sel {
		return m.entryLine(r.e, w, true)
	}
	if r.e.lineGen != m.gen {
		r.e.line, r.e.lineGen = m.entryLine(r.e, w, false), m.gen
	}
	return r.e.line
}

// sevStyle is a severity's style.
func (m *Model) sevStyle(s intel.Severity) lipgloss.Style {
	th := m.ctx.Theme
	switch s {
	case intel.SevHigh:
		return th.SevHigh
	case intel.SevWarning:
		return th.SevWarning
	case intel.SevInformation:
		return th.SevInfo
	}
	return th.SevUnknown
}

// styler returns the style to draw a run in: the selection's when selected.
func (m *Model) styler(sel bool) func(lipgloss.Style) lipgloss.Style {
	return func(s lipgloss.Style) lipgloss.Style {
		if sel {
			return m.ctx.Theme.Selected
		}
		return s
	}
}

// gutter is the selection mark's cell.
func gutter(sel bool) string {
	if sel {
		return "›"
	}
	return " "
}

// headerLine draws a group's header: the fold glyph, the indicator, its type,
// the worst severity of the answers that found it (label and colour) and how
// many found it. The indicator is cut to leave the rest in view.
func (m *Model) headerLine(g *group, w int, sel bool) string {
	th := m.ctx.Theme
	st := m.styler(sel)
	plain := lipgloss.NewStyle()
	fold := "▾ "
	if g.folded {
		fold = "▸ "
	}
	typ := safe(shorten(g.typ, 20))
	if typ == "" {
		typ = "?"
	}
	sev, sevSt := sevLabel(intel.SevUnknown), th.SevUnknown
	if g.found > 0 {
		sev, sevSt = sevLabel(g.worst), m.sevStyle(g.worst)
	}
	count := fmt.Sprintf("%d/%d found", g.found, len(g.entries))
	tailW := 2 + width(typ) + 2 + 4 + 2 + width(count)
	valW := max(8, w-prefixW-tailW)
	raw, cut := clip(g.ioc, valW+1)
	val := safe(raw)
	switch {
	case width(val) > valW:
		val = ansi.Truncate(val, valW, "…")
	case cut:
		val += "…"
	}
	segs := []draw.Seg{
		draw.S(gutter(sel)+" ", st(plain)), draw.S(fold, st(th.Muted)),
		draw.S(val, st(plain.Bold(true))),
		draw.S("  "+typ+"  ", st(th.Muted)), draw.S(sev, st(sevSt)),
		draw.S("  "+count, st(th.Muted)),
	}
	if sel {
		return draw.Segs(segs, w, &th.Selected)
	}
	return draw.Segs(segs, w, nil)
}

// entryLine draws a provider's line: the provider, the severity label (in its
// colour), found or not (or the failure), and the details or the reason;
// "(cached)" at the right for an answer from the cache.
func (m *Model) entryLine(e *entry, w int, sel bool) string {
	th := m.ctx.Theme
	st := m.styler(sel)
	plain := lipgloss.NewStyle()
	r := &e.r
	statusSt, sumSt := plain.Bold(true), plain
	switch r.Status {
	case intel.StatusOK:
		if !r.Found {
			statusSt, sumSt = th.Muted, th.Muted
		}
	case intel.StatusNotFound, intel.StatusUnsupported:
		statusSt, sumSt = th.Muted, th.Muted
	case intel.StatusBadFormat:
		statusSt, sumSt = th.Warn, th.Muted
	default:
		statusSt, sumSt = th.Error, th.Muted
	}
	segs := []draw.Seg{
		draw.S(gutter(sel)+"   "+padRight(safe(r.Provider), m.provW)+"  ", st(plain)),
		draw.S(sevLabel(r.Severity), st(m.sevStyle(r.Severity))),
		draw.S("  ", st(plain)),
		draw.S(padRight(statusWord(r), statusW), st(statusSt)),
	}
	if e.summary != "" {
		segs = append(segs, draw.S("  "+e.summary, st(sumSt)))
	}
	pad := &plain
	if sel {
		pad = &th.Selected
	}
	if !r.Cached || w < 40 {
		return draw.Segs(segs, w, pad)
	}
	cw := width(cachedMark)
	return draw.Segs(segs, w-cw, pad) + st(th.Muted).Render(cachedMark)
}

// emptyLines is the pane before a look-up has answers: what is under way, why
// the last one could not start, and how to start one.
func (m *Model) emptyLines() []string {
	th := m.ctx.Theme
	w := m.width
	var lines []string
	switch {
	case m.waiting:
		lines = append(lines, th.Accent.Render(ansi.Truncate(" L"+m.pendingText()[1:], w, "…")))
	case m.started && m.req.Source != "":
		lines = append(lines, th.Title.Render(ansi.Truncate(" Indicators from "+m.sourceText(m.req), w, "…")))
	case m.started:
		lines = append(lines, th.Title.Render(ansi.Truncate(" Look-up", w, "…")))
	default:
		lines = append(lines, th.Title.Render(ansi.Truncate(" No threat-intel look-up yet.", w, "…")))
	}
	if m.started && m.startErr != "" {
		lines = append(lines, "")
		for _, l := range draw.Wrap(m.problems()[0], max(1, w-2)) {
			lines = append(lines, " "+th.Error.Render(l))
		}
		for _, n := range m.notes {
			for _, l := range draw.Wrap("⚠ "+safe(shorten(n, 500)), max(1, w-2)) {
				lines = append(lines, " "+th.Warn.Render(l))
			}
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
	return lines
}

package proctree

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"

	"github.com/quarry-sec/quarry/views/draw"
)

// detailKey is what the details' lines were made for.
type detailKey struct {
	f     *forest
	pos   int
	width int
	zone  *time.Location
}

// cmdLimit is how much of a command line the details wrap; y copies all of it.
const cmdLimit = 64 << 10

// nameW is the width of the details' field names.
const nameW = 13

// detailView draws the details in w×h cells: a title line with the scroll
// position, then the selected process's fields from the scroll offset. Under the
// tree (rule) the title line is a rule across the width.
func (m *Model) detailView(w, h int, rule bool) []string {
	th := m.ctx.Theme
	p := m.selPos()
	if h <= 0 || p < 0 {
		return nil
	}
	lines := m.detailLines(w)
	body := h - 1
	m.detailTop = max(0, min(m.detailTop, len(lines)-body))
	pr := m.f.proc(p)
	name, _ := clip(baseName(pr.Name, m.f.t.Schema.PathSep), w)
	pid, _ := clip(pr.PID, 20)
	title := "Details · " + safe(name) + " pid " + safe(pid)
	pos := ""
	if len(lines) > body && body > 0 {
		pos = fmt.Sprintf("%d–%d/%d %s/%s", m.detailTop+1, min(m.detailTop+body, len(lines)), len(lines),
			m.Keys.DetailsDown.Help().Key, m.Keys.DetailsUp.Help().Key)
	}
	fill := " "
	if rule {
		title, fill = "─ "+title+" ", "─"
	}
	pw := width(pos)
	if pw+12 > w {
		pos, pw = "", 0
	}
	left := draw.Segs([]draw.Seg{draw.S(title, th.Title)}, max(0, w-pw-2), nil)
	gap := max(0, w-width(left)-pw)
	out := []string{left + th.Muted.Render(strings.Repeat(fill, gap)) + th.Muted.Render(pos)}
	for i := m.detailTop; i < len(lines) && len(out) < h; i++ {
		out = append(out, lines[i])
	}
	for len(out) < h {
		out = append(out, "")
	}
	return out
}

// detailBox is the details' width and the lines they show under their title.
func (m *Model) detailBox() (w, rows int) {
	l := m.layout()
	if l.side {
		return l.detailW, l.treeRows
	}
	return m.width, max(0, l.detailH-1)
}

// detailRows is how many lines of the details show.
func (m *Model) detailRows() int {
	_, rows := m.detailBox()
	return rows
}

// scrollDetails moves the details' first shown line by d lines, no further than
// the last screenful.
func (m *Model) scrollDetails(d int) {
	if !m.details || m.selPos() < 0 {
		return
	}
	w, rows := m.detailBox()
	n := len(m.detailLines(w))
	m.detailTop = max(0, min(m.detailTop+d, n-max(1, rows)))
}

// detailLines are the selected process's fields laid out in w cells, made again
// only when the selection, the tree, the width or the zone changes: its image,
// ids and parent, start time, user, host and logon, marks with what each rule
// looks for, the command line wrapped whole (up to cmdLimit), and where it sits in
// the tree and the log.
func (m *Model) detailLines(w int) []string {
	p := m.selPos()
	k := detailKey{f: m.f, pos: p, width: w, zone: m.ctx.Zone}
	if m.detail != nil && m.detailFor == k {
		return m.detail
	}
	if m.detailFor.pos != p || m.detailFor.f != m.f {
		m.detailTop = 0
	}
	m.detailFor = k
	f := m.f
	pr := f.proc(p)
	th := m.ctx.Theme
	valW := max(1, w-nameW)
	var out []string
	add := func(name, value string, st lipgloss.Style) {
		if value == "" {
			value, st = "—", th.Muted
		}
		for i, l := range draw.Wrap(value, valW) {
			label := ""
			if i == 0 {
				label = name
			}
			out = append(out, th.Muted.Render(padRight(label, nameW))+st.Render(l))
		}
	}
	plain := lipgloss.NewStyle()
	field := func(name, raw string) { add(name, safe(raw), plain) }

	field("Image", pr.Name)
	ids := "pid " + safe(pr.PID)
	if pr.PPID != "" {
		ids += " · parent pid " + safe(pr.PPID)
	}
	add("PID", ids, plain)
	parent := safe(pr.ParentName)
	if q := f.parent[p]; q >= 0 {
		if parent == "" {
			parent = safe(f.proc(q).Name)
		}
		if f.proc(q).Inferred {
			parent += " (inferred)"
		}
	} else if parent != "" {
		parent += " (not in the tree)"
	}
	add("Parent", parent, plain)
	add("Started", m.ctx.FormatTime(pr.Time), plain)
	field("User", pr.User)
	field("Host", pr.Host)
	field("Logon ID", pr.LogonID)
	if pr.Inferred {
		add("Inferred", "yes: not in the log, made up from its children's rows", th.Muted)
	}
	for i, mk := range pr.Marks {
		glyph, st := m.markGlyph(severityOf(mk.Severity))
		label := ""
		if i == 0 {
			label = "Marks"
		}
		add(label, glyph+" "+safe(strings.ToLower(mk.Severity))+" · "+safe(mk.Rule), st)
		if mk.Description != "" {
			for _, l := range draw.Wrap(safe(mk.Description), max(1, valW-2)) {
				out = append(out, strings.Repeat(" ", nameW+2)+l)
			}
		}
	}
	cmd, cut := clip(pr.CmdLine, cmdLimit)
	add("Command line", safe(cmd), plain)
	if cut {
		add("", fmt.Sprintf("… cut at %s characters; %s copies all of it", draw.Thousands(cmdLimit), m.Keys.Copy.Help().Key), th.Muted)
	}
	kids := 0
	for q := p + 1; q < f.end[p]; q = f.end[q] {
		kids++
	}
	child := "children"
	if kids == 1 {
		child = "child"
	}
	tree := fmt.Sprintf("depth %d · %s %s · %s", f.depth[p], draw.Thousands(kids), child, draw.Plural(f.descendants(p), "descendant"))
	if n := f.markedBelow(p); n > 0 {
		tree += fmt.Sprintf(" (%s marked)", draw.Thousands(n))
	}
	add("Tree", tree, plain)
	field("Key", pr.Key)
	field("Parent key", pr.ParentKey)
	add("Path", m.sourcePath(p), plain)
	row := "inferred: not in the log"
	if pr.Row >= 0 {
		row = strconv.Itoa(pr.Row)
	}
	add("Log row", row, plain)
	m.detail = out
	return out
}

// sourcePath is msticpy's path of a position: the source indexes from its root
// down, joined by "/".
func (m *Model) sourcePath(p int) string {
	var parts []string
	for q := p; q >= 0; q = m.f.parent[q] {
		parts = append(parts, strconv.Itoa(m.f.proc(q).Source))
	}
	slices.Reverse(parts)
	return strings.Join(parts, "/")
}

package querybrowser

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/quarry-sec/quarry/engine/frame"
	"github.com/quarry-sec/quarry/queries"
	"github.com/quarry-sec/quarry/views/draw"
)

// sep is drawn between the list and the detail when they are side by side.
const sep = " │ "

// layout is where the list and the detail go.
type layout struct {
	stacked                        bool
	listW, listH, detailW, detailH int
}

// layout splits the pane: the detail beside the list from StackBelow cells
// wide, else under it (a rule between them).
func (m *Model) layout() layout {
	w, h := m.width, m.height
	if w < StackBelow {
		if h < 3 {
			return layout{stacked: true, listW: w, listH: h, detailW: w}
		}
		listH := h / 2
		return layout{stacked: true, listW: w, listH: listH, detailW: w, detailH: h - listH - 1}
	}
	lw := min(max(w*2/5, 28), 56)
	return layout{listW: lw, listH: h, detailW: w - lw - ansi.StringWidth(sep), detailH: h}
}

// listRows is how many list lines show under the filter line.
func (m *Model) listRows() int { return max(m.layout().listH-1, 0) }

// View draws the pane in exactly the size last set.
func (m *Model) View() string {
	if m.height <= 0 {
		return ""
	}
	if m.form != nil {
		return m.viewForm(m.width, m.height)
	}
	l := m.layout()
	list := m.viewList(l.listW, l.listH)
	if !l.stacked {
		rule := strings.TrimSuffix(strings.Repeat(m.ctx.Theme.Muted.Render(sep)+"\n", l.listH), "\n")
		return draw.Beside(draw.Beside(list, "", rule), "", m.viewDetail(l.detailW, l.detailH))
	}
	if l.detailH <= 0 {
		return list
	}
	rule := m.ctx.Theme.Muted.Render(strings.Repeat("─", l.listW))
	return list + "\n" + rule + "\n" + m.viewDetail(l.detailW, l.detailH)
}

// statusLine is the list's first line: the filter (being edited or applied) and
// how many queries show.
func (m *Model) statusLine(w int) string {
	t := m.ctx.Theme
	count := fmt.Sprintf("%d queries", len(m.all))
	if m.pattern != "" || m.filtering || m.offer != nil {
		count = fmt.Sprintf("%d of %d queries", len(m.order), len(m.all))
	}
	if m.offer != nil && !m.filtering && m.pattern == "" {
		return draw.Segs([]draw.Seg{draw.S("taking ", t.Muted), draw.S(frame.SafeText(m.offer.value), t.Accent),
			draw.S("  "+count+" · esc shows all", t.Muted)}, w, nil)
	}
	if m.filtering {
		iw := w - 2 - 2 - ansi.StringWidth(count)
		if iw < 8 {
			return t.Accent.Render("/ ") + draw.Input(m.filter, max(w-2, 0))
		}
		return t.Accent.Render("/ ") + draw.Input(m.filter, iw) + "  " + t.Muted.Render(count)
	}
	if m.pattern != "" {
		return draw.Segs([]draw.Seg{draw.S("/ ", t.Accent), draw.Plain(frame.SafeText(m.pattern)), draw.S("  "+count, t.Muted)}, w, nil)
	}
	return draw.Segs([]draw.Seg{draw.S(count+" · "+m.Keys.Filter.Help().Key+" to filter", t.Muted)}, w, nil)
}

// viewList draws the filter line and the grouped list.
func (m *Model) viewList(w, h int) string {
	t := m.ctx.Theme
	lines := []string{m.statusLine(w)}
	switch {
	case len(m.all) == 0:
		lines = append(lines, t.Muted.Render("The query library is empty."))
	case len(m.order) == 0:
		lines = append(lines, t.Muted.Render(fmt.Sprintf("No query matches %q.", frame.SafeText(m.pattern))))
	default:
		sel := -1
		if q := m.Selected(); q != nil {
			sel = m.order[m.sel]
		}
		start := min(m.listOff, len(m.rows))
		end := min(start+max(h-1, 0), len(m.rows))
		for _, r := range m.rows[start:end] {
			if r.query < 0 {
				lines = append(lines, draw.Segs([]draw.Seg{draw.S(frame.SafeText(r.family), t.Title), draw.S(fmt.Sprintf(" (%d)", r.count), t.Muted)}, w, nil))
				continue
			}
			lines = append(lines, m.queryRow(r.query, r.query == sel, w))
		}
	}
	return draw.FitBlock(lines, w, h)
}

// queryRow draws one query of the list: the selection glyph, its short name and
// the first line of its description, with the filter's matches highlighted.
func (m *Model) queryRow(qi int, selected bool, w int) string {
	t := m.ctx.Theme
	q := m.all[qi]
	nameAt := len(q.Family) + 1
	descAt := nameAt + len(q.Short) + 1
	desc, _, _ := strings.Cut(q.Description, "\n")
	nameHit, descHit := map[int]bool{}, map[int]bool{}
	for _, i := range m.matched[qi] {
		switch {
		case i >= nameAt && i < nameAt+len(q.Short):
			nameHit[i-nameAt] = true
		case i >= descAt && i < descAt+len(desc):
			descHit[i-descAt] = true
		}
	}
	nameBase, descBase, hit, glyph := lipgloss.NewStyle(), t.Muted, t.Accent, "    "
	if selected {
		nameBase, descBase, hit, glyph = t.Selected, t.Selected, t.Selected.Underline(true), "  ▶ "
	}
	segs := []draw.Seg{draw.S(glyph, nameBase)}
	segs = append(segs, draw.Highlight(q.Short, nameHit, nameBase, hit)...)
	if desc != "" {
		segs = append(segs, draw.S("  ", nameBase))
		segs = append(segs, draw.Highlight(desc, descHit, descBase, hit)...)
	}
	if selected {
		return draw.Segs(segs, w, &t.Selected)
	}
	return draw.Segs(segs, w, nil)
}

// viewDetail draws the selected query's detail, scrolled by DetailUp/DetailDown;
// the last line says where the view is when the detail does not fit.
func (m *Model) viewDetail(w, h int) string {
	lines := m.detailLines(w)
	if len(lines) <= h || h < 2 {
		return draw.FitBlock(lines, w, h)
	}
	body := h - 1
	off := min(max(m.detailOff, 0), len(lines)-body)
	shown := append([]string(nil), lines[off:off+body]...)
	k := m.Keys
	shown = append(shown, m.ctx.Theme.Muted.Render(fmt.Sprintf("%s/%s scroll · lines %d–%d of %d",
		k.DetailDown.Help().Key, k.DetailUp.Help().Key, off+1, off+body, len(lines))))
	return draw.FitBlock(shown, w, h)
}

// clampDetail keeps the detail's scroll offset within its content.
func (m *Model) clampDetail() {
	l := m.layout()
	n := len(m.detailLines(l.detailW))
	m.detailOff = max(min(m.detailOff, n-(l.detailH-1)), 0)
}

// detailLines is the selected query's detail, wrapped to w cells: name,
// description, dialects, file, parameters and each dialect's template.
func (m *Model) detailLines(w int) []string {
	if w <= 0 {
		return nil
	}
	t := m.ctx.Theme
	q := m.Selected()
	if q == nil {
		return []string{t.Muted.Render("No query selected.")}
	}
	var out []string
	add := func(style lipgloss.Style, indent string, text string) {
		for _, l := range draw.Wrap(text, max(w-ansi.StringWidth(indent), 1)) {
			out = append(out, indent+style.Render(l))
		}
	}
	add(t.Title, "", frame.SafeText(q.Name))
	for _, l := range strings.Split(q.Description, "\n") {
		add(lipgloss.NewStyle(), "", frame.SafeText(l))
	}
	out = append(out, "")
	dialects := make([]string, 0, len(q.Dialects()))
	for _, d := range q.Dialects() {
		dialects = append(dialects, frame.SafeText(string(d)))
	}
	ds := strings.Join(dialects, ", ")
	if ds == "" {
		ds = "none (the query cannot be run)"
	}
	out = append(out, t.Muted.Render("Dialects  ")+ds)
	if q.File != "" {
		out = append(out, t.Muted.Render("File      ")+frame.SafeText(q.File))
	}
	out = append(out, "", t.Title.Render("Parameters"))
	if len(q.Params) == 0 {
		out = append(out, t.Muted.Render("  none"))
	}
	nameW := 0
	for _, p := range q.Params {
		nameW = max(nameW, ansi.StringWidth(frame.SafeText(p.Name)))
	}
	for _, p := range q.Params {
		name := frame.SafeText(p.Name)
		name += strings.Repeat(" ", nameW-ansi.StringWidth(name))
		out = append(out, "  "+t.Accent.Render(name)+"  "+frame.SafeText(typeText(p))+t.Muted.Render(" · ")+paramNote(p))
		if p.Description != "" {
			add(t.Muted, "      ", frame.SafeText(p.Description))
		}
	}
	out = append(out, "", t.Title.Render("Templates"))
	if len(q.Dialects()) == 0 {
		out = append(out, t.Muted.Render("  none"))
	}
	for _, d := range q.Dialects() {
		out = append(out, t.Accent.Render("── "+frame.SafeText(string(d))+" ──"))
		text := strings.TrimRight(q.Templates[d], "\n")
		for _, l := range strings.Split(text, "\n") {
			out = append(out, templateLines(l, w)...)
		}
	}
	return out
}

// templateLines draws one line of a template in w cells: escaped, indented by
// two, word-wrapped with continuation lines indented two further than the line's
// own indentation.
func templateLines(l string, w int) []string {
	l = frame.SafeText(strings.ReplaceAll(l, "\t", "    "))
	body := strings.TrimLeft(l, " ")
	lead := l[:min(len(l)-len(body), max(w/2, 0))]
	if body == "" {
		return []string{""}
	}
	var out []string
	for i, wl := range draw.Wrap(body, max(w-2-len(lead)-2, 1)) {
		if i == 0 {
			out = append(out, "  "+lead+wl)
			continue
		}
		out = append(out, "  "+lead+"  "+wl)
	}
	return out
}

// paramNote says where a parameter's value comes from: the time range picker,
// the user (required) or its default.
func paramNote(p queries.Param) string {
	switch {
	case isTimeParam(p):
		return "from the time range picker"
	case p.Required:
		return "required"
	}
	if d := DefaultText(p.Default); d != "" {
		return "default " + frame.SafeText(d)
	}
	return "optional"
}

// formHeader is the form's lines above the fields.
func (m *Model) formHeader() []string {
	t := m.ctx.Theme
	f := m.form
	desc, _, _ := strings.Cut(f.query.Description, "\n")
	lines := []string{
		t.Title.Render("Run ") + t.Title.Render(frame.SafeText(f.query.Name)),
		t.Muted.Render(frame.SafeText(desc)),
	}
	if f.timed {
		rng := "the picker's current range"
		if !m.rng.IsZero() {
			// The zone's name comes from the settings; escape it like any text.
			rng = frame.SafeText(m.ctx.FormatTime(m.rng.Start) + " → " + m.ctx.FormatTime(m.rng.End))
		}
		lines = append(lines, "Time range: "+rng+t.Muted.Render("  (ctrl+t to change)"))
	}
	return append(lines, "")
}

// formFields is how many fields fit in the form at the current size (two lines
// each, under the header and above the notice and hint lines).
func (m *Model) formFields() int {
	if m.form == nil {
		return 0
	}
	return max((m.height-len(m.formHeader())-2)/2, 0)
}

// keepFieldVisible scrolls the form so the focused field shows.
func (m *Model) keepFieldVisible() {
	f := m.form
	if f == nil {
		return
	}
	n := max(m.formFields(), 1)
	if f.focus < f.off {
		f.off = f.focus
	}
	if f.focus >= f.off+n {
		f.off = f.focus - n + 1
	}
	f.off = max(min(f.off, len(f.fields)-n), 0)
}

// viewForm draws the parameter form over the whole pane.
func (m *Model) viewForm(w, h int) string {
	t := m.ctx.Theme
	f := m.form
	lines := m.formHeader()
	n := m.formFields()
	iw := min(min(max(w*2/5, 12), 40), max(w-6, 0))
	end := min(f.off+n, len(f.fields))
	for i := f.off; i < end; i++ {
		fl := f.fields[i]
		p := fl.param
		glyph, nameStyle := "  ", t.Accent
		if i == f.focus {
			glyph, nameStyle = "▶ ", t.Selected
		}
		segs := []draw.Seg{draw.Plain(glyph), draw.S(frame.SafeText(p.Name), nameStyle)}
		if p.Required {
			segs = append(segs, draw.Plain("*"))
		}
		note := typeText(p)
		if d := DefaultText(p.Default); d != "" {
			note += " · default " + d
		}
		segs = append(segs, draw.S("  "+frame.SafeText(note), t.Muted))
		if p.Description != "" {
			segs = append(segs, draw.S(" — "+frame.SafeText(p.Description), t.Muted))
		}
		lines = append(lines, draw.Segs(segs, w, nil))
		fw := iw
		if i != f.focus {
			// A field without the keys takes only its text's width, so that an
			// error beside it has the room.
			fw = min(iw, max(ansi.StringWidth(frame.SafeText(fl.input.Value()))+1, 12))
		}
		in := "    " + t.Muted.Render("> ") + draw.Input(fl.input, fw)
		if fl.err != nil {
			room := w - ansi.StringWidth(in) - 2
			in += "  " + draw.Segs([]draw.Seg{draw.S("✗ "+frame.SafeText(fl.err.Error()), t.Error)}, room, nil)
		}
		lines = append(lines, in)
	}
	for len(lines) < h-2 {
		lines = append(lines, "")
	}
	lines = lines[:max(h-2, 0)]
	switch {
	case f.notice != "":
		lines = append(lines, draw.Segs([]draw.Seg{draw.S("✗ "+frame.SafeText(f.notice), t.Error)}, w, nil))
	case n < len(f.fields):
		lines = append(lines, t.Muted.Render(fmt.Sprintf("fields %d–%d of %d", f.off+1, end, len(f.fields))))
	default:
		lines = append(lines, "")
	}
	k := m.Keys
	hint := fmt.Sprintf("%s next/run · %s run · %s/%s fields · %s cancel",
		firstKey(k.Enter), firstKey(k.Submit), firstKey(k.NextField), firstKey(k.PrevField), firstKey(k.Cancel))
	lines = append(lines, t.Muted.Render(hint))
	if h < 2 {
		lines = lines[len(lines)-h:]
	}
	return draw.FitBlock(lines, w, h)
}

// firstKey is a binding's first key, for hints that name one key per action.
func firstKey(b key.Binding) string {
	if ks := b.Keys(); len(ks) > 0 {
		return ks[0]
	}
	return ""
}

package results

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/quarry-sec/quarry/engine/frame"
	"github.com/quarry-sec/quarry/views/draw"
	"github.com/quarry-sec/quarry/views/pane"
)

// detail is one row shown as a list of fields, "Name  value", scrolled by line with
// a cursor on a field.
type detail struct {
	row, pos int // frame row and its position in the order shown
	fields   []field
	lines    []dline
	starts   []int // first line of each field
	cur, top int
}

type field struct {
	name, value string // raw
	null        bool
}

// dline is one line of the laid-out view: escaped text and the field it belongs to.
type dline struct {
	name, text string
	field      int
	first      bool
}

// openDetail shows the selected row: the shown columns in the order shown, then
// the hidden ones.
func (t *Table) openDetail() tea.Cmd {
	r := t.Row()
	if r < 0 {
		return warn("No row is selected.")
	}
	d := &detail{row: r, pos: t.cur}
	cols := t.f.Columns()
	order := t.visible()
	for _, c := range t.order {
		if t.hidden[c] {
			order = append(order, c)
		}
	}
	for _, c := range order {
		col := cols[c]
		d.fields = append(d.fields, field{name: col.Name, value: cellText(col, r, t.ctx.Zone), null: col.IsNull(r)})
	}
	t.detail, t.mode = d, modeDetail
	d.layout(t)
	return nil
}

// layout wraps the fields to the card's width.
func (d *detail) layout(t *Table) {
	w := max(1, t.width)
	nameW := 4
	for _, f := range d.fields {
		nameW = max(nameW, width(frame.SafeText(f.name)))
	}
	nameW = min(nameW, 24, max(4, w/3))
	valW := max(1, w-2-nameW-2)
	d.lines, d.starts = d.lines[:0], d.starts[:0]
	for i, f := range d.fields {
		d.starts = append(d.starts, len(d.lines))
		for j, l := range valueLines(f, valW) {
			d.lines = append(d.lines, dline{name: fit(f.name, nameW, false), text: l, field: i, first: j == 0})
		}
	}
	d.scrollTo(t)
}

// valueLines is a value as escaped lines at most w wide: JSON objects and arrays
// pretty-printed, line breaks kept, long lines word-wrapped.
func valueLines(f field, w int) []string {
	if f.null {
		return []string{"(null)"}
	}
	v := f.value
	if s := strings.TrimSpace(v); len(s) > 1 && (s[0] == '{' || s[0] == '[') && json.Valid([]byte(s)) {
		var b bytes.Buffer
		if json.Indent(&b, []byte(s), "", "  ") == nil {
			v = b.String()
		}
	}
	var out []string
	for _, l := range strings.Split(v, "\n") {
		l = frame.SafeText(strings.TrimSuffix(l, "\r"))
		if width(l) <= w {
			out = append(out, l)
			continue
		}
		out = append(out, strings.Split(ansi.Wrap(l, w, ""), "\n")...)
	}
	return out
}

func (t *Table) detailKey(msg tea.KeyMsg) tea.Cmd {
	d, k := t.detail, t.keys
	if d == nil {
		t.mode = modeTable
		return nil
	}
	page := max(1, t.height-1)
	last := max(0, len(d.lines)-page)
	switch {
	case key.Matches(msg, k.Down):
		d.cur = min(d.cur+1, len(d.fields)-1)
		d.scrollTo(t)
	case key.Matches(msg, k.Up):
		d.cur = max(d.cur-1, 0)
		d.scrollTo(t)
	case key.Matches(msg, k.PageDown):
		d.top = min(d.top+page, last)
		d.cur = d.fieldAt(d.top)
	case key.Matches(msg, k.PageUp):
		d.top = max(d.top-page, 0)
		d.cur = d.fieldAt(d.top)
	case key.Matches(msg, k.Top):
		d.cur, d.top = 0, 0
	case key.Matches(msg, k.Bottom):
		d.cur, d.top = max(0, len(d.fields)-1), last
	case key.Matches(msg, k.CopyCell):
		if d.cur >= 0 && d.cur < len(d.fields) {
			return pane.Cmd(pane.Copy{Text: d.fields[d.cur].value, What: "cell"})
		}
	case key.Matches(msg, k.Decode):
		if d.cur >= 0 && d.cur < len(d.fields) {
			return decodeText(d.fields[d.cur].value, t.title, d.fields[d.cur].name, d.row)
		}
	case key.Matches(msg, k.Intel):
		if d.cur >= 0 && d.cur < len(d.fields) {
			return lookupText(d.fields[d.cur].value, t.title, d.fields[d.cur].name, d.row)
		}
	}
	return nil
}

// fieldAt is the field line l belongs to (the current field when l is out of range).
func (d *detail) fieldAt(l int) int {
	if l < 0 || l >= len(d.lines) {
		return max(0, min(d.cur, len(d.fields)-1))
	}
	return d.lines[l].field
}

// scrollTo keeps the current field on screen, as much of it as fits.
func (d *detail) scrollTo(t *Table) {
	page := max(1, t.height-1)
	if len(d.fields) == 0 {
		d.cur, d.top = 0, 0
		return
	}
	d.cur = max(0, min(d.cur, len(d.fields)-1))
	start := d.starts[d.cur]
	end := len(d.lines) - 1
	if d.cur+1 < len(d.starts) {
		end = d.starts[d.cur+1] - 1
	}
	switch {
	case start < d.top:
		d.top = start
	case end >= d.top+page:
		d.top = min(start, end-page+1)
	}
	d.top = max(0, min(d.top, len(d.lines)-page))
}

// view draws the detail: a title line, then the fields.
func (d *detail) view(t *Table) []string {
	th := t.ctx.Theme
	w := t.width
	lines := make([]string, 0, t.height)
	left := th.Title.Render(truncate("Row "+draw.Thousands(d.pos+1)+" of "+draw.Thousands(t.Len())+" · "+frame.SafeText(t.title), w))
	right := th.Muted.Render("field " + draw.Thousands(d.cur+1) + " of " + draw.Thousands(len(d.fields)))
	lines = append(lines, spread(left, right, w))
	for i := d.top; i < len(d.lines) && len(lines) < t.height; i++ {
		l := d.lines[i]
		gutter, name := "  ", strings.Repeat(" ", width(l.name))
		if l.first {
			name = headerStyle(th).Render(l.name)
			if l.field == d.cur {
				gutter = "▶ "
				name = th.Selected.Render(l.name)
			}
		}
		text := l.text
		if l.first && d.fields[l.field].null {
			text = th.Muted.Render(text)
		}
		lines = append(lines, gutter+name+"  "+text)
	}
	return lines
}

// Package querybrowser is the query library pane: the library's queries grouped by
// family and fuzzy-filterable, the selected query's detail (parameters, dialects,
// templates), and a parameter form that asks the runner to run it. The pane only
// holds UI state; running a query goes out as a pane.RunQuery intent.
package querybrowser

import (
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/quarry-sec/quarry/queries"
	"github.com/quarry-sec/quarry/views/pane"
)

// StackBelow is the pane width under which the detail goes under the list
// instead of beside it.
const StackBelow = 100

// mode is what has the keys.
type mode int

const (
	modeList mode = iota
	modeFilter
	modeForm
)

// The pane contract, checked at compile time.
var (
	_ pane.Component = (*Model)(nil)
	_ pane.Titled    = (*Model)(nil)
)

// Model is the query browser pane.
type Model struct {
	// Keys are the pane's keys; the shell may rebind them (pane.Rebind).
	Keys KeyMap

	ctx   *pane.Context
	all   []*queries.Query
	texts []string

	filter    textinput.Model
	filtering bool
	pattern   string
	groups    []group
	rows      []row
	matched   map[int][]int
	// order is the shown queries in list order; sel indexes it.
	order []int
	sel   int

	listOff, detailOff int
	rng                pane.Range
	form               *form
	width, height      int
	// offer is a value sent from another pane (an indicator) that the list is
	// narrowed to and the form is filled with; nil for none.
	offer *offer
}

// offer is a value to start queries from.
type offer struct {
	params []string
	value  string
}

// takes returns the first of the offer's parameters that q has, or "".
func (o *offer) takes(q *queries.Query) string {
	for _, name := range o.params {
		for _, p := range q.Params {
			if p.Name == name {
				return name
			}
		}
	}
	return ""
}

// Offer narrows the list to the queries that take one of params (parameter
// names, in order of preference) and fills that parameter with value when a form
// opens or a query runs; Esc clears it. It returns how many queries take it;
// with none, nothing changes.
func (m *Model) Offer(params []string, value string) int {
	o := &offer{params: params, value: value}
	n := 0
	for _, q := range m.all {
		if o.takes(q) != "" {
			n++
		}
	}
	if n == 0 {
		return 0
	}
	m.form = nil
	m.offer = o
	m.clearFilter()
	m.regroup()
	return n
}

// fill puts the offered value in the form's field for it.
func (m *Model) fill(f *form) {
	if m.offer == nil {
		return
	}
	name := m.offer.takes(f.query)
	for i := range f.fields {
		if f.fields[i].param.Name == name {
			f.fields[i].input.SetValue(m.offer.value)
		}
	}
}

// New makes the browser over a library (nil is an empty library).
func New(ctx *pane.Context, lib *queries.Library) *Model {
	m := &Model{Keys: DefaultKeyMap(), ctx: ctx}
	if lib != nil {
		m.all = lib.Queries()
	}
	sortQueries(m.all)
	m.texts = make([]string, len(m.all))
	for i, q := range m.all {
		m.texts[i] = searchText(q)
	}
	m.filter = pane.NewInput()
	m.filter.Prompt = ""
	m.filter.Cursor.SetMode(cursor.CursorStatic)
	m.regroup()
	return m
}

// Title names the pane.
func (m *Model) Title() string { return "Queries" }

// mode reports what has the keys.
func (m *Model) mode() mode {
	switch {
	case m.form != nil:
		return modeForm
	case m.filtering:
		return modeFilter
	}
	return modeList
}

// Capturing reports whether the filter input or the parameter form has the keys.
func (m *Model) Capturing() bool { return m.form != nil || m.filtering }

// Back closes the form, or clears the filter, and reports whether it did.
func (m *Model) Back() bool {
	switch {
	case m.form != nil:
		m.form = nil
		return true
	case m.filtering || m.pattern != "":
		m.clearFilter()
		return true
	case m.offer != nil:
		m.offer = nil
		m.regroup()
		return true
	}
	return false
}

// SetSize gives the pane its size in cells.
func (m *Model) SetSize(width, height int) {
	m.width, m.height = max(width, 0), max(height, 0)
	m.keepVisible()
	m.clampDetail()
	m.keepFieldVisible()
}

// Selected is the selected query, or nil when none is shown.
func (m *Model) Selected() *queries.Query {
	if m.sel < 0 || m.sel >= len(m.order) {
		return nil
	}
	return m.all[m.order[m.sel]]
}

// Select selects a query by its full name, ignoring case (a bare query name
// that only one family has works too), clearing a filter that hides it and
// closing an open form. It reports whether the library has the query; when it
// does not, nothing changes.
func (m *Model) Select(name string) bool {
	want := -1
	for i, q := range m.all {
		if strings.EqualFold(q.Name, name) {
			want = i
			break
		}
	}
	if want < 0 {
		var bare []int
		for i, q := range m.all {
			if strings.EqualFold(q.Short, name) {
				bare = append(bare, i)
			}
		}
		if len(bare) != 1 {
			return false
		}
		want = bare[0]
	}
	m.form = nil
	if m.filtering {
		m.filtering = false
		m.filter.Blur()
	}
	if !m.selectIndex(want) {
		m.clearFilter()
		m.selectIndex(want)
	}
	return true
}

// selectIndex selects the query at index qi of the library if it is shown.
func (m *Model) selectIndex(qi int) bool {
	for i, o := range m.order {
		if o == qi {
			m.setSel(i)
			return true
		}
	}
	return false
}

// OpenForm opens the parameter form of the selected query. A query whose only
// parameters are start and end (which come from the time range) runs at once:
// the returned command is its RunQuery intent.
func (m *Model) OpenForm() tea.Cmd {
	q := m.Selected()
	if q == nil {
		return nil
	}
	f := newForm(q)
	m.fill(f)
	if len(f.fields) == 0 {
		return pane.Cmd(f.request())
	}
	m.filtering = false
	m.filter.Blur()
	m.form = f
	return f.fields[0].input.Focus()
}

// Update handles keys and the time range broadcast.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case pane.RangeChanged:
		m.rng = msg.Range
		return nil
	case tea.KeyMsg:
		switch m.mode() {
		case modeForm:
			return m.updateForm(msg)
		case modeFilter:
			return m.updateFilter(msg)
		}
		return m.updateList(msg)
	}
	return nil
}

// updateList handles a key in the list.
func (m *Model) updateList(msg tea.KeyMsg) tea.Cmd {
	k := m.Keys
	page := max(m.listRows()-1, 1)
	switch {
	case key.Matches(msg, k.Up):
		m.setSel(m.sel - 1)
	case key.Matches(msg, k.Down):
		m.setSel(m.sel + 1)
	case key.Matches(msg, k.PageUp):
		m.setSel(m.sel - page)
	case key.Matches(msg, k.PageDown):
		m.setSel(m.sel + page)
	case key.Matches(msg, k.Top):
		m.setSel(0)
	case key.Matches(msg, k.Bottom):
		m.setSel(len(m.order) - 1)
	case key.Matches(msg, k.DetailDown):
		m.detailOff++
		m.clampDetail()
	case key.Matches(msg, k.DetailUp):
		m.detailOff--
		m.clampDetail()
	case key.Matches(msg, k.Filter):
		m.filtering = true
		m.filter.SetValue(m.pattern)
		m.filter.CursorEnd()
		return m.filter.Focus()
	case key.Matches(msg, k.Enter):
		return m.OpenForm()
	case key.Matches(msg, k.Run):
		return m.RunNow()
	case key.Matches(msg, k.Cancel):
		m.Back()
	}
	return nil
}

// RunNow runs the selected query with its defaults over the picker's range, or
// opens its form when a required parameter has no value.
func (m *Model) RunNow() tea.Cmd {
	q := m.Selected()
	if q == nil {
		return nil
	}
	f := newForm(q)
	m.fill(f)
	for _, fl := range f.fields {
		if fl.param.Required && strings.TrimSpace(fl.input.Value()) == "" {
			return m.OpenForm()
		}
	}
	return pane.Cmd(f.request())
}

// updateFilter handles a key while the filter input has the keys.
func (m *Model) updateFilter(msg tea.KeyMsg) tea.Cmd {
	k := m.Keys
	switch {
	case key.Matches(msg, k.Enter):
		m.filtering = false
		m.filter.Blur()
		return nil
	case key.Matches(msg, k.Cancel):
		m.clearFilter()
		return nil
	case key.Matches(msg, arrowsOnly(k.Up)):
		m.setSel(m.sel - 1)
		return nil
	case key.Matches(msg, arrowsOnly(k.Down)):
		m.setSel(m.sel + 1)
		return nil
	}
	var cmd tea.Cmd
	m.filter, cmd = m.filter.Update(msg)
	if v := m.filter.Value(); v != m.pattern {
		m.pattern = v
		m.regroup()
	}
	return cmd
}

// updateForm handles a key while the parameter form is open.
func (m *Model) updateForm(msg tea.KeyMsg) tea.Cmd {
	k, f, now := m.Keys, m.form, m.ctx.Clock()
	switch {
	case key.Matches(msg, k.Cancel):
		m.form = nil
		return nil
	case key.Matches(msg, k.Range):
		return pane.Cmd(pane.Focus{Pane: pane.TimeRange})
	case key.Matches(msg, k.Submit):
		return m.submit()
	case key.Matches(msg, k.Enter):
		if f.focus == len(f.fields)-1 {
			return m.submit()
		}
		cmd := f.focusField(f.focus+1, now)
		m.keepFieldVisible()
		return cmd
	case key.Matches(msg, k.NextField):
		cmd := f.focusField(f.focus+1, now)
		m.keepFieldVisible()
		return cmd
	case key.Matches(msg, k.PrevField):
		cmd := f.focusField(f.focus-1, now)
		m.keepFieldVisible()
		return cmd
	}
	fl := &f.fields[f.focus]
	var cmd tea.Cmd
	fl.input, cmd = fl.input.Update(msg)
	if fl.err != nil {
		// Once shown, an error clears as soon as the text is right.
		fl.validate(now)
	}
	return cmd
}

// submit validates the form and, when every field is right, closes it and
// returns the RunQuery intent; otherwise it focuses the first bad field.
func (m *Model) submit() tea.Cmd {
	f := m.form
	if bad := f.invalid(m.ctx.Clock()); len(bad) > 0 {
		f.notice = "fix " + strings.Join(bad, ", ") + " to run"
		for i, fl := range f.fields {
			if fl.err == nil {
				continue
			}
			f.fields[f.focus].input.Blur()
			f.focus = i
			m.keepFieldVisible()
			return f.fields[i].input.Focus()
		}
	}
	f.notice = ""
	req := f.request()
	m.form = nil
	return pane.Cmd(req)
}

// clearFilter drops the filter and leaves its input.
func (m *Model) clearFilter() {
	m.filtering = false
	m.filter.Blur()
	m.filter.SetValue("")
	if m.pattern != "" {
		m.pattern = ""
		m.regroup()
	}
}

// regroup recomputes the shown queries for the filter, keeping the selected
// query selected when it is still shown.
func (m *Model) regroup() {
	prev := -1
	if m.sel >= 0 && m.sel < len(m.order) {
		prev = m.order[m.sel]
	}
	m.groups, m.matched = grouping(m.all, m.texts, m.pattern)
	if m.offer != nil {
		kept := m.groups[:0]
		for _, g := range m.groups {
			qs := g.queries[:0:0]
			for _, qi := range g.queries {
				if m.offer.takes(m.all[qi]) != "" {
					qs = append(qs, qi)
				}
			}
			if len(qs) > 0 {
				g.queries = qs
				kept = append(kept, g)
			}
		}
		m.groups = kept
	}
	m.rows = rows(m.groups)
	m.order = m.order[:0]
	for _, r := range m.rows {
		if r.query >= 0 {
			m.order = append(m.order, r.query)
		}
	}
	m.sel, m.listOff = 0, 0
	if m.pattern == "" && prev >= 0 {
		// Unfiltered, the list is stable: stay on the query that was selected.
		m.selectIndex(prev)
	}
	m.detailOff = 0
	m.keepVisible()
}

// setSel selects the i-th shown query (clamped) and scrolls it into view.
func (m *Model) setSel(i int) {
	if len(m.order) == 0 {
		m.sel = 0
		return
	}
	i = min(max(i, 0), len(m.order)-1)
	if i != m.sel {
		m.detailOff = 0
	}
	m.sel = i
	m.keepVisible()
}

// selRow is the list line of the selected query.
func (m *Model) selRow() int {
	if m.sel < 0 || m.sel >= len(m.order) {
		return 0
	}
	want := m.order[m.sel]
	for i, r := range m.rows {
		if r.query == want {
			return i
		}
	}
	return 0
}

// keepVisible scrolls the list so that the selected query shows, with its
// family header when that fits too.
func (m *Model) keepVisible() {
	h := m.listRows()
	if h <= 0 {
		m.listOff = 0
		return
	}
	r := m.selRow()
	top := r
	if r > 0 && m.rows[r-1].query < 0 {
		top = r - 1
	}
	if top < m.listOff {
		m.listOff = top
	}
	if r >= m.listOff+h {
		m.listOff = r - h + 1
	}
	m.listOff = max(min(m.listOff, len(m.rows)-h), 0)
}

package results

import (
	"sync/atomic"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/quarry-sec/quarry/engine/frame"
	"github.com/quarry-sec/quarry/themes"
	"github.com/quarry-sec/quarry/views/pane"
)

// MaxColWidth caps a column's width in cells; longer values are cut with "…". Time
// columns are exempt: a time is never cut (unless the pane itself is narrower).
const MaxColWidth = 40

// SampleRows is how many leading rows size the columns when a frame opens; the rows
// on screen widen a column later if they need to.
const SampleRows = 1000

// AsyncRows is the frame size above which sorting, filtering and counting leave
// Update and run in a tea.Cmd.
const AsyncRows = 50_000

// mode is what the table's area shows and who gets the keys.
type mode int

const (
	modeTable mode = iota
	modeFilter
	modeExport
	modeDetail
	modeFreq
	modeChooser
)

// Table is one result card: a frame shown as a virtualised table. It keeps the rows'
// current order as an index into the frame (after sort and filter) and formats only
// the cells on screen, straight from the frame's typed columns, so a million rows
// scroll as fast as ten. It can be used alone (it has Update, View and SetSize) or
// inside the results pane, which adds the card bar.
type Table struct {
	ctx          *pane.Context
	keys         *KeyMap
	f            *frame.Frame
	title, crumb string

	width, height int
	mode          mode

	// Columns: display order, hidden flags and natural widths by frame column, the
	// current column and the first scrolled position among the shown columns.
	order   []int
	hidden  []bool
	natural []int
	ccol    int
	coff    int

	// Rows: the order shown (nil: every row in frame order), the state it reflects
	// (have) and the state last asked for (want), the selection and the first row
	// on screen.
	rows       []int32
	have, want orderState
	cur, top   int

	// Async work: request numbers, the newest order and frequency requests (jobs
	// poll them to stop early), what is running, and caches reused across requests.
	seq          int64
	orderSeq     int64
	latestOrder  *atomic.Int64
	latestFreq   *atomic.Int64
	busy         string
	cacheSorted  []int32
	cacheSortKey [2]int
	cachePass    []bool
	cachePassKey string
	cachePassOK  bool
	asyncRows    int

	input   lineInput
	detail  *detail
	freq    *freq
	chooser chooser
}

// NewTable makes a card over f. title names it (the query, for the export file name);
// crumb says how it was made. A nil frame is an empty one.
func NewTable(ctx *pane.Context, f *frame.Frame, title, crumb string) *Table {
	if ctx == nil {
		ctx = pane.NewContext(themes.Default())
	}
	if f == nil {
		f, _ = frame.New()
	}
	km := DefaultKeyMap()
	t := &Table{
		ctx:         ctx,
		keys:        &km,
		f:           f,
		title:       title,
		crumb:       crumb,
		latestOrder: new(atomic.Int64),
		latestFreq:  new(atomic.Int64),
		asyncRows:   AsyncRows,
		have:        orderState{col: -1},
		want:        orderState{col: -1},
		coff:        1,
	}
	n := len(f.Columns())
	t.order = make([]int, n)
	for i := range t.order {
		t.order[i] = i
	}
	t.hidden = make([]bool, n)
	t.natural = make([]int, n)
	for c := range n {
		t.natural[c] = t.measure(c, 0, min(f.Len(), SampleRows), nil)
	}
	return t
}

// measure widens column c's natural width to fit its header and the cells at
// positions [from, to) of the order rows (nil: frame order), capped at MaxColWidth
// except for times.
func (t *Table) measure(c, from, to int, rows []int32) int {
	col := t.f.Columns()[c]
	limit := MaxColWidth
	if col.Kind == frame.Time {
		limit = 1 << 20
	}
	w := max(1, t.natural[c], width(frame.SafeText(col.Name)))
	zone := t.ctx.Zone
	for i := from; i < to && w < limit; i++ {
		r := i
		if rows != nil {
			r = int(rows[i])
		}
		w = max(w, safeWidth(cellText(col, r, zone), limit))
	}
	return min(w, limit)
}

// Frame is the card's frame.
func (t *Table) Frame() *frame.Frame { return t.f }

// Title is the card's name: the query that made it.
func (t *Table) Title() string { return t.title }

// Crumb says how the card was made.
func (t *Table) Crumb() string { return t.crumb }

// Len is the number of rows shown (after the filter).
func (t *Table) Len() int {
	if len(t.f.Columns()) == 0 {
		return 0
	}
	if t.rows == nil {
		return t.f.Len()
	}
	return len(t.rows)
}

// row is the frame row at position i of the order shown.
func (t *Table) row(i int) int {
	if t.rows == nil {
		return i
	}
	return int(t.rows[i])
}

// Rows is the order shown: frame row indices after sort and filter.
func (t *Table) Rows() []int {
	out := make([]int, t.Len())
	for i := range out {
		out[i] = t.row(i)
	}
	return out
}

// Columns is the shown columns (frame indices) in the order shown.
func (t *Table) Columns() []int { return t.visible() }

// Cursor is the position of the selected row in the order shown.
func (t *Table) Cursor() int { return t.cur }

// Row is the frame index of the selected row, or -1 when no row is shown.
func (t *Table) Row() int {
	if t.cur < 0 || t.cur >= t.Len() {
		return -1
	}
	return t.row(t.cur)
}

// Column is the frame index of the current column, or -1 when there is none.
func (t *Table) Column() int {
	if len(t.f.Columns()) == 0 {
		return -1
	}
	return t.ccol
}

// Sort is the sort shown: the column's frame index and the direction (col is -1
// when unsorted). Ints, floats and times sort numerically and chronologically,
// bools false first, strings by plain byte comparison (so "Z" before "a"); nulls
// go last both ways, and equal values keep the frame's order.
func (t *Table) Sort() (col int, dir SortDir) {
	if t.have.dir == Unsorted {
		return -1, Unsorted
	}
	return t.have.col, t.have.dir
}

// FilterText is the filter applied to the rows shown, as typed ("" for none).
func (t *Table) FilterText() string { return t.have.text }

// Busy reports whether a sort, filter or count is running in the background.
func (t *Table) Busy() bool { return t.busy != "" || (t.freq != nil && t.freq.loading) }

// Capturing reports whether the filter or export prompt has the keys.
func (t *Table) Capturing() bool { return t.mode == modeFilter || t.mode == modeExport }

// Back closes the detail view, the frequency table or the column chooser and
// reports whether it closed one.
func (t *Table) Back() bool {
	switch t.mode {
	case modeDetail, modeFreq, modeChooser:
		t.mode, t.detail, t.freq = modeTable, nil, nil
		t.settle()
		return true
	case modeFilter, modeExport:
		t.closeInput()
		return true
	}
	return false
}

// SetSize gives the card its width and height in cells.
func (t *Table) SetSize(w, h int) {
	t.width, t.height = max(0, w), max(0, h)
	t.input.width = t.width
	if t.detail != nil {
		t.detail.layout(t)
	}
	t.settle()
}

// ShortHelp is the footer's keys for what the card shows now.
func (t *Table) ShortHelp() []key.Binding {
	switch t.mode {
	case modeTable:
		return t.keys.ShortHelp()
	case modeFilter, modeExport:
		return []key.Binding{t.keys.Apply, pane.EscHelp("cancel")}
	}
	keys := t.keys.modeKeys(t.mode)
	if t.mode == modeDetail {
		// The footer has room for the moves, copy and Esc; D is in the full help.
		keys = keys[: len(keys)-1 : len(keys)-1]
	}
	return append(keys, pane.EscHelp("back"))
}

// FullHelp is every key of what the card shows now, in groups.
func (t *Table) FullHelp() [][]key.Binding {
	if t.mode == modeTable {
		return t.keys.tableHelp(false)
	}
	if t.mode == modeDetail {
		return [][]key.Binding{append(t.keys.modeKeys(t.mode), pane.EscHelp("back"))}
	}
	return [][]key.Binding{t.ShortHelp()}
}

// Update handles a key or the answer of background work and may return an intent
// (pane.Copy, pane.Export, pane.Notify) or more work.
func (t *Table) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case orderDone:
		if msg.t == t {
			t.applyOrder(msg)
		}
		return nil
	case freqDone:
		if msg.t == t {
			t.applyFreq(msg)
		}
		return nil
	case tea.KeyMsg:
		switch t.mode {
		case modeFilter, modeExport:
			return t.promptKey(msg)
		case modeDetail:
			return t.detailKey(msg)
		case modeFreq:
			return t.freqKey(msg)
		case modeChooser:
			t.chooserKey(msg)
			return nil
		}
		return t.tableKey(msg)
	}
	return nil
}

// move applies a movement key (line, page, top, bottom) to a list's cursor and
// first shown line, unclamped (callers clamp to their list), and reports whether
// the key was one. The table and the frequency view move alike.
func (k KeyMap) move(msg tea.KeyMsg, cur, top *int, n, page int) bool {
	switch {
	case key.Matches(msg, k.Down):
		*cur++
	case key.Matches(msg, k.Up):
		*cur--
	case key.Matches(msg, k.PageDown):
		*cur += page
		*top += page
	case key.Matches(msg, k.PageUp):
		*cur -= page
		*top -= page
	case key.Matches(msg, k.Top):
		*cur = 0
	case key.Matches(msg, k.Bottom):
		*cur = n - 1
	default:
		return false
	}
	return true
}

func (t *Table) tableKey(msg tea.KeyMsg) tea.Cmd {
	k := t.keys
	page := max(1, t.bodyHeight())
	var cmd tea.Cmd
	switch {
	case k.move(msg, &t.cur, &t.top, t.Len(), page):
	case key.Matches(msg, k.Left):
		t.stepColumn(-1)
	case key.Matches(msg, k.Right):
		t.stepColumn(1)
	case key.Matches(msg, k.FirstColumn):
		if vis := t.visible(); len(vis) > 0 {
			t.ccol, t.coff = vis[0], 1
		}
	case key.Matches(msg, k.LastColumn):
		if vis := t.visible(); len(vis) > 0 {
			t.ccol = vis[len(vis)-1]
		}
	case key.Matches(msg, k.Sort):
		cmd = t.cycleSort()
	case key.Matches(msg, k.Filter):
		t.openPrompt(modeFilter, "/", t.want.text)
	case key.Matches(msg, k.Frequency):
		cmd = t.openFreq()
	case key.Matches(msg, k.HideColumn):
		cmd = t.hideColumn()
	case key.Matches(msg, k.ShowColumns):
		clear(t.hidden)
	case key.Matches(msg, k.MoveLeft):
		t.shiftColumn(-1)
	case key.Matches(msg, k.MoveRight):
		t.shiftColumn(1)
	case key.Matches(msg, k.Columns):
		t.openChooser()
	case key.Matches(msg, k.Detail):
		cmd = t.openDetail()
	case key.Matches(msg, k.CopyCell):
		cmd = t.copyCell()
	case key.Matches(msg, k.CopyRow):
		cmd = t.copyRow()
	case key.Matches(msg, k.Decode):
		cmd = t.decodeCell()
	case key.Matches(msg, k.Intel):
		cmd = t.intelCell()
	case key.Matches(msg, k.Tree):
		if t.f.Len() == 0 {
			cmd = warn("This result has no rows to build a tree from.")
		} else {
			cmd = pane.Cmd(pane.BuildTree{Frame: t.f, Title: t.title})
		}
	case key.Matches(msg, k.Export):
		if len(t.f.Columns()) == 0 {
			cmd = warn("This result has no columns to export.")
		} else {
			t.openPrompt(modeExport, "export to: ", t.exportName())
		}
	}
	t.settle()
	return cmd
}

// cycleSort sorts by the current column: ascending, then descending, then the
// frame's own order again.
func (t *Table) cycleSort() tea.Cmd {
	if len(t.f.Columns()) == 0 {
		return nil
	}
	w := t.want
	if w.dir != Unsorted && w.col == t.ccol {
		w.dir = (w.dir + 1) % 3
	} else {
		w.col, w.dir = t.ccol, Ascending
	}
	return t.request(w, "sorting…")
}

// setFilter asks for the rows matching text (already parsed as flt).
func (t *Table) setFilter(text string, flt Filter) tea.Cmd {
	w := t.want
	w.text, w.flt, w.shown = text, flt, t.visible()
	return t.request(w, "filtering…")
}

// request starts computing the rows for w: inside Update for small frames, as a
// tea.Cmd (whose answer carries the request number) for large ones.
func (t *Table) request(w orderState, what string) tea.Cmd {
	t.seq++
	t.orderSeq = t.seq
	t.latestOrder.Store(t.seq)
	t.want = w
	job := orderJob{t: t, seq: t.seq, f: t.f, zone: t.ctx.Zone, want: w, latest: t.latestOrder}
	if w.dir != Unsorted && t.cacheSorted != nil && t.cacheSortKey == w.sortKey() {
		job.sorted = t.cacheSorted
	}
	if t.cachePassOK && t.cachePassKey == w.passKey() {
		job.pass, job.passOK = t.cachePass, true
	}
	if t.f.Len() <= t.asyncRows {
		t.applyOrder(job.run())
		return nil
	}
	t.busy = what
	return func() tea.Msg { return job.run() }
}

// applyOrder shows an answer if it is the newest request's; older ones are dropped.
func (t *Table) applyOrder(d orderDone) {
	if d.seq != t.orderSeq || d.stale {
		return
	}
	t.orderSeq = -1
	t.have, t.rows, t.busy = d.state, d.rows, ""
	if d.sorted != nil {
		t.cacheSorted, t.cacheSortKey = d.sorted, d.state.sortKey()
	}
	if d.passOK {
		t.cachePass, t.cachePassKey, t.cachePassOK = d.pass, d.state.passKey(), true
	}
	t.cur, t.top = 0, 0
	t.settle()
}

// visible is the shown columns in display order.
func (t *Table) visible() []int {
	out := make([]int, 0, len(t.order))
	for _, c := range t.order {
		if !t.hidden[c] {
			out = append(out, c)
		}
	}
	return out
}

// curPos is the current column's position among vis, or -1.
func (t *Table) curPos(vis []int) int {
	for i, c := range vis {
		if c == t.ccol {
			return i
		}
	}
	return -1
}

func (t *Table) stepColumn(d int) {
	vis := t.visible()
	if len(vis) == 0 {
		return
	}
	p := max(0, t.curPos(vis)) + d
	t.ccol = vis[max(0, min(p, len(vis)-1))]
}

// hideColumn hides the current column; the last shown column stays.
func (t *Table) hideColumn() tea.Cmd {
	vis := t.visible()
	if len(vis) <= 1 {
		return warn("The last shown column cannot be hidden.")
	}
	p := max(0, t.curPos(vis))
	t.hidden[t.ccol] = true
	if p+1 < len(vis) {
		t.ccol = vis[p+1]
	} else {
		t.ccol = vis[p-1]
	}
	return nil
}

// shiftColumn moves the current column one place among the shown columns.
func (t *Table) shiftColumn(d int) {
	vis := t.visible()
	p := t.curPos(vis)
	q := p + d
	if p < 0 || q < 0 || q >= len(vis) {
		return
	}
	t.swapOrder(vis[p], vis[q])
}

// swapOrder swaps two columns in the display order.
func (t *Table) swapOrder(a, b int) {
	ia, ib := -1, -1
	for i, c := range t.order {
		switch c {
		case a:
			ia = i
		case b:
			ib = i
		}
	}
	if ia >= 0 && ib >= 0 {
		t.order[ia], t.order[ib] = t.order[ib], t.order[ia]
	}
}

// settle makes the state consistent after any change: the selection and the first
// row in range, the current column shown, the columns on screen wide enough for the
// rows on screen, and the horizontal scroll showing the current column.
func (t *Table) settle() {
	n := t.Len()
	body := max(1, t.bodyHeight())
	t.cur = max(0, min(t.cur, n-1))
	t.top = max(0, min(t.top, n-body))
	if t.cur < t.top {
		t.top = t.cur
	}
	if t.cur >= t.top+body {
		t.top = t.cur - body + 1
	}
	vis := t.visible()
	if len(vis) == 0 {
		return
	}
	if t.curPos(vis) < 0 {
		t.ccol = vis[0]
	}
	t.scroll(vis)
	if t.mode == modeTable || t.Capturing() {
		to := min(n, t.top+t.bodyHeight())
		for _, s := range t.segments(vis) {
			t.natural[s.col] = t.measure(s.col, t.top, to, t.rows)
		}
		t.scroll(vis)
	}
}

// bodyHeight is the number of table rows on screen: the card's height less the card
// line, the header, the rule and an open prompt.
func (t *Table) bodyHeight() int {
	h := t.height - 3
	if t.Capturing() {
		h--
	}
	return max(0, h)
}

func warn(text string) tea.Cmd { return pane.Cmd(pane.Notify{Level: pane.Warn, Text: text}) }

func fail(text string) tea.Cmd { return pane.Cmd(pane.Notify{Level: pane.Error, Text: text}) }

package results

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/quarry-sec/quarry/engine/frame"
	"github.com/quarry-sec/quarry/views/draw"
)

// freq is the frequency table of one column over the rows shown.
type freq struct {
	col      int
	seq      int64
	loading  bool
	items    []freqItem
	total    int
	cur, top int
}

// freqItem is one distinct display text and how many rows have it (nulls count as
// the empty text, which is what the filter col="" selects).
type freqItem struct {
	value string
	count int
}

// freqJob counts one column's values over an order of rows; like orderJob it reads
// only immutable data and may run on another goroutine.
type freqJob struct {
	t      *Table
	seq    int64
	f      *frame.Frame
	col    int
	rows   []int32 // nil: rows 0..n-1
	n      int
	zone   *time.Location
	latest *atomic.Int64
}

// freqDone is a freqJob's answer.
type freqDone struct {
	t     *Table
	seq   int64
	items []freqItem
	total int
	stale bool
}

func (j freqJob) run() freqDone {
	done := freqDone{t: j.t, seq: j.seq, total: j.n}
	cols := j.f.Columns()
	if j.col < 0 || j.col >= len(cols) {
		return done
	}
	c := cols[j.col]
	counts := make(map[string]int)
	buf := make([]byte, 0, 64)
	for i := 0; i < j.n; i++ {
		if i&4095 == 0 && j.latest != nil && j.latest.Load() != j.seq {
			done.stale = true
			return done
		}
		r := i
		if j.rows != nil {
			r = int(j.rows[i])
		}
		if c.Kind == frame.String {
			s := ""
			if !c.IsNull(r) {
				s = c.Strings[r]
			}
			counts[s]++
			continue
		}
		buf = appendCell(buf[:0], c, r, j.zone)
		counts[string(buf)]++
	}
	done.items = make([]freqItem, 0, len(counts))
	for v, n := range counts {
		done.items = append(done.items, freqItem{value: v, count: n})
	}
	slices.SortFunc(done.items, func(a, b freqItem) int {
		if a.count != b.count {
			return cmp.Compare(b.count, a.count)
		}
		return strings.Compare(a.value, b.value)
	})
	return done
}

// openFreq counts the current column over the rows shown: inside Update for small
// frames, in a tea.Cmd for large ones.
func (t *Table) openFreq() tea.Cmd {
	if len(t.f.Columns()) == 0 {
		return nil
	}
	t.seq++
	t.latestFreq.Store(t.seq)
	t.freq = &freq{col: t.ccol, seq: t.seq, loading: true}
	t.mode = modeFreq
	job := freqJob{t: t, seq: t.seq, f: t.f, col: t.ccol, rows: t.rows, n: t.Len(), zone: t.ctx.Zone, latest: t.latestFreq}
	if job.n <= t.asyncRows {
		t.applyFreq(job.run())
		return nil
	}
	return func() tea.Msg { return job.run() }
}

// applyFreq shows counts if they answer the open frequency table's request.
func (t *Table) applyFreq(d freqDone) {
	if t.freq == nil || d.seq != t.freq.seq || d.stale {
		return
	}
	t.freq.items, t.freq.total, t.freq.loading = d.items, d.total, false
	t.freq.cur, t.freq.top = 0, 0
}

func (t *Table) freqKey(msg tea.KeyMsg) tea.Cmd {
	fq, k := t.freq, t.keys
	if fq == nil {
		t.mode = modeTable
		return nil
	}
	page := max(1, t.height-3)
	n := len(fq.items)
	switch {
	case k.move(msg, &fq.cur, &fq.top, n, page):
	case key.Matches(msg, k.Apply):
		if fq.loading || fq.cur < 0 || fq.cur >= n {
			return nil
		}
		return t.drill(fq.col, fq.items[fq.cur].value)
	}
	fq.cur = max(0, min(fq.cur, n-1))
	fq.top = max(0, min(fq.top, n-page))
	if fq.cur < fq.top {
		fq.top = fq.cur
	}
	if fq.cur >= fq.top+page {
		fq.top = fq.cur - page + 1
	}
	return nil
}

// drill adds col=value to the filter (ANDed with the filter in force) and closes
// the frequency table.
func (t *Table) drill(col int, value string) tea.Cmd {
	term := EqualTerm(t.f.Columns()[col].Name, value)
	text := term
	if t.want.text != "" {
		text = t.want.text + " " + term
	}
	flt, err := ParseFilter(text, t.f.Names())
	if err != nil {
		return fail(err.Error())
	}
	t.mode, t.freq = modeTable, nil
	cmd := t.setFilter(text, flt)
	t.settle()
	return cmd
}

// view draws the frequency table: a title line, a header, a rule and the values.
func (fq *freq) view(t *Table) []string {
	th := t.ctx.Theme
	w := t.width
	name := frame.SafeText(t.f.Columns()[fq.col].Name)
	title := th.Title.Render(truncate("Frequency of "+name, w))
	info := "counting…"
	if !fq.loading {
		info = plural(len(fq.items), "distinct value", "distinct values") + " in " + plural(fq.total, "row", "rows")
	}
	lines := []string{spread(title, th.Muted.Render(info), w)}
	countW := len("count")
	if len(fq.items) > 0 { // sorted by count: the first is the largest
		countW = max(countW, len(draw.Thousands(fq.items[0].count)))
	}
	const shareW = 6 // 100.0%
	valueW := max(1, w-1-(countW+2)-(shareW+2)-2-2)
	sep := "│"
	lines = append(lines, headerStyle(th).Render(" "+" "+pad("value", valueW, false, false)+" "+sep+" "+pad("count", countW, true, false)+" "+sep+" "+pad("share", shareW, true, false)+" "))
	lines = append(lines, th.Muted.Render("─"+strings.Repeat("─", valueW+2)+"┼"+strings.Repeat("─", countW+2)+"┼"+strings.Repeat("─", shareW+2)))
	if !fq.loading && len(fq.items) == 0 {
		lines = append(lines, th.Muted.Render(" No rows to count."))
	}
	for i := fq.top; i < len(fq.items) && len(lines) < t.height; i++ {
		it := fq.items[i]
		v := fit(it.value, valueW, false)
		if it.value == "" {
			v = th.Muted.Render(pad("(empty)", valueW, false, false))
		}
		share := 0.0
		if fq.total > 0 {
			share = float64(it.count) * 100 / float64(fq.total)
		}
		rest := " " + sep + " " + pad(draw.Thousands(it.count), countW, true, false) + " " + sep + " " + pad(fmt.Sprintf("%.1f%%", share), shareW, true, false) + " "
		if i == fq.cur {
			if it.value == "" {
				v = pad("(empty)", valueW, false, false)
			}
			lines = append(lines, th.Selected.Render("▶ "+v+rest))
			continue
		}
		lines = append(lines, "  "+v+rest)
	}
	return lines
}

package results

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/quarry-sec/quarry/engine/frame"
	"github.com/quarry-sec/quarry/views/draw"
)

// chooser is the column chooser's state: a cursor over every column in display
// order and the first line on screen.
type chooser struct {
	cur, top int
}

func (t *Table) openChooser() {
	if len(t.order) == 0 {
		return
	}
	t.mode = modeChooser
	t.chooser = chooser{}
	for i, c := range t.order {
		if c == t.ccol {
			t.chooser.cur = i
		}
	}
	t.chooserScroll()
}

func (t *Table) chooserKey(msg tea.KeyMsg) {
	ch, k := &t.chooser, t.keys
	n := len(t.order)
	switch {
	case key.Matches(msg, k.Down):
		ch.cur++
	case key.Matches(msg, k.Up):
		ch.cur--
	case key.Matches(msg, k.Top):
		ch.cur = 0
	case key.Matches(msg, k.Bottom):
		ch.cur = n - 1
	case key.Matches(msg, k.Toggle):
		if ch.cur >= 0 && ch.cur < n {
			c := t.order[ch.cur]
			// The last shown column stays shown.
			if t.hidden[c] || len(t.visible()) > 1 {
				t.hidden[c] = !t.hidden[c]
			}
		}
	case key.Matches(msg, k.ShiftDown):
		if ch.cur >= 0 && ch.cur+1 < n {
			t.order[ch.cur], t.order[ch.cur+1] = t.order[ch.cur+1], t.order[ch.cur]
			ch.cur++
		}
	case key.Matches(msg, k.ShiftUp):
		if ch.cur > 0 && ch.cur < n {
			t.order[ch.cur], t.order[ch.cur-1] = t.order[ch.cur-1], t.order[ch.cur]
			ch.cur--
		}
	case key.Matches(msg, k.Apply):
		if ch.cur >= 0 && ch.cur < n && !t.hidden[t.order[ch.cur]] {
			t.ccol = t.order[ch.cur]
		}
		t.mode = modeTable
		t.settle()
		return
	}
	t.chooserScroll()
}

func (t *Table) chooserScroll() {
	ch := &t.chooser
	page := max(1, t.height-1)
	ch.cur = max(0, min(ch.cur, len(t.order)-1))
	if ch.cur < ch.top {
		ch.top = ch.cur
	}
	if ch.cur >= ch.top+page {
		ch.top = ch.cur - page + 1
	}
	ch.top = max(0, min(ch.top, len(t.order)-page))
}

// chooserView lists every column with a checkbox, its kind and the cursor.
func (t *Table) chooserView() []string {
	th := t.ctx.Theme
	w := t.width
	shown := len(t.visible())
	title := th.Title.Render(truncate("Columns", w))
	lines := []string{spread(title, th.Muted.Render(draw.Thousands(shown)+" of "+plural(len(t.order), "column", "columns")+" shown"), w)}
	cols := t.f.Columns()
	nameW := 4
	for _, c := range cols {
		nameW = max(nameW, width(frame.SafeText(c.Name)))
	}
	nameW = min(nameW, max(4, w-14))
	for i := t.chooser.top; i < len(t.order) && len(lines) < t.height; i++ {
		c := t.order[i]
		box := "[x] "
		if t.hidden[c] {
			box = "[ ] "
		}
		text := box + fit(cols[c].Name, nameW, false) + "  " + cols[c].Kind.String()
		if i == t.chooser.cur {
			lines = append(lines, th.Selected.Render("▶ "+text))
			continue
		}
		lines = append(lines, "  "+text)
	}
	return lines
}

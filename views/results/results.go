// Package results is the results pane: a frame shown as a scrollable table. It owns
// only UI state; the frame arrives in a message and nothing here performs I/O.
package results

import (
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/table"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/mattn/go-runewidth"

	"github.com/quarry-sec/quarry/engine/frame"
	"github.com/quarry-sec/quarry/themes"
)

// MaxColWidth caps a column's width in cells; longer values are cut with an ellipsis.
const MaxColWidth = 40

// KeyMap is the pane's keys.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding
}

// DefaultKeyMap has vim and arrow keys both.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "b"), key.WithHelp("pgup/b", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "f", " "), key.WithHelp("pgdn/f", "page down")),
		Top:      key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g", "top")),
		Bottom:   key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G", "bottom")),
	}
}

// ShortHelp lists the keys for the footer.
func (k KeyMap) ShortHelp() []key.Binding { return []key.Binding{k.Up, k.Down, k.PageDown, k.Top} }

// FullHelp lists every key for the ? screen.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}}
}

// Model is the results pane.
type Model struct {
	Keys    KeyMap
	theme   themes.Theme
	tbl     table.Model
	frame   *frame.Frame
	cols    []string
	natural []table.Column
	floor   []int
	width   int
}

// New makes an empty pane.
func New(theme themes.Theme, cols ...string) Model {
	km := table.DefaultKeyMap()
	k := DefaultKeyMap()
	km.LineUp, km.LineDown, km.PageUp, km.PageDown, km.GotoTop, km.GotoBottom = k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom
	km.HalfPageUp, km.HalfPageDown = key.NewBinding(key.WithDisabled()), key.NewBinding(key.WithDisabled())
	st := table.DefaultStyles()
	st.Header = theme.Header.Padding(0, 1)
	st.Selected = theme.Selected
	t := table.New(table.WithFocused(true), table.WithKeyMap(km), table.WithStyles(st))
	return Model{Keys: k, theme: theme, tbl: t, cols: cols}
}

// SetFrame shows a frame: the preferred columns that exist, else every column.
func (m *Model) SetFrame(f *frame.Frame) {
	m.frame = f
	var idx []int
	for _, want := range m.cols {
		for i, n := range f.Names() {
			if n == want {
				idx = append(idx, i)
			}
		}
	}
	if len(idx) == 0 {
		for i := range f.Columns() {
			idx = append(idx, i)
		}
	}
	cols := make([]table.Column, len(idx))
	rows := make([]table.Row, f.Len())
	for j, i := range idx {
		cols[j] = table.Column{Title: frame.SafeText(f.Columns()[i].Name), Width: runewidth.StringWidth(f.Columns()[i].Name)}
	}
	for r := range rows {
		row := make(table.Row, len(idx))
		for j, i := range idx {
			s := frame.SafeText(frame.DisplayText(f.Value(r, i)))
			row[j] = runewidth.Truncate(s, MaxColWidth, "…")
			if w := runewidth.StringWidth(row[j]); w > cols[j].Width {
				cols[j].Width = w
			}
		}
		rows[r] = row
	}
	m.natural = cols
	m.floor = make([]int, len(cols))
	for j, i := range idx {
		// Times stay whole; other columns may narrow to their title or 8 cells.
		m.floor[j] = min(cols[j].Width, max(8, runewidth.StringWidth(cols[j].Title)))
		if f.Columns()[i].Kind == frame.Time {
			m.floor[j] = cols[j].Width
		}
	}
	m.tbl.SetRows(nil)
	m.tbl.SetColumns(m.fit())
	m.tbl.SetRows(rows)
	m.tbl.GotoTop()
}

// fit narrows the widest columns until the table fits the pane's width (each cell
// also takes two cells of padding).
func (m *Model) fit() []table.Column {
	cols := append([]table.Column(nil), m.natural...)
	if m.width <= 0 {
		return cols
	}
	total := 0
	for _, c := range cols {
		total += c.Width + 2
	}
	// Narrow to each column's floor first, then text columns to 6 cells, then all to 4.
	for _, floor := range []func(int) int{
		func(i int) int { return m.floor[i] },
		func(i int) int {
			if m.floor[i] == m.natural[i].Width {
				return m.floor[i]
			}
			return min(m.floor[i], 6)
		},
		func(i int) int { return min(m.floor[i], 4) },
	} {
		for total > m.width {
			widest := -1
			for i, c := range cols {
				if c.Width > floor(i) && (widest < 0 || c.Width-floor(i) > cols[widest].Width-floor(widest)) {
					widest = i
				}
			}
			if widest < 0 {
				break
			}
			cols[widest].Width--
			total--
		}
	}
	return cols
}

// SetSize fits the table to the pane.
func (m *Model) SetSize(w, h int) {
	m.width = w
	if m.natural != nil {
		m.tbl.SetColumns(m.fit())
	}
	m.tbl.SetWidth(w)
	m.tbl.SetHeight(h)
}

// Cursor is the selected row.
func (m Model) Cursor() int { return m.tbl.Cursor() }

// Update handles keys.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	var cmd tea.Cmd
	m.tbl, cmd = m.tbl.Update(msg)
	return m, cmd
}

// View draws the table.
func (m Model) View() string { return m.tbl.View() }

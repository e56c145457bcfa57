package results

import (
	"fmt"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/quarry-sec/quarry/engine/frame"
	"github.com/quarry-sec/quarry/views/pane"
)

// copyCell asks the shell to copy the current cell's full display text.
func (t *Table) copyCell() tea.Cmd {
	r, c := t.Row(), t.Column()
	if r < 0 || c < 0 {
		return warn("No cell is selected.")
	}
	return pane.Cmd(pane.Copy{Text: cellText(t.f.Columns()[c], r, t.ctx.Zone), What: "cell"})
}

// decodeCell sends the current cell to the Decode pane.
func (t *Table) decodeCell() tea.Cmd {
	r, c := t.Row(), t.Column()
	if r < 0 || c < 0 {
		return warn("No cell is selected.")
	}
	col := t.f.Columns()[c]
	return decodeText(cellText(col, r, t.ctx.Zone), t.title, col.Name, r)
}

// decodeText is the DecodeText intent for a cell: where it came from is the
// result's title, the column and the 1-based row.
func decodeText(text, title, column string, row int) tea.Cmd {
	if text == "" {
		return warn("The cell is empty: nothing to decode.")
	}
	src := fmt.Sprintf("%s, row %d", column, row+1)
	if title != "" {
		src = title + " · " + src
	}
	return pane.Cmd(pane.DecodeText{Text: text, Source: src})
}

// intelCell looks the current cell's indicators up in the Threat intel pane.
func (t *Table) intelCell() tea.Cmd {
	r, c := t.Row(), t.Column()
	if r < 0 || c < 0 {
		return warn("No cell is selected.")
	}
	col := t.f.Columns()[c]
	return lookupText(cellText(col, r, t.ctx.Zone), t.title, col.Name, r)
}

// lookupText is the LookupTI intent for a cell's text.
func lookupText(text, title, column string, row int) tea.Cmd {
	if text == "" {
		return warn("The cell is empty: nothing to look up.")
	}
	src := fmt.Sprintf("%s, row %d", column, row+1)
	if title != "" {
		src = title + " · " + src
	}
	return pane.Cmd(pane.LookupTI{Indicators: []pane.Indicator{{Value: text}}, Source: src})
}

// copyRow asks the shell to copy the selected row as a JSON object.
func (t *Table) copyRow() tea.Cmd {
	r := t.Row()
	if r < 0 {
		return warn("No row is selected.")
	}
	return pane.Cmd(pane.Copy{Text: RowJSON(t.f, r, t.visible()), What: "row"})
}

// RowJSON writes row r of f as one JSON object with the given columns' names as
// keys, in that order. Values follow the frame's JSON contract: ints and floats as
// numbers (NaN and infinities as null), bools, times as RFC 3339 UTC strings, nulls
// as null. Out-of-range rows and columns are skipped.
func RowJSON(f *frame.Frame, r int, cols []int) string {
	all := f.Columns()
	b := []byte{'{'}
	first := true
	for _, ci := range cols {
		if ci < 0 || ci >= len(all) || r < 0 || r >= all[ci].Len() {
			continue
		}
		c := all[ci]
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendJSONString(b, c.Name)
		b = append(b, ':')
		b = appendJSONValue(b, c, r)
	}
	return string(append(b, '}'))
}

func appendJSONValue(b []byte, c *frame.Column, r int) []byte {
	if c.IsNull(r) {
		return append(b, "null"...)
	}
	switch c.Kind {
	case frame.Int:
		return strconv.AppendInt(b, c.Ints[r], 10)
	case frame.Float:
		x := c.Floats[r]
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return append(b, "null"...)
		}
		return strconv.AppendFloat(b, x, 'g', -1, 64)
	case frame.Bool:
		return strconv.AppendBool(b, c.Bools[r])
	case frame.Time:
		b = append(b, '"')
		b = c.Times[r].UTC().AppendFormat(b, time.RFC3339Nano)
		return append(b, '"')
	default:
		return appendJSONString(b, c.Strings[r])
	}
}

// appendJSONString quotes s as a JSON string: quotes, backslashes and control
// characters escaped, invalid UTF-8 replaced by U+FFFD, U+2028 and U+2029 escaped.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20 || c == 0x7f:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029' || (r >= 0x80 && r <= 0x9f):
			b = append(b, '\\', 'u', hex[r>>12&0xf], hex[r>>8&0xf], hex[r>>4&0xf], hex[r&0xf])
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

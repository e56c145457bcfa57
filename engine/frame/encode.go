package frame

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mattn/go-runewidth"
)

// Format is an output encoding for frames.
type Format string

// The encodings every headless verb offers with -o.
const (
	Table Format = "table"
	CSV   Format = "csv"
	JSON  Format = "json"
	JSONL Format = "jsonl"
)

// Formats lists the encodings in the order help text shows them.
var Formats = []Format{Table, CSV, JSON, JSONL}

// ParseFormat reads a -o value.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats {
		if strings.EqualFold(s, string(f)) {
			return f, nil
		}
	}
	return "", fmt.Errorf("unknown output format %q (want table, csv, json or jsonl)", s)
}

// TableOptions shape the aligned text table.
type TableOptions struct {
	// MaxColWidth cuts wider cells with an ellipsis (0 = 60 cells).
	MaxColWidth int
}

// Encode writes f to w in the given format. The JSON forms are a stable contract
// (docs/cli.md): an array of objects (json) or one object per line (jsonl), keys in
// column order, ints and floats as numbers, times as RFC 3339 UTC strings, nulls as
// null. CSV writes a header row and exact values, nulls as empty cells. The table
// aligns columns by display width and escapes control characters.
func Encode(w io.Writer, f *Frame, format Format) error {
	return EncodeContext(context.Background(), w, f, format, nil)
}

// progressEvery is how many rows pass between progress reports and cancel checks.
const progressEvery = 8192

// EncodeContext is Encode for long exports: it stops with ctx's error when ctx is
// cancelled and, for csv, json and jsonl, calls progress (when not nil) with the rows
// written so far and the total, every few thousand rows and once at the end.
func EncodeContext(ctx context.Context, w io.Writer, f *Frame, format Format, progress func(done, total int)) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	tick := func(r int) error {
		if r%progressEvery != 0 && r != f.rows {
			return nil
		}
		if progress != nil {
			progress(r, f.rows)
		}
		return ctx.Err()
	}
	var err error
	switch format {
	case CSV:
		err = encodeCSV(bw, f, tick)
	case JSON:
		err = encodeJSON(bw, f, false, tick)
	case JSONL:
		err = encodeJSON(bw, f, true, tick)
	case Table, "":
		err = EncodeTable(bw, f, TableOptions{})
	default:
		err = fmt.Errorf("unknown output format %q", format)
	}
	if err != nil {
		return err
	}
	return bw.Flush()
}

func encodeCSV(w io.Writer, f *Frame, tick func(int) error) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(f.Names()); err != nil {
		return err
	}
	rec := make([]string, len(f.columns))
	for r := 0; r < f.rows; r++ {
		if err := tick(r); err != nil {
			return err
		}
		for c, col := range f.columns {
			rec[c] = cellText(col, r)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return tick(f.rows)
}

func encodeJSON(w *bufio.Writer, f *Frame, lines bool, tick func(int) error) error {
	keys := make([][]byte, len(f.columns))
	for i, c := range f.columns {
		keys[i] = append(appendJSONString(nil, c.Name), ':')
	}
	if !lines {
		w.WriteByte('[')
	}
	buf := make([]byte, 0, 1024)
	for r := 0; r < f.rows; r++ {
		if err := tick(r); err != nil {
			return err
		}
		buf = buf[:0]
		if !lines && r > 0 {
			buf = append(buf, ',')
		}
		if !lines {
			buf = append(buf, '\n')
		}
		buf = append(buf, '{')
		for c, col := range f.columns {
			if c > 0 {
				buf = append(buf, ',')
			}
			buf = append(buf, keys[c]...)
			buf = appendJSONCell(buf, col, r)
		}
		buf = append(buf, '}')
		if lines {
			buf = append(buf, '\n')
		}
		if _, err := w.Write(buf); err != nil {
			return err
		}
	}
	if !lines {
		if f.rows > 0 {
			w.WriteByte('\n')
		}
		w.WriteString("]\n")
	}
	return tick(f.rows)
}

// cellText is row r of a column as exact text (text without boxing the value).
func cellText(c *Column, r int) string {
	if c.IsNull(r) {
		return ""
	}
	switch c.Kind {
	case Int:
		return strconv.FormatInt(c.Ints[r], 10)
	case Float:
		return formatFloat(c.Floats[r])
	case Bool:
		return strconv.FormatBool(c.Bools[r])
	case Time:
		return c.Times[r].UTC().Format(time.RFC3339Nano)
	default:
		return c.Strings[r]
	}
}

// appendJSONCell writes row r of a column straight from its typed slice, without
// boxing the value: this is the encoder's inner loop.
func appendJSONCell(b []byte, c *Column, r int) []byte {
	if c.IsNull(r) {
		return append(b, "null"...)
	}
	switch c.Kind {
	case Int:
		return strconv.AppendInt(b, c.Ints[r], 10)
	case Float:
		x := c.Floats[r]
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return append(b, "null"...)
		}
		return strconv.AppendFloat(b, x, 'g', -1, 64)
	case Bool:
		return strconv.AppendBool(b, c.Bools[r])
	case Time:
		b = append(b, '"')
		b = c.Times[r].UTC().AppendFormat(b, time.RFC3339Nano)
		return append(b, '"')
	default:
		return appendJSONString(b, c.Strings[r])
	}
}

const hexDigits = "0123456789abcdef"

// appendJSONString quotes s as a JSON string: control characters, quotes and
// backslashes escaped, invalid UTF-8 replaced by U+FFFD, and U+2028/U+2029 escaped so
// the output is also safe to embed in JavaScript.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, `\u202`...)
			b = append(b, hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// EncodeTable writes an aligned text table: a header, a rule, one line per row.
// Every cell passes through SafeText, so log data cannot move the cursor or change
// colours; cells wider than MaxColWidth are cut with an ellipsis.
func EncodeTable(w io.Writer, f *Frame, opts TableOptions) error {
	maxw := opts.MaxColWidth
	if maxw <= 0 {
		maxw = 60
	}
	ncol := len(f.columns)
	cells := make([][]string, f.rows+1)
	widths := make([]int, ncol)
	cells[0] = make([]string, ncol)
	for c, col := range f.columns {
		cells[0][c] = fitCell(SafeText(col.Name), maxw)
		widths[c] = runewidth.StringWidth(cells[0][c])
	}
	for r := 0; r < f.rows; r++ {
		row := make([]string, ncol)
		for c, col := range f.columns {
			row[c] = fitCell(SafeText(DisplayText(col.Value(r))), maxw)
			if wd := runewidth.StringWidth(row[c]); wd > widths[c] {
				widths[c] = wd
			}
		}
		cells[r+1] = row
	}
	var b strings.Builder
	writeRow := func(row []string) error {
		b.Reset()
		for c, s := range row {
			if c > 0 {
				b.WriteString("  ")
			}
			b.WriteString(s)
			if c < ncol-1 {
				b.WriteString(strings.Repeat(" ", widths[c]-runewidth.StringWidth(s)))
			}
		}
		b.WriteByte('\n')
		_, err := io.WriteString(w, b.String())
		return err
	}
	if err := writeRow(cells[0]); err != nil {
		return err
	}
	rule := make([]string, ncol)
	for c := range rule {
		rule[c] = strings.Repeat("-", widths[c])
	}
	if err := writeRow(rule); err != nil {
		return err
	}
	for _, row := range cells[1:] {
		if err := writeRow(row); err != nil {
			return err
		}
	}
	return nil
}

// DisplayText is a cell as a person reads it: times at millisecond precision in UTC,
// numbers in full, null as empty. It does not escape: pass it through SafeText.
func DisplayText(v any) string {
	if t, ok := v.(time.Time); ok {
		return FormatTime(t)
	}
	return text(v)
}

// fitCell cuts s to at most w display cells, ending in an ellipsis when cut.
func fitCell(s string, w int) string {
	if runewidth.StringWidth(s) <= w {
		return s
	}
	return runewidth.Truncate(s, w, "…")
}

package frame

import (
	"encoding/json"
	"fmt"
	"math/big"
	"time"
)

// Builder appends rows of Go values to typed columns. It is how providers turn
// driver rows into a Frame.
type Builder struct {
	cols []*Column
	rows int
}

// NewBuilder starts a frame with the given column names and kinds.
func NewBuilder(names []string, kinds []Kind) *Builder {
	b := &Builder{cols: make([]*Column, len(names))}
	for i, n := range names {
		b.cols[i] = &Column{Name: n, Kind: kinds[i]}
	}
	return b
}

// Append adds one row. Values are converted to the column's kind: nil is null;
// a value that does not fit the kind (a string in an int column, say) is stored as
// its text after the column is widened to String, so nothing is lost.
func (b *Builder) Append(row []any) {
	for i, c := range b.cols {
		var v any
		if i < len(row) {
			v = row[i]
		}
		b.set(c, v)
	}
	b.rows++
}

// Rows is the number of rows appended so far.
func (b *Builder) Rows() int { return b.rows }

// Frame returns the built frame with the given metadata.
func (b *Builder) Frame(meta Meta) (*Frame, error) {
	f, err := New(b.cols...)
	if err != nil {
		return nil, err
	}
	if len(b.cols) == 0 {
		f.rows = b.rows
	}
	f.Meta = meta
	return f, nil
}

func (b *Builder) set(c *Column, v any) {
	v = normalize(v)
	if v == nil {
		b.appendNull(c)
		return
	}
	switch c.Kind {
	case Int:
		if x, ok := v.(int64); ok {
			c.Ints = append(c.Ints, x)
			b.markValid(c)
			return
		}
	case Float:
		switch x := v.(type) {
		case float64:
			c.Floats = append(c.Floats, x)
			b.markValid(c)
			return
		case int64:
			c.Floats = append(c.Floats, float64(x))
			b.markValid(c)
			return
		}
	case Bool:
		if x, ok := v.(bool); ok {
			c.Bools = append(c.Bools, x)
			b.markValid(c)
			return
		}
	case Time:
		if x, ok := v.(time.Time); ok {
			c.Times = append(c.Times, x.UTC())
			b.markValid(c)
			return
		}
	case String:
		c.Strings = append(c.Strings, text(v))
		b.markValid(c)
		return
	}
	widen(c)
	c.Strings = append(c.Strings, text(v))
	b.markValid(c)
}

func (b *Builder) appendNull(c *Column) {
	if c.Null == nil {
		c.Null = make([]bool, b.rows, b.rows+1)
	}
	c.Null = append(c.Null, true)
	switch c.Kind {
	case Int:
		c.Ints = append(c.Ints, 0)
	case Float:
		c.Floats = append(c.Floats, 0)
	case Bool:
		c.Bools = append(c.Bools, false)
	case Time:
		c.Times = append(c.Times, time.Time{})
	default:
		c.Strings = append(c.Strings, "")
	}
}

func (b *Builder) markValid(c *Column) {
	if c.Null != nil {
		c.Null = append(c.Null, false)
	}
}

// widen turns a typed column into a String column holding each value's text.
func widen(c *Column) {
	n := c.Len()
	s := make([]string, n, n+1)
	for i := 0; i < n; i++ {
		if !c.IsNull(i) {
			s[i] = text(c.Value(i))
		}
	}
	c.Kind, c.Strings = String, s
	c.Ints, c.Floats, c.Bools, c.Times = nil, nil, nil, nil
}

// normalize maps the many Go types database drivers return onto the five kinds.
func normalize(v any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case float64, bool, string, time.Time:
		return x
	case int:
		return int64(x)
	case int8:
		return int64(x)
	case int16:
		return int64(x)
	case int32:
		return int64(x)
	case int64:
		return x
	case uint8:
		return int64(x)
	case uint16:
		return int64(x)
	case uint32:
		return int64(x)
	case uint:
		if uint64(x) <= 1<<63-1 {
			return int64(x)
		}
		return fmt.Sprint(x)
	case uint64:
		if x <= 1<<63-1 {
			return int64(x)
		}
		return fmt.Sprint(x)
	case float32:
		return float64(x)
	case *big.Int:
		if x == nil {
			return nil
		}
		if x.IsInt64() {
			return x.Int64()
		}
		return x.String()
	case []byte:
		return string(x)
	case fmt.Stringer:
		return x.String()
	default:
		if j, err := json.Marshal(x); err == nil {
			return string(j)
		}
		return fmt.Sprint(x)
	}
}

// text renders a normalised value as exact text (times in RFC 3339 with all their
// precision), as the CSV encoder writes it.
func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case float64:
		return formatFloat(x)
	default:
		return fmt.Sprint(x)
	}
}

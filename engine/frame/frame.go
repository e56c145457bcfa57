// Package frame holds the table every layer of Quarry passes around: typed columns
// with nulls, the metadata of the query that produced them, and a go-gota view of the
// same data for code that wants DataFrame operations.
//
// Columns are stored natively (Go slices per type) because the engine's algorithms
// and the encoders read whole columns; the gota DataFrame is built from them on first
// use and cached.
package frame

import (
	"fmt"
	"sync"
	"time"

	"github.com/go-gota/gota/dataframe"
	"github.com/go-gota/gota/series"
)

// Kind is the type of a column's values.
type Kind int

// The column kinds.
const (
	String Kind = iota
	Int
	Float
	Bool
	Time
)

// String returns the kind's name as the JSON contract and the schema views show it.
func (k Kind) String() string {
	switch k {
	case Int:
		return "int"
	case Float:
		return "float"
	case Bool:
		return "bool"
	case Time:
		return "time"
	default:
		return "string"
	}
}

// Column is one typed column. Exactly one of the value slices is used, chosen by
// Kind; Null, when not nil, marks the rows that have no value.
type Column struct {
	Name    string
	Kind    Kind
	Strings []string
	Ints    []int64
	Floats  []float64
	Bools   []bool
	Times   []time.Time
	Null    []bool
}

// Len is the number of rows in the column.
func (c *Column) Len() int {
	switch c.Kind {
	case Int:
		return len(c.Ints)
	case Float:
		return len(c.Floats)
	case Bool:
		return len(c.Bools)
	case Time:
		return len(c.Times)
	default:
		return len(c.Strings)
	}
}

// IsNull reports whether row i has no value.
func (c *Column) IsNull(i int) bool { return c.Null != nil && c.Null[i] }

// Value returns row i as a Go value (string, int64, float64, bool, time.Time) or nil.
func (c *Column) Value(i int) any {
	if c.IsNull(i) {
		return nil
	}
	switch c.Kind {
	case Int:
		return c.Ints[i]
	case Float:
		return c.Floats[i]
	case Bool:
		return c.Bools[i]
	case Time:
		return c.Times[i]
	default:
		return c.Strings[i]
	}
}

// Meta says where a frame came from.
type Meta struct {
	// Provider is the name of the data provider that ran the statement.
	Provider string
	// Query is the library query name, or "" for ad-hoc statements.
	Query string
	// Statement is the bound statement that was run.
	Statement Statement
	// TimeColumn is the column holding each row's event time, "" if none.
	TimeColumn string
	// Truncated is set when the provider stopped at Limit rows and more were available.
	Truncated bool
	// Limit is the row limit the provider applied (0 = none).
	Limit int
	// Elapsed is how long the statement took, fetch included.
	Elapsed time.Duration
}

// Frame is a table of typed columns plus the metadata of the query that made it.
type Frame struct {
	Meta    Meta
	columns []*Column
	rows    int

	dfOnce sync.Once
	df     dataframe.DataFrame
}

// New makes a frame from columns of equal length. Duplicate or empty column names are
// made unique ("a", "a_1") so every column can be addressed by name.
func New(cols ...*Column) (*Frame, error) {
	f := &Frame{columns: cols}
	used := make(map[string]bool, len(cols))
	for i, c := range cols {
		if i == 0 {
			f.rows = c.Len()
		} else if c.Len() != f.rows {
			return nil, fmt.Errorf("frame: column %q has %d rows, want %d", c.Name, c.Len(), f.rows)
		}
		if c.Null != nil && len(c.Null) != c.Len() {
			return nil, fmt.Errorf("frame: column %q null mask has %d rows, want %d", c.Name, len(c.Null), c.Len())
		}
		base := c.Name
		if base == "" {
			base = fmt.Sprintf("column%d", i)
		}
		name := base
		for n := 1; used[name]; n++ {
			name = fmt.Sprintf("%s_%d", base, n)
		}
		used[name] = true
		c.Name = name
	}
	return f, nil
}

// Len is the number of rows.
func (f *Frame) Len() int { return f.rows }

// Columns returns the columns in order. The slice must not be modified.
func (f *Frame) Columns() []*Column { return f.columns }

// Names returns the column names in order.
func (f *Frame) Names() []string {
	out := make([]string, len(f.columns))
	for i, c := range f.columns {
		out[i] = c.Name
	}
	return out
}

// Col returns the column with the given name, or nil.
func (f *Frame) Col(name string) *Column {
	for _, c := range f.columns {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Value returns the value at row r of column c (see Column.Value).
func (f *Frame) Value(r, c int) any { return f.columns[c].Value(r) }

// DF returns the frame as a gota DataFrame. Times become RFC 3339 strings in UTC
// (gota has no time type) and nulls become gota's NaN elements.
func (f *Frame) DF() dataframe.DataFrame {
	f.dfOnce.Do(func() {
		ss := make([]series.Series, len(f.columns))
		for i, c := range f.columns {
			ss[i] = toSeries(c)
		}
		f.df = dataframe.New(ss...)
	})
	return f.df
}

func toSeries(c *Column) series.Series {
	n := c.Len()
	vals := make([]any, n)
	var t series.Type
	for i := 0; i < n; i++ {
		if c.IsNull(i) {
			continue
		}
		switch c.Kind {
		case Int:
			vals[i] = int(c.Ints[i])
		case Float:
			vals[i] = c.Floats[i]
		case Bool:
			vals[i] = c.Bools[i]
		case Time:
			vals[i] = c.Times[i].UTC().Format(time.RFC3339Nano)
		default:
			vals[i] = c.Strings[i]
		}
	}
	switch c.Kind {
	case Int:
		t = series.Int
	case Float:
		t = series.Float
	case Bool:
		t = series.Bool
	default:
		t = series.String
	}
	return series.New(vals, t, c.Name)
}

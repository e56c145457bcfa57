package frame

import "fmt"

// Take returns a new frame of the given rows and columns of f, in the order given
// (nil rows: every row in order; nil cols: every column). The metadata is kept.
// Views use it to export what the analyst sees after sorting, filtering and hiding.
func (f *Frame) Take(rows, cols []int) (*Frame, error) {
	if cols == nil {
		cols = make([]int, len(f.columns))
		for i := range cols {
			cols[i] = i
		}
	}
	for _, r := range rows {
		if r < 0 || r >= f.rows {
			return nil, fmt.Errorf("frame: take: row %d out of range [0,%d)", r, f.rows)
		}
	}
	out := make([]*Column, 0, len(cols))
	for _, ci := range cols {
		if ci < 0 || ci >= len(f.columns) {
			return nil, fmt.Errorf("frame: take: column %d out of range [0,%d)", ci, len(f.columns))
		}
		out = append(out, f.columns[ci].take(rows))
	}
	nf := &Frame{Meta: f.Meta, columns: out, rows: f.rows}
	if rows != nil {
		nf.rows = len(rows)
	}
	if len(out) == 0 {
		nf.rows = 0
	}
	return nf, nil
}

// take copies the rows of c (nil: all) into a new column.
func (c *Column) take(rows []int) *Column {
	n := &Column{Name: c.Name, Kind: c.Kind}
	switch c.Kind {
	case Int:
		n.Ints = pick(c.Ints, rows)
	case Float:
		n.Floats = pick(c.Floats, rows)
	case Bool:
		n.Bools = pick(c.Bools, rows)
	case Time:
		n.Times = pick(c.Times, rows)
	default:
		n.Strings = pick(c.Strings, rows)
	}
	if c.Null != nil {
		n.Null = pick(c.Null, rows)
	}
	return n
}

func pick[T any](s []T, rows []int) []T {
	if rows == nil {
		return append([]T(nil), s...)
	}
	out := make([]T, len(rows))
	for i, r := range rows {
		out[i] = s[r]
	}
	return out
}

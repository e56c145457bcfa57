package frame

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"time"
)

// TimeLayout is how times are written in every output: RFC 3339 in UTC with
// millisecond precision, the precision Sentinel keeps.
const TimeLayout = "2006-01-02T15:04:05.000Z07:00"

// FormatTime writes t in TimeLayout, in UTC.
func FormatTime(t time.Time) string { return t.UTC().Format(TimeLayout) }

func formatFloat(f float64) string {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// ErrNotTime is returned by ParseTime for text that is not a time.
var ErrNotTime = errors.New("not a time")

// timeLayouts are the forms ParseTime accepts; zone-less forms are taken as UTC.
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02 15:04",
	"2006-01-02",
}

// ParseTime reads the time forms security data comes in: RFC 3339 (with or without a
// zone, "T" or space separated) and the 'YYYY-MM-DD HH:MM:SS.fff' form Sentinel exports
// use. Times without a zone are UTC. The result is always in UTC.
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	// Cheap shape check first: inference calls this on every cell of every column.
	if len(s) < 10 || s[4] != '-' || s[7] != '-' || s[0] < '0' || s[0] > '9' {
		return time.Time{}, ErrNotTime
	}
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, ErrNotTime
}

// FromRecords makes a frame from text records (a header row and data rows, as CSV or
// a REST API's string cells give them), inferring each column's kind: a column whose
// every non-empty cell is an integer becomes Int, a number Float, true/false Bool, a
// time Time; anything else String. Empty cells are null.
func FromRecords(header []string, rows [][]string) (*Frame, error) {
	cols := make([]*Column, len(header))
	for j, name := range header {
		cells := make([]string, len(rows))
		for i, r := range rows {
			if j < len(r) {
				cells[i] = r[j]
			}
		}
		cols[j] = inferColumn(name, cells)
	}
	f, err := New(cols...)
	if err != nil {
		return nil, err
	}
	if len(cols) == 0 {
		f.rows = len(rows)
	}
	return f, nil
}

func inferColumn(name string, cells []string) *Column {
	kind := inferKind(cells)
	c := &Column{Name: name, Kind: kind}
	n := len(cells)
	for i, s := range cells {
		if s == "" {
			if c.Null == nil {
				c.Null = make([]bool, n)
			}
			c.Null[i] = true
		}
	}
	switch kind {
	case Int:
		c.Ints = make([]int64, n)
		for i, s := range cells {
			c.Ints[i], _ = strconv.ParseInt(s, 10, 64)
		}
	case Float:
		c.Floats = make([]float64, n)
		for i, s := range cells {
			c.Floats[i], _ = strconv.ParseFloat(s, 64)
		}
	case Bool:
		c.Bools = make([]bool, n)
		for i, s := range cells {
			c.Bools[i] = strings.EqualFold(s, "true")
		}
	case Time:
		c.Times = make([]time.Time, n)
		for i, s := range cells {
			c.Times[i], _ = ParseTime(s)
		}
	default:
		c.Strings = cells
	}
	return c
}

func inferKind(cells []string) Kind {
	isInt, isFloat, isBool, isTime := true, true, true, true
	any := false
	for _, s := range cells {
		if s == "" {
			continue
		}
		any = true
		if isInt {
			if _, err := strconv.ParseInt(s, 10, 64); err != nil {
				isInt = false
			}
		}
		if isFloat && !isInt {
			if _, err := strconv.ParseFloat(s, 64); err != nil || !decimalText(s) {
				isFloat = false
			}
		}
		if isBool && !strings.EqualFold(s, "true") && !strings.EqualFold(s, "false") {
			isBool = false
		}
		if isTime {
			if _, err := ParseTime(s); err != nil {
				isTime = false
			}
		}
		if !isInt && !isFloat && !isBool && !isTime {
			return String
		}
	}
	switch {
	case !any:
		return String
	case isInt:
		return Int
	case isFloat:
		return Float
	case isBool:
		return Bool
	case isTime:
		return Time
	}
	return String
}

// decimalText reports whether s is written with digits, sign, point and exponent
// only, so that "NaN", "Inf" and hex floats stay text.
func decimalText(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9', c == '.', c == '-', c == '+', c == 'e', c == 'E':
		default:
			return false
		}
	}
	return true
}

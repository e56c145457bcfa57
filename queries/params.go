package queries

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// The parameter types a query file may declare.
const (
	TypeStr      = "str"
	TypeInt      = "int"
	TypeFloat    = "float"
	TypeBool     = "bool"
	TypeDatetime = "datetime"
	TypeList     = "list"
	TypeDict     = "dict"
)

// validTypes are the accepted values of a parameter's "type" key.
var validTypes = map[string]bool{
	TypeStr: true, TypeInt: true, TypeFloat: true, TypeBool: true,
	TypeDatetime: true, TypeList: true, TypeDict: true,
}

// rawNames are msticpy's conventional clause parameters, pasted unescaped.
var rawNames = map[string]bool{
	"add_query_items": true, "query_project": true, "event_filter": true, "subscription_filter": true,
}

// Param is one declared parameter of a query.
type Param struct {
	// Name is the parameter name used in {placeholders}.
	Name string
	// Type is one of str, int, float, bool, datetime, list, dict.
	Type string
	// Description is the help text.
	Description string
	// Default is the value used when the caller gives none (nil: none).
	Default any
	// Required is true when the parameter has no default.
	Required bool
	// Aliases are other names a caller may use for the parameter.
	Aliases []string
	// Format is msticpy's optional Python format string; kept for reference,
	// not applied (binding decides the literal form).
	Format string
	// Raw marks a clause parameter pasted into the query unescaped (the
	// explicit escape hatch: add_query_items and friends).
	Raw bool
	// Identifier marks a parameter that names a table or column.
	Identifier bool
	// ItemType is the type of a list's items: str (default), int or float.
	ItemType string
}

// isOperator reports whether the parameter is a comparison operator
// (msticpy's host_op, proc_op: names ending in _op).
func (p *Param) isOperator() bool { return strings.HasSuffix(p.Name, "_op") }

// convert turns a caller's or a default's value into the parameter's Go form:
// string, int64, float64, bool, time.Time, []any or map[string]any.
func (p *Param) convert(v any, now time.Time) (any, error) {
	if p.Raw || p.Identifier || p.isOperator() {
		if s, ok := v.(string); ok {
			return s, nil
		}
		if p.Raw && p.Type == TypeStr {
			return nil, fmt.Errorf("want a string clause, got %T", v)
		}
	}
	switch p.Type {
	case TypeStr:
		if s, ok := v.(string); ok {
			return s, nil
		}
		return nil, fmt.Errorf("want a string, got %T", v)
	case TypeInt:
		return toInt(v)
	case TypeFloat:
		return toFloat(v)
	case TypeBool:
		switch b := v.(type) {
		case bool:
			return b, nil
		case string:
			r, err := strconv.ParseBool(strings.TrimSpace(b))
			if err != nil {
				return nil, fmt.Errorf("want true or false, got %q", b)
			}
			return r, nil
		}
		return nil, fmt.Errorf("want a bool, got %T", v)
	case TypeDatetime:
		switch t := v.(type) {
		case time.Time:
			return t.UTC(), nil
		case string:
			return ParseTime(t, now)
		case int, int64, int32, float64:
			days, err := toFloat(t)
			if err != nil {
				return nil, err
			}
			return now.Add(time.Duration(days.(float64) * float64(24*time.Hour))), nil
		}
		return nil, fmt.Errorf("want a time, got %T; accepted forms: %s", v, TimeForms)
	case TypeList:
		return p.toList(v)
	case TypeDict:
		if m, ok := v.(map[string]any); ok {
			return m, nil
		}
		return nil, fmt.Errorf("want a mapping, got %T", v)
	}
	return nil, fmt.Errorf("unsupported type %q", p.Type)
}

// toList accepts a slice or a comma-separated string (split and trimmed, as
// msticpy does; empty items dropped) and converts each item to ItemType.
func (p *Param) toList(v any) (any, error) {
	var items []any
	switch l := v.(type) {
	case string:
		for _, s := range strings.Split(l, ",") {
			if s = strings.TrimSpace(s); s != "" {
				items = append(items, s)
			}
		}
	case []string:
		for _, s := range l {
			items = append(items, s)
		}
	case []any:
		items = append(items, l...)
	case []int:
		for _, n := range l {
			items = append(items, n)
		}
	case []int64:
		for _, n := range l {
			items = append(items, n)
		}
	case int, int64, float64:
		items = []any{l}
	default:
		return nil, fmt.Errorf("want a list or a comma-separated string, got %T", v)
	}
	out := make([]any, 0, len(items))
	for i, it := range items {
		var (
			c   any
			err error
		)
		switch p.ItemType {
		case TypeInt:
			c, err = toInt(it)
		case TypeFloat:
			c, err = toFloat(it)
		default:
			switch s := it.(type) {
			case string:
				c = s
			case int, int64, int32:
				c, err = toInt(s)
			case float64:
				c = s
			default:
				err = fmt.Errorf("want a string, got %T", it)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("list item %d: %w", i, err)
		}
		out = append(out, c)
	}
	return out, nil
}

// toInt converts Go integers and integer strings to int64.
func toInt(v any) (any, error) {
	switch n := v.(type) {
	case int:
		return int64(n), nil
	case int64:
		return n, nil
	case int32:
		return int64(n), nil
	case uint32:
		return int64(n), nil
	case float64:
		if n == math.Trunc(n) && !math.IsInf(n, 0) {
			return int64(n), nil
		}
		return nil, fmt.Errorf("want an integer, got %v", n)
	case string:
		r, err := strconv.ParseInt(strings.TrimSpace(n), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("want an integer, got %q", n)
		}
		return r, nil
	}
	return nil, fmt.Errorf("want an integer, got %T", v)
}

// toFloat converts Go numbers and numeric strings to a finite float64.
func toFloat(v any) (any, error) {
	var f float64
	switch n := v.(type) {
	case float64:
		f = n
	case float32:
		f = float64(n)
	case int:
		f = float64(n)
	case int64:
		f = float64(n)
	case int32:
		f = float64(n)
	case string:
		r, err := strconv.ParseFloat(strings.TrimSpace(n), 64)
		if err != nil {
			return nil, fmt.Errorf("want a number, got %q", n)
		}
		f = r
	default:
		return nil, fmt.Errorf("want a number, got %T", v)
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, fmt.Errorf("want a finite number, got %v", f)
	}
	return f, nil
}

// Parse checks a value as a form or command line gives it (text) and returns it in
// the parameter's Go form, with the same rules Bind applies; forms call it to
// validate a field before a query runs. Relative times resolve against now.
func (p *Param) Parse(s string, now time.Time) (any, error) {
	v, err := p.convert(s, now.UTC())
	if err != nil {
		return nil, err
	}
	if err := checkValue(p, v); err != nil {
		return nil, err
	}
	return v, nil
}

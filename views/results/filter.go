package results

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/quarry-sec/quarry/engine/frame"
)

// Op is how a filter term compares.
type Op int

// The filter operators.
const (
	// Contains is plain text (any shown column contains it) or col~text.
	Contains Op = iota
	// Equal is col=value.
	Equal
	// NotEqual is col!=value.
	NotEqual
)

// Term is one condition of a filter. Every comparison ignores case and works on a
// cell's display text (what the table shows, before escaping).
type Term struct {
	// Column is the column's name as the frame spells it; "" for plain text, which
	// matches when any shown column contains Value.
	Column string
	// Index is the column's position in the names ParseFilter was given; -1 for
	// plain text.
	Index int
	// Op is the comparison.
	Op Op
	// Value is the text compared with, unquoted and unescaped.
	Value string
}

// Filter is a parsed filter: its terms must all hold (AND). The zero Filter matches
// every row.
type Filter struct {
	// Terms are the conditions, in the order written.
	Terms []Term
}

// ErrUnknownColumn is wrapped by ParseFilter's error for a term naming no column.
var ErrUnknownColumn = errors.New("unknown column")

// ParseFilter reads the filter syntax of the results pane against the frame's column
// names:
//
//	text        any shown column contains text (case-insensitive)
//	col=value   column col equals value (case-insensitive)
//	col!=value  column col does not equal value
//	col~text    column col contains text
//
// Terms are separated by spaces and all must hold. Double quotes keep spaces and
// operators in a name or a value ("Account Name"="DOMAIN\admin x"); inside quotes a
// backslash escapes \" and \\, and \n, \r, \t, \xNN and \uNNNN stand for the
// characters frame.SafeText shows that way. Column names match case-insensitively
// (an exact match wins). An empty string is the empty Filter.
func ParseFilter(s string, names []string) (Filter, error) {
	toks, err := tokenize(s)
	if err != nil {
		return Filter{}, err
	}
	var f Filter
	for _, tk := range toks {
		t, err := tk.term(names)
		if err != nil {
			return Filter{}, err
		}
		f.Terms = append(f.Terms, t)
	}
	return f, nil
}

// IsZero reports whether the filter has no terms and so keeps every row.
func (f Filter) IsZero() bool { return len(f.Terms) == 0 }

// String writes the filter back in the syntax ParseFilter reads, quoting where
// needed; ParseFilter(f.String()) gives f again.
func (f Filter) String() string {
	parts := make([]string, len(f.Terms))
	for i, t := range f.Terms {
		parts[i] = t.String()
	}
	return strings.Join(parts, " ")
}

// String writes one term in filter syntax.
func (t Term) String() string {
	if t.Index < 0 || t.Column == "" {
		return quote(t.Value, true)
	}
	op := "="
	switch t.Op {
	case NotEqual:
		op = "!="
	case Contains:
		op = "~"
	}
	return quote(t.Column, true) + op + quote(t.Value, false)
}

// EqualTerm is the filter text selecting rows whose column equals value, quoted as
// needed: what the frequency table applies.
func EqualTerm(column, value string) string {
	return Term{Column: column, Op: Equal, Value: value}.String()
}

// quote returns v as a filter word: bare when it reads back unchanged, else in
// double quotes with escapes. bare says v stands alone (a plain term or a column
// name), where operator characters must be quoted too.
func quote(v string, bare bool) string {
	need := v == "" || frame.SafeText(v) != v
	for _, r := range v {
		if unicode.IsSpace(r) || r == '"' {
			need = true
		}
		if bare && (r == '=' || r == '~' || r == '!') {
			need = true
		}
	}
	if !need {
		return v
	}
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(v); {
		r, size := utf8.DecodeRuneInString(v[i:])
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, v[i])
		default:
			b.WriteString(frame.SafeText(v[i : i+size]))
		}
		i += size
	}
	b.WriteByte('"')
	return b.String()
}

// piece is part of a token: text, and whether it was quoted (quoted text never
// holds an operator).
type piece struct {
	text   string
	quoted bool
}

type token []piece

func tokenize(s string) ([]token, error) {
	var (
		toks  []token
		cur   token
		buf   strings.Builder
		in    bool // inside quotes
		open  bool // a token has started
		start int  // where the open quote was
	)
	flush := func(quoted bool) {
		if buf.Len() > 0 || quoted {
			cur = append(cur, piece{text: buf.String(), quoted: quoted})
		}
		buf.Reset()
	}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case in && r == '\\':
			v, n, err := unescape(s[i:])
			if err != nil {
				return nil, err
			}
			buf.WriteString(v)
			i += n
			continue
		case in && r == '"':
			flush(true)
			in = false
		case in:
			buf.WriteString(s[i : i+size])
		case r == '"':
			flush(false)
			in, open, start = true, true, i
		case unicode.IsSpace(r):
			if open {
				flush(false)
				toks = append(toks, cur)
				cur, open = nil, false
			}
		default:
			buf.WriteString(s[i : i+size])
			open = true
		}
		i += size
	}
	if in {
		return nil, fmt.Errorf("filter: the quote at %d is not closed", start+1)
	}
	if open {
		flush(false)
		toks = append(toks, cur)
	}
	return toks, nil
}

// unescape reads one backslash escape at the start of s, returning its text and
// length. Unknown escapes stand for themselves, so C:\Windows survives quoting.
func unescape(s string) (string, int, error) {
	if len(s) < 2 {
		return `\`, 1, nil
	}
	switch s[1] {
	case '"', '\\':
		return s[1:2], 2, nil
	case 'n':
		return "\n", 2, nil
	case 'r':
		return "\r", 2, nil
	case 't':
		return "\t", 2, nil
	case 'x':
		if len(s) >= 4 {
			if v, err := strconv.ParseUint(s[2:4], 16, 8); err == nil {
				return string([]byte{byte(v)}), 4, nil
			}
		}
	case 'u':
		if len(s) >= 6 {
			if v, err := strconv.ParseUint(s[2:6], 16, 32); err == nil {
				return string(rune(v)), 6, nil
			}
		}
	}
	return s[:1], 1, nil
}

// term splits a token at its first unquoted operator.
func (tk token) term(names []string) (Term, error) {
	var col, val strings.Builder
	op, found := Contains, false
	colQuoted := false
	for _, p := range tk {
		if found {
			val.WriteString(p.text)
			continue
		}
		if p.quoted {
			col.WriteString(p.text)
			colQuoted = true
			continue
		}
		i, o, n := findOp(p.text)
		if i < 0 {
			col.WriteString(p.text)
			continue
		}
		col.WriteString(p.text[:i])
		val.WriteString(p.text[i+n:])
		op, found = o, true
	}
	if !found {
		return Term{Index: -1, Op: Contains, Value: col.String()}, nil
	}
	name := col.String()
	if name == "" && !colQuoted {
		return Term{}, fmt.Errorf("filter: %q has no column name before the operator", tk.text())
	}
	idx := lookup(name, names)
	if idx < 0 {
		return Term{}, fmt.Errorf("filter: %w %q (columns: %s)", ErrUnknownColumn, frame.SafeText(name), listNames(names))
	}
	return Term{Column: names[idx], Index: idx, Op: op, Value: val.String()}, nil
}

func (tk token) text() string {
	var b strings.Builder
	for _, p := range tk {
		b.WriteString(p.text)
	}
	return frame.SafeText(b.String())
}

// findOp finds the first operator in s: its index, kind and length, or -1.
func findOp(s string) (int, Op, int) {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '=':
			return i, Equal, 1
		case '~':
			return i, Contains, 1
		case '!':
			if i+1 < len(s) && s[i+1] == '=' {
				return i, NotEqual, 2
			}
		}
	}
	return -1, Contains, 0
}

// lookup finds a column by name: exactly, else ignoring case.
func lookup(name string, names []string) int {
	for i, n := range names {
		if n == name {
			return i
		}
	}
	for i, n := range names {
		if strings.EqualFold(n, name) {
			return i
		}
	}
	return -1
}

// listNames lists column names for an error, at most twelve.
func listNames(names []string) string {
	const most = 12
	out := make([]string, 0, min(len(names), most)+1)
	for i, n := range names {
		if i == most {
			out = append(out, fmt.Sprintf("and %d more", len(names)-most))
			break
		}
		out = append(out, frame.SafeText(n))
	}
	if len(out) == 0 {
		return "none"
	}
	return strings.Join(out, ", ")
}

// matcher tests rows against a filter, reading the frame's typed slices.
type matcher struct {
	terms []mterm
	shown []*frame.Column // for plain terms
	zone  *time.Location
	buf   []byte
}

type mterm struct {
	col   *frame.Column // nil: any shown column
	op    Op
	value string // lower case for Contains
}

func newMatcher(f *frame.Frame, flt Filter, shown []int, zone *time.Location) *matcher {
	cols := f.Columns()
	m := &matcher{zone: zone, buf: make([]byte, 0, 64)}
	for _, c := range shown {
		if c >= 0 && c < len(cols) {
			m.shown = append(m.shown, cols[c])
		}
	}
	for _, t := range flt.Terms {
		mt := mterm{op: t.Op, value: t.Value}
		if t.Op == Contains {
			mt.value = strings.ToLower(t.Value)
		}
		if t.Index >= 0 {
			if t.Index >= len(cols) {
				// A term for a column the frame lacks matches nothing.
				m.terms = append(m.terms, mterm{op: -1})
				continue
			}
			mt.col = cols[t.Index]
		}
		m.terms = append(m.terms, mt)
	}
	return m
}

// match reports whether row r passes every term.
func (m *matcher) match(r int) bool {
	for _, t := range m.terms {
		if t.op < 0 {
			return false
		}
		if t.col == nil {
			hit := false
			for _, c := range m.shown {
				if m.test(c, r, Contains, t.value) {
					hit = true
					break
				}
			}
			if !hit {
				return false
			}
			continue
		}
		if !m.test(t.col, r, t.op, t.value) {
			return false
		}
	}
	return true
}

func (m *matcher) test(c *frame.Column, r int, op Op, v string) bool {
	if c.Kind == frame.String {
		s := ""
		if !c.IsNull(r) {
			s = c.Strings[r]
		}
		return compare(s, op, v)
	}
	m.buf = appendCell(m.buf[:0], c, r, m.zone)
	return compare(m.buf, op, v)
}

func compare[S ~string | ~[]byte](s S, op Op, v string) bool {
	switch op {
	case Equal:
		return equalFold(s, v)
	case NotEqual:
		return !equalFold(s, v)
	default:
		return containsFold(s, v)
	}
}

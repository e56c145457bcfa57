package queries

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/quarry-sec/quarry/engine/frame"
)

// Query is one loaded query: its templates per dialect and its parameters.
type Query struct {
	// Name is the dotted name "Family.query_name".
	Name string
	// Family is the data family the query is listed under.
	Family string
	// Short is the query name without its family (the source key).
	Short string
	// Description is the source's description.
	Description string
	// File is the YAML file the query came from.
	File string
	// Params are the declared parameters, sorted by name.
	Params []Param
	// Templates are the query texts per dialect, macros expanded, unbound.
	Templates map[frame.Dialect]string
	// Environments are the file's data_environments.
	Environments []string
	// Tags are the effective metadata tags.
	Tags []string
	// Metadata is the effective metadata (file ⊕ defaults ⊕ source).
	Metadata map[string]any

	compiled map[frame.Dialect]*compiled
	lookup   map[string]*Param // by name and alias
}

// BindOptions carries the clock and default time range for Bind.
type BindOptions struct {
	// Now is the reference time for relative times (zero: the current time).
	Now time.Time
	// DefaultStart and DefaultEnd fill a query's start and end parameters when
	// the caller gives none; when zero, msticpy's defaults Now-1d and Now+1d apply.
	DefaultStart, DefaultEnd time.Time
}

// identRE is the shape of an identifier parameter's value.
var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.]*$`)

// operators are the comparison operators an *_op parameter may take, per dialect.
var operators = map[frame.Dialect][]string{
	frame.KQL: {"has", "!has", "contains", "!contains", "==", "!=", "=~", "!~", "startswith",
		"!startswith", "endswith", "!endswith", "has_cs", "!has_cs", "contains_cs", "!contains_cs",
		"in", "!in", "in~", "!in~"},
	frame.SQL:  {"=", "<>", "!=", "LIKE", "ILIKE", "NOT LIKE", "NOT ILIKE"},
	frame.SPL:  {"=", "!="},
	frame.ESQL: {"==", "!=", "LIKE", "RLIKE", "NOT LIKE", "NOT RLIKE"},
}

// index builds the name and alias lookup.
func (q *Query) index() {
	q.lookup = map[string]*Param{}
	for i := range q.Params {
		p := &q.Params[i]
		q.lookup[p.Name] = p
	}
	for i := range q.Params {
		p := &q.Params[i]
		for _, a := range p.Aliases {
			if _, taken := q.lookup[a]; !taken {
				q.lookup[a] = p
			}
		}
	}
}

// Dialects returns the dialects the query has a template for, sorted.
func (q *Query) Dialects() []frame.Dialect {
	out := make([]frame.Dialect, 0, len(q.compiled))
	for d := range q.compiled {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// Param returns the parameter with the given name or alias.
func (q *Query) Param(name string) (Param, bool) {
	p, ok := q.lookup[name]
	if !ok {
		return Param{}, false
	}
	return *p, true
}

// Bind renders the query for dialect d with the given parameter values.
// Values may be strings (parsed per the parameter's type, as from a command
// line) or typed Go values. For SQL every value becomes a prepared parameter;
// for the text dialects every value becomes an escaped literal. Errors are
// *ParamError for bad values and wrap ErrNoTemplate for a missing dialect.
func (q *Query) Bind(d frame.Dialect, values map[string]any, opts BindOptions) (frame.Statement, error) {
	c, ok := q.compiled[d]
	if !ok {
		return frame.Statement{}, fmt.Errorf("query %s: dialect %s: %w", q.Name, d, ErrNoTemplate)
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	now = now.UTC()
	vals, err := q.resolve(values, now, opts)
	if err != nil {
		return frame.Statement{}, err
	}
	r := renderer{q: q, d: d, vals: vals}
	for _, s := range c.segs {
		if s.param == "" {
			r.write(s.text, false)
			continue
		}
		if err := r.placeholder(s); err != nil {
			return frame.Statement{}, err
		}
	}
	st := frame.Statement{Dialect: d, Text: strings.TrimSpace(r.collapse()), Args: r.args, Query: q.Name}
	if t, ok := vals["start"].(time.Time); ok {
		st.Start = t
	}
	if t, ok := vals["end"].(time.Time); ok {
		st.End = t
	}
	return st, nil
}

// resolve merges caller values, time defaults and parameter defaults into one
// converted value per parameter.
func (q *Query) resolve(values map[string]any, now time.Time, opts BindOptions) (map[string]any, error) {
	perr := func(p, reason string) error { return &ParamError{Query: q.Name, Param: p, Reason: reason} }
	given := map[string]any{}
	givenAs := map[string]string{}
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := values[k]
		if v == nil {
			continue
		}
		p, ok := q.lookup[k]
		if !ok {
			for n, cand := range q.lookup {
				if strings.EqualFold(n, k) {
					p, ok = cand, true
					break
				}
			}
		}
		if !ok {
			return nil, perr(k, fmt.Sprintf("unknown parameter (known: %s)", strings.Join(q.paramNames(), ", ")))
		}
		if prev, dup := givenAs[p.Name]; dup {
			return nil, perr(k, fmt.Sprintf("given twice (also as %s)", prev))
		}
		given[p.Name], givenAs[p.Name] = v, k
	}
	out := make(map[string]any, len(q.Params))
	for i := range q.Params {
		p := &q.Params[i]
		v, ok := given[p.Name]
		from := givenAs[p.Name]
		if !ok && p.Type == TypeDatetime && (p.Name == "start" || p.Name == "end") {
			switch {
			case p.Name == "start" && !opts.DefaultStart.IsZero():
				v, ok = opts.DefaultStart, true
			case p.Name == "end" && !opts.DefaultEnd.IsZero():
				v, ok = opts.DefaultEnd, true
			case p.Default != nil:
			case p.Name == "start":
				v, ok = now.AddDate(0, 0, -1), true
			default:
				v, ok = now.AddDate(0, 0, 1), true
			}
			from = p.Name
		}
		fromDefault := false
		if !ok && p.Default != nil {
			v, ok, from, fromDefault = p.Default, true, p.Name, true
		}
		if !ok {
			return nil, perr(p.Name, "required parameter missing: "+p.Description)
		}
		cv, err := p.convert(v, now)
		if err != nil {
			if fromDefault {
				return nil, perr(from, "bad default in the query file: "+err.Error())
			}
			return nil, perr(from, err.Error())
		}
		if err := checkValue(p, cv); err != nil {
			return nil, perr(from, err.Error())
		}
		out[p.Name] = cv
	}
	if st, ok := out["start"].(time.Time); ok {
		if en, ok := out["end"].(time.Time); ok && st.After(en) {
			return nil, perr("start", fmt.Sprintf("start %s is after end %s", st.Format(time.RFC3339), en.Format(time.RFC3339)))
		}
	}
	return out, nil
}

// checkValue applies the rules that do not depend on the dialect.
func checkValue(p *Param, v any) error {
	if p.Identifier {
		s, _ := v.(string)
		if !identRE.MatchString(s) {
			return fmt.Errorf("%q is not an identifier (want letters, digits, '_' and '.', not starting with a digit)", s)
		}
	}
	switch x := v.(type) {
	case string:
		if !p.Raw && !utf8.ValidString(x) {
			return fmt.Errorf("value is not valid UTF-8")
		}
	case []any:
		for _, it := range x {
			if s, ok := it.(string); ok && !utf8.ValidString(s) {
				return fmt.Errorf("list item is not valid UTF-8")
			}
		}
	}
	return nil
}

// paramNames lists the declared parameter names.
func (q *Query) paramNames() []string {
	out := make([]string, len(q.Params))
	for i, p := range q.Params {
		out[i] = p.Name
	}
	return out
}

// renderer accumulates bound text; protected bytes came from escaped values
// and are never touched by blank-line collapsing.
type renderer struct {
	q    *Query
	d    frame.Dialect
	vals map[string]any
	buf  []byte
	prot []bool
	args []any
}

func (r *renderer) write(s string, protected bool) {
	r.buf = append(r.buf, s...)
	for range len(s) {
		r.prot = append(r.prot, protected)
	}
}

// placeholder renders one placeholder.
func (r *renderer) placeholder(s segment) error {
	p := r.q.lookup[s.param]
	v := r.vals[s.param]
	perr := func(reason string) error { return &ParamError{Query: r.q.Name, Param: s.param, Reason: reason} }
	switch {
	case p.Raw:
		if str, ok := v.(string); ok {
			r.write(str, false)
		} else {
			r.write(textForm(v, r.d), false)
		}
		return nil
	case s.whole:
		r.sqlArgs(v)
		return nil
	case s.ctx.quote != 0:
		esc, err := escapeIn(r.d, s.ctx, textForm(v, r.d))
		if err != nil {
			return perr(err.Error())
		}
		r.write(esc, true)
		return nil
	case p.isOperator():
		op, ok := checkOperator(r.d, fmt.Sprint(v))
		if !ok {
			return perr(fmt.Sprintf("operator %q not allowed for %s (allowed: %s)",
				v, r.d, strings.Join(operators[r.d], " ")))
		}
		r.write(op, true)
		return nil
	case p.Identifier:
		id := v.(string)
		if r.d == frame.SQL {
			parts := strings.Split(id, ".")
			for i, part := range parts {
				parts[i] = `"` + part + `"`
			}
			id = strings.Join(parts, ".")
		}
		r.write(id, true)
		return nil
	case r.d == frame.SQL:
		r.sqlArgs(v)
		return nil
	}
	r.write(literal(r.d, v), true)
	return nil
}

// sqlArgs writes '?' markers for v and appends the prepared parameters.
func (r *renderer) sqlArgs(v any) {
	switch x := v.(type) {
	case []any:
		if len(x) == 0 {
			r.write("?", true)
			r.args = append(r.args, nil)
			return
		}
		for i, it := range x {
			if i > 0 {
				r.write(", ", true)
			}
			r.write("?", true)
			r.args = append(r.args, it)
		}
	case map[string]any:
		r.write("?", true)
		r.args = append(r.args, jsonText(x))
	default:
		r.write("?", true)
		r.args = append(r.args, x)
	}
}

// checkOperator returns the canonical operator when op is allowed for d.
func checkOperator(d frame.Dialect, op string) (string, bool) {
	norm := strings.Join(strings.Fields(op), " ")
	for _, allowed := range operators[d] {
		if norm == allowed || ((d == frame.SQL || d == frame.ESQL) && strings.EqualFold(norm, allowed)) {
			return allowed, true
		}
	}
	return "", false
}

// collapse returns the text with runs of blank lines folded into one newline
// (msticpy's rule), leaving bytes that came from values untouched.
func (r *renderer) collapse() string {
	b, prot := r.buf, r.prot
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		if b[i] == '\n' && !prot[i] {
			last := -1
			for j := i + 1; j < len(b) && !prot[j] && isSpace(b[j]); j++ {
				if b[j] == '\n' {
					last = j
				}
			}
			if last > 0 {
				out = append(out, '\n')
				i = last
				continue
			}
		}
		out = append(out, b[i])
	}
	return string(out)
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// literal renders v as a complete literal of a text dialect.
func literal(d frame.Dialect, v any) string {
	switch x := v.(type) {
	case string:
		return quoteString(d, x)
	case time.Time:
		switch d {
		case frame.SPL:
			return strconv.FormatInt(x.Unix(), 10)
		case frame.ESQL:
			return quoteString(d, x.UTC().Format("2006-01-02T15:04:05.000Z"))
		}
		return x.UTC().Format("2006-01-02T15:04:05.000000Z")
	case []any:
		parts := make([]string, len(x))
		for i, it := range x {
			parts[i] = literal(d, it)
		}
		return strings.Join(parts, ", ")
	case map[string]any:
		return quoteString(d, jsonText(x))
	}
	return textForm(v, d)
}

// textForm is the plain text of a value, as used inside a quoted literal.
func textForm(v any, d frame.Dialect) string {
	switch x := v.(type) {
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case time.Time:
		switch d {
		case frame.SPL:
			return strconv.FormatInt(x.Unix(), 10)
		case frame.SQL:
			return x.UTC().Format("2006-01-02 15:04:05.000000")
		}
		return x.UTC().Format("2006-01-02T15:04:05.000000Z")
	case []any:
		parts := make([]string, len(x))
		for i, it := range x {
			parts[i] = textForm(it, d)
		}
		return strings.Join(parts, ",")
	case map[string]any:
		return jsonText(x)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

// quoteString renders s as a double-quoted string literal of dialect d.
func quoteString(d frame.Dialect, s string) string {
	esc, _ := escapeIn(d, quoteCtx{quote: '"'}, s)
	return `"` + esc + `"`
}

// escapeIn escapes s for use inside a literal delimited by ctx.quote.
func escapeIn(d frame.Dialect, ctx quoteCtx, s string) (string, error) {
	q := string(ctx.quote)
	switch {
	case d == frame.SQL:
		return strings.ReplaceAll(s, q, q+q), nil
	case ctx.verbatim:
		for _, r := range s {
			if r < 0x20 || r == 0x7f {
				return "", fmt.Errorf("control character %U cannot appear in a verbatim (@) string literal", r)
			}
		}
		return strings.ReplaceAll(s, q, q+q), nil
	case d == frame.SPL:
		var b strings.Builder
		for _, r := range s {
			if r == '\\' || r == rune(ctx.quote) {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		}
		return b.String(), nil
	}
	// KQL and ES|QL: backslash escapes.
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == rune(ctx.quote):
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || (r >= 0x7f && r <= 0x9f) || r == 0x2028 || r == 0x2029:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String(), nil
}

// jsonText encodes a dict parameter as JSON text.
func jsonText(m map[string]any) string {
	b, err := json.Marshal(m)
	if err != nil {
		return "{}"
	}
	return string(b)
}

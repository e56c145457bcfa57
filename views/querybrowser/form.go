package querybrowser

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/quarry-sec/quarry/queries"
	"github.com/quarry-sec/quarry/views/pane"
)

// ErrRequired is a form field's error when a required parameter is left empty.
var ErrRequired = errors.New("required")

// field is one parameter of the form.
type field struct {
	param queries.Param
	input textinput.Model
	// def is the declared default as text; a field left at it is not sent, so
	// the default applies as declared.
	def string
	err error
}

// form is the parameter form of one query.
type form struct {
	query  *queries.Query
	fields []field
	focus  int
	// off is the first field shown when the fields do not all fit.
	off int
	// timed is set when the query takes start and end from the time range.
	timed bool
	// notice says why a submit was refused.
	notice string
}

// isTimeParam reports whether a parameter comes from the time-range picker.
func isTimeParam(p queries.Param) bool { return p.Name == "start" || p.Name == "end" }

// formParams are the parameters the form asks for: every one but start and end,
// required ones first, then by name.
func formParams(q *queries.Query) []queries.Param {
	var out []queries.Param
	for _, p := range q.Params {
		if !isTimeParam(p) {
			out = append(out, p)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Required && !out[j].Required })
	return out
}

// hasTimeParams reports whether the query takes start or end.
func hasTimeParams(q *queries.Query) bool {
	for _, p := range q.Params {
		if isTimeParam(p) {
			return true
		}
	}
	return false
}

// newForm makes the form of q with its defaults filled in.
func newForm(q *queries.Query) *form {
	f := &form{query: q, timed: hasTimeParams(q)}
	for _, p := range formParams(q) {
		ti := pane.NewInput()
		ti.Prompt = ""
		ti.Cursor.SetMode(cursor.CursorStatic)
		ti.SetValue(DefaultText(p.Default))
		// The input drops control characters; compare against what it holds.
		f.fields = append(f.fields, field{param: p, input: ti, def: ti.Value()})
	}
	return f
}

// DefaultText is a parameter's default as the form shows it: lists joined with
// ", ", times in RFC 3339, mappings as JSON, and "" for none.
func DefaultText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []any:
		parts := make([]string, len(x))
		for i, it := range x {
			parts[i] = DefaultText(it)
		}
		return strings.Join(parts, ", ")
	case []string:
		return strings.Join(x, ", ")
	case time.Time:
		return x.UTC().Format(time.RFC3339)
	case map[string]any:
		b, err := json.Marshal(x)
		if err != nil {
			return fmt.Sprint(x)
		}
		return string(b)
	}
	return fmt.Sprint(v)
}

// validate checks the field's text as binding will: empty is an error only for
// a required parameter (an optional one left empty takes its default).
func (f *field) validate(now time.Time) {
	v := f.input.Value()
	if strings.TrimSpace(v) == "" {
		f.err = nil
		if f.param.Required {
			f.err = ErrRequired
		}
		return
	}
	_, f.err = f.param.Parse(v, now)
}

// focusField moves the focus to field i (wrapping), validating the one left.
func (f *form) focusField(i int, now time.Time) tea.Cmd {
	if len(f.fields) == 0 {
		return nil
	}
	f.fields[f.focus].validate(now)
	f.fields[f.focus].input.Blur()
	n := len(f.fields)
	f.focus = ((i % n) + n) % n
	return f.fields[f.focus].input.Focus()
}

// invalid validates every field and returns the names of the bad ones.
func (f *form) invalid(now time.Time) []string {
	var bad []string
	for i := range f.fields {
		f.fields[i].validate(now)
		if f.fields[i].err != nil {
			bad = append(bad, f.fields[i].param.Name)
		}
	}
	return bad
}

// request is the RunQuery intent for the form's values: fields left empty or at
// their default text are not sent, so declared defaults apply.
func (f *form) request() pane.RunQuery {
	params := map[string]any{}
	crumb := []string{f.query.Name}
	for _, fl := range f.fields {
		v := fl.input.Value()
		if strings.TrimSpace(v) == "" || v == fl.def {
			continue
		}
		params[fl.param.Name] = v
		crumb = append(crumb, fl.param.Name+"="+crumbValue(v))
	}
	return pane.RunQuery{From: pane.Queries, To: pane.Results, Query: f.query.Name, Params: params, Crumb: strings.Join(crumb, " ")}
}

// crumbValue quotes a value that would not read back as one word.
func crumbValue(v string) string {
	if v == "" || strings.ContainsAny(v, " \t\"'=") {
		return strconv.Quote(v)
	}
	return v
}

// typeText names a parameter's type for the form and the detail ("list of int").
func typeText(p queries.Param) string {
	if p.Type == queries.TypeList && p.ItemType != "" && p.ItemType != queries.TypeStr {
		return "list of " + p.ItemType
	}
	return p.Type
}

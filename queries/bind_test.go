package queries

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/quarry-sec/quarry/engine/frame"
)

func asParamError(t *testing.T, err error) *ParamError {
	t.Helper()
	var pe *ParamError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T) is not a *ParamError", err, err)
	}
	if !strings.Contains(pe.Error(), pe.Query) || !strings.Contains(pe.Error(), pe.Param) {
		t.Errorf("message %q does not name query and parameter", pe.Error())
	}
	return pe
}

func mustGet(t *testing.T, name string) *Query {
	t.Helper()
	lib, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	q, err := lib.Get(name)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func TestBindParamErrors(t *testing.T) {
	q := mustGet(t, "WindowsSecurity.list_host_processes")
	tests := []struct {
		name   string
		values map[string]any
		param  string
		reason string
	}{
		{"unknown", map[string]any{"host_name": "h", "colour": "red"}, "colour", "unknown parameter"},
		{"missing", map[string]any{}, "host_name", "required"},
		{"wrong type", map[string]any{"host_name": 42}, "host_name", "want a string"},
		{"bad time", map[string]any{"host_name": "h", "start": "last tuesday"}, "start", "accepted forms"},
		{"bad time type", map[string]any{"host_name": "h", "end": true}, "end", "want a time"},
		{"alias twice", map[string]any{"host_name": "h", "hostname": "g"}, "hostname", "given twice"},
		{"start after end", map[string]any{"host_name": "h", "start": "2030-01-01", "end": "2022-05-13"}, "start", "start 2030-01-01T00:00:00Z is after end 2022-05-13T00:00:00Z"},
		{"start after default end", map[string]any{"host_name": "h", "start": "+3d"}, "start", "is after end"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := q.Bind(frame.KQL, tt.values, BindOptions{Now: injNow})
			pe := asParamError(t, err)
			if pe.Param != tt.param || !strings.Contains(pe.Reason, tt.reason) {
				t.Errorf("got %+v, want param %s reason ~%q", pe, tt.param, tt.reason)
			}
		})
	}

	ids := mustGet(t, "WindowsSecurity.list_events_by_id")
	_, err := ids.Bind(frame.SQL, map[string]any{"event_list": "4624, x"}, BindOptions{Now: injNow})
	if pe := asParamError(t, err); pe.Param != "event_list" {
		t.Errorf("bad list item: %+v", pe)
	}
	_, err = ids.Bind(frame.ESQL, nil, BindOptions{})
	if !errors.Is(err, ErrNoTemplate) {
		t.Errorf("esql bind: %v, want ErrNoTemplate", err)
	}
}

func TestBindTypedValues(t *testing.T) {
	q := mustGet(t, "WindowsSecurity.list_host_processes")
	start := time.Date(2019, 1, 15, 5, 24, 24, 0, time.UTC)
	end := time.Date(2019, 1, 16, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		values     map[string]any
		opts       BindOptions
		start, end time.Time
	}{
		{"alias and typed times", map[string]any{"hostname": "h", "start": start, "end": end}, BindOptions{}, start, end},
		{"string times", map[string]any{"host_name": "h", "start": "2019-01-15 05:24:24", "end": "2019-01-16"}, BindOptions{}, start, end},
		{"relative", map[string]any{"host_name": "h", "start": "-1d@d", "end": "now"}, BindOptions{Now: injNow},
			time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), injNow},
		{"msticpy default range", map[string]any{"host_name": "h"}, BindOptions{Now: injNow},
			injNow.AddDate(0, 0, -1), injNow.AddDate(0, 0, 1)},
		{"option defaults", map[string]any{"host_name": "h"}, BindOptions{Now: injNow, DefaultStart: start, DefaultEnd: end}, start, end},
		{"caller beats option", map[string]any{"host_name": "h", "end": "2019-01-15T06:00:00Z"},
			BindOptions{Now: injNow, DefaultStart: start, DefaultEnd: end}, start, time.Date(2019, 1, 15, 6, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := q.Bind(frame.SQL, tt.values, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if !st.Start.Equal(tt.start) || !st.End.Equal(tt.end) {
				t.Errorf("range %v..%v, want %v..%v", st.Start, st.End, tt.start, tt.end)
			}
			want := []any{tt.start, tt.end, "h"}
			if !reflect.DeepEqual(st.Args, want) {
				t.Errorf("args %#v, want %#v", st.Args, want)
			}
			if st.Dialect != frame.SQL || st.Query != q.Name {
				t.Errorf("statement %+v", st)
			}
		})
	}
}

func TestBindLists(t *testing.T) {
	ips := mustGet(t, "Azure.list_aad_signins_for_ip")
	ids := mustGet(t, "WindowsSecurity.list_events_by_id")
	opts := BindOptions{Now: injNow}
	tests := []struct {
		name     string
		q        *Query
		d        frame.Dialect
		values   map[string]any
		contains string
		args     []any // SQL list args after start/end
	}{
		{"comma string sql", ips, frame.SQL, map[string]any{"ip_address_list": " 10.0.0.1 ,10.0.0.2,"}, "IPAddress IN (?, ?)", []any{"10.0.0.1", "10.0.0.2"}},
		{"slice sql", ips, frame.SQL, map[string]any{"ip_address": []string{"1.1.1.1"}}, "IPAddress IN (?)", []any{"1.1.1.1"}},
		{"empty sql", ips, frame.SQL, map[string]any{"ip_address_list": []string{}}, "IPAddress IN (?)", []any{nil}},
		{"kql", ips, frame.KQL, map[string]any{"ip_address_list": `10.0.0.1,a"b`}, `IPAddress in ("10.0.0.1", "a\"b")`, nil},
		{"ints sql", ids, frame.SQL, map[string]any{"event_list": "4624,4625"}, "EventID IN (?, ?)", []any{int64(4624), int64(4625)}},
		{"ints kql", ids, frame.KQL, map[string]any{"event_ids": []int{4624, 4688}}, "EventID in (4624, 4688)", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := tt.q.Bind(tt.d, tt.values, opts)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(st.Text, tt.contains) {
				t.Errorf("text lacks %q:\n%s", tt.contains, st.Text)
			}
			if tt.d == frame.SQL && !reflect.DeepEqual(st.Args[2:], tt.args) {
				t.Errorf("args %#v, want %#v", st.Args[2:], tt.args)
			}
		})
	}
}

func TestBindTemplateForms(t *testing.T) {
	doc := `metadata:
  version: 1
  data_environments: [LogAnalytics]
  data_families: [T]
sources:
  q:
    description: forms
    dialects:
      sql: |
        SELECT '{s}' AS whole, 'pre-{s}-post' AS part, {n} AS n, {f} AS f, {b} AS b,
          {start} AS t, '{{literal}}' AS braces
        {add_query_items}


        -- trailing
      kql: |
        print whole = '{s}', dq = "x{s}y", v = @"{s}", n = {n}, f = {f}, b = {b}, t = datetime({start})
      spl: |
        search a='{s}' b="{s}" n={n} earliest={start}
      esql: |
        FROM t | WHERE s == {s} AND ts >= {start}
    parameters:
      s: {description: s, type: str}
      n: {description: n, type: int}
      f: {description: f, type: float}
      b: {description: b, type: bool}
      start: {description: t, type: datetime}
      add_query_items: {description: raw, type: str}
`
	qs, err := parseFile("forms.yaml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	q := qs[0]
	vals := map[string]any{"s": `it's "q" \`, "n": "7", "f": "2.5", "b": "true", "start": "2019-01-15T05:24:24Z"}
	ts := time.Date(2019, 1, 15, 5, 24, 24, 0, time.UTC)
	tests := []struct {
		d    frame.Dialect
		want string
		args []any
	}{
		{frame.SQL, "SELECT ? AS whole, 'pre-it''s \"q\" \\-post' AS part, ? AS n, ? AS f, ? AS b,\n  ? AS t, '{literal}' AS braces\n-- trailing",
			[]any{`it's "q" \`, int64(7), 2.5, true, ts}},
		{frame.KQL, `print whole = 'it\'s "q" \\', dq = "xit's \"q\" \\y", v = @"it's ""q"" \", n = 7, f = 2.5, b = true, t = datetime(2019-01-15T05:24:24.000000Z)`, nil},
		{frame.SPL, `search a='it\'s "q" \\' b="it's \"q\" \\" n=7 earliest=1547529864`, nil},
		{frame.ESQL, `FROM t | WHERE s == "it's \"q\" \\" AND ts >= "2019-01-15T05:24:24.000Z"`, nil},
	}
	for _, tt := range tests {
		t.Run(string(tt.d), func(t *testing.T) {
			st, err := q.Bind(tt.d, vals, BindOptions{Now: injNow})
			if err != nil {
				t.Fatal(err)
			}
			if st.Text != tt.want {
				t.Errorf("text\n got %q\nwant %q", st.Text, tt.want)
			}
			if !reflect.DeepEqual(st.Args, tt.args) {
				t.Errorf("args %#v, want %#v", st.Args, tt.args)
			}
		})
	}
	// A control character cannot be written in a verbatim literal.
	_, err = q.Bind(frame.KQL, map[string]any{"s": "a\nb", "n": 1, "f": 1.0, "b": false, "start": "now"}, BindOptions{Now: injNow})
	if pe := asParamError(t, err); pe.Param != "s" {
		t.Errorf("verbatim control char: %+v", pe)
	}
}

func TestParamParse(t *testing.T) {
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		p       Param
		in      string
		want    any
		wantErr string
	}{
		{Param{Name: "n", Type: TypeInt}, "42", int64(42), ""},
		{Param{Name: "n", Type: TypeInt}, "4x", nil, "integer"},
		{Param{Name: "b", Type: TypeBool}, "true", true, ""},
		{Param{Name: "b", Type: TypeBool}, "maybe", nil, "true or false"},
		{Param{Name: "start", Type: TypeDatetime}, "-1d", now.AddDate(0, 0, -1), ""},
		{Param{Name: "start", Type: TypeDatetime}, "yesterday-ish", nil, "time"},
		{Param{Name: "col", Type: TypeStr, Identifier: true}, "Account", "Account", ""},
		{Param{Name: "col", Type: TypeStr, Identifier: true}, "a;drop", nil, "identifier"},
		{Param{Name: "s", Type: TypeStr}, "x", "x", ""},
	}
	for _, tt := range tests {
		got, err := tt.p.Parse(tt.in, now)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(strings.ToLower(err.Error()), tt.wantErr) {
				t.Errorf("%s %q: err = %v, want one mentioning %q", tt.p.Type, tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s %q = %#v, %v; want %#v", tt.p.Type, tt.in, got, err, tt.want)
		}
	}
}

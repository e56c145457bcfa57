package queries

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/quarry-sec/quarry/engine/frame"
)

// hostile are values that would break out of a naively quoted literal.
var hostile = []string{
	`'`, `"`, `\`, `\"`, `x' or '1'='1`, `"; | union *`, `a|b`, `a;b`,
	"line1\nline2", "\r\t", `{host_name}`, `$<m>$`, `%`, `_`,
	"Ünïcødé 主机 🚀", "\x1b[31m", `' OR 1=1 --`, `") | union (SecurityEvent`, `\\'`, "\u2028",
}

var injNow = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)

func TestInjectionSQL(t *testing.T) {
	q := mustGet(t, "WindowsSecurity.list_host_processes")
	db := openDuck(t)
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, `CREATE TABLE SecurityEvent (TimeGenerated TIMESTAMP, Computer VARCHAR, EventID INTEGER)`); err != nil {
		t.Fatal(err)
	}
	planted := []string{"WKS01", "wks02.contoso.com", `x' or '1'='1`, "line1\nline2", `"; | union *`}
	for _, c := range planted {
		if _, err := db.ExecContext(ctx, `INSERT INTO SecurityEvent VALUES (TIMESTAMP '2024-01-02 01:00:00', ?, 4688)`, c); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO SecurityEvent VALUES (TIMESTAMP '2024-01-02 01:00:00', NULL, 4688),
		(TIMESTAMP '2024-01-02 01:00:00', 'other', 4624)`); err != nil {
		t.Fatal(err)
	}
	benign, err := q.Bind(frame.SQL, map[string]any{"host_name": "WKS01"}, BindOptions{Now: injNow})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range append(hostile, "WKS01") {
		t.Run(fmt.Sprintf("%q", v), func(t *testing.T) {
			st, err := q.Bind(frame.SQL, map[string]any{"host_name": v}, BindOptions{Now: injNow})
			if err != nil {
				t.Fatalf("Bind: %v", err)
			}
			if st.Text != benign.Text {
				t.Fatalf("statement text changed with the value:\n%s\nvs\n%s", st.Text, benign.Text)
			}
			if len(st.Args) != 3 || st.Args[2] != v {
				t.Fatalf("args = %#v", st.Args)
			}
			rows, err := db.QueryContext(ctx, st.Text, st.Args...)
			if err != nil {
				t.Fatalf("query: %v", err)
			}
			defer rows.Close()
			var got []string
			for rows.Next() {
				cols, _ := rows.Columns()
				vals := make([]any, len(cols))
				ptrs := make([]any, len(cols))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				if err := rows.Scan(ptrs...); err != nil {
					t.Fatal(err)
				}
				got = append(got, fmt.Sprint(vals[1]))
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			want := 0
			for _, c := range planted {
				if c == v {
					want++
				}
			}
			if len(got) != want {
				t.Fatalf("rows = %q, want %d rows equal to the value", got, want)
			}
			for _, c := range got {
				if c != v {
					t.Errorf("row Computer %q != %q", c, v)
				}
			}
		})
	}
}

// token is one lexical token of a bound text statement.
type token struct {
	lit  bool   // a string literal
	text string // decoded value for literals, the text otherwise
}

// lexKQL tokenizes KQL (or SPL when spl is set): string literals are decoded;
// runs of word characters and single punctuation marks are other tokens.
func lexText(t *testing.T, s string, spl bool) []token {
	t.Helper()
	var out []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\n' || c == '\t' || c == '\r':
			i++
		case c == '"' || c == '\'' || (c == '@' && !spl && i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\'')):
			verbatim := c == '@'
			if verbatim {
				i++
			}
			q := s[i]
			i++
			var b strings.Builder
			closed := false
			for i < len(s) {
				ch := s[i]
				if ch == q {
					if verbatim && i+1 < len(s) && s[i+1] == q {
						b.WriteByte(q)
						i += 2
						continue
					}
					i++
					closed = true
					break
				}
				if ch == '\\' && !verbatim {
					if i+1 >= len(s) {
						t.Fatalf("dangling backslash in %q", s)
					}
					e := s[i+1]
					i += 2
					switch {
					case spl && (e == '\\' || e == '"' || e == '\''):
						b.WriteByte(e)
					case spl:
						t.Fatalf("undocumented SPL escape \\%c in %q", e, s)
					case e == 'n':
						b.WriteByte('\n')
					case e == 't':
						b.WriteByte('\t')
					case e == 'r':
						b.WriteByte('\r')
					case e == '\\' || e == '"' || e == '\'':
						b.WriteByte(e)
					case e == 'u':
						if i+4 > len(s) {
							t.Fatalf("short \\u escape in %q", s)
						}
						n, err := strconv.ParseUint(s[i:i+4], 16, 32)
						if err != nil {
							t.Fatalf("bad \\u escape in %q", s)
						}
						b.WriteRune(rune(n))
						i += 4
					default:
						t.Fatalf("unknown KQL escape \\%c in %q", e, s)
					}
					continue
				}
				if !spl && (ch == '\n' || ch == '\r') {
					t.Fatalf("raw line break inside a KQL literal: %q", s)
				}
				b.WriteByte(ch)
				i++
			}
			if !closed {
				t.Fatalf("unterminated literal in %q", s)
			}
			out = append(out, token{lit: true, text: b.String()})
		case isWordByte(c):
			j := i
			for j < len(s) && isWordByte(s[j]) {
				j++
			}
			out = append(out, token{text: s[i:j]})
			i = j
		default:
			_, n := utf8.DecodeRuneInString(s[i:])
			out = append(out, token{text: s[i : i+n]})
			i += n
		}
	}
	return out
}

func isWordByte(c byte) bool {
	return c == '_' || c == '.' || c == ':' || c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// checkStructure asserts that bound holds exactly the benign statement's
// tokens, except that the literal that held the benign marker now holds v.
func checkStructure(t *testing.T, benign, bound []token, marker, v string) {
	t.Helper()
	if len(benign) != len(bound) {
		t.Fatalf("token count %d, benign %d:\n%v\nvs\n%v", len(bound), len(benign), bound, benign)
	}
	found := 0
	for i := range benign {
		b, g := benign[i], bound[i]
		if b.lit != g.lit {
			t.Fatalf("token %d kind changed: %+v vs %+v", i, g, b)
		}
		if b.lit && b.text == marker {
			found++
			if g.text != v {
				t.Errorf("literal decodes to %q, want %q", g.text, v)
			}
			continue
		}
		if b.text != g.text {
			t.Errorf("token %d changed: %q vs benign %q", i, g.text, b.text)
		}
	}
	if found == 0 {
		t.Fatal("placeholder literal not found in the benign statement")
	}
}

func TestInjectionText(t *testing.T) {
	lib, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	style, err := LoadFS(os.DirFS("testdata"), "valid")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		lib   *Library
		query string
		d     frame.Dialect
	}{
		{lib, "WindowsSecurity.list_host_processes", frame.KQL}, // unquoted placeholder
		{lib, "WindowsSecurity.list_host_processes", frame.SPL}, // unquoted placeholder
		{lib, "SecurityAlert.list_related_alerts", frame.KQL},   // let binding
		{style, "TestFamily.list_host_things", frame.KQL},       // msticpy's "{host_name}"
		{lib, "LinuxSyslog.list_logons_for_host", frame.SPL},    // SPL with a search clause
		{lib, "WindowsSecurity.list_hosts_matching_commandline", frame.KQL},
	}
	const marker = "benignvalue"
	for _, c := range cases {
		q, err := c.lib.Get(c.query)
		if err != nil {
			t.Fatal(err)
		}
		param := "host_name"
		if strings.HasSuffix(c.query, "commandline") {
			param = "commandline"
		}
		spl := c.d == frame.SPL
		ref, err := q.Bind(c.d, map[string]any{param: marker}, BindOptions{Now: injNow})
		if err != nil {
			t.Fatal(err)
		}
		benign := lexText(t, ref.Text, spl)
		for _, v := range hostile {
			t.Run(fmt.Sprintf("%s/%s/%q", c.query, c.d, v), func(t *testing.T) {
				st, err := q.Bind(c.d, map[string]any{param: v}, BindOptions{Now: injNow})
				if err != nil {
					t.Fatalf("Bind: %v", err)
				}
				if len(st.Args) != 0 {
					t.Errorf("text dialect has args %v", st.Args)
				}
				checkStructure(t, benign, lexText(t, st.Text, spl), marker, v)
			})
		}
	}
}

func TestIdentifierAndOperatorRejected(t *testing.T) {
	q := mustGet(t, "WindowsSecurity.list_host_processes")
	tests := []struct {
		d      frame.Dialect
		values map[string]any
		param  string
	}{
		{frame.SQL, map[string]any{"host_name": "h", "table": `SecurityEvent; DROP TABLE x`}, "table"},
		{frame.KQL, map[string]any{"host_name": "h", "table": `SecurityEvent | union *`}, "table"},
		{frame.SQL, map[string]any{"host_name": "h", "table": `"SecurityEvent"`}, "table"},
		{frame.KQL, map[string]any{"host_name": "h", "table": `1abc`}, "table"},
		{frame.KQL, map[string]any{"host_name": "h", "host_op": `has "x" or 1==1 //`}, "host_op"},
		{frame.KQL, map[string]any{"host_name": "h", "host_op": `LIKE`}, "host_op"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.values), func(t *testing.T) {
			_, err := q.Bind(tt.d, tt.values, BindOptions{Now: injNow})
			pe := asParamError(t, err)
			if pe.Param != tt.param || pe.Query != q.Name {
				t.Errorf("ParamError %+v, want param %s", pe, tt.param)
			}
		})
	}
	// Accepted identifiers and operators render per dialect.
	st, err := q.Bind(frame.SQL, map[string]any{"host_name": "h", "table": "main.SecurityEvent"}, BindOptions{Now: injNow})
	if err != nil || !strings.Contains(st.Text, `FROM "main"."SecurityEvent"`) {
		t.Errorf("sql identifier: %v\n%s", err, st.Text)
	}
	st, err = q.Bind(frame.KQL, map[string]any{"host_name": "h", "table": "SecurityEvent", "host_op": "=~"}, BindOptions{Now: injNow})
	if err != nil || !strings.Contains(st.Text, "\nSecurityEvent\n") || !strings.Contains(st.Text, `where Computer =~ "h"`) {
		t.Errorf("kql identifier/operator: %v\n%s", err, st.Text)
	}
	mq := mustGet(t, "WindowsSecurity.list_matching_processes")
	if _, err := mq.Bind(frame.KQL, map[string]any{"process_name": "x", "proc_op": "matches regex"}, BindOptions{Now: injNow}); err == nil {
		t.Error("proc_op 'matches regex' accepted")
	}
}

func TestAddQueryItemsIsRaw(t *testing.T) {
	q := mustGet(t, "WindowsSecurity.list_host_processes")
	raw := `| where Account has "adm" | extend x = 'y'`
	st, err := q.Bind(frame.KQL, map[string]any{"host_name": "h", "add_query_items": raw}, BindOptions{Now: injNow})
	if err != nil {
		t.Fatal(err)
	}
	want := `let start = datetime(2024-01-01T03:04:05.000000Z);
let end = datetime(2024-01-03T03:04:05.000000Z);
SecurityEvent
| where TimeGenerated >= start and TimeGenerated <= end
| where EventID == 4688
| where Computer has "h"
| where Account has "adm" | extend x = 'y'
| sort by TimeGenerated asc`
	if st.Text != want {
		t.Errorf("kql text\n got:\n%s\nwant:\n%s", st.Text, want)
	}
	st, err = q.Bind(frame.SQL, map[string]any{"host_name": "h", "add_query_items": "AND Account = 'x'"}, BindOptions{Now: injNow})
	if err != nil || !strings.Contains(st.Text, "\n  AND Account = 'x'\n") || len(st.Args) != 3 {
		t.Errorf("sql raw clause: %v\n%s", err, st.Text)
	}
}

// FuzzBindText checks, for any valid UTF-8 host name, that the KQL and SPL
// bindings keep the statement's structure and that the literal decodes back.
func FuzzBindText(f *testing.F) {
	for _, v := range hostile {
		f.Add(v)
	}
	lib, err := LoadFS(Embedded(), "library")
	if err != nil {
		f.Fatal(err)
	}
	q, err := lib.Get("WindowsSecurity.list_host_processes")
	if err != nil {
		f.Fatal(err)
	}
	const marker = "benignvalue"
	f.Fuzz(func(t *testing.T, v string) {
		if !utf8.ValidString(v) {
			return
		}
		for _, d := range []frame.Dialect{frame.KQL, frame.SPL} {
			ref, err := q.Bind(d, map[string]any{"host_name": marker}, BindOptions{Now: injNow})
			if err != nil {
				t.Fatal(err)
			}
			st, err := q.Bind(d, map[string]any{"host_name": v}, BindOptions{Now: injNow})
			if err != nil {
				t.Fatalf("Bind(%q): %v", v, err)
			}
			spl := d == frame.SPL
			checkStructure(t, lexText(t, ref.Text, spl), lexText(t, st.Text, spl), marker, v)
		}
	})
}

package results

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/quarry-sec/quarry/engine/frame"
	"github.com/quarry-sec/quarry/views/draw"
	"github.com/quarry-sec/quarry/views/pane"
)

func TestCursorMoves(t *testing.T) {
	tb := newTable(t, numbers(t, 100), 40, 13) // 10 rows on screen
	steps := []struct {
		key      string
		cur, top int
	}{
		{"j", 1, 0}, {"down", 2, 0}, {"j", 3, 0}, {"k", 2, 0}, {"up", 1, 0},
		{"G", 99, 90}, {"g", 0, 0}, {"pgdown", 10, 10}, {"ctrl+d", 20, 20},
		{"pgup", 10, 10}, {"k", 9, 9}, {"ctrl+u", 0, 0}, {"k", 0, 0},
		{"end", 99, 90}, {"j", 99, 90}, {"home", 0, 0},
	}
	for i, s := range steps {
		press(tb, s.key)
		if tb.Cursor() != s.cur || tb.top != s.top {
			t.Fatalf("step %d (%s): cursor %d top %d, want %d %d", i, s.key, tb.Cursor(), tb.top, s.cur, s.top)
		}
	}
	press(tb, "j", "j")
	if tb.Row() != 2 {
		t.Errorf("Row() = %d, want 2", tb.Row())
	}
	v := lines(tb.View())
	if !strings.HasPrefix(v[5], "▶") || !strings.Contains(v[5], "row 2") {
		t.Errorf("selected row line = %q, want the ▶ marker on row 2", v[5])
	}
}

func TestSortCycle(t *testing.T) {
	tests := []struct {
		col        string
		asc, desc  []int
		wantHeader string
	}{
		// Count has a null (row 2): last both ways.
		{"Count", []int{5, 1, 4, 0, 3, 2}, []int{3, 0, 4, 1, 5, 2}, "Count ▲"},
		{"TimeGenerated", []int{2, 0, 4, 1, 3, 5}, []int{3, 1, 4, 0, 2, 5}, "TimeGenerated ▲"},
		// Byte order: upper case before lower; equal values keep frame order.
		{"AlertSeverity", []int{0, 2, 5, 3, 1, 4}, []int{4, 1, 3, 5, 0, 2}, "AlertSeverity ▲"},
		{"Resolved", []int{0, 2, 5, 1, 4, 3}, []int{1, 4, 0, 2, 5, 3}, "Resolved ▲"},
		{"Score", []int{5, 4, 1, 0, 2, 3}, []int{2, 0, 1, 4, 5, 3}, "Score ▲"},
	}
	for _, tt := range tests {
		t.Run(tt.col, func(t *testing.T) {
			tb := newTable(t, alerts(t), 200, 12)
			for tb.Frame().Columns()[tb.Column()].Name != tt.col {
				press(tb, "l")
			}
			if cmd := press(tb, "s"); cmd != nil {
				t.Fatal("a small frame sorts inside Update")
			}
			if got := tb.Rows(); !reflect.DeepEqual(got, tt.asc) {
				t.Fatalf("ascending = %v, want %v", got, tt.asc)
			}
			if !strings.Contains(tb.View(), tt.wantHeader) {
				t.Errorf("header lacks %q:\n%s", tt.wantHeader, tb.View())
			}
			press(tb, "s")
			if got := tb.Rows(); !reflect.DeepEqual(got, tt.desc) {
				t.Fatalf("descending = %v, want %v", got, tt.desc)
			}
			if !strings.Contains(tb.View(), strings.Replace(tt.wantHeader, "▲", "▼", 1)) {
				t.Errorf("header lacks ▼:\n%s", tb.View())
			}
			press(tb, "s")
			if got := tb.Rows(); !reflect.DeepEqual(got, []int{0, 1, 2, 3, 4, 5}) {
				t.Fatalf("restored = %v, want frame order", got)
			}
			if c, d := tb.Sort(); c != -1 || d != Unsorted {
				t.Errorf("Sort() = %d, %v after the third s", c, d)
			}
		})
	}
}

func TestSortOtherColumnStartsAscending(t *testing.T) {
	tb := newTable(t, alerts(t), 200, 12)
	press(tb, "l", "l", "l", "s", "s") // Count descending
	press(tb, "h", "s")                // DisplayName ascending
	if c, d := tb.Sort(); c != 2 || d != Ascending {
		t.Fatalf("Sort() = %d %v, want 2 ascending", c, d)
	}
}

func TestFilterSyntax(t *testing.T) {
	tests := []struct {
		filter string
		want   []int
	}{
		{"high", []int{0, 2}},
		{"HIGH", []int{0, 2}},
		{"alertseverity=medium", []int{1, 4}},
		{"AlertSeverity!=high", []int{1, 3, 4, 5}},
		{"displayname~LOG", []int{1}},
		{`DisplayName="Port scan"`, []int{3}},
		{`"credential theft"`, []int{2}},
		{"alertseverity=high count=12", []int{0}},
		{"count=", []int{2}},
		{"resolved=true", []int{1, 4}},
		{"timegenerated~05:24", []int{0}},
		{"score=0.5", []int{1}},
		{`ExtendedProperties~"10.0.0.5"`, []int{0}},
		{"zzz", []int{}},
		{"", []int{0, 1, 2, 3, 4, 5}},
	}
	for _, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			tb := newTable(t, alerts(t), 120, 12)
			press(tb, "/")
			if !tb.Capturing() {
				t.Fatal("the filter prompt does not capture keys")
			}
			typeText(tb, tt.filter)
			if cmd := press(tb, "enter"); cmd != nil {
				t.Fatalf("enter gives %#v", msgOf(cmd))
			}
			if tb.Capturing() {
				t.Fatal("the prompt is still open")
			}
			if got := tb.Rows(); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("rows = %v, want %v", got, tt.want)
			}
			v := tb.View()
			info := lines(v)[0]
			if tt.filter != "" && !strings.Contains(info, "filter: "+tt.filter) {
				t.Errorf("card line %q lacks the filter", info)
			}
			if want := draw.Thousands(len(tt.want)) + " of 6 rows"; !strings.Contains(info, want) {
				t.Errorf("card line %q lacks %q", info, want)
			}
			if len(tt.want) == 0 && !strings.Contains(v, "No rows match the filter.") {
				t.Errorf("empty result not explained:\n%s", v)
			}
		})
	}
}

func TestFilterKeepsSortAndSortKeepsFilter(t *testing.T) {
	tb := newTable(t, alerts(t), 120, 12)
	press(tb, "l", "l", "l", "s", "s") // Count descending: 3 0 4 1 5 2
	press(tb, "/")
	typeText(tb, "resolved!=true")
	press(tb, "enter")
	if got, want := tb.Rows(), []int{3, 0, 5, 2}; !reflect.DeepEqual(got, want) {
		t.Fatalf("filtered rows = %v, want %v", got, want)
	}
	press(tb, "s") // unsorted, filter stays
	if got, want := tb.Rows(), []int{0, 2, 3, 5}; !reflect.DeepEqual(got, want) {
		t.Fatalf("rows = %v, want %v", got, want)
	}
	press(tb, "s") // ascending again, over the filtered rows
	if got, want := tb.Rows(), []int{5, 0, 3, 2}; !reflect.DeepEqual(got, want) {
		t.Fatalf("rows = %v, want %v", got, want)
	}
}

func TestFilterBadEscAndClear(t *testing.T) {
	tb := newTable(t, alerts(t), 120, 12)
	press(tb, "/")
	typeText(tb, "alertseverity=high")
	press(tb, "enter")
	if got := tb.Rows(); len(got) != 2 {
		t.Fatalf("rows = %v", got)
	}

	// A bad filter is reported and the prompt stays open with the text.
	press(tb, "/")
	typeText(tb, " severity=x")
	n := notify(t, press(tb, "enter"))
	if n.Level != pane.Error || !strings.Contains(n.Text, `unknown column "severity"`) {
		t.Fatalf("notify = %+v", n)
	}
	if !tb.Capturing() || tb.input.text() != "alertseverity=high severity=x" {
		t.Fatalf("prompt closed or lost its text: %q", tb.input.text())
	}

	// Esc cancels the edit and keeps the filter in force.
	press(tb, "esc")
	if tb.Capturing() || tb.FilterText() != "alertseverity=high" || len(tb.Rows()) != 2 {
		t.Fatalf("after esc: capturing %v filter %q rows %v", tb.Capturing(), tb.FilterText(), tb.Rows())
	}

	// Editing keys work; an empty filter clears it.
	press(tb, "/")
	if tb.input.text() != "alertseverity=high" {
		t.Fatalf("the prompt opens with %q", tb.input.text())
	}
	tb.Update(tea.KeyMsg{Type: tea.KeyCtrlU})
	press(tb, "enter")
	if tb.FilterText() != "" || len(tb.Rows()) != 6 {
		t.Fatalf("after clearing: filter %q rows %v", tb.FilterText(), tb.Rows())
	}
}

func TestHideShowReorder(t *testing.T) {
	tb := newTable(t, alerts(t), 200, 12)
	press(tb, "l") // AlertSeverity
	press(tb, "-")
	if got, want := tb.Columns(), []int{0, 2, 3, 4, 5, 6}; !reflect.DeepEqual(got, want) {
		t.Fatalf("columns after hide = %v, want %v", got, want)
	}
	if tb.Column() != 2 {
		t.Errorf("current column = %d, want the next one (2)", tb.Column())
	}
	press(tb, ">", ">")
	if got, want := tb.Columns(), []int{0, 3, 4, 2, 5, 6}; !reflect.DeepEqual(got, want) {
		t.Fatalf("columns after >> = %v, want %v", got, want)
	}
	press(tb, "<", "<", "<", "<", "<") // to the front: it becomes the frozen column
	if got, want := tb.Columns(), []int{2, 0, 3, 4, 5, 6}; !reflect.DeepEqual(got, want) {
		t.Fatalf("columns after <<<<< = %v, want %v", got, want)
	}
	header := lines(tb.View())[1]
	if !strings.HasPrefix(strings.TrimSpace(header), "DisplayName") {
		t.Errorf("header %q does not start with the moved column", header)
	}
	press(tb, "+")
	if got := tb.Columns(); len(got) != 7 {
		t.Fatalf("columns after + = %v", got)
	}
	// Hide all but one; the last cannot go.
	for range 6 {
		if cmd := press(tb, "-"); cmd != nil {
			t.Fatalf("hiding gave %#v", msgOf(cmd))
		}
	}
	n := notify(t, press(tb, "-"))
	if n.Level != pane.Warn || len(tb.Columns()) != 1 {
		t.Fatalf("notify %+v, columns %v", n, tb.Columns())
	}
}

func TestColumnChooser(t *testing.T) {
	tb := newTable(t, alerts(t), 80, 14)
	press(tb, "c")
	v := tb.View()
	if !strings.Contains(v, "▶ [x] TimeGenerated") || !strings.Contains(v, "[x] ExtendedProperties") {
		t.Fatalf("chooser view:\n%s", v)
	}
	press(tb, "j", " ") // hide AlertSeverity
	if !strings.Contains(tb.View(), "▶ [ ] AlertSeverity") {
		t.Fatalf("toggle not shown:\n%s", tb.View())
	}
	press(tb, "J") // move it below DisplayName
	if got, want := tb.order[:3], []int{0, 2, 1}; !reflect.DeepEqual(got, want) {
		t.Fatalf("order = %v, want %v", got, want)
	}
	press(tb, "K", "K") // to the top
	if got, want := tb.order[:3], []int{1, 0, 2}; !reflect.DeepEqual(got, want) {
		t.Fatalf("order = %v, want %v", got, want)
	}
	press(tb, " ") // show it again
	press(tb, "enter")
	if tb.mode != modeTable || tb.Column() != 1 {
		t.Fatalf("after enter: mode %v column %d", tb.mode, tb.Column())
	}
	if got := tb.Columns(); !reflect.DeepEqual(got, []int{1, 0, 2, 3, 4, 5, 6}) {
		t.Fatalf("columns = %v", got)
	}
	// The last shown column cannot be unticked.
	press(tb, "c")
	for range 7 {
		press(tb, " ", "j")
	}
	if got := tb.Columns(); len(got) != 1 {
		t.Fatalf("columns = %v, want exactly one left", got)
	}
	if !tb.Back() || tb.mode != modeTable {
		t.Fatal("Back did not close the chooser")
	}
}

// wide is a frame of twelve 20-cell columns, so that 60 cells show only a few.
func wide(t *testing.T) *frame.Frame {
	t.Helper()
	var cols []*frame.Column
	for i := range 12 {
		name := "col" + string(rune('A'+i))
		vals := []string{strings.Repeat(string(rune('a'+i)), 20), "x"}
		cols = append(cols, &frame.Column{Name: name, Kind: frame.String, Strings: vals})
	}
	f, err := frame.New(cols...)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestHorizontalScrollKeepsFirstColumn(t *testing.T) {
	tb := newTable(t, wide(t), 60, 8)
	for i := range 12 {
		header := lines(tb.View())[1]
		if !strings.HasPrefix(header, "  colA") {
			t.Fatalf("step %d: first column not frozen: %q", i, header)
		}
		name := tb.Frame().Columns()[tb.Column()].Name
		if !strings.Contains(header, name) {
			t.Fatalf("step %d: current column %s not on screen: %q", i, name, header)
		}
		for _, l := range lines(tb.View()) {
			if w := ansi.StringWidth(l); w > 60 {
				t.Fatalf("line %q is %d wide", l, w)
			}
		}
		press(tb, "l")
	}
	if tb.Column() != 11 {
		t.Fatalf("column = %d after 12 × l", tb.Column())
	}
	press(tb, "0")
	if tb.Column() != 0 || !strings.Contains(lines(tb.View())[1], "colB") {
		t.Fatalf("0: column %d header %q", tb.Column(), lines(tb.View())[1])
	}
	press(tb, "$")
	if tb.Column() != 11 || !strings.Contains(lines(tb.View())[1], "colL") {
		t.Fatalf("$: column %d header %q", tb.Column(), lines(tb.View())[1])
	}
	press(tb, "left", "h")
	if tb.Column() != 9 || !strings.Contains(lines(tb.View())[1], "colJ") {
		t.Fatalf("h: column %d header %q", tb.Column(), lines(tb.View())[1])
	}
}

func TestColumnWidths(t *testing.T) {
	tb := newTable(t, alerts(t), 300, 12)
	cols := tb.Frame().Columns()
	want := map[string]int{
		"TimeGenerated":      24,          // a time is never cut
		"AlertSeverity":      13,          // the header is the widest
		"DisplayName":        MaxColWidth, // 84 cells, capped
		"Count":              5,
		"ExtendedProperties": MaxColWidth,
	}
	for c, col := range cols {
		if w, ok := want[col.Name]; ok && tb.natural[c] != w {
			t.Errorf("%s width = %d, want %d", col.Name, tb.natural[c], w)
		}
	}
	if !strings.Contains(tb.View(), "Very long alert name Very long alert na…") {
		t.Errorf("long value not cut with an ellipsis at 40 cells:\n%s", tb.View())
	}
}

func TestFrequency(t *testing.T) {
	tb := newTable(t, alerts(t), 80, 14)
	press(tb, "l") // AlertSeverity
	if cmd := press(tb, "F"); cmd != nil {
		t.Fatal("a small frame counts inside Update")
	}
	fq := tb.freq
	want := []freqItem{{"High", 2}, {"Informational", 1}, {"Low", 1}, {"Medium", 1}, {"medium", 1}}
	if !reflect.DeepEqual(fq.items, want) || fq.total != 6 {
		t.Fatalf("items = %v total %d, want %v of 6", fq.items, fq.total, want)
	}
	v := tb.View()
	for _, s := range []string{"Frequency of AlertSeverity", "5 distinct values in 6 rows", "▶ High", "│     2 │  33.3%", "│     1 │  16.7%"} {
		if !strings.Contains(v, s) {
			t.Errorf("frequency view lacks %q:\n%s", s, v)
		}
	}
	press(tb, "j", "j", "G", "k", "g", "j", "j") // Low
	if cmd := press(tb, "enter"); cmd != nil {
		t.Fatalf("enter gives %#v", msgOf(cmd))
	}
	if tb.mode != modeTable || tb.FilterText() != "AlertSeverity=Low" || !reflect.DeepEqual(tb.Rows(), []int{3}) {
		t.Fatalf("after enter: mode %v filter %q rows %v", tb.mode, tb.FilterText(), tb.Rows())
	}
}

func TestFrequencyOverFilteredRowsAndDrillDown(t *testing.T) {
	tb := newTable(t, alerts(t), 80, 14)
	press(tb, "/")
	typeText(tb, "resolved!=true")
	press(tb, "enter")                           // rows 0 2 3 5
	press(tb, "l", "l", "l", "l", "l", "l", "F") // ExtendedProperties
	fq := tb.freq
	if fq.total != 4 || len(fq.items) != 4 {
		t.Fatalf("items %v total %d, want 4 values over 4 rows", fq.items, fq.total)
	}
	for fq.items[fq.cur].value != `{"host":"WIN1","ips":["10.0.0.5","10.0.0.6"]}` {
		press(tb, "j")
	}
	press(tb, "enter")
	if want := `resolved!=true ExtendedProperties="{\"host\":\"WIN1\",\"ips\":[\"10.0.0.5\",\"10.0.0.6\"]}"`; tb.FilterText() != want {
		t.Fatalf("filter = %s, want %s", tb.FilterText(), want)
	}
	if !reflect.DeepEqual(tb.Rows(), []int{0}) {
		t.Fatalf("rows = %v", tb.Rows())
	}
}

func TestFrequencyNullsAndEsc(t *testing.T) {
	tb := newTable(t, alerts(t), 80, 14)
	press(tb, "l", "l", "l", "l", "l", "l", "F") // ExtendedProperties: one null, one ""
	if it := tb.freq.items[0]; it.value != "" || it.count != 2 {
		t.Fatalf("first item = %+v, want the empty text twice", it)
	}
	if !strings.Contains(tb.View(), "▶ (empty)") {
		t.Errorf("empty value not labelled:\n%s", tb.View())
	}
	press(tb, "enter")
	if !reflect.DeepEqual(tb.Rows(), []int{1, 4}) {
		t.Fatalf(`rows for ExtendedProperties="" = %v`, tb.Rows())
	}
	press(tb, "F")
	if !tb.Back() || tb.mode != modeTable || tb.freq != nil {
		t.Fatal("Back did not close the frequency table")
	}
}

func TestDetail(t *testing.T) {
	tb := newTable(t, alerts(t), 60, 30)
	press(tb, "-") // hide TimeGenerated: detail lists it last
	press(tb, "enter")
	if tb.mode != modeDetail {
		t.Fatal("enter did not open the detail")
	}
	v := tb.View()
	for _, s := range []string{
		"Row 1 of 6 · SecurityAlert.list_alerts",
		"▶ AlertSeverity       High",
		"  DisplayName         Suspicious PowerShell",
		"  ExtendedProperties  {",
		`                        "host": "WIN1",`,
		`                        "ips": [`,
		`                          "10.0.0.5",`,
		"                        ]",
		"  TimeGenerated       2019-01-15T05:24:24.010Z",
	} {
		if !strings.Contains(v, s) {
			t.Errorf("detail lacks %q:\n%s", s, v)
		}
	}
	press(tb, "j", "j")
	msg := msgOf(press(tb, "y"))
	if c, ok := msg.(pane.Copy); !ok || c.Text != "12" || c.What != "cell" {
		t.Fatalf("y gives %#v, want a copy of Count", msg)
	}
	press(tb, "G")
	msg = msgOf(press(tb, "y"))
	if c, ok := msg.(pane.Copy); !ok || c.Text != "2019-01-15T05:24:24.010Z" {
		t.Fatalf("y on the last field gives %#v", msg)
	}
	if !tb.Back() || tb.mode != modeTable || tb.Back() {
		t.Fatal("Back should close the detail once, then report nothing to close")
	}
}

func TestDetailWrapsAndScrolls(t *testing.T) {
	long := strings.Repeat("word ", 60)
	f, err := frame.New(
		&frame.Column{Name: "a", Kind: frame.String, Strings: []string{long}},
		&frame.Column{Name: "b", Kind: frame.String, Strings: []string{"line one\nline two\r\nline three"}},
		&frame.Column{Name: "c", Kind: frame.Int, Ints: []int64{7}},
	)
	if err != nil {
		t.Fatal(err)
	}
	tb := newTable(t, f, 40, 6)
	press(tb, "enter")
	d := tb.detail
	if d.starts[1] < 8 {
		t.Fatalf("a long value took %d lines, want it wrapped", d.starts[1])
	}
	for _, l := range lines(tb.View()) {
		if ansi.StringWidth(l) > 40 {
			t.Fatalf("line %q wider than 40", l)
		}
	}
	press(tb, "j")
	v := tb.View()
	if !strings.Contains(v, "▶ b     line one\n        line two\n        line three") {
		t.Fatalf("multi-line value not indented:\n%s", v)
	}
	press(tb, "G")
	if d.cur != 2 || !strings.Contains(tb.View(), "▶ c     7") {
		t.Fatalf("G: field %d\n%s", d.cur, tb.View())
	}
	press(tb, "g", "pgdown")
	if d.top != 5 {
		t.Fatalf("pgdown: top %d, want 5", d.top)
	}
	press(tb, "pgup")
	if d.top != 0 || d.cur != 0 {
		t.Fatalf("pgup: top %d field %d", d.top, d.cur)
	}
}

func TestCopyCellAndRow(t *testing.T) {
	tb := newTable(t, alerts(t), 80, 12)
	press(tb, "j", "j", "j", "j", "l", "l") // row 4, DisplayName: 84 cells, shown cut
	msg := msgOf(press(tb, "y"))
	if c, ok := msg.(pane.Copy); !ok || c.Text != strings.Repeat("Very long alert name ", 4) || c.What != "cell" {
		t.Fatalf("y gives %#v, want the full text", msg)
	}
	press(tb, "l", "l", "-") // hide Score
	press(tb, "0", ">")      // TimeGenerated after AlertSeverity
	msg = msgOf(press(tb, "Y"))
	c, ok := msg.(pane.Copy)
	if !ok || c.What != "row" {
		t.Fatalf("Y gives %#v", msg)
	}
	want := `{"AlertSeverity":"medium","TimeGenerated":"2019-01-15T05:54:24.01Z","DisplayName":"Very long alert name Very long alert name Very long alert name Very long alert name ","Count":7,"Resolved":true,"ExtendedProperties":""}`
	if c.Text != want {
		t.Fatalf("row JSON = %s\nwant       %s", c.Text, want)
	}
	if !json.Valid([]byte(c.Text)) {
		t.Fatal("row JSON is not valid JSON")
	}
	// Nulls, floats and hostile text in JSON.
	press(tb, "g", "j", "j")
	c = msgOf(press(tb, "Y")).(pane.Copy)
	if !strings.Contains(c.Text, `"Count":null`) {
		t.Errorf("row JSON %s lacks a null", c.Text)
	}
	f, _ := frame.New(&frame.Column{Name: "x", Kind: frame.String, Strings: []string{"a\"b\\c\x1b\n\u2028\xff"}})
	if got, want := RowJSON(f, 0, []int{0}), `{"x":"a\"b\\c\u001b\n\u2028\ufffd"}`; got != want || !json.Valid([]byte(got)) {
		t.Errorf("RowJSON = %s, want %s", got, want)
	}
}

func TestExport(t *testing.T) {
	tb := newTable(t, alerts(t), 80, 12)
	press(tb, "l", "l", "l", "s", "s") // Count descending
	press(tb, "/")
	typeText(tb, "resolved!=true")
	press(tb, "enter") // rows 3 0 5 2
	press(tb, "0", "l", "-")
	press(tb, "e")
	if !tb.Capturing() {
		t.Fatal("the export prompt does not capture keys")
	}
	if want := "SecurityAlert.list_alerts-20240305T140709.csv"; tb.input.text() != want {
		t.Fatalf("default path %q, want %q", tb.input.text(), want)
	}
	if !strings.Contains(lines(tb.View())[11], "export to: SecurityAlert.list_alerts-20240305T140709.csv") {
		t.Errorf("prompt line = %q", lines(tb.View())[11])
	}
	msg := msgOf(press(tb, "enter"))
	ex, ok := msg.(pane.Export)
	if !ok {
		t.Fatalf("enter gives %#v", msg)
	}
	if ex.From != pane.Results || ex.Frame != tb.Frame() || ex.Format != frame.CSV || ex.Path != "SecurityAlert.list_alerts-20240305T140709.csv" {
		t.Errorf("export = %+v", ex)
	}
	if !reflect.DeepEqual(ex.Rows, []int{3, 0, 5, 2}) || !reflect.DeepEqual(ex.Columns, []int{0, 2, 3, 4, 5, 6}) {
		t.Errorf("export rows %v columns %v", ex.Rows, ex.Columns)
	}

	for _, tt := range []struct {
		path   string
		format frame.Format
		err    string
	}{
		{"out.JSON", frame.JSON, ""},
		{"dir/out.jsonl", frame.JSONL, ""},
		{"out.txt", "", ".csv, .json or .jsonl"},
		{"out.table", "", ".csv, .json or .jsonl"},
		{"out", "", ".csv, .json or .jsonl"},
	} {
		press(tb, "e")
		tb.Update(tea.KeyMsg{Type: tea.KeyCtrlU})
		typeText(tb, tt.path)
		msg := msgOf(press(tb, "enter"))
		if tt.err != "" {
			n, ok := msg.(pane.Notify)
			if !ok || n.Level != pane.Error || !strings.Contains(n.Text, tt.err) || !tb.Capturing() {
				t.Errorf("%s: %#v, capturing %v", tt.path, msg, tb.Capturing())
			}
			press(tb, "esc")
			continue
		}
		if ex, ok := msg.(pane.Export); !ok || ex.Format != tt.format || ex.Path != tt.path {
			t.Errorf("%s: %#v", tt.path, msg)
		}
	}
	press(tb, "e", "esc")
	if tb.Capturing() {
		t.Error("esc did not cancel the export")
	}
}

// asyncTable is a table that sends every sort, filter and count to a command.
func asyncTable(t *testing.T) *Table {
	tb := newTable(t, alerts(t), 100, 12)
	tb.asyncRows = 2
	return tb
}

func TestAsyncSortDropsStale(t *testing.T) {
	tb := asyncTable(t)
	press(tb, "l", "l", "l") // Count
	first := press(tb, "s")
	if first == nil {
		t.Fatal("a large frame must sort in a command")
	}
	if !tb.Busy() || !strings.Contains(lines(tb.View())[0], "sorting…") {
		t.Fatalf("card line %q lacks sorting…", lines(tb.View())[0])
	}
	second := press(tb, "s") // descending, asked before the first answered
	m1, m2 := msgOf(first), msgOf(second)
	tb.Update(m2)
	if got, want := tb.Rows(), []int{3, 0, 4, 1, 5, 2}; !reflect.DeepEqual(got, want) {
		t.Fatalf("rows = %v, want descending %v", got, want)
	}
	if tb.Busy() || strings.Contains(tb.View(), "sorting…") {
		t.Error("still busy after the answer")
	}
	tb.Update(m1) // the stale ascending answer arrives late
	if got, want := tb.Rows(), []int{3, 0, 4, 1, 5, 2}; !reflect.DeepEqual(got, want) {
		t.Fatalf("stale answer applied: rows = %v", got)
	}
	if _, d := tb.Sort(); d != Descending {
		t.Fatalf("sort = %v", d)
	}
	tb.Update(m2) // a duplicate is dropped too (no cursor reset)
}

func TestAsyncFilterDropsStale(t *testing.T) {
	tb := asyncTable(t)
	press(tb, "/")
	typeText(tb, "high")
	first := press(tb, "enter")
	if first == nil || !strings.Contains(lines(tb.View())[0], "filtering…") {
		t.Fatalf("no command or no filtering… in %q", lines(tb.View())[0])
	}
	press(tb, "/")
	typeText(tb, " alertseverity=high count=12")
	second := press(tb, "enter")
	// The older job, run after the newer request, stops early and is dropped.
	m1 := msgOf(first).(orderDone)
	if !m1.stale {
		t.Error("the overtaken filter job did not stop early")
	}
	tb.Update(m1)
	if tb.FilterText() != "" || len(tb.Rows()) != 6 {
		t.Fatalf("stale filter applied: %q %v", tb.FilterText(), tb.Rows())
	}
	tb.Update(msgOf(second))
	if tb.FilterText() != "high alertseverity=high count=12" || !reflect.DeepEqual(tb.Rows(), []int{0}) {
		t.Fatalf("filter %q rows %v", tb.FilterText(), tb.Rows())
	}
	// A message for another table is not this table's business.
	other := asyncTable(t)
	press(other, "/")
	typeText(other, "low")
	tb.Update(msgOf(press(other, "enter")))
	if !reflect.DeepEqual(tb.Rows(), []int{0}) {
		t.Fatalf("another table's answer applied: %v", tb.Rows())
	}
}

func TestAsyncFrequency(t *testing.T) {
	tb := asyncTable(t)
	press(tb, "l")
	first := press(tb, "F")
	if first == nil || !strings.Contains(tb.View(), "counting…") {
		t.Fatalf("no command or no counting…:\n%s", tb.View())
	}
	tb.Back()
	press(tb, "l")
	second := press(tb, "F") // DisplayName
	m1 := msgOf(first)
	tb.Update(m1)
	if !tb.freq.loading {
		t.Fatal("the stale count was applied")
	}
	tb.Update(msgOf(second))
	if tb.freq.loading || len(tb.freq.items) != 6 {
		t.Fatalf("items = %v", tb.freq.items)
	}
}

func TestViewSizeAlwaysExact(t *testing.T) {
	empty, _ := frame.New()
	noRows, _ := frame.New(&frame.Column{Name: "a", Kind: frame.String}, &frame.Column{Name: "b", Kind: frame.Int})
	colsOnly, _ := frame.FromRecords(nil, [][]string{{}, {}})
	frames := map[string]*frame.Frame{"alerts": alerts(t), "empty": empty, "no rows": noRows, "no columns": colsOnly, "wide": wide(t), "nil": nil}
	sizes := [][2]int{{0, 0}, {0, 3}, {3, 0}, {1, 1}, {2, 2}, {5, 2}, {10, 3}, {7, 4}, {20, 5}, {80, 24}, {120, 40}}
	modes := [][]string{nil, {"enter"}, {"F"}, {"c"}, {"/"}, {"e"}, {"j", "l", "s"}}
	for name, f := range frames {
		for _, sz := range sizes {
			for _, keys := range modes {
				m := New(testCtx())
				m.Open(f, "q", "crumb")
				m.SetSize(sz[0], sz[1])
				press(m, keys...)
				checkSize(t, name+" "+strings.Join(keys, ","), m.View(), sz[0], sz[1])
				// Resizing re-lays out.
				m.SetSize(sz[1]+3, sz[0]/2+1)
				checkSize(t, name+" resized", m.View(), sz[1]+3, sz[0]/2+1)
			}
		}
	}
	m := New(testCtx())
	for _, sz := range sizes {
		m.SetSize(sz[0], sz[1])
		checkSize(t, "no card", m.View(), sz[0], sz[1])
	}
}

func checkSize(t *testing.T, what, v string, w, h int) {
	t.Helper()
	ls := lines(v)
	if h == 0 {
		if v != "" {
			t.Fatalf("%s at %dx%d: view %q, want empty", what, w, h, v)
		}
		return
	}
	if len(ls) != h {
		t.Fatalf("%s at %dx%d: %d lines:\n%s", what, w, h, len(ls), v)
	}
	for _, l := range ls {
		if lw := ansi.StringWidth(l); lw > w {
			t.Fatalf("%s at %dx%d: line %q is %d wide", what, w, h, l, lw)
		}
	}
}

func TestViewIsStable(t *testing.T) {
	tb := newTable(t, alerts(t), 80, 12)
	press(tb, "j", "l")
	a, b := tb.View(), tb.View()
	if a != b {
		t.Fatal("two views of the same state differ")
	}
	before := lines(a)
	press(tb, "j")
	after := lines(tb.View())
	// Only the card line (row number) and the two rows that swapped selection change.
	changed := 0
	for i := range before {
		if before[i] != after[i] {
			changed++
		}
	}
	if changed != 3 {
		t.Errorf("%d lines changed moving down one row, want 3", changed)
	}
}

// TestRandomKeysNeverPanic drives every mode with a fixed pseudo-random key
// sequence over awkward frames and sizes.
func TestRandomKeysNeverPanic(t *testing.T) {
	keys := []string{"j", "k", "h", "l", "g", "G", "0", "$", "s", "/", "enter", "esc", "-", "+", "<", ">", "c", " ", "J", "K", "F", "y", "Y", "e", "x", "H", "L", "r", "pgdown", "pgup", "ctrl+d", "ctrl+u", "backspace", "a", "=", "\"", "~"}
	empty, _ := frame.New()
	frames := []*frame.Frame{alerts(t), empty, numbers(t, 3), wide(t), hostile(t)}
	seed := uint32(7)
	next := func(n int) int {
		seed = seed*1664525 + 1013904223
		return int(seed>>8) % n
	}
	for fi, f := range frames {
		m := New(testCtx())
		m.Open(f, "q", "c")
		m.Open(f, "q2", "c2")
		for i := range 3000 {
			if i%200 == 0 {
				m.SetSize(next(130), next(45))
			}
			k := keys[next(len(keys))]
			var cmd tea.Cmd
			if k == "esc" && !m.Capturing() {
				m.Back()
			} else {
				cmd = m.Update(pane.Key(k))
			}
			runAll(m, cmd)
			_ = m.View()
		}
		_ = fi
	}
}

// D sends the current cell, or the detail view's field, to the Decode pane with
// where it came from.
func TestDecodeCell(t *testing.T) {
	tb := newTable(t, alerts(t), 80, 12)
	press(tb, "j", "j", "j", "j", "l", "l") // row 4, DisplayName
	msg := msgOf(press(tb, "D"))
	d, ok := msg.(pane.DecodeText)
	if !ok || d.Text != strings.Repeat("Very long alert name ", 4) || !strings.HasSuffix(d.Source, "DisplayName, row 5") {
		t.Fatalf("D gives %#v", msg)
	}
	press(tb, "enter", "j")
	msg = msgOf(press(tb, "D"))
	if d, ok := msg.(pane.DecodeText); !ok || !strings.Contains(d.Source, ", row 5") || d.Text == "" {
		t.Fatalf("D in the detail view gives %#v", msg)
	}
}

// T sends the whole result to the Process tree pane.
func TestTreeKey(t *testing.T) {
	tb := newTable(t, alerts(t), 80, 12)
	press(tb, "/")
	typeText(tb, "resolved!=true")
	press(tb, "enter")
	msg := msgOf(press(tb, "T"))
	if bt, ok := msg.(pane.BuildTree); !ok || bt.Frame != tb.f || bt.Frame.Len() != alerts(t).Len() {
		t.Fatalf("T gives %#v", msg)
	}
}

// I sends the current cell, or the detail view's field, to the Threat intel pane.
func TestIntelCell(t *testing.T) {
	tb := newTable(t, alerts(t), 80, 12)
	press(tb, "j", "j", "j", "j", "l", "l") // row 4, DisplayName
	msg := msgOf(press(tb, "I"))
	l, ok := msg.(pane.LookupTI)
	if !ok || len(l.Indicators) != 1 || l.Indicators[0].Value != strings.Repeat("Very long alert name ", 4) ||
		l.Indicators[0].Type != "" || !strings.HasSuffix(l.Source, "DisplayName, row 5") {
		t.Fatalf("I gives %#v", msg)
	}
	press(tb, "enter", "j")
	if l, ok := msgOf(press(tb, "I")).(pane.LookupTI); !ok || !strings.Contains(l.Source, ", row 5") {
		t.Fatalf("I in the detail view gives %#v", l)
	}
}

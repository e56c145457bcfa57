package frame

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestParseTime(t *testing.T) {
	want := time.Date(2019, 1, 15, 5, 24, 24, 10e6, time.UTC)
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"2019-01-15 05:24:24.010", want, true},
		{"2019-01-15T05:24:24.010Z", want, true},
		{"2019-01-15T05:24:24.01", want, true},
		{"2019-01-15T07:24:24.010+02:00", want, true},
		{"2019-01-15", time.Date(2019, 1, 15, 0, 0, 0, 0, time.UTC), true},
		{"2019-01-15 05:24", time.Date(2019, 1, 15, 5, 24, 0, 0, time.UTC), true},
		{"MSTICAlertsWin1", time.Time{}, false},
		{"2019-13-45", time.Time{}, false},
		{"", time.Time{}, false},
	}
	for _, tt := range tests {
		got, err := ParseTime(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("ParseTime(%q) err = %v, want ok=%v", tt.in, err, tt.ok)
			continue
		}
		if !got.Equal(tt.want) || got.Location() != time.UTC {
			t.Errorf("ParseTime(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestFromRecordsInfersKinds(t *testing.T) {
	header := []string{"TimeGenerated", "EventID", "Score", "IsIncident", "Computer", "Pid", "Odd"}
	rows := [][]string{
		{"2019-01-15 05:24:24.010", "4688", "0.5", "False", "MSTICAlertsWin1", "0x1610", "NaN"},
		{"2019-01-15 05:24:25.000", "", "2", "true", "", "0x1790", "1"},
	}
	f, err := FromRecords(header, rows)
	if err != nil {
		t.Fatal(err)
	}
	wantKinds := []Kind{Time, Int, Float, Bool, String, String, String}
	for i, c := range f.Columns() {
		if c.Kind != wantKinds[i] {
			t.Errorf("column %s kind = %v, want %v", c.Name, c.Kind, wantKinds[i])
		}
	}
	if v := f.Col("EventID").Value(1); v != nil {
		t.Errorf("empty int cell = %v, want null", v)
	}
	if v := f.Col("EventID").Value(0); v != int64(4688) {
		t.Errorf("EventID[0] = %#v, want 4688", v)
	}
	if v := f.Col("Computer").Value(1); v != nil {
		t.Errorf("empty string cell = %#v, want null", v)
	}
	if v := f.Col("Odd").Value(0); v != "NaN" {
		t.Errorf("Odd[0] = %#v, want the text NaN", v)
	}
}

func TestBuilderWidensAndKeepsNulls(t *testing.T) {
	b := NewBuilder([]string{"n", "t", "n"}, []Kind{Int, Time, Float})
	ts := time.Date(2020, 5, 20, 18, 19, 4, 0, time.FixedZone("x", 3600))
	b.Append([]any{int32(7), ts, nil})
	b.Append([]any{"seven", nil, 1.5})
	b.Append([]any{uint8(9), ts, int64(2)})
	f, err := b.Frame(Meta{Provider: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Names(); strings.Join(got, ",") != "n,t,n_1" {
		t.Errorf("names = %v, want n,t,n_1", got)
	}
	n := f.Col("n")
	if n.Kind != String || n.Value(0) != "7" || n.Value(1) != "seven" || n.Value(2) != "9" {
		t.Errorf("widened column = %v %#v %#v %#v", n.Kind, n.Value(0), n.Value(1), n.Value(2))
	}
	tc := f.Col("t")
	if tc.Value(1) != nil || !tc.Value(0).(time.Time).Equal(ts) || tc.Value(0).(time.Time).Location() != time.UTC {
		t.Errorf("time column = %#v %#v", tc.Value(0), tc.Value(1))
	}
	fc := f.Col("n_1")
	if fc.Value(0) != nil || fc.Value(1) != 1.5 || fc.Value(2) != 2.0 {
		t.Errorf("float column = %#v %#v %#v", fc.Value(0), fc.Value(1), fc.Value(2))
	}
	df := f.DF()
	if df.Nrow() != 3 || df.Ncol() != 3 {
		t.Fatalf("gota frame %dx%d, want 3x3", df.Nrow(), df.Ncol())
	}
	if !df.Elem(1, 1).IsNA() || df.Elem(0, 1).String() != "2020-05-20T17:19:04Z" {
		t.Errorf("gota time cells = %v, %v", df.Elem(0, 1), df.Elem(1, 1))
	}
}

func sample(t *testing.T) *Frame {
	t.Helper()
	b := NewBuilder([]string{"Time", "Computer", "EventID", "Score", "Ok"}, []Kind{Time, String, Int, Float, Bool})
	b.Append([]any{time.Date(2019, 1, 15, 5, 24, 24, 10e6, time.UTC), "MSTIC\x1b[31mWin1\n", int64(4688), 0.25, true})
	b.Append([]any{nil, "日本\"q\\", nil, nil, nil})
	f, err := b.Frame(Meta{})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestEncodeJSON(t *testing.T) {
	var buf bytes.Buffer
	if err := Encode(&buf, sample(t), JSON); err != nil {
		t.Fatal(err)
	}
	want := "[\n" +
		`{"Time":"2019-01-15T05:24:24.01Z","Computer":"MSTIC\u001b[31mWin1\n","EventID":4688,"Score":0.25,"Ok":true},` + "\n" +
		`{"Time":null,"Computer":"日本\"q\\","EventID":null,"Score":null,"Ok":null}` + "\n]\n"
	if buf.String() != want {
		t.Errorf("json =\n%s\nwant\n%s", buf.String(), want)
	}
	var decoded []map[string]any
	if err := json.Unmarshal(buf.Bytes(), &decoded); err != nil {
		t.Fatalf("output is not JSON: %v", err)
	}
	if decoded[0]["Computer"] != "MSTIC\x1b[31mWin1\n" {
		t.Errorf("round trip lost data: %q", decoded[0]["Computer"])
	}
}

func TestEncodeJSONLAndEmpty(t *testing.T) {
	var buf bytes.Buffer
	if err := Encode(&buf, sample(t), JSONL); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("jsonl has %d lines, want 2", len(lines))
	}
	for _, l := range lines {
		if !json.Valid([]byte(l)) {
			t.Errorf("invalid line %s", l)
		}
	}
	empty, _ := NewBuilder([]string{"a"}, []Kind{String}).Frame(Meta{})
	buf.Reset()
	if err := Encode(&buf, empty, JSON); err != nil || buf.String() != "[]\n" {
		t.Errorf("empty json = %q, %v", buf.String(), err)
	}
}

func TestEncodeCSV(t *testing.T) {
	var buf bytes.Buffer
	if err := Encode(&buf, sample(t), CSV); err != nil {
		t.Fatal(err)
	}
	want := "Time,Computer,EventID,Score,Ok\n" +
		"2019-01-15T05:24:24.01Z,\"MSTIC\x1b[31mWin1\n\",4688,0.25,true\n" +
		",\"日本\"\"q\\\",,,\n"
	if buf.String() != want {
		t.Errorf("csv = %q, want %q", buf.String(), want)
	}
}

func TestEncodeTableEscapesAndAligns(t *testing.T) {
	var buf bytes.Buffer
	if err := Encode(&buf, sample(t), Table); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if strings.ContainsAny(out, "\x1b\r") || strings.Count(out, "\n") != 4 {
		t.Fatalf("table leaks control characters or has wrong line count:\n%q", out)
	}
	if !strings.Contains(out, `MSTIC\x1b[31mWin1\n`) {
		t.Errorf("escape sequence not shown inert:\n%s", out)
	}
	lines := strings.Split(out, "\n")
	// Column 3 (EventID) starts at the same display column on every line.
	hdr := strings.Index(lines[0], "EventID")
	if !strings.HasPrefix(lines[2][hdr:], "4688") {
		t.Errorf("columns not aligned:\n%s", out)
	}
	if !strings.Contains(lines[3], "日本\"q\\") {
		t.Errorf("wide characters mangled: %q", lines[3])
	}
}

func TestSafeText(t *testing.T) {
	tests := map[string]string{
		"plain text":         "plain text",
		`C:\Windows\cmd.exe`: `C:\Windows\cmd.exe`,
		"a\x1b]0;pwned\x07b": `a\x1b]0;pwned\x07b`,
		"tab\there\r\n":      `tab\there\r\n`,
		"evil\u202egnp.exe":  `evil\u202egnp.exe`,
		"c1\u009bq":          `c1\u009bq`,
		"bad\xffutf8":        `bad\xffutf8`,
		"Ünïcødé 日本":         "Ünïcødé 日本",
		"del\x7f":            `del\x7f`,
	}
	for in, want := range tests {
		if got := SafeText(in); got != want {
			t.Errorf("SafeText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseFormat(t *testing.T) {
	for _, s := range []string{"table", "CSV", "json", "jsonl"} {
		if _, err := ParseFormat(s); err != nil {
			t.Errorf("ParseFormat(%q): %v", s, err)
		}
	}
	if _, err := ParseFormat("xml"); err == nil || !strings.Contains(err.Error(), "xml") {
		t.Errorf("ParseFormat(xml) err = %v", err)
	}
}

func FuzzSafeText(f *testing.F) {
	for _, s := range []string{"a\x1b[2J", "\u202e", "\xff\xfe", "ok"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := SafeText(s)
		for _, r := range out {
			if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || r == '\u202e' {
				t.Fatalf("SafeText(%q) left control rune %U", s, r)
			}
		}
	})
}

func FuzzFromRecords(f *testing.F) {
	f.Add("2019-01-15 05:24:24.010", "4688", "x")
	f.Add("1e5", "true", "")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		fr, err := FromRecords([]string{"a", "b", "c"}, [][]string{{a, b, c}, {c, a, b}})
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := Encode(&buf, fr, JSON); err != nil || !json.Valid(buf.Bytes()) {
			t.Fatalf("invalid json for %q %q %q: %v\n%s", a, b, c, err, buf.String())
		}
	})
}

func benchFrame() *Frame {
	bl := NewBuilder([]string{"TimeGenerated", "Computer", "EventID", "CommandLine"}, []Kind{Time, String, Int, String})
	ts := time.Date(2019, 1, 15, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 100000; i++ {
		bl.Append([]any{ts.Add(time.Duration(i) * time.Second), "MSTICAlertsWin1", int64(4688), `"C:\Windows\system32\cmd.exe" /c whoami`})
	}
	f, _ := bl.Frame(Meta{})
	return f
}

func benchEncode(b *testing.B, format Format) {
	f := benchFrame()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var buf bytes.Buffer
		if err := Encode(&buf, f, format); err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(buf.Len()))
	}
}

// BenchmarkEncodeJSON and BenchmarkEncodeCSV encode 100,000 rows × 4 columns.
func BenchmarkEncodeJSON(b *testing.B) { benchEncode(b, JSON) }

// BenchmarkEncodeCSV is the CSV twin of BenchmarkEncodeJSON.
func BenchmarkEncodeCSV(b *testing.B) { benchEncode(b, CSV) }

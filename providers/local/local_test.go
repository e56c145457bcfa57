package local

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/quarry-sec/quarry/engine/frame"
	"github.com/quarry-sec/quarry/providers/data"
)

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const eventsCSV = `TimeGenerated,Computer,EventID,CommandLine
2019-01-15 05:24:24.010,MSTICAlertsWin1,4688,cmd.exe /c whoami
2019-01-15 06:00:00.000,MSTICAlertsWin1,4624,
2019-01-16 07:00:00.000,other,4688,"ftp -s:""x"""
`

func TestOpenQueryTypesAndParams(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"SecurityEvent.csv": eventsCSV,
		"alerts.jsonl":      `{"TimeGenerated":"2019-01-11T06:31:40Z","AlertName":"a","Severity":"High"}` + "\n" + `{"TimeGenerated":"2019-01-12T06:31:40Z","AlertName":"b","Severity":null}` + "\n",
		"notes.txt":         "not data",
	})
	ctx := context.Background()
	p, err := Open(ctx, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	st := frame.Statement{Dialect: frame.SQL, Query: "t",
		Text: "SELECT * FROM SecurityEvent WHERE TimeGenerated >= ? AND TimeGenerated <= ? AND Computer = ? ORDER BY TimeGenerated",
		Args: []any{time.Date(2019, 1, 15, 0, 0, 0, 0, time.UTC), time.Date(2019, 1, 15, 23, 59, 59, 0, time.UTC), "MSTICAlertsWin1"}}
	f, err := p.Query(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	if f.Len() != 2 {
		t.Fatalf("rows = %d, want 2", f.Len())
	}
	if f.Meta.TimeColumn != "TimeGenerated" || f.Meta.Provider != "local" || f.Meta.Truncated {
		t.Errorf("meta = %+v", f.Meta)
	}
	wantKinds := map[string]frame.Kind{"TimeGenerated": frame.Time, "Computer": frame.String, "EventID": frame.Int, "CommandLine": frame.String}
	for name, k := range wantKinds {
		if c := f.Col(name); c == nil || c.Kind != k {
			t.Errorf("column %s = %+v, want kind %v", name, c, k)
		}
	}
	if got := f.Col("TimeGenerated").Value(0).(time.Time); !got.Equal(time.Date(2019, 1, 15, 5, 24, 24, 10e6, time.UTC)) {
		t.Errorf("time = %v", got)
	}
	if f.Col("CommandLine").Value(1) != nil {
		t.Errorf("empty CSV cell should be null, got %#v", f.Col("CommandLine").Value(1))
	}

	tables, err := p.Schema(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(tables) != 2 || tables[0].Name != "SecurityEvent" || tables[0].Rows != 3 || tables[1].Name != "alerts" || tables[1].Rows != 2 {
		t.Fatalf("schema = %+v", tables)
	}
	if tables[0].TimeColumn != "TimeGenerated" || len(tables[0].Columns) != 4 {
		t.Errorf("SecurityEvent schema = %+v", tables[0])
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, _, ok := p.Span(cancelled); ok {
		t.Error("span from a cancelled context")
	}
	lo, hi, ok := p.Span(ctx)
	if !ok || !lo.Equal(time.Date(2019, 1, 11, 6, 31, 40, 0, time.UTC)) || !hi.Equal(time.Date(2019, 1, 16, 7, 0, 0, 0, time.UTC)) {
		t.Errorf("span = %v %v %v", lo, hi, ok)
	}
}

func gz(s string) string {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(s))
	w.Close()
	return b.String()
}

func TestGzipFilesLoad(t *testing.T) {
	dir := writeFiles(t, map[string]string{"SecurityEvent.csv.gz": gz(eventsCSV), "alerts.jsonl.gz": gz(`{"TimeGenerated":"2019-01-11T06:31:40Z"}` + "\n")})
	p, err := Open(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	tables, err := p.Schema(context.Background())
	if err != nil || len(tables) != 2 || tables[0].Name != "SecurityEvent" || tables[0].Rows != 3 || tables[1].Rows != 1 {
		t.Fatalf("schema = %+v, %v", tables, err)
	}
}

func TestLimitTruncates(t *testing.T) {
	dir := writeFiles(t, map[string]string{"SecurityEvent.csv": eventsCSV})
	p, err := Open(context.Background(), dir, Options{Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	f, err := p.Query(context.Background(), frame.Statement{Text: "SELECT * FROM SecurityEvent"})
	if err != nil {
		t.Fatal(err)
	}
	if f.Len() != 2 || !f.Meta.Truncated || f.Meta.Limit != 2 {
		t.Errorf("len=%d meta=%+v, want 2 rows flagged truncated", f.Len(), f.Meta)
	}
	f, err = p.Query(context.Background(), frame.Statement{Text: "SELECT * FROM SecurityEvent LIMIT 2"})
	if err != nil || f.Meta.Truncated {
		t.Errorf("exactly limit rows must not be flagged: %v %+v", err, f.Meta)
	}
}

func TestBadWorkspaces(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		dir   string
		want  []string
	}{
		{name: "missing folder", dir: "/nonexistent/quarry-ws", want: []string{"does not exist"}},
		{name: "empty folder", files: map[string]string{"readme.md": "x"}, want: []string{"no data files"}},
		{name: "bad csv", files: map[string]string{"bad.csv": "a,b\n1,2\n3,4,5,6\n\"unterminated\n"}, want: []string{"bad.csv", "line"}},
		{name: "extra field on last line", files: map[string]string{"events.csv": "a,b\n1,2\n3,4,5\n"}, want: []string{"events.csv", "line 3", "wrong number of fields"}},
		{name: "bad gzipped csv", files: map[string]string{"events.csv.gz": gz("a,b\n1,2\n3,4,5\n")}, want: []string{"events.csv.gz", "line 3"}},
		{name: "cut-short json lines", files: map[string]string{"bad.json": "{\"a\": 1}\n{\"a\": 2}\n{\"a\": \n"}, want: []string{"bad.json", "not valid json: line 3", "cut short"}},
		{name: "bad json array", files: map[string]string{"bad.json": "[{\"a\": 1},\n{\"a\" 2}]\n"}, want: []string{"bad.json", "not valid json: line 2"}},
		{name: "bad manifest", files: map[string]string{"a.csv": "x\n1\n", ManifestFile: "tables: [name: x"}, want: []string{ManifestFile}},
		{name: "manifest names missing file", files: map[string]string{"a.csv": "x\n1\n", ManifestFile: "tables:\n  - {name: A, file: nope.csv}\n"}, want: []string{"nope.csv"}},
		{name: "two files one table", files: map[string]string{"a.csv": "x\n1\n", "a.json": `{"x":1}`}, want: []string{"both make table a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := tt.dir
			if dir == "" {
				dir = writeFiles(t, tt.files)
			}
			p, err := Open(context.Background(), dir, Options{})
			if err == nil {
				p.Close()
				t.Fatal("Open succeeded, want error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestPersistReusesImport(t *testing.T) {
	dir := writeFiles(t, map[string]string{"SecurityEvent.csv": eventsCSV})
	db := filepath.Join(t.TempDir(), "ws.duckdb")
	ctx := context.Background()
	count := func() int64 {
		p, err := Open(ctx, dir, Options{Persist: db})
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		f, err := p.Query(ctx, frame.Statement{Text: "SELECT count(*) AS n FROM SecurityEvent"})
		if err != nil {
			t.Fatal(err)
		}
		return f.Value(0, 0).(int64)
	}
	if n := count(); n != 3 {
		t.Fatalf("first open: %d rows", n)
	}
	if !func() bool {
		p, err := Open(ctx, dir, Options{Persist: db})
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		return p.fingerprintMatches(ctx)
	}() {
		t.Fatal("second open did not find the recorded import")
	}
	// A changed file is imported again.
	later := time.Now().Add(time.Minute)
	os.WriteFile(filepath.Join(dir, "SecurityEvent.csv"), []byte(eventsCSV+"2019-01-17 00:00:00.000,h,1,x\n"), 0o644)
	os.Chtimes(filepath.Join(dir, "SecurityEvent.csv"), later, later)
	if n := count(); n != 4 {
		t.Fatalf("after change: %d rows, want 4", n)
	}
}

func TestQueryErrorsAndCancel(t *testing.T) {
	dir := writeFiles(t, map[string]string{"SecurityEvent.csv": eventsCSV})
	p, err := Open(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	_, err = p.Query(context.Background(), frame.Statement{Text: "SELEC nonsense"})
	if !errors.Is(err, data.ErrBadStatement) {
		t.Errorf("syntax error = %v, want ErrBadStatement", err)
	}
	_, err = p.Query(context.Background(), frame.Statement{Dialect: frame.KQL, Text: "SecurityEvent | take 1"})
	if !errors.Is(err, data.ErrWrongDialect) {
		t.Errorf("kql on local = %v, want ErrWrongDialect", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	began := time.Now()
	_, err = p.Query(ctx, frame.Statement{Text: "SELECT count(*) FROM range(1000000000000) a"})
	if err == nil || time.Since(began) > 5*time.Second {
		t.Errorf("cancel: err=%v after %v", err, time.Since(began))
	}
}

// FuzzOpenWorkspace loads arbitrary bytes as a CSV and a JSON file: Open must return
// a workspace or an error naming the file, never panic or hang.
func FuzzOpenWorkspace(f *testing.F) {
	f.Add([]byte(eventsCSV), []byte(`{"a":1}`))
	f.Add([]byte("a,b\n1,2\n3,4,5\n"), []byte("[{\"a\":"))
	f.Add([]byte("\"x\n"), []byte("\x00\xff"))
	f.Fuzz(func(t *testing.T, csvData, jsonData []byte) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "c.csv"), csvData, 0o644)
		os.WriteFile(filepath.Join(dir, "j.json"), jsonData, 0o644)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		p, err := Open(ctx, dir, Options{})
		if err != nil {
			if !strings.Contains(err.Error(), "c.csv") && !strings.Contains(err.Error(), "j.json") {
				t.Fatalf("error names neither file: %v", err)
			}
			return
		}
		defer p.Close()
		if _, err := p.Schema(ctx); err != nil {
			t.Fatalf("schema of an opened workspace: %v", err)
		}
	})
}

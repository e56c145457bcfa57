package queries

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/quarry-sec/quarry/engine/frame"
)

func TestLoadMsticpyStyleFile(t *testing.T) {
	lib, err := LoadFS(os.DirFS("testdata"), "valid")
	if err != nil {
		t.Fatalf("LoadFS: %v", err)
	}
	wantNames := []string{
		"LocalFamily.list_alerts",
		"OtherFamily.list_host_things",
		"TestFamily.list_by_ids",
		"TestFamily.list_host_things",
	}
	var got []string
	for _, q := range lib.Queries() {
		got = append(got, q.Name)
	}
	if strings.Join(got, ",") != strings.Join(wantNames, ",") {
		t.Fatalf("queries = %v, want %v", got, wantNames)
	}
	if fams := lib.Families(); strings.Join(fams, ",") != "LocalFamily,OtherFamily,TestFamily" {
		t.Errorf("Families() = %v", fams)
	}

	q, err := lib.Get("testfamily.LIST_HOST_THINGS")
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if d := q.Dialects(); len(d) != 1 || d[0] != frame.KQL {
		t.Fatalf("Dialects() = %v, want [kql]", d)
	}
	if q.Short != "list_host_things" || q.Family != "TestFamily" || q.Description != "Things on a host" {
		t.Errorf("query fields: %+v", q)
	}
	if q.Metadata["data_source"] != "security_event" {
		t.Errorf("effective metadata misses defaults.metadata: %v", q.Metadata)
	}
	if !strings.Contains(q.Templates[frame.KQL], "| where EventID == 4688") {
		t.Errorf("macro not expanded:\n%s", q.Templates[frame.KQL])
	}
	st, err := q.Bind(frame.KQL, map[string]any{"hostname": `WKS"01`, "start": "2024-01-01", "end": "2024-01-02"}, BindOptions{})
	if err != nil {
		t.Fatalf("Bind: %v", err)
	}
	want := `let start = datetime(2024-01-01T00:00:00.000000Z); let end = datetime(2024-01-02T00:00:00.000000Z); ` +
		`SecurityEvent | where TimeGenerated >= start and TimeGenerated <= end | where Computer has "WKS\"01" ` +
		`| where EventID == 4688 | extend Bag = dynamic({"k": 1})`
	if st.Text != want {
		t.Errorf("bound text\n got %q\nwant %q", st.Text, want)
	}

	ids, err := lib.Get("TestFamily.list_by_ids")
	if err != nil {
		t.Fatal(err)
	}
	st, err = ids.Bind(frame.KQL, nil, BindOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(st.Text, "EventID in (4624, 4625)") {
		t.Errorf("list default of ints: %q", st.Text)
	}

	local, err := lib.Get("LocalFamily.list_alerts")
	if err != nil {
		t.Fatal(err)
	}
	if len(local.Dialects()) != 0 {
		t.Errorf("LocalData query has dialects %v, want none", local.Dialects())
	}
	if _, err := local.Bind(frame.SQL, nil, BindOptions{}); !errors.Is(err, ErrNoTemplate) {
		t.Errorf("Bind on LocalData query: err = %v, want ErrNoTemplate", err)
	}
}

func TestSchemaErrors(t *testing.T) {
	tests := []struct {
		file          string
		query, field  string // expected SchemaError fields ("" = not a SchemaError)
		wantInMessage []string
	}{
		{"missing_metadata.yaml", "", "metadata", nil},
		{"missing_sources.yaml", "", "sources", nil},
		{"bad_param_type.yaml", "q_bad_type", "sources.q_bad_type.parameters.host_name", []string{"string"}},
		{"missing_param_type.yaml", "q_no_type", "sources.q_no_type.parameters.host_name", []string{"type"}},
		{"undefined_placeholder.yaml", "q_undefined", "sources.q_undefined.args.query", []string{"{account}"}},
		{"version_not_int.yaml", "", "metadata.version", []string{"integer"}},
		{"missing_query.yaml", "q_no_query", "sources.q_no_query.args.query", nil},
		{"lone_brace.yaml", "q_brace", "sources.q_brace.dialects.kql", []string{"'}}'"}},
		{"yaml_syntax.yaml", "", "", []string{"yaml: line 5"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "bad", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, tt.file), data, 0o644); err != nil {
				t.Fatal(err)
			}
			_, err = LoadFS(os.DirFS(dir), ".")
			if err == nil {
				t.Fatalf("LoadFS(%s) succeeded, want an error", tt.file)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.file) {
				t.Errorf("error %q does not name the file", msg)
			}
			for _, w := range tt.wantInMessage {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not mention %q", msg, w)
				}
			}
			if tt.field == "" {
				return
			}
			var se *SchemaError
			if !errors.As(err, &se) {
				t.Fatalf("error %v (%T) is not a *SchemaError", err, err)
			}
			if se.Query != tt.query || se.Field != tt.field {
				t.Errorf("SchemaError query=%q field=%q, want %q %q", se.Query, se.Field, tt.query, tt.field)
			}
			if tt.query != "" && !strings.Contains(msg, tt.query) {
				t.Errorf("error %q does not name the query", msg)
			}
			if !strings.Contains(msg, tt.field) {
				t.Errorf("error %q does not name the field", msg)
			}
		})
	}
}

func TestLoadUserFolderOverrides(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "nested")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	override := `metadata:
  version: 1
  data_environments: [LogAnalytics]
  data_families: [WindowsSecurity]
sources:
  list_host_processes:
    description: my own version
    dialects:
      sql: SELECT 1 AS x WHERE {n} > 0
    parameters:
      n:
        description: a number
        type: int
`
	if err := os.WriteFile(filepath.Join(sub, "mine.yaml"), []byte(override), 0o644); err != nil {
		t.Fatal(err)
	}
	lib, err := Load(dir)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	q, err := lib.Get("WindowsSecurity.list_host_processes")
	if err != nil {
		t.Fatal(err)
	}
	if q.Description != "my own version" || q.File != filepath.Join(dir, "nested", "mine.yaml") {
		t.Errorf("override not applied: %q from %s", q.Description, q.File)
	}
	if _, err := Load(filepath.Join(dir, "missing")); err == nil {
		t.Error("Load of a missing folder succeeded")
	}
	if _, err := lib.Get("NoSuch.query"); !errors.Is(err, ErrUnknownQuery) {
		t.Errorf("Get unknown: %v, want ErrUnknownQuery", err)
	}
}

// FuzzLoadFile feeds arbitrary bytes to the query file loader: it must return queries
// or an error, never panic, and every query it accepts must bind or fail cleanly.
func FuzzLoadFile(f *testing.F) {
	for _, p := range []string{"testdata/valid", "library"} {
		entries, _ := os.ReadDir(p)
		for _, e := range entries {
			if b, err := os.ReadFile(filepath.Join(p, e.Name())); err == nil {
				f.Add(b)
			}
		}
	}
	f.Add([]byte("metadata: {version: 1, data_families: [X]}\nsources: {q: {description: d, dialects: {sql: 'SELECT {a}'}, parameters: {a: {type: list, description: x}}}}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		lib, err := LoadFS(fstest.MapFS{"q.yaml": {Data: data}}, ".")
		if err != nil {
			return
		}
		for _, q := range lib.Queries() {
			for _, d := range q.Dialects() {
				_, _ = q.Bind(d, map[string]any{"host_name": "x", "a": "1,2"}, BindOptions{})
			}
		}
	})
}

package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/quarry-sec/quarry/providers/config"
)

// run executes the command line on the committed demo workspace.
func run(t testing.TB, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	env := Env{
		Version:  "test",
		Demo:     os.DirFS("../testdata/demo/workspace"),
		Stdin:    strings.NewReader(stdin),
		Stdout:   &out,
		Stderr:   &errb,
		CacheDir: cacheDir(t),
		Now:      func() time.Time { return time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC) },
	}
	code = Execute(context.Background(), env, args)
	return out.String(), errb.String(), code
}

var sharedCache string

func cacheDir(t testing.TB) string {
	if sharedCache == "" {
		d, err := os.MkdirTemp("", "quarry-cli-test-")
		if err != nil {
			t.Fatal(err)
		}
		sharedCache = d
	}
	return sharedCache
}

func TestMain(m *testing.M) {
	code := m.Run()
	if sharedCache != "" {
		os.RemoveAll(sharedCache)
	}
	os.Exit(code)
}

func decodeRows(t *testing.T, s string) []map[string]any {
	t.Helper()
	var rows []map[string]any
	if err := json.Unmarshal([]byte(s), &rows); err != nil {
		t.Fatalf("output is not a JSON array of objects: %v\n%.500s", err, s)
	}
	return rows
}

func TestQueriesListJSON(t *testing.T) {
	out, errOut, code := run(t, "", "queries", "list", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var infos []QueryInfo
	if err := json.Unmarshal([]byte(out), &infos); err != nil {
		t.Fatal(err)
	}
	if len(infos) < 40 {
		t.Fatalf("%d queries, want at least 40", len(infos))
	}
	for _, qi := range infos {
		has := map[string]bool{}
		for _, d := range qi.Dialects {
			has[string(d)] = true
		}
		if !has["sql"] || !has["kql"] {
			t.Errorf("%s has dialects %v, want sql and kql", qi.Name, qi.Dialects)
		}
		if qi.Description == "" || qi.Family == "" || !strings.HasPrefix(qi.Name, qi.Family+".") {
			t.Errorf("incomplete entry %+v", qi)
		}
	}
	out, _, code = run(t, "", "queries", "list", "--family", "SecurityAlert")
	if code != 0 || !strings.Contains(out, "SecurityAlert.list_alerts") || strings.Contains(out, "WindowsSecurity.") {
		t.Errorf("--family SecurityAlert: exit %d\n%s", code, out)
	}
}

func TestQueriesShow(t *testing.T) {
	out, _, code := run(t, "", "queries", "show", "WindowsSecurity.list_host_processes", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var qi QueryInfo
	if err := json.Unmarshal([]byte(out), &qi); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(qi.Templates["sql"], "4688") || !strings.Contains(qi.Templates["kql"], "4688") {
		t.Errorf("templates = %v", qi.Templates)
	}
	found := false
	for _, p := range qi.Parameters {
		if p.Name == "host_name" && p.Required && p.Type == "str" {
			found = true
		}
	}
	if !found {
		t.Errorf("host_name parameter missing or not required: %+v", qi.Parameters)
	}
	out, _, code = run(t, "", "queries", "show", "WindowsSecurity.list_host_processes")
	if code != 0 || !strings.Contains(out, "host_name") || !strings.Contains(out, "kql:") {
		t.Errorf("show as text: exit %d\n%s", code, out)
	}
}

func TestQueryDemoAlerts(t *testing.T) {
	out, errOut, code := run(t, "", "query", "SecurityAlert.list_alerts", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	rows := decodeRows(t, out)
	if len(rows) != 230 {
		t.Fatalf("%d alerts, want the demo's 230", len(rows))
	}
	names := map[string]bool{}
	for _, r := range rows {
		names[r["AlertName"].(string)] = true
	}
	for _, want := range []string{"SSH Anomalous Login ML", "DC local group addition - Demo"} {
		if !names[want] {
			t.Errorf("alert %q missing", want)
		}
	}
}

func TestQueryHostProcesses(t *testing.T) {
	out, errOut, code := run(t, "", "query", "WindowsSecurity.list_host_processes", "--param", "host_name=MSTICAlertsWin1", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	rows := decodeRows(t, out)
	if len(rows) != 363 {
		t.Fatalf("%d rows, want 363", len(rows))
	}
	for _, r := range rows {
		if r["EventID"] != float64(4688) || r["Computer"] != "MSTICAlertsWin1" {
			t.Fatalf("row is not a 4688 of MSTICAlertsWin1: %v %v", r["EventID"], r["Computer"])
		}
	}
	// A narrower window by absolute times returns the subset.
	out, _, code = run(t, "", "query", "WindowsSecurity.list_host_processes", "-p", "hostname=msticalertswin1",
		"--start", "2019-01-15 05:00", "--end", "2019-01-15T05:30:00Z", "-o", "json")
	if code != 0 {
		t.Fatalf("alias and window: exit %d", code)
	}
	if n := len(decodeRows(t, out)); n == 0 || n >= 363 {
		t.Errorf("window returned %d rows, want a non-empty subset", n)
	}
	for _, hostile := range []string{"x' or '1'='1", `MSTICAlertsWin1' --`, `"; | union *`, "MSTICAlertsWin1\n", `%`, `\`} {
		out, errOut, code := run(t, "", "query", "WindowsSecurity.list_host_processes", "--param", "host_name="+hostile, "-o", "json")
		if code != 0 {
			t.Errorf("hostile %q: exit %d: %s", hostile, code, errOut)
			continue
		}
		if rows := decodeRows(t, out); len(rows) != 0 {
			t.Errorf("hostile host_name %q returned %d rows, want none", hostile, len(rows))
		}
	}
}

func TestOutputFormats(t *testing.T) {
	out, _, code := run(t, "", "query", "WindowsSecurity.list_host_processes", "--param", "host_name=MSTICAlertsWin1", "-o", "csv")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || !strings.HasPrefix(lines[0], "TimeGenerated,") {
		t.Fatalf("csv: exit %d, header %q", code, lines[0])
	}
	out, _, _ = run(t, "", "query", "SecurityAlert.list_alerts", "-o", "jsonl")
	if n := strings.Count(out, "\n"); n != 230 {
		t.Errorf("jsonl has %d lines, want 230", n)
	}
	out, errOut, code := run(t, "", "query", "SecurityAlert.list_alerts", "--limit", "5", "-o", "json")
	if code != 0 || len(decodeRows(t, out)) != 5 || !strings.Contains(errOut, "cut at 5 rows") {
		t.Errorf("--limit 5: exit %d, stderr %q", code, errOut)
	}
	out, _, code = run(t, "", "tables", "-o", "json")
	var tables []struct {
		Name string `json:"name"`
		Rows int64  `json:"rows"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &tables) != nil || len(tables) < 10 {
		t.Fatalf("tables: exit %d\n%s", code, out)
	}
	out, _, code = run(t, "SELECT count(*) AS n FROM SecurityEvent WHERE EventID = 4688 AND Computer = 'MSTICAlertsWin1'", "sql", "-", "-o", "json")
	if code != 0 || strings.TrimSpace(out) != "[\n{\"n\":363}\n]" {
		t.Errorf("sql from stdin: exit %d, %q", code, out)
	}
	out, _, code = run(t, "", "--version")
	if code != 0 || strings.TrimSpace(out) != "quarry test" {
		t.Errorf("--version = %q", out)
	}
}

func TestErrorsAndExitCodes(t *testing.T) {
	badQueries := t.TempDir()
	os.WriteFile(filepath.Join(badQueries, "broken.yaml"), []byte("metadata:\n  version: 1\n  data_families: [X]\nsources:\n  q:\n    description: d\n    dialects:\n      sql: SELECT {nope}\n"), 0o644)
	badWS := t.TempDir()
	os.WriteFile(filepath.Join(badWS, "events.csv"), []byte("a,b\n1,2\n3,4,5\n"), 0o644)
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"missing parameter", []string{"query", "WindowsSecurity.list_host_processes"}, 2, "host_name"},
		{"unknown parameter", []string{"query", "SecurityAlert.list_alerts", "-p", "colour=red"}, 2, "colour"},
		{"unknown query", []string{"query", "No.such_query"}, 2, "No.such_query"},
		{"bad time", []string{"query", "SecurityAlert.list_alerts", "--start", "last tuesday"}, 2, "last tuesday"},
		{"start after the data's end", []string{"query", "SecurityAlert.list_alerts", "--start", "2030-01-01"}, 2, "start 2030-01-01T00:00:00Z is after end 2022-05-13"},
		{"bad param syntax", []string{"query", "SecurityAlert.list_alerts", "-p", "novalue"}, 2, "name=value"},
		{"bad format", []string{"queries", "list", "-o", "xml"}, 2, "xml"},
		{"unknown verb", []string{"frobnicate"}, 2, "frobnicate"},
		{"unknown flag", []string{"queries", "list", "--nope"}, 2, "nope"},
		{"sql syntax", []string{"sql", "SELEC 1"}, 2, "syntax"},
		{"sql unknown table", []string{"sql", "SELECT * FROM NoTable"}, 2, "NoTable"},
		{"missing workspace", []string{"tables", "--workspace", "/nonexistent/ws"}, 2, "/nonexistent/ws"},
		{"bad csv", []string{"tables", "--workspace", badWS}, 2, "events.csv: not valid csv: line 3"},
		{"bad query file", []string{"queries", "list", "--query-path", badQueries}, 2, "nope"},
		{"no terminal", []string{}, 2, "not a terminal"},
		{"unknown provider", []string{"tables", "--provider", "nosuch"}, 2, "nosuch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errOut, code := run(t, "", tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.code, errOut)
			}
			if !strings.Contains(errOut, tt.want) {
				t.Errorf("stderr %q does not mention %q", errOut, tt.want)
			}
		})
	}
}

func TestUserQueryPath(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "mine.yaml"), []byte(`metadata:
  version: 1
  description: my queries
  data_environments: [LocalData]
  data_families: [Mine]
sources:
  hosts_seen:
    description: Hosts with security events
    parameters:
      table: {description: table, type: str, default: SecurityEvent}
    dialects:
      sql: SELECT DISTINCT Computer FROM {table} ORDER BY Computer
      kql: "{table} | distinct Computer"
`), 0o644)
	out, errOut, code := run(t, "", "query", "Mine.hosts_seen", "--query-path", dir, "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	rows := decodeRows(t, out)
	seen := map[any]bool{}
	for _, r := range rows {
		seen[r["Computer"]] = true
	}
	if !seen["MSTICAlertsWin1"] || len(rows) < 3 {
		t.Errorf("hosts = %v", rows)
	}
}

func BenchmarkQueriesList(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if _, _, code := run(b, "", "queries", "list", "-o", "json"); code != 0 {
			b.Fatal(code)
		}
	}
}

func TestEmptyResultSaysSo(t *testing.T) {
	out, errOut, code := run(t, "", "query", "WindowsSecurity.list_host_processes", "-p", "host_name=nosuchhost")
	if code != 0 || !strings.HasPrefix(out, "TimeGenerated") {
		t.Fatalf("exit %d, stdout %q", code, out)
	}
	if want := "quarry: no rows matched between 2019-01-10T05:48:09.000Z and 2022-05-13T08:54:11.910Z"; strings.TrimSpace(errOut) != want {
		t.Errorf("stderr %q, want %q", errOut, want)
	}
	if _, errOut, _ := run(t, "", "query", "WindowsSecurity.list_host_processes", "-p", "host_name=nosuchhost", "-o", "json"); errOut != "" {
		t.Errorf("json output should leave stderr quiet, got %q", errOut)
	}
}

func TestQueryPrint(t *testing.T) {
	out, errOut, code := run(t, "", "query", "WindowsSecurity.list_host_processes", "-p", `host_name=x" | union *`,
		"--print", "--dialect", "kql", "--start", "2019-01-15", "--end", "2019-01-16")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"let start = datetime(2019-01-15T00:00:00.000000Z);", `| where Computer has "x\" | union *"`, "EventID == 4688"} {
		if !strings.Contains(out, want) {
			t.Errorf("kql lacks %q:\n%s", want, out)
		}
	}
	out, _, code = run(t, "", "query", "WindowsSecurity.list_host_processes", "-p", "host_name=MSTICAlertsWin1", "--print")
	if code != 0 || !strings.Contains(out, "host_match(Computer, ?)") || !strings.Contains(out, `-- $3 = "MSTICAlertsWin1"`) || !strings.Contains(out, `-- $1 = "2019-01-10T05:48:09Z"`) {
		t.Errorf("sql print (exit %d):\n%s", code, out)
	}
	if _, errOut, code := run(t, "", "query", "SecurityAlert.list_alerts", "--print", "--dialect", "xql"); code != 2 || !strings.Contains(errOut, "xql") {
		t.Errorf("unknown dialect: exit %d %q", code, errOut)
	}
}

func TestInterruptedExitCode(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errb bytes.Buffer
	env := Env{Demo: os.DirFS("../testdata/demo/workspace"), Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, CacheDir: cacheDir(t)}
	code := Execute(ctx, env, []string{"sql", "SELECT count(*) FROM range(1000000000000)"})
	if code != 130 || strings.TrimSpace(errb.String()) != "quarry: interrupted" {
		t.Errorf("exit %d, stderr %q; want 130 and 'interrupted'", code, errb.String())
	}
}

// TestWorkbenchSettings checks what the TUI is started with: the ui settings with
// --theme and --fps over them, and bad values refused as usage errors.
func TestWorkbenchSettings(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.yaml")
	os.WriteFile(cfg, []byte("ui:\n  theme: light\n  fps: 20\n  zone: Europe/London\n"), 0o600)
	start := func(args ...string) (config.UI, int, string) {
		var got config.UI
		var errb bytes.Buffer
		env := Env{Version: "test", Stdin: strings.NewReader(""), Stdout: &bytes.Buffer{}, Stderr: &errb, IsTerminal: true,
			RunTUI: func(ctx context.Context, app *App) error {
				ui, err := app.UI()
				got = ui
				return err
			}}
		code := Execute(context.Background(), env, append([]string{"--config", cfg}, args...))
		return got, code, errb.String()
	}
	if ui, code, _ := start(); code != 0 || ui.Theme != "light" || ui.FPS != 20 || ui.Zone != "Europe/London" {
		t.Errorf("settings: %+v, exit %d", ui, code)
	}
	if ui, code, _ := start("--theme", "high-contrast", "--fps", "10"); code != 0 || ui.Theme != "high-contrast" || ui.FPS != 10 {
		t.Errorf("flags over settings: %+v, exit %d", ui, code)
	}
	for _, bad := range [][]string{{"--theme", "plaid"}, {"--fps", "500"}} {
		if _, code, stderr := start(bad...); code != 2 || !strings.Contains(stderr, bad[1]) {
			t.Errorf("%v: exit %d, stderr %q; want 2 naming the value", bad, code, stderr)
		}
	}
}

package queries

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/quarry-sec/quarry/engine/frame"
)

// openDuck opens an in-memory DuckDB with the library's SQL macros.
func openDuck(t testing.TB) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatalf("open duckdb: %v", err)
	}
	db.SetMaxOpenConns(1) // TEMP macros live in one connection
	t.Cleanup(func() { db.Close() })
	if _, err := db.ExecContext(context.Background(), SQLMacros); err != nil {
		t.Fatalf("SQLMacros: %v", err)
	}
	return db
}

// schemaTables reads the demo workspace contract (testdata/demo/SCHEMA.md)
// into CREATE TABLE statements: the named columns, typed where the contract
// gives a type, VARCHAR otherwise.
func schemaTables(t testing.TB) map[string]string {
	t.Helper()
	f, err := os.Open("../testdata/demo/SCHEMA.md")
	if err != nil {
		t.Fatalf("open schema contract: %v", err)
	}
	defer f.Close()
	typed := regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*)(?:\s+(INTEGER|DOUBLE|BOOLEAN|BIGINT|TIMESTAMP))?`)
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		cells := strings.Split(sc.Text(), "|")
		if len(cells) < 4 {
			continue
		}
		table := strings.TrimSpace(cells[1])
		cols := strings.TrimSpace(cells[2])
		if !regexp.MustCompile(`^[A-Za-z_]+$`).MatchString(table) || !strings.HasPrefix(cols, "TimeGenerated") &&
			!strings.HasPrefix(cols, "Timestamp") {
			continue
		}
		cols = strings.ReplaceAll(cols, "and flattened Sysmon fields:", ",")
		cols = strings.ReplaceAll(cols, "StartTime, EndTime (TIMESTAMP)", "StartTime TIMESTAMP, EndTime TIMESTAMP")
		seen := map[string]bool{}
		var defs []string
		for _, c := range strings.Split(cols, ",") {
			m := typed.FindStringSubmatch(strings.TrimSpace(c))
			if m == nil || seen[m[1]] {
				continue
			}
			seen[m[1]] = true
			typ := m[2]
			if m[1] == "TimeGenerated" || m[1] == "Timestamp" {
				typ = "TIMESTAMP"
			}
			if typ == "" {
				typ = "VARCHAR"
			}
			defs = append(defs, fmt.Sprintf("%q %s", m[1], typ))
		}
		out[table] = fmt.Sprintf("CREATE TABLE %q (%s)", table, strings.Join(defs, ", "))
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) < 10 {
		t.Fatalf("read only %d tables from SCHEMA.md", len(out))
	}
	return out
}

func TestEmbeddedLibrary(t *testing.T) {
	lib, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	qs := lib.Queries()
	if len(qs) < 45 {
		t.Fatalf("embedded library has %d queries, want at least 45", len(qs))
	}
	if !sort.SliceIsSorted(qs, func(i, j int) bool { return qs[i].Name < qs[j].Name }) {
		t.Error("Queries() not sorted by name")
	}
	for _, q := range qs {
		if q.Templates[frame.SQL] == "" || q.Templates[frame.KQL] == "" {
			t.Errorf("%s lacks a sql or kql template (has %v)", q.Name, q.Dialects())
		}
		for _, name := range []string{"start", "end", "add_query_items", "table"} {
			p, ok := q.Param(name)
			if !ok {
				t.Errorf("%s has no %s parameter", q.Name, name)
				continue
			}
			switch name {
			case "start", "end":
				if p.Type != TypeDatetime {
					t.Errorf("%s.%s type %s", q.Name, name, p.Type)
				}
			case "add_query_items":
				if !p.Raw || p.Default != "" {
					t.Errorf("%s.add_query_items raw=%v default=%v", q.Name, p.Raw, p.Default)
				}
			case "table":
				if !p.Identifier || p.Default == nil {
					t.Errorf("%s.table identifier=%v default=%v", q.Name, p.Identifier, p.Default)
				}
			}
		}
		for d, tmpl := range q.Templates {
			if d != frame.SPL && !strings.Contains(tmpl, "TimeGenerated") {
				t.Errorf("%s %s template does not filter TimeGenerated", q.Name, d)
			}
		}
		if p, ok := q.Param("hostname"); ok && p.Name != "host_name" {
			t.Errorf("%s: alias hostname resolves to %s", q.Name, p.Name)
		}
	}
	want := map[string][]string{
		"WindowsSecurity": {"list_host_processes", "list_host_logons", "list_host_logon_failures",
			"list_host_events", "list_events_by_id", "list_logons_by_account", "list_logon_attempts_by_ip",
			"list_matching_processes", "list_hosts_matching_commandline", "list_processes_in_session",
			"get_process_tree", "get_parent_process", "list_all_logons_by_host", "account_change_events",
			"schdld_tasks_and_services", "summarize_events"},
		"SecurityAlert": {"list_alerts", "list_alerts_counts", "get_alert", "list_related_alerts",
			"list_alerts_for_ip", "list_alerts_for_host", "list_alerts_for_account"},
		"LinuxSyslog": {"list_logons_for_host", "list_host_logon_failures", "sudo_activity", "all_syslog",
			"list_logons_for_account", "list_logons_for_source_ip", "summarize_events", "cron_activity"},
		"LinuxAudit": {"auditd_all", "list_process_execs", "list_execs_for_account"},
		"Azure":      {"list_aad_signins_for_account", "list_aad_signins_for_ip", "list_all_signins_geo"},
		"Office365":  {"list_exchange_admin_activity", "list_activity_for_account", "list_activity_for_ip"},
		"Network": {"list_azure_network_flows_by_host", "list_azure_network_flows_by_ip",
			"hourly_flows_summary", "list_vm_connections_for_host"},
		"Sysmon":    {"list_process_creations", "list_network_connections", "list_process_access"},
		"MDE":       {"list_host_processes", "process_cmd_line", "process_creations"},
		"Heartbeat": {"get_info_by_hostname"},
	}
	var fams []string
	for fam, names := range want {
		fams = append(fams, fam)
		for _, n := range names {
			if _, err := lib.Get(fam + "." + n); err != nil {
				t.Errorf("missing %s.%s: %v", fam, n, err)
			}
		}
	}
	sort.Strings(fams)
	if got := lib.Families(); strings.Join(got, ",") != strings.Join(fams, ",") {
		t.Errorf("Families() = %v, want %v", got, fams)
	}
	if q, err := lib.Get("get_info_by_hostname"); err != nil || q.Name != "Heartbeat.get_info_by_hostname" {
		t.Errorf("Get by bare unique name: %v %v", q, err)
	}
}

// sampleValues are parameter values good enough to run every library query.
var sampleValues = map[string]any{
	"host_name": "WKS01", "account_name": "alice", "ip_address": "10.0.0.5",
	"ip_address_list": "10.0.0.5, 203.0.113.7", "process_name": "cmd.exe", "commandline": "whoami",
	"cmd_line": "whoami", "logon_session_id": "0x3e7", "process_id": "0x1a2c", "system_alert_id": "abc",
	"event_list": "4624,4625",
}

// TestEverySQLTemplateRuns binds every library query for SQL and runs it on
// empty tables built from the demo schema contract: the templates parse, use
// only contract column names and accept the bound argument types.
func TestEverySQLTemplateRuns(t *testing.T) {
	lib, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	db := openDuck(t)
	ctx := context.Background()
	for name, ddl := range schemaTables(t) {
		if _, err := db.ExecContext(ctx, ddl); err != nil {
			t.Fatalf("create %s: %v\n%s", name, err, ddl)
		}
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO SecurityEvent (TimeGenerated, Computer, EventID)
		VALUES (TIMESTAMP '2019-01-15 05:24:24', 'WKS01.contoso.com', 4688)`); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2019, 1, 15, 12, 0, 0, 0, time.UTC)
	for _, q := range lib.Queries() {
		t.Run(q.Name, func(t *testing.T) {
			vals := map[string]any{}
			for k, v := range sampleValues {
				if p, ok := q.Param(k); ok && p.Name == k {
					vals[k] = v
				}
			}
			st, err := q.Bind(frame.SQL, vals, BindOptions{Now: now})
			if err != nil {
				t.Fatalf("Bind: %v", err)
			}
			if st.Query != q.Name || st.Start.IsZero() || st.End.IsZero() {
				t.Errorf("statement metadata: %+v", st)
			}
			rows, err := db.QueryContext(ctx, st.Text, st.Args...)
			if err != nil {
				t.Fatalf("run: %v\n%s\nargs %#v", err, st.Text, st.Args)
			}
			n := 0
			for rows.Next() {
				n++
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			rows.Close()
			if q.Name == "WindowsSecurity.list_host_processes" && n != 1 {
				t.Errorf("list_host_processes(WKS01) returned %d rows, want the FQDN row", n)
			}
		})
	}
}

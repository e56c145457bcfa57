package proctree

import (
	"compress/gzip"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/quarry-sec/quarry/engine/frame"
)

// readCSV reads a CSV file (gzip'd when its name ends in .gz) into a frame.
func readCSV(t testing.TB, path string) *frame.Frame {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	var r io.Reader = fh
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(fh)
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	recs, err := cr.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	f, err := frame.FromRecords(recs[0], recs[1:])
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func demoSource(name string) string {
	return filepath.Join("..", "..", "testdata", "demo", "sources", name)
}

func build(t testing.TB, f *frame.Frame, s *Schema) *Tree {
	t.Helper()
	tr, err := Build(context.Background(), f, s)
	if err != nil {
		t.Fatal(err)
	}
	checkTree(t, tr)
	return tr
}

// checkTree checks the tree's invariants: depth-first order, parents before
// children, depths, paths, keys and the root list.
func checkTree(t testing.TB, tr *Tree) {
	t.Helper()
	roots := 0
	for i := range tr.Procs {
		p := &tr.Procs[i]
		if p.Parent >= i {
			t.Fatalf("process %d's parent %d comes after it", i, p.Parent)
		}
		if p.Parent < 0 {
			if p.Depth != 0 || tr.Roots[roots] != i {
				t.Fatalf("root %d: depth %d, roots %v", i, p.Depth, tr.Roots[:roots+1])
			}
			roots++
			continue
		}
		pp := &tr.Procs[p.Parent]
		if p.Depth != pp.Depth+1 || p.ParentKey != pp.Key {
			t.Fatalf("process %d (%s) does not hang from %d (%s)", i, p.Key, p.Parent, pp.Key)
		}
		if !p.Time.IsZero() && !pp.Time.IsZero() && p.Time.Before(pp.Time) {
			t.Fatalf("process %d started before its parent", i)
		}
	}
	if roots != len(tr.Roots) {
		t.Fatalf("%d roots listed, %d found", len(tr.Roots), roots)
	}
}

// byRow maps input rows to processes.
func byRow(tr *Tree) map[int]*Proc {
	m := map[int]*Proc{}
	for i := range tr.Procs {
		if r := tr.Procs[i].Row; r >= 0 {
			m[r] = &tr.Procs[i]
		}
	}
	return m
}

// processes_on_host.csv (msticpy's test data: 363 4688 events of
// MSTICAlertsWin1 running its alert-simulation batch file). The expected
// parents were read off the data by hand: NewProcessId, ProcessId (the parent's
// id), ParentProcessName and TimeGenerated of each row.
func TestWindowsTreeFromData(t *testing.T) {
	f := readCSV(t, demoSource("processes_on_host.csv.gz"))
	tr := build(t, f, nil)
	if tr.Schema.Name != "win4688" {
		t.Fatalf("schema %s", tr.Schema.Name)
	}
	rows := byRow(tr)
	parentRow := func(r int) int {
		p := rows[r]
		if p == nil {
			t.Fatalf("row %d is not in the tree", r)
		}
		if p.Parent < 0 {
			return -2
		}
		return tr.Procs[p.Parent].Row
	}
	cases := []struct {
		row, parent int
		why         string
	}{
		{55, 54, "reg.exe 0x17e8 ← rundll32 0x17cc at 05:15:16.510, not the cmd.exe that reused 0x17cc at 05:15:18.553"},
		{54, 75, "rundll32 /C reg.exe ← the batch's cmd.exe 0xbc8"},
		{154, 75, "ftp -s:C:\\RECYCLER\\xxppyy.exe ← cmd.exe 0xbc8"},
		{104, 75, "the obfuscated powershell 0x1580 ← cmd.exe 0xbc8"},
		{46, 75, "reg golden-ticket line ← cmd.exe"},
		{58, 75, "rundll32 mshtml,RunHTMLApplication ← cmd.exe"},
		{151, 75, "rUnDlL32 0x1550 ← cmd.exe"},
		{212, 75, "hd.exe 0x15d0 ← cmd.exe"},
		{167, 166, "conhost 0x15d0 ← cmd.exe 0x158c (05:15:17.220), not netsh that reused 0x158c later"},
		{314, 313, "conhost 0x15d0 ← ASMHost 0x1550 (05:22:24.007), not rundll32 or vssadmin that had 0x1550 before: the parent's name must match"},
		{213, 75, "netsh 0x158c ← cmd.exe"},
		{69, 75, "vssadmin 0x1550 ← cmd.exe"},
	}
	for _, c := range cases {
		if got := parentRow(c.row); got != c.parent {
			t.Errorf("row %d: parent row %d, want %d (%s)", c.row, got, c.parent, c.why)
		}
	}
	// The batch's cmd.exe hangs from svchost 0x440, which the log never shows
	// starting: an inferred root.
	cmd := rows[75]
	root := &tr.Procs[cmd.Parent]
	if !root.Inferred || root.Parent >= 0 || root.PID != "1088" || !strings.HasSuffix(root.Name, `svchost.exe`) || root.Row != -1 {
		t.Errorf("cmd.exe's parent: %+v", *root)
	}
	if got, want := cmd.Key, `c:\windows\system32\cmd.exe|3016|2019-01-15 05:15:03.047000`; got != want {
		t.Errorf("proc_key %q, want %q", got, want)
	}
	if p := tr.Path(indexOf(tr, rows[55])); rows[55].Depth != 3 || p != fmt.Sprint(root.Source)+"/75/54/55" {
		t.Errorf("reg.exe depth %d path %s", rows[55].Depth, p)
	}
	sum := tr.Summary()
	want := Summary{Processes: 369, RootProcesses: 6, LeafProcesses: 279, BranchProcesses: 84, IsolatedProcesses: 0, LargestTreeDepth: 5}
	if sum != want {
		t.Errorf("summary %+v, want %+v", sum, want)
	}
	// Every root is inferred here: the log starts after the services did.
	for _, r := range tr.Roots {
		if !tr.Procs[r].Inferred {
			t.Errorf("root %s is not inferred", tr.Procs[r].Name)
		}
	}
	// Utilities.
	found := false
	for _, c := range root.Children {
		found = found || tr.Procs[c].Row == 75
	}
	if !found {
		t.Errorf("svchost 0x440's children lack the batch's cmd.exe")
	}
	anc := tr.Ancestors(indexOf(tr, rows[55]))
	if len(anc) != 3 || tr.Procs[anc[0]].PID != "1088" || tr.Procs[anc[2]].Row != 54 {
		t.Errorf("ancestors of reg.exe: %v", anc)
	}
	if r := tr.Root(indexOf(tr, rows[55])); tr.Procs[r].PID != "1088" {
		t.Errorf("root of reg.exe: %+v", tr.Procs[r])
	}
	ci := indexOf(tr, cmd)
	if d := tr.Descendants(ci, 1); len(d) != len(cmd.Children) {
		t.Errorf("one level of descendants: %d, children %d", len(d), len(cmd.Children))
	}
	if all := tr.Descendants(ci, 0); len(all) != tr.Size(ci) || len(all) <= len(cmd.Children) {
		t.Errorf("descendants %d, size %d", len(all), tr.Size(ci))
	}
	if s := tr.Siblings(indexOf(tr, rows[54])); len(s) != len(cmd.Children)-1 {
		t.Errorf("siblings %d", len(s))
	}
}

func indexOf(tr *Tree, p *Proc) int {
	for i := range tr.Procs {
		if &tr.Procs[i] == p {
			return i
		}
	}
	return -1
}

// winproctree-minimal.csv is a Volatility pslist: a custom mapping reads it.
func TestCustomMappingFromData(t *testing.T) {
	f := readCSV(t, "testdata/winproctree-minimal.csv")
	if _, err := Infer(f); !errors.Is(err, ErrNoSchema) || strings.Contains(err.Error(), "--") {
		t.Fatalf("a pslist fits no built-in schema: got %v (the engine's message names no CLI flag: the TUI shows it too)", err)
	}
	s, err := ParseMapping([]string{"process_name=ImageFileName,process_id=PID", "parent_id=PPID,time_stamp=CreateTime"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	tr := build(t, f, &s)
	find := func(name, pid string) *Proc {
		for i := range tr.Procs {
			if tr.Procs[i].Name == name && tr.Procs[i].PID == pid {
				return &tr.Procs[i]
			}
		}
		t.Fatalf("no %s %s", name, pid)
		return nil
	}
	// services.exe 768 ← wininit.exe 632 ← 548 (csrss's and wininit's smss, gone: inferred).
	svc := find("services.exe", "768")
	wi := &tr.Procs[svc.Parent]
	if wi.Name != "wininit.exe" || wi.PID != "632" {
		t.Errorf("services.exe's parent %s %s", wi.Name, wi.PID)
	}
	if up := &tr.Procs[wi.Parent]; !up.Inferred || up.PID != "548" || up.Name != "unknown" {
		t.Errorf("wininit's parent %+v", *up)
	}
	// smss.exe 404 ← System 4; Registry (started before System in this list) gets
	// an inferred parent, as msticpy's backward time match gives.
	if sm := find("smss.exe", "404"); tr.Procs[sm.Parent].Name != "System" {
		t.Errorf("smss's parent %s", tr.Procs[sm.Parent].Name)
	}
	if rg := find("Registry", "88"); !tr.Procs[rg.Parent].Inferred {
		t.Errorf("Registry's parent %+v", tr.Procs[rg.Parent])
	}
	if got := tr.Summary(); got.Processes != 126 || got.RootProcesses != 10 || got.LargestTreeDepth != 7 {
		t.Errorf("summary %+v", got)
	}
	for _, bad := range [][]string{{"process_name=A"}, {"nosuch=B"}, {"process_name"}} {
		if _, err := ParseMapping(bad, nil); err == nil {
			t.Errorf("mapping %v accepted", bad)
		}
	}
}

// mde_proc_cs1.csv (Defender's internal schema) is recognised, and the
// initiating processes each row names become processes, so trees go deep.
func TestMDETreeFromData(t *testing.T) {
	f := readCSV(t, demoSource("mde_proc_cs1.csv.gz"))
	s, err := Infer(f)
	if err != nil || s.Name != "mde-internal" {
		t.Fatalf("inferred %q, %v", s.Name, err)
	}
	tr := build(t, f, nil)
	sum := tr.Summary()
	if sum.Processes < 1564 || sum.RootProcesses > 20 || sum.LargestTreeDepth < 10 {
		t.Errorf("summary %+v", sum)
	}
	// No process appears twice (a derived parent and its own row merge).
	type key struct{ host, pid, name string }
	seen := map[key]int{}
	for _, p := range tr.Procs {
		k := key{p.Host, p.PID, base(p.Name) + "|" + p.Time.String()}
		if seen[k]++; seen[k] > 1 {
			t.Errorf("%v twice", k)
		}
	}
}

// readJSONLines reads a gzip'd JSON-lines file into a frame of text columns,
// keeping the rows keep accepts.
func readJSONLines(t testing.TB, path string, keep func(map[string]any) bool) *frame.Frame {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	zr, err := gzip.NewReader(fh)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(zr)
	var objs []map[string]any
	cols := map[string]bool{}
	for {
		var o map[string]any
		if err := dec.Decode(&o); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		if keep(o) {
			objs = append(objs, o)
			for k := range o {
				cols[k] = true
			}
		}
	}
	var header []string
	for k := range cols {
		header = append(header, k)
	}
	sort.Strings(header)
	rows := make([][]string, len(objs))
	for i, o := range objs {
		for _, h := range header {
			v := ""
			if x, ok := o[h]; ok && x != nil {
				v = fmt.Sprint(x)
			}
			rows[i] = append(rows[i], v)
		}
	}
	f, err := frame.FromRecords(header, rows)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// The Mordor mshta/VBScript dataset logs the same three process creations twice:
// as Sysmon event 1 (linked by ProcessGuid) and Security 4688 (linked by pid and
// name). The two trees agree on every parent.
func TestSysmonAndSecurityTreesAgree(t *testing.T) {
	path := demoSource("cmd_mshta_vbscript_execute_psh_2020-10-2202580804.json.gz")
	event := func(channel string, id float64) func(map[string]any) bool {
		return func(o map[string]any) bool { return o["Channel"] == channel && o["EventID"] == id }
	}
	sysmon := build(t, readJSONLines(t, path, event("Microsoft-Windows-Sysmon/Operational", 1)), &Sysmon)
	win := Win4688
	win.Host, win.TimeStamp = "Hostname", "TimeCreated"
	sec := build(t, readJSONLines(t, path, event("Security", 4688)), &win)
	edges := func(tr *Tree) map[string]string {
		m := map[string]string{}
		for _, p := range tr.Procs {
			if p.Inferred {
				continue
			}
			up := "root"
			if p.Parent >= 0 {
				pp := tr.Procs[p.Parent]
				up = base(pp.Name) + " " + pp.PID
			}
			m[base(p.Name)+" "+p.PID] = up
		}
		return m
	}
	a, b := edges(sysmon), edges(sec)
	if len(a) != 3 || len(b) != 3 {
		t.Fatalf("sysmon %v\nsecurity %v", a, b)
	}
	for k, v := range a {
		if b[k] != v {
			t.Errorf("%s: sysmon says parent %s, security says %s", k, v, b[k])
		}
	}
	// The chain the attack ran: (cmd.exe, not logged, inferred) → mshta.exe →
	// powershell.exe → conhost.exe.
	var chain []string
	for _, p := range sysmon.Procs {
		if !p.Inferred {
			chain = append(chain, base(p.Name))
		}
	}
	if strings.Join(chain, ">") != "mshta.exe>powershell.exe>conhost.exe" || len(sysmon.Roots) != 1 || !sysmon.Procs[0].Inferred || base(sysmon.Procs[0].Name) != "cmd.exe" {
		t.Errorf("chain %v", chain)
	}
}

// Sysmon's GUIDs link exactly even when pids collide and the parent's name is
// the same: two explorer.exe with pid 100 a minute apart, each with its own child.
func TestGUIDLinking(t *testing.T) {
	f, err := frame.FromRecords(
		[]string{"UtcTime", "Image", "ProcessId", "ParentImage", "ParentProcessId", "ProcessGuid", "ParentProcessGuid", "EventID", "Computer"},
		[][]string{
			{"2022-01-01 10:00:00", `C:\Windows\explorer.exe`, "100", `C:\Windows\userinit.exe`, "50", "{A}", "{U}", "1", "h"},
			{"2022-01-01 10:01:00", `C:\Windows\explorer.exe`, "100", `C:\Windows\userinit.exe`, "50", "{B}", "{U}", "1", "h"},
			{"2022-01-01 10:02:00", `C:\Windows\notepad.exe`, "200", `C:\Windows\explorer.exe`, "100", "{C}", "{A}", "1", "h"},
			{"2022-01-01 10:02:00", `C:\Windows\calc.exe`, "201", `C:\Windows\explorer.exe`, "100", "{D}", "{B}", "1", "h"},
			{"2022-01-01 10:03:00", `C:\Windows\x.exe`, "9", `C:\Windows\explorer.exe`, "100", "{E}", "", "1", "h"},
			{"2022-01-01 10:03:00", `C:\Windows\net.exe`, "9", `C:\Windows\explorer.exe`, "100", "{F}", "{A}", "3", "h"},
		})
	if err != nil {
		t.Fatal(err)
	}
	tr := build(t, f, nil)
	if tr.Schema.Name != "sysmon" {
		t.Fatalf("schema %s", tr.Schema.Name)
	}
	parentOf := map[string]int{}
	for _, p := range tr.Procs {
		if p.Parent >= 0 {
			parentOf[base(p.Name)] = tr.Procs[p.Parent].Row
		}
	}
	// notepad's GUID parent is the first explorer (row 0), though the pid match
	// alone would pick the later one (row 1); calc's is row 1; x.exe has no GUID
	// parent and falls back to pid and name: the latest explorer, row 1. Row 5 is
	// event 3 (a network connection), not a process creation.
	if parentOf["notepad.exe"] != 0 || parentOf["calc.exe"] != 1 || parentOf["x.exe"] != 1 {
		t.Errorf("parents %v", parentOf)
	}
	if _, ok := parentOf["net.exe"]; ok || len(tr.Procs) != 6 {
		t.Errorf("event 3 was read as a process: %d processes", len(tr.Procs))
	}
}

// Each schema is recognised from its own columns, and its event filter applies.
func TestInferEverySchema(t *testing.T) {
	cases := []struct {
		schema string
		header []string
		rows   [][]string
		procs  int
	}{
		{"auditd", []string{"TimeGenerated", "Computer", "EventType", "exe", "pid", "ppid", "ses", "cmdline", "acct"},
			[][]string{{"2022-05-11 18:10:20", "lx1", "SYSCALL_EXECVE", "/usr/bin/java", "100", "1", "3", "java -jar app.jar", "tomcat"},
				{"2022-05-11 18:10:21", "lx1", "SYSCALL_EXECVE", "/bin/bash", "200", "100", "3", "bash -c id", "tomcat"},
				{"2022-05-11 18:10:22", "lx1", "USER_LOGIN", "/usr/sbin/sshd", "300", "1", "4", "", "root"}}, 3},
		{"osquery", []string{"calendarTime", "name", "pid", "parent", "cmdline", "username", "uid"},
			[][]string{{"2022-05-11 18:10:20", "/usr/bin/python3", "10", "1", "python3 x.py", "bob", "1000"},
				{"2022-05-11 18:10:21", "/bin/sh", "11", "10", "sh -c ls", "bob", "1000"}}, 3},
		{"hx", []string{"starttime", "process", "pid", "parentprocess", "parentpid", "processcmdline", "username", "eventtype", "hostname"},
			[][]string{{"2022-05-11 18:10:20", `C:\Windows\System32\cmd.exe`, "10", "explorer.exe", "5", "cmd /c whoami", "bob", "start", "w1"},
				{"2022-05-11 18:10:21", `C:\Windows\System32\whoami.exe`, "11", "cmd.exe", "10", "whoami", "bob", "start", "w1"},
				{"2022-05-11 18:10:22", `C:\Windows\System32\whoami.exe`, "11", "cmd.exe", "10", "whoami", "bob", "end", "w1"}}, 3},
		{"mde", []string{"Timestamp", "DeviceName", "ActionType", "FileName", "ProcessId", "InitiatingProcessFileName", "InitiatingProcessId", "ProcessCommandLine", "AccountName"},
			[][]string{{"2022-05-11 18:10:20", "d1", "ProcessCreated", "cmd.exe", "10", "explorer.exe", "5", "cmd", "bob"},
				{"2022-05-11 18:10:21", "d1", "ProcessCreated", "net.exe", "11", "cmd.exe", "10", "net user", "bob"}}, 3},
	}
	for _, c := range cases {
		t.Run(c.schema, func(t *testing.T) {
			f, err := frame.FromRecords(c.header, c.rows)
			if err != nil {
				t.Fatal(err)
			}
			tr := build(t, f, nil)
			if tr.Schema.Name != c.schema || len(tr.Procs) != c.procs {
				t.Fatalf("schema %s, %d processes", tr.Schema.Name, len(tr.Procs))
			}
			// Every tree here is one chain under one inferred root.
			if len(tr.Roots) != 1 || !tr.Procs[0].Inferred || tr.Procs[2].Depth != 2 {
				t.Errorf("roots %v, procs %+v", tr.Roots, tr.Procs)
			}
		})
	}
}

func TestSessionAndLogon(t *testing.T) {
	f, err := frame.FromRecords([]string{"TimeGenerated", "Computer", "EventID", "NewProcessName", "NewProcessId", "ProcessId", "SubjectLogonId", "TargetLogonId"},
		[][]string{
			{"2022-01-01 10:00:00", "h", "4688", `C:\a.exe`, "0x10", "0x1", "0x3e7", "0x0"},
			{"2022-01-01 10:00:01", "h", "4688", `C:\b.exe`, "0x20", "0x10", "0x3e7", "0xabc"},
			{"2022-01-01 10:00:02", "h", "4688", `C:\c.exe`, "0x30", "0x10", "0x3e7", "0x0"},
		})
	if err != nil {
		t.Fatal(err)
	}
	tr := build(t, f, nil)
	logons := map[string]string{}
	for _, p := range tr.Procs {
		logons[base(p.Name)] = p.LogonID
	}
	if logons["a.exe"] != "0x3e7" || logons["b.exe"] != "0xabc" || logons["c.exe"] != "0x3e7" {
		t.Errorf("effective logon ids %v", logons)
	}
	s := tr.Session("0xabc")
	var names []string
	for _, i := range s {
		names = append(names, base(tr.Procs[i].Name))
	}
	if strings.Join(names, ",") != "unknown,a.exe,b.exe" {
		t.Errorf("session 0xabc: %v", names)
	}
}

// Row order does not matter: the log reversed gives the same tree.
func TestRowOrderDoesNotMatter(t *testing.T) {
	f := readCSV(t, demoSource("processes_on_host.csv.gz"))
	n := f.Len()
	rev := make([]int, n)
	for i := range rev {
		rev[i] = n - 1 - i
	}
	g, err := f.Take(rev, nil)
	if err != nil {
		t.Fatal(err)
	}
	a, b := build(t, f, nil), build(t, g, nil)
	if a.Summary() != b.Summary() {
		t.Fatalf("summaries differ: %+v %+v", a.Summary(), b.Summary())
	}
	for i := range a.Procs {
		pa, pb := a.Procs[i], b.Procs[i]
		if pa.Key != pb.Key || pa.ParentKey != pb.ParentKey || (pa.Row >= 0 && pa.Row != n-1-pb.Row) {
			t.Fatalf("process %d: %s under %s (row %d) vs %s under %s (row %d)", i, pa.Key, pa.ParentKey, pa.Row, pb.Key, pb.ParentKey, pb.Row)
		}
	}
}

package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTreeFromQuery(t *testing.T) {
	out, errOut, code := run(t, "", "tree", "--query", "WindowsSecurity.list_host_processes", "-p", "host_name=MSTICAlertsWin1", "--summary")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var sum map[string]int
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatal(err)
	}
	if sum["Processes"] != 369 || sum["RootProcesses"] != 6 || sum["LargestTreeDepth"] != 5 || sum["LeafProcesses"] != 279 {
		t.Errorf("summary %v", sum)
	}
	out, _, _ = run(t, "", "tree", "--query", "WindowsSecurity.list_host_processes", "-p", "host_name=MSTICAlertsWin1")
	if !strings.HasPrefix(out, "+ MonitoringHost.exe  pid: 2184  (inferred: not in the log)\n+-- cscript.exe  pid: 868  time: 2019-01-15T04:15:26.000Z") {
		t.Errorf("text tree starts %.200q", out)
	}
	if !strings.Contains(out, "      +-- reg.exe  pid: 6120") {
		t.Errorf("the rundll32 → reg.exe step is not three levels down:\n%s", out)
	}
	out, _, _ = run(t, "", "tree", "--query", "WindowsSecurity.list_host_processes", "-p", "host_name=MSTICAlertsWin1", "-o", "json")
	var rows []map[string]any
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 369 {
		t.Fatalf("%d rows", len(rows))
	}
	for _, col := range []string{"NewProcessName", "proc_key", "parent_key", "path", "parent_index", "IsRoot", "IsLeaf", "IsBranch", "depth", "child_count", "marks", "inferred"} {
		if _, ok := rows[1][col]; !ok {
			t.Errorf("no column %s in %v", col, rows[1])
		}
	}
	if rows[0]["IsRoot"] != true || rows[0]["inferred"] != true || rows[0]["NewProcessName"] != nil || rows[1]["parent_key"] != rows[0]["proc_key"] {
		t.Errorf("first rows %v\n%v", rows[0], rows[1])
	}
}

func TestTreeFromFileWithMapping(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "pslist.csv")
	os.WriteFile(p, []byte("PID,PPID,ImageFileName,CreateTime\n4,0,System,2021-04-01 05:04:58\n404,4,smss.exe,2021-04-01 05:04:59\n500,404,csrss.exe,2021-04-01 05:05:00\n"), 0o600)
	out, errOut, code := run(t, "", "tree", "--input", p, "--map", "process_name=ImageFileName,process_id=PID,parent_id=PPID,time_stamp=CreateTime")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	want := "+ unknown  pid: 0  (inferred: not in the log)\n+-- System  pid: 4  time: 2021-04-01T05:04:58.000Z\n   +-- smss.exe  pid: 404  time: 2021-04-01T05:04:59.000Z\n      +-- csrss.exe  pid: 500  time: 2021-04-01T05:05:00.000Z\n"
	if out != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
	// Without a mapping the columns fit no schema: a usage error naming the way out.
	_, errOut, code = run(t, "", "tree", "--input", p)
	if code != 2 || !strings.Contains(errOut, "--map") {
		t.Errorf("no schema: exit %d %s", code, errOut)
	}
	for _, bad := range [][]string{{"tree"}, {"tree", "--input", p, "--query", "x"}, {"tree", "--input", p, "--schema", "nosuch"}, {"tree", "--input", p, "--map", "x=y"}} {
		if _, _, code := run(t, "", bad...); code != 2 {
			t.Errorf("%v: exit %d", bad, code)
		}
	}
}

// Suspicion marks: the defaults fire on the demo host's attack simulation, and a
// user's rule file adds its own.
func TestTreeMarks(t *testing.T) {
	out, _, _ := run(t, "", "tree", "--query", "WindowsSecurity.list_host_processes", "-p", "host_name=MSTICAlertsWin1")
	for _, want := range []string{"[high encoded-powershell]", "[high credential-dumping]", "[high proxy-execution-rundll32]"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %s mark in the tree", want)
		}
	}
	dir := t.TempDir()
	rules := filepath.Join(dir, "rules.yaml")
	os.WriteFile(rules, []byte("rules:\n  - name: house-ftp\n    description: ftp run with a script file\n    severity: low\n    image: [ftp.exe]\n    cmdline: ['-s:']\n"), 0o600)
	out, errOut, code := run(t, "", "tree", "--query", "WindowsSecurity.list_host_processes", "-p", "host_name=MSTICAlertsWin1", "--rules", rules)
	if code != 0 || !strings.Contains(out, "ftp.exe  pid: 5504") || !strings.Contains(out, "[low house-ftp]") {
		t.Errorf("user rule: exit %d %s", code, errOut)
	}
	os.WriteFile(rules, []byte("rules:\n  - name: broken\n    severity: low\n    cmdline: ['(']\n"), 0o600)
	if _, errOut, code := run(t, "", "tree", "--query", "WindowsSecurity.list_host_processes", "--rules", rules); code != 2 || !strings.Contains(errOut, "broken") {
		t.Errorf("bad rule file: exit %d %s", code, errOut)
	}
}

// Settings name a custom schema and a rules file.
func TestTreeSettings(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "pslist.csv")
	os.WriteFile(p, []byte("PID,PPID,ImageFileName,CreateTime\n4,0,System,2021-04-01 05:04:58\n404,4,smss.exe,2021-04-01 05:04:59\n"), 0o600)
	rules := filepath.Join(dir, "rules.yaml")
	os.WriteFile(rules, []byte("rules:\n  - name: smss-seen\n    description: smss started\n    severity: low\n    image: [smss.exe]\n"), 0o600)
	cfg := filepath.Join(dir, "config.yaml")
	os.WriteFile(cfg, []byte("process_trees:\n  rules: "+rules+"\n  schemas:\n    pslist:\n      process_name: ImageFileName\n      process_id: PID\n      parent_id: PPID\n      time_stamp: CreateTime\n"), 0o600)
	out, errOut, code := run(t, "", "--config", cfg, "tree", "--input", p, "--schema", "pslist")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "+-- System  pid: 4") || !strings.Contains(out, "smss.exe  pid: 404  time: 2021-04-01T05:04:59.000Z  [low smss-seen]") {
		t.Errorf("tree:\n%s", out)
	}
}

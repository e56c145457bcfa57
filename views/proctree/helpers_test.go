package proctree

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/quarry-sec/quarry/engine/proctree"
	"github.com/quarry-sec/quarry/themes"
	"github.com/quarry-sec/quarry/views/pane"
)

func TestMain(m *testing.M) {
	lipgloss.SetColorProfile(termenv.Ascii)
	os.Exit(m.Run())
}

func testCtx() *pane.Context {
	c := pane.NewContext(themes.Mono())
	c.Now = func() time.Time { return time.Date(2024, 3, 5, 14, 7, 9, 0, time.UTC) }
	return c
}

// The hostile strings: an OSC 52 clipboard write, a screen clear, and CSI as a C1
// control, both as a raw byte and as a rune.
const (
	osc52   = "\x1b]52;c;AAAA\x07"
	clearSc = "\x1b[2J"
	c1Byte  = "\x9b31m"
	c1Rune  = "\u009b31m"
)

// Indexes of the sample's processes.
const (
	iServices   = iota // inferred root
	iSvchost           // its first child
	iCmd               // cmd.exe pid 0x1a4 under svchost
	iPowerShell        // marked high, under cmd.exe
	iConhost           // marked low, under svchost
	iTaskhost          // the root's last child
	iExplorer          // the second root
	iCmd2              // cmd.exe pid 0x1a4 again (pid reuse), under explorer
	iNet               // marked medium, under the second cmd.exe
	iEvil              // hostile strings everywhere
	nSample
)

// The sample's command lines.
const (
	cmdWhoami = `cmd.exe /c whoami /all`
	cmdPS     = `powershell.exe -nop -w hidden -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAKQA=`
	cmdNet    = `net.exe user /domain`
	cmdEvil   = "evil.exe " + clearSc + "--wipe " + c1Byte + " " + c1Rune + osc52
	imageEvil = `C:\Temp\evil` + osc52 + c1Rune + `.exe`
	userEvil  = "bad" + clearSc + "user" + c1Byte
)

var t0 = time.Date(2024, 3, 5, 9, 30, 0, 0, time.UTC)

// sampleTree is a small tree built by hand, in depth-first order with Parent and
// Children consistent: an inferred root with a three-level subtree, a second root,
// a pid used twice (0x1a4, under different parents), marks of every severity, and
// a process whose image, command line and user are hostile.
func sampleTree() *proctree.Tree {
	p := func(row int, name, pid, ppid string, sec int, cmd, user string, parent int, kids ...int) proctree.Proc {
		pr := proctree.Proc{Row: row, Source: row, Name: name, PID: pid, PPID: ppid, CmdLine: cmd, User: user,
			Host: "WKS-0142", LogonID: "0x3e7", Parent: parent, Children: kids}
		if sec >= 0 {
			pr.Time = t0.Add(time.Duration(sec) * time.Second)
		}
		pr.Key = strings.ToLower(baseName(name, `\`)) + "|" + pid + "|" + pr.Time.Format("2006-01-02 15:04:05.00000")
		return pr
	}
	procs := []proctree.Proc{
		iServices:   p(-1, `C:\Windows\System32\services.exe`, "0x2a0", "", -1, "", "", -1, iSvchost, iTaskhost),
		iSvchost:    p(0, `C:\Windows\System32\svchost.exe`, "0x3e8", "0x2a0", 1, `C:\Windows\system32\svchost.exe -k netsvcs`, `NT AUTHORITY\SYSTEM`, iServices, iCmd, iConhost),
		iCmd:        p(1, `C:\Windows\System32\cmd.exe`, "0x1a4", "0x3e8", 2, cmdWhoami, `CONTOSO\alice`, iSvchost, iPowerShell),
		iPowerShell: p(2, `C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`, "0x1b0", "0x1a4", 3, cmdPS, `CONTOSO\alice`, iCmd),
		iConhost:    p(3, `C:\Windows\System32\conhost.exe`, "0x1c0", "0x3e8", 4, `\??\C:\Windows\system32\conhost.exe 0xffffffff`, `CONTOSO\alice`, iSvchost),
		iTaskhost:   p(4, `C:\Windows\System32\taskhostw.exe`, "0x1d0", "0x2a0", 5, "", `CONTOSO\alice`, iServices),
		iExplorer:   p(5, `C:\Windows\explorer.exe`, "0x9c4", "0x9a0", 10, `C:\Windows\Explorer.EXE`, `CONTOSO\bob`, -1, iCmd2, iEvil),
		iCmd2:       p(6, `C:\Windows\System32\cmd.exe`, "0x1a4", "0x9c4", 11, `cmd.exe /k`, `CONTOSO\bob`, iExplorer, iNet),
		iNet:        p(7, `C:\Windows\System32\net.exe`, "0x1f4", "0x1a4", 12, cmdNet, `CONTOSO\bob`, iCmd2),
		iEvil:       p(8, imageEvil, "0x200", "0x9c4", 13, cmdEvil, userEvil, iExplorer),
	}
	procs[iServices].Inferred = true
	procs[iServices].Source = 9 // after the last row, as msticpy numbers an inferred parent
	procs[iSvchost].ParentName = `C:\Windows\System32\services.exe`
	procs[iPowerShell].Marks = []proctree.Mark{{Rule: "encoded-powershell", Severity: "high",
		Description: "PowerShell started with an encoded command (-enc), a common way to hide a script."}}
	procs[iConhost].Marks = []proctree.Mark{{Rule: "console-host", Severity: "low", Description: "A console host."}}
	procs[iNet].Marks = []proctree.Mark{{Rule: "net-recon", Severity: "medium", Description: "net.exe listing domain users."}}
	procs[iEvil].Marks = []proctree.Mark{{Rule: "temp-image" + clearSc, Severity: "medium", Description: "Runs from a temp folder" + osc52}}
	for i := range procs {
		for q := procs[i].Parent; q >= 0; q = procs[q].Parent {
			procs[i].Depth++
		}
	}
	return &proctree.Tree{
		Schema: proctree.Schema{Name: "win4688", PathSep: `\`},
		Procs:  procs,
		Roots:  []int{iServices, iExplorer},
	}
}

// built is the runner's answer carrying a tree.
func built(seq int, t *proctree.Tree) pane.TreeBuilt {
	return pane.TreeBuilt{Seq: seq, Request: pane.BuildTree{Title: "WindowsSecurity.list_host_processes host=WKS-0142"}, Tree: t}
}

// failed is the runner's answer carrying an error.
func failed(seq int, msg string) pane.TreeBuilt {
	return pane.TreeBuilt{Seq: seq, Request: pane.BuildTree{Title: "SecurityEvent"}, Err: errors.New(msg)}
}

// loaded is a pane at w×h showing the sample.
func loaded(t testing.TB, w, h int) *Model {
	t.Helper()
	m := New(testCtx())
	m.SetSize(w, h)
	m.Update(built(1, sampleTree()))
	if m.Selected() != iServices {
		t.Fatalf("selected %d after loading, want the first root", m.Selected())
	}
	return m
}

// press sends keys by name and returns the last command.
func press(m *Model, keys ...string) tea.Cmd { return pane.Press(m, keys...) }

// msgOf runs a command and returns its message (nil for a nil command).
func msgOf(cmd tea.Cmd) tea.Msg {
	if cmd == nil {
		return nil
	}
	return cmd()
}

// shown lists the shown processes' indexes, top to bottom.
func shown(m *Model) []int {
	out := make([]int, len(m.rows))
	for i, p := range m.rows {
		out[i] = m.f.order[p]
	}
	return out
}

// selectProc selects a process by moving down from the top.
func selectProc(t *testing.T, m *Model, proc int) {
	t.Helper()
	press(m, "g")
	for range m.rows {
		if m.Selected() == proc {
			return
		}
		press(m, "j")
	}
	t.Fatalf("process %d is not shown", proc)
}

// lineWith is the view's first line holding s ("" when none does).
func lineWith(view, s string) string {
	for _, l := range strings.Split(view, "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	return ""
}

// checkSize fails unless v is exactly h lines of exactly w cells.
func checkSize(t *testing.T, what, v string, w, h int) {
	t.Helper()
	lines := strings.Split(v, "\n")
	if len(lines) != h {
		t.Errorf("%s: %d lines, want %d", what, len(lines), h)
	}
	for i, l := range lines {
		if got := ansi.StringWidth(l); got != w {
			t.Errorf("%s: line %d is %d cells, want %d: %q", what, i, got, w, l)
		}
	}
}

// randomTree is a tree of roots×perRoot processes, each root with a random
// subtree, generated in depth-first order: each new process hangs from a random
// process on the path from its root to the last one made.
func randomTree(roots, perRoot int, seed uint64) *proctree.Tree {
	r := rand.New(rand.NewPCG(seed, 7))
	exes := []string{`C:\Windows\System32\cmd.exe`, `C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`,
		`C:\Windows\System32\svchost.exe`, `C:\Windows\explorer.exe`, `C:\Windows\System32\rundll32.exe`}
	t := &proctree.Tree{Schema: proctree.Schema{Name: "win4688", PathSep: `\`}, Procs: make([]proctree.Proc, 0, roots*perRoot)}
	var path []int
	for range roots {
		for k := range perRoot {
			i := len(t.Procs)
			parent := -1
			if k == 0 {
				path = append(path[:0], i)
				t.Roots = append(t.Roots, i)
			} else {
				path = path[:1+r.IntN(len(path))]
				parent = path[len(path)-1]
				t.Procs[parent].Children = append(t.Procs[parent].Children, i)
				path = append(path, i)
			}
			exe := exes[r.IntN(len(exes))]
			pr := proctree.Proc{
				Row: i, Source: i, Name: exe, PID: fmt.Sprintf("0x%x", 1000+r.IntN(60000)), Parent: parent, Depth: len(path) - 1,
				Time: t0.Add(time.Duration(i) * time.Second), User: fmt.Sprintf(`CONTOSO\user%03d`, r.IntN(500)),
				CmdLine: exe + fmt.Sprintf(" /c whoami /all && net user %d /domain", i),
			}
			if r.IntN(50) == 0 {
				pr.Marks = []proctree.Mark{{Rule: "encoded-powershell", Severity: []string{"low", "medium", "high"}[r.IntN(3)]}}
			}
			t.Procs = append(t.Procs, pr)
		}
	}
	return t
}

// chainTree is n processes each the only child of the one before: as deep as a
// tree gets.
func chainTree(n int) *proctree.Tree {
	t := &proctree.Tree{Schema: proctree.Schema{Name: "auditd", PathSep: "/"}, Procs: make([]proctree.Proc, n), Roots: []int{0}}
	for i := range t.Procs {
		t.Procs[i] = proctree.Proc{Row: i, Source: i, Name: "/usr/bin/bash", PID: fmt.Sprint(100 + i), Parent: i - 1, Depth: i,
			Time: t0.Add(time.Duration(i) * time.Millisecond), CmdLine: "bash -c sh"}
		if i+1 < n {
			t.Procs[i].Children = []int{i + 1}
		}
	}
	return t
}

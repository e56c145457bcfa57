package proctree

import (
	"slices"
	"strings"
	"testing"

	"github.com/quarry-sec/quarry/engine/proctree"
	"github.com/quarry-sec/quarry/views/pane"
)

func TestEmptyPane(t *testing.T) {
	m := New(testCtx())
	m.SetSize(80, 24)
	v := m.View()
	checkSize(t, "empty", v, 80, 24)
	for _, want := range []string{"No process tree yet.", "WindowsSecurity.list_host_processes", "and press T in"} {
		if !strings.Contains(v, want) {
			t.Errorf("empty view lacks %q:\n%s", want, v)
		}
	}
	if m.Selected() != -1 || m.Tree() != nil || m.ShortHelp() != nil || m.Capturing() || m.Back() {
		t.Error("an empty pane has a selection, keys or something to close")
	}
	for _, k := range []string{"j", "enter", "/", "y", "D", "d", "E"} {
		if cmd := press(m, k); cmd != nil || m.Capturing() {
			t.Errorf("%q did something on an empty pane", k)
		}
	}
	if m.Title() != "Process tree" {
		t.Errorf("Title = %q", m.Title())
	}
}

func TestBuildingSaysSo(t *testing.T) {
	m := New(testCtx())
	m.SetSize(120, 24)
	m.Update(pane.BuildTree{Title: "SecurityEvent 4688"})
	if v := m.View(); !strings.Contains(v, "Building the process tree of SecurityEvent 4688…") {
		t.Errorf("no building notice:\n%s", v)
	}
	m.Update(built(1, sampleTree()))
	if v := m.View(); strings.Contains(v, "building") {
		t.Errorf("still building after the answer:\n%s", v)
	}
	m.Update(pane.BuildTree{Title: "Sysmon"})
	if l := lineWith(m.View(), "WindowsSecurity"); !strings.Contains(l, "· building Sysmon…") {
		t.Errorf("header does not say a new build is under way: %q", l)
	}
}

func TestLoadSmallTreeUnfoldsAll(t *testing.T) {
	m := loaded(t, 80, 24)
	want := []int{iServices, iSvchost, iCmd, iPowerShell, iConhost, iTaskhost, iExplorer, iCmd2, iNet, iEvil}
	if got := shown(m); !slices.Equal(got, want) {
		t.Errorf("shown %v, want %v", got, want)
	}
	head := lineWith(m.View(), " roots")
	for _, s := range []string{"10 processes", "2 roots", "depth 4", "4 marked"} {
		if !strings.Contains(head, s) {
			t.Errorf("header %q lacks %q", head, s)
		}
	}
	if l := lineWith(m.View(), "WindowsSecurity"); !strings.Contains(l, "WindowsSecurity.list_host_processes host=WKS-0142 · schema win4688") {
		t.Errorf("title line %q", l)
	}
}

func TestLoadLargeTreeFoldsBelowRoots(t *testing.T) {
	tr := randomTree(30, 100, 1)
	m := New(testCtx())
	m.SetSize(120, 40)
	m.Update(built(1, tr))
	var want []int
	for _, r := range tr.Roots {
		want = append(want, r)
		want = append(want, tr.Procs[r].Children...)
	}
	if got := shown(m); !slices.Equal(got, want) {
		t.Fatalf("shown %d rows, want the roots and their children (%d)", len(got), len(want))
	}
	if m.Selected() != tr.Roots[0] {
		t.Errorf("selected %d, want the first root", m.Selected())
	}
	// The first child of the first root with children of its own is folded and
	// says how much it hides.
	for _, c := range tr.Procs[tr.Roots[0]].Children {
		if len(tr.Procs[c].Children) > 0 {
			if !m.collapsed.at(m.f.pos[c]) {
				t.Errorf("child %d of the first root is unfolded", c)
			}
			break
		}
	}
	if !strings.Contains(m.View(), "+") || !strings.Contains(m.View(), "3,000 processes") {
		t.Errorf("no fold count or total in:\n%s", m.View())
	}
}

func TestNavigation(t *testing.T) {
	m := loaded(t, 80, 10) // 2 header lines, a column header, 7 rows
	press(m, "j", "j")
	if m.Selected() != iCmd {
		t.Errorf("j j: selected %d", m.Selected())
	}
	press(m, "k")
	if m.Selected() != iSvchost {
		t.Errorf("k: selected %d", m.Selected())
	}
	press(m, "G")
	if m.Selected() != iEvil || m.top != 3 {
		t.Errorf("G: selected %d, top %d", m.Selected(), m.top)
	}
	press(m, "g")
	if m.Selected() != iServices || m.top != 0 {
		t.Errorf("g: selected %d, top %d", m.Selected(), m.top)
	}
	press(m, "pgdown")
	if m.Selected() != iCmd2 {
		t.Errorf("pgdown: selected %d, want the 8th row", m.Selected())
	}
	press(m, "pgup", "up")
	if m.Selected() != iServices {
		t.Errorf("pgup up: selected %d", m.Selected())
	}
	press(m, "down", "end", "home")
	if m.Selected() != iServices {
		t.Errorf("home: selected %d", m.Selected())
	}
}

func TestFoldHidesAndCounts(t *testing.T) {
	m := loaded(t, 80, 24)
	selectProc(t, m, iSvchost)
	press(m, "enter")
	if got := shown(m); slices.Contains(got, iCmd) || slices.Contains(got, iPowerShell) || slices.Contains(got, iConhost) {
		t.Errorf("folded svchost still shows its descendants: %v", got)
	}
	if m.Selected() != iSvchost {
		t.Errorf("selection moved to %d", m.Selected())
	}
	if l := lineWith(m.View(), "svchost.exe"); !strings.Contains(l, "▸ svchost.exe +3, 2 marked") {
		t.Errorf("folded row %q lacks the hidden count", l)
	}
	press(m, "space")
	if got := shown(m); len(got) != nSample {
		t.Errorf("unfolded: %d shown", len(got))
	}
	if l := lineWith(m.View(), "svchost.exe"); !strings.Contains(l, "▾ svchost.exe") || strings.Contains(l, "+3") {
		t.Errorf("unfolded row %q", l)
	}
}

func TestFoldKeepsInnerFolds(t *testing.T) {
	m := loaded(t, 80, 24)
	selectProc(t, m, iCmd)
	press(m, "enter") // cmd.exe folded
	selectProc(t, m, iServices)
	press(m, "enter", "enter") // the root folded and unfolded
	got := shown(m)
	if !slices.Contains(got, iCmd) || slices.Contains(got, iPowerShell) {
		t.Errorf("unfolding the root lost the inner fold: %v", got)
	}
	if !slices.IsSorted(m.rows) {
		t.Errorf("rows out of order: %v", m.rows)
	}
}

func TestCollapseExpandKeys(t *testing.T) {
	m := loaded(t, 80, 24)
	selectProc(t, m, iSvchost)
	press(m, "h") // unfolded: folds
	if !m.collapsed.at(m.f.pos[iSvchost]) || m.Selected() != iSvchost {
		t.Fatal("h did not fold svchost")
	}
	press(m, "h") // folded: goes to the parent
	if m.Selected() != iServices {
		t.Errorf("h on a folded node selected %d, want its parent", m.Selected())
	}
	selectProc(t, m, iSvchost)
	press(m, "l") // folded: unfolds
	if m.collapsed.at(m.f.pos[iSvchost]) || m.Selected() != iSvchost {
		t.Fatal("l did not unfold svchost")
	}
	press(m, "right") // unfolded: first child
	if m.Selected() != iCmd {
		t.Errorf("l on an unfolded node selected %d, want its first child", m.Selected())
	}
	selectProc(t, m, iConhost)
	press(m, "left") // a leaf: its parent
	if m.Selected() != iSvchost {
		t.Errorf("h on a leaf selected %d, want its parent", m.Selected())
	}
	selectProc(t, m, iConhost)
	press(m, "l", "enter") // a leaf: nothing
	if m.Selected() != iConhost || len(m.rows) != nSample {
		t.Error("l or enter on a leaf changed something")
	}
}

func TestExpandAllCollapseAll(t *testing.T) {
	m := loaded(t, 80, 24)
	selectProc(t, m, iNet)
	press(m, "C")
	if got := shown(m); !slices.Equal(got, []int{iServices, iExplorer}) {
		t.Errorf("C shows %v, want the roots", got)
	}
	if m.Selected() != iExplorer {
		t.Errorf("C selected %d, want the selection's root", m.Selected())
	}
	if l := lineWith(m.View(), "explorer.exe"); !strings.Contains(l, "▸ explorer.exe +3, 2 marked") {
		t.Errorf("folded root row %q", l)
	}
	press(m, "E")
	if len(m.rows) != nSample || m.Selected() != iExplorer {
		t.Errorf("E shows %d rows, selected %d", len(m.rows), m.Selected())
	}
}

func TestParentAndRoot(t *testing.T) {
	m := loaded(t, 80, 24)
	selectProc(t, m, iPowerShell)
	press(m, "P")
	if m.Selected() != iCmd {
		t.Errorf("P selected %d, want cmd.exe", m.Selected())
	}
	press(m, "R")
	if m.Selected() != iServices {
		t.Errorf("R selected %d, want the root", m.Selected())
	}
	n, ok := msgOf(press(m, "P")).(pane.Notify)
	if !ok || !strings.Contains(n.Text, "root") || m.Selected() != iServices {
		t.Errorf("P on a root: %#v", n)
	}
	selectProc(t, m, iNet)
	press(m, "R")
	if m.Selected() != iExplorer {
		t.Errorf("R selected %d, want explorer.exe", m.Selected())
	}
}

func TestSearchUnfoldsAndCycles(t *testing.T) {
	m := loaded(t, 80, 24)
	press(m, "C")
	press(m, "/")
	if !m.Capturing() {
		t.Fatal("/ did not open the search")
	}
	if h := m.ShortHelp(); len(h) != 2 || h[1].Help().Key != "esc" {
		t.Errorf("search help %v", h)
	}
	pane.Type(m, "CMD.EXE")
	if !strings.Contains(m.View(), "/CMD.EXE") {
		t.Errorf("the typed search does not show:\n%s", m.View())
	}
	if msgOf(press(m, "enter")) != nil {
		t.Error("a search with matches notified")
	}
	if m.Capturing() {
		t.Error("enter left the search open")
	}
	if m.Selected() != iCmd {
		t.Fatalf("search selected %d, want the first cmd.exe", m.Selected())
	}
	if got := shown(m); !slices.Contains(got, iCmd) || slices.Contains(got, iNet) {
		t.Errorf("the search unfolded %v", got)
	}
	if l := lineWith(m.View(), " roots"); !strings.Contains(l, "/CMD.EXE: match 1 of 2") {
		t.Errorf("header %q", l)
	}
	if msgOf(press(m, "n")) != nil || m.Selected() != iCmd2 {
		t.Errorf("n selected %d, want the second cmd.exe", m.Selected())
	}
	if !slices.Contains(shown(m), iCmd2) {
		t.Error("n did not unfold explorer.exe")
	}
	if n, ok := msgOf(press(m, "n")).(pane.Notify); !ok || !strings.Contains(n.Text, "top") || m.Selected() != iCmd {
		t.Errorf("n at the last match: %#v, selected %d", n, m.Selected())
	}
	if n, ok := msgOf(press(m, "N")).(pane.Notify); !ok || !strings.Contains(n.Text, "bottom") || m.Selected() != iCmd2 {
		t.Errorf("N at the first match: %#v, selected %d", n, m.Selected())
	}
	press(m, "k")
	if l := lineWith(m.View(), " roots"); !strings.Contains(l, "/CMD.EXE: 2 matches") {
		t.Errorf("header off a match %q", l)
	}
}

func TestSearchMatchesCommandLine(t *testing.T) {
	m := loaded(t, 80, 24)
	press(m, "/")
	pane.Type(m, "hidden -ENC")
	press(m, "enter")
	if m.Selected() != iPowerShell || len(m.matches) != 1 {
		t.Errorf("selected %d, %d matches", m.Selected(), len(m.matches))
	}
}

func TestSearchWithoutMatch(t *testing.T) {
	m := loaded(t, 80, 24)
	if n, ok := msgOf(press(m, "n")).(pane.Notify); !ok || !strings.Contains(n.Text, "No search") {
		t.Errorf("n without a search: %#v", n)
	}
	press(m, "j", "/")
	pane.Type(m, "mimikatz")
	n, ok := msgOf(press(m, "enter")).(pane.Notify)
	if !ok || n.Level != pane.Warn || !strings.Contains(n.Text, `"mimikatz"`) {
		t.Errorf("no-match notice %#v", n)
	}
	if m.Selected() != iSvchost {
		t.Errorf("a failed search moved the selection to %d", m.Selected())
	}
	if l := lineWith(m.View(), " roots"); !strings.Contains(l, "/mimikatz: no match") {
		t.Errorf("header %q", l)
	}
	// An empty search clears it.
	press(m, "/", "ctrl+u", "enter")
	if m.query != "" || strings.Contains(m.View(), "mimikatz") {
		t.Error("an empty search did not clear the search")
	}
}

func TestSearchEscKeepsTheAppliedSearch(t *testing.T) {
	m := loaded(t, 80, 24)
	press(m, "/")
	pane.Type(m, "net")
	press(m, "enter", "/")
	if m.input.Value() != "net" {
		t.Errorf("the search reopened with %q", m.input.Value())
	}
	pane.Type(m, "xyz")
	press(m, "esc")
	if m.Capturing() || m.query != "net" {
		t.Errorf("esc: capturing %v, query %q", m.Capturing(), m.query)
	}
}

func TestSearchDropsControls(t *testing.T) {
	m := loaded(t, 80, 24)
	press(m, "/")
	pane.Type(m, "net"+osc52)
	if v := m.input.Value(); v != "net]52;c;AAAA" {
		t.Errorf("input kept %q", v)
	}
}

func TestBackOrder(t *testing.T) {
	m := loaded(t, 80, 24)
	press(m, "/")
	pane.Type(m, "cmd")
	press(m, "enter", "d", "/")
	if !m.Capturing() || !m.details || m.query == "" {
		t.Fatal("setup")
	}
	if !m.Back() || m.Capturing() || !m.details || m.query != "cmd" {
		t.Error("first Back should close the search input only")
	}
	if !m.Back() || m.details || m.query != "cmd" {
		t.Error("second Back should close the details")
	}
	if !m.Back() || m.query != "" || m.matches != nil {
		t.Error("third Back should clear the search")
	}
	if m.Back() {
		t.Error("Back with nothing open reported closing something")
	}
}

func TestColumnsToggle(t *testing.T) {
	m := loaded(t, 120, 40)
	row := func() string { return lineWith(m.View(), "cmd.exe /c whoami") + lineWith(m.View(), " cmd.exe") }
	l := lineWith(m.View(), "whoami")
	if !strings.Contains(l, "0x1a4") || !strings.Contains(l, "cmd.exe  cmd.exe /c whoami /all") {
		t.Errorf("default row %q", l)
	}
	head := lineWith(m.View(), "PROCESS")
	if !strings.Contains(head, "PID  PROCESS  COMMAND LINE") {
		t.Errorf("default column header %q", head)
	}
	press(m, "p", "c")
	if l := lineWith(m.View(), "├─▾ cmd.exe"); strings.Contains(l, "0x1a4") || strings.Contains(l, "whoami") {
		t.Errorf("pid and command line hidden, row %q", l)
	}
	press(m, "s", "u")
	l = row()
	if !strings.Contains(l, "03-05 09:30:02") || !strings.Contains(l, `CONTOSO\alice`) {
		t.Errorf("time and user shown, row %q", l)
	}
	if head := lineWith(m.View(), "PROCESS"); !strings.Contains(head, "START UTC") || !strings.Contains(head, "USER") || strings.Contains(head, "PID") {
		t.Errorf("column header %q", head)
	}
	// An inferred parent has no start time.
	if l := lineWith(m.View(), "services.exe"); !strings.Contains(l, "—") || !strings.Contains(l, "(inferred)") {
		t.Errorf("inferred row %q", l)
	}
}

func TestRowsDrawTheTree(t *testing.T) {
	m := loaded(t, 120, 40)
	press(m, "c")
	v := m.View()
	for _, want := range []string{
		"›  0x2a0  ▾ services.exe (inferred)",
		"   0x3e8  ├─▾ svchost.exe",
		"   0x1a4  │ ├─▾ cmd.exe",
		" ‼ 0x1b0  │ │ └── powershell.exe",
		" · 0x1c0  │ └── conhost.exe",
		"   0x1d0  └── taskhostw.exe",
		"   0x9c4  ▾ explorer.exe",
		"   0x1a4  ├─▾ cmd.exe",
		" ! 0x1f4  │ └── net.exe",
		" ! 0x200  └── ",
	} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
}

func TestPIDReuse(t *testing.T) {
	m := loaded(t, 80, 24)
	selectProc(t, m, iCmd)
	press(m, "P")
	first := m.Selected()
	selectProc(t, m, iCmd2)
	press(m, "P")
	if first != iSvchost || m.Selected() != iExplorer {
		t.Errorf("the two pid 0x1a4 processes have parents %d and %d", first, m.Selected())
	}
}

func TestDetails(t *testing.T) {
	for _, sz := range [][2]int{{80, 30}, {180, 40}} {
		m := loaded(t, sz[0], sz[1])
		selectProc(t, m, iPowerShell)
		press(m, "d")
		if sz[0] >= sideAt != m.layout().side {
			t.Errorf("%v: side %v", sz, m.layout().side)
		}
		v := m.View()
		checkSize(t, "details", v, sz[0], sz[1])
		all := strings.Join(m.detailLines(m.layout().detailW), "\n")
		if !m.layout().side {
			all = strings.Join(m.detailLines(sz[0]), "\n")
		}
		for _, want := range []string{
			`Image        C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`,
			"PID          pid 0x1b0 · parent pid 0x1a4",
			`Parent       C:\Windows\System32\cmd.exe`,
			"Started      2024-03-05 09:30:03 UTC",
			`User         CONTOSO\alice`,
			"Host         WKS-0142",
			"Logon ID     0x3e7",
			"Marks        ‼ high · encoded-powershell",
			"PowerShell started with an encoded command",
			"Command line powershell.exe -nop -w hidden",
			"Tree         depth 3 · 0 children · 0 descendants",
			"Path         9/0/1/2",
			"Log row      2",
		} {
			if !strings.Contains(all, want) {
				t.Errorf("%v: details lack %q:\n%s", sz, want, all)
			}
		}
		if !strings.Contains(v, "Details · powershell.exe pid 0x1b0") {
			t.Errorf("%v: no details title:\n%s", sz, v)
		}
		// The details follow the selection.
		press(m, "P")
		if !strings.Contains(m.View(), "Details · cmd.exe pid 0x1a4") {
			t.Errorf("%v: details did not follow the selection", sz)
		}
		press(m, "d")
		if strings.Contains(m.View(), "Details ·") {
			t.Errorf("%v: d did not close the details", sz)
		}
	}
}

func TestDetailsOfInferredRoot(t *testing.T) {
	m := loaded(t, 180, 40)
	press(m, "d")
	all := strings.Join(m.detailLines(m.layout().detailW), "\n")
	for _, want := range []string{"Started      —", "Inferred     yes", "Log row      inferred", "Tree         depth 0 · 2 children · 5 descendants (2 marked)"} {
		if !strings.Contains(all, want) {
			t.Errorf("details lack %q:\n%s", want, all)
		}
	}
}

func TestDetailsScroll(t *testing.T) {
	m := loaded(t, 80, 16)
	selectProc(t, m, iPowerShell)
	press(m, "d")
	_, rows := m.detailBox()
	n := len(m.detailLines(80))
	if n <= rows {
		t.Fatalf("the details fit (%d lines in %d): nothing to scroll", n, rows)
	}
	if !strings.Contains(m.View(), "J/K") {
		t.Errorf("no scroll hint:\n%s", m.View())
	}
	for range 10 {
		press(m, "J")
	}
	if m.detailTop != n-rows {
		t.Errorf("scrolled to %d, want the last screenful %d", m.detailTop, n-rows)
	}
	if !strings.Contains(m.View(), "Log row") {
		t.Errorf("the last field does not show:\n%s", m.View())
	}
	press(m, "K")
	if m.detailTop >= n-rows {
		t.Error("K did not scroll up")
	}
	press(m, "k")
	m.View()
	if m.detailTop != 0 {
		t.Errorf("a new selection kept the scroll %d", m.detailTop)
	}
}

func TestCopy(t *testing.T) {
	m := loaded(t, 80, 24)
	selectProc(t, m, iPowerShell)
	if got := msgOf(press(m, "y")); got != (pane.Copy{Text: cmdPS, What: "command line"}) {
		t.Errorf("y = %#v", got)
	}
	selectProc(t, m, iEvil)
	if got := msgOf(press(m, "y")); got != (pane.Copy{Text: cmdEvil, What: "command line"}) {
		t.Errorf("y copies the raw command line: %#v", got)
	}
	press(m, "g")
	if got := msgOf(press(m, "y")); got != (pane.Copy{Text: `C:\Windows\System32\services.exe`, What: "image"}) {
		t.Errorf("y without a command line = %#v", got)
	}
}

func TestDecode(t *testing.T) {
	m := loaded(t, 80, 24)
	selectProc(t, m, iPowerShell)
	want := pane.DecodeText{Text: cmdPS, Source: "process tree · powershell.exe pid 0x1b0"}
	if got := msgOf(press(m, "D")); got != want {
		t.Errorf("D = %#v", got)
	}
	press(m, "g")
	if n, ok := msgOf(press(m, "D")).(pane.Notify); !ok || n.Level != pane.Warn {
		t.Errorf("D without a command line = %#v", n)
	}
}

func TestStaleAnswerDropped(t *testing.T) {
	m := New(testCtx())
	m.SetSize(80, 24)
	m.Update(built(5, sampleTree()))
	other := chainTree(3)
	m.Update(built(3, other))
	if m.Tree() == other || len(m.rows) != nSample {
		t.Error("an older answer replaced the tree")
	}
	m.Update(failed(4, "late failure"))
	if strings.Contains(m.View(), "late failure") {
		t.Error("an older failure was shown")
	}
	m.Update(built(6, other))
	if m.Tree() != other || len(m.rows) != 3 {
		t.Error("a newer answer was dropped")
	}
}

func TestFailureKeepsTree(t *testing.T) {
	m := loaded(t, 80, 24)
	selectProc(t, m, iNet)
	m.Update(failed(2, "no column ProcessId"+clearSc))
	v := m.View()
	if l := lineWith(v, "✗"); !strings.Contains(l, `✗ building the process tree of SecurityEvent failed: no column ProcessId\x1b[2J`) {
		t.Errorf("error line %q", l)
	}
	if m.Selected() != iNet || len(m.rows) != nSample {
		t.Error("a failure changed the tree shown")
	}
	checkSize(t, "failure", v, 80, 24)
	m.Update(built(3, sampleTree()))
	if strings.Contains(m.View(), "✗") {
		t.Error("the failure outlived a new tree")
	}
}

func TestFailureBeforeAnyTree(t *testing.T) {
	m := New(testCtx())
	m.SetSize(80, 24)
	m.Update(pane.BuildTree{Title: "SecurityEvent"})
	m.Update(failed(1, "schema not recognised"))
	v := m.View()
	if !strings.Contains(v, "✗ building the process tree of SecurityEvent failed: schema not recognised") || strings.Contains(v, "Building") {
		t.Errorf("failure view:\n%s", v)
	}
	m.Update(pane.TreeBuilt{Seq: 2})
	if !strings.Contains(m.View(), "gave no tree") {
		t.Errorf("an answer without a tree:\n%s", m.View())
	}
}

func TestEmptyTree(t *testing.T) {
	m := New(testCtx())
	m.SetSize(80, 24)
	m.Update(built(1, &proctree.Tree{Schema: proctree.Schema{Name: "sysmon"}}))
	v := m.View()
	if !strings.Contains(v, "no processes in the log") || m.Selected() != -1 {
		t.Errorf("empty tree:\n%s", v)
	}
	for _, k := range []string{"j", "enter", "C", "E", "/", "y"} {
		if press(m, k) != nil || m.Capturing() {
			t.Errorf("%q did something on an empty tree", k)
		}
	}
}

func TestNewTreeRerunsSearch(t *testing.T) {
	m := loaded(t, 80, 24)
	press(m, "/")
	pane.Type(m, "net.exe")
	press(m, "enter")
	tr := randomTree(2, 5, 3)
	m.Update(built(2, tr))
	if m.query != "net.exe" || len(m.matches) != 0 || m.Selected() != tr.Roots[0] {
		t.Errorf("query %q, %d matches, selected %d", m.query, len(m.matches), m.Selected())
	}
}

func TestRebind(t *testing.T) {
	m := loaded(t, 80, 24)
	if err := m.Rebind(map[string][]string{"down": {"ctrl+j"}, "Toggle": {"o"}}); err != nil {
		t.Fatal(err)
	}
	press(m, "j")
	if m.Selected() != iServices {
		t.Error("the old key still moves")
	}
	press(m, "ctrl+j", "o")
	if m.Selected() != iSvchost || !m.collapsed.at(m.f.pos[iSvchost]) {
		t.Error("the new keys do not work")
	}
	if err := pane.Rebind(&m.Keys, map[string][]string{"nosuch": {"x"}}); err == nil {
		t.Error("an unknown binding was accepted")
	}
}

func TestTinySizes(t *testing.T) {
	m := loaded(t, 80, 24)
	for _, sz := range [][2]int{{0, 0}, {1, 1}, {10, 3}, {30, 5}, {200, 2}} {
		m.SetSize(sz[0], sz[1])
		for _, k := range []string{"d", "j", "/", "esc", "s", "u"} {
			press(m, k)
			if v := m.View(); sz[1] == 0 && v != "" {
				t.Errorf("%v: %q", sz, v)
			} else if sz[1] > 0 {
				checkSize(t, "tiny", v, sz[0], sz[1])
			}
		}
	}
}

func TestIntel(t *testing.T) {
	m := loaded(t, 80, 24)
	selectProc(t, m, iPowerShell)
	l, ok := msgOf(press(m, "I")).(pane.LookupTI)
	if !ok || len(l.Indicators) != 1 || l.Indicators[0].Value != cmdPS || l.Source != "process tree · powershell.exe pid 0x1b0" {
		t.Errorf("I = %#v", l)
	}
	press(m, "g")
	if n, ok := msgOf(press(m, "I")).(pane.Notify); !ok || n.Level != pane.Warn {
		t.Errorf("I without a command line = %#v", n)
	}
}

package proctree

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/quarry-sec/quarry/engine/proctree"
	"github.com/quarry-sec/quarry/views/draw"
	"github.com/quarry-sec/quarry/views/pane"
	"github.com/quarry-sec/quarry/views/pane/panetest"
)

// TestHostileDataDrawsEscaped puts terminal escapes in the image, command line,
// user, mark, schema name, titles and error of a tree and checks, in every state
// of the pane, that no control character reaches the view and that the escapes
// show as visible text.
func TestHostileDataDrawsEscaped(t *testing.T) {
	tr := sampleTree()
	tr.Schema.Name = "custom" + osc52
	for _, sz := range [][2]int{{80, 24}, {120, 40}, {200, 50}} {
		m := New(testCtx())
		m.SetSize(sz[0], sz[1])
		m.Update(pane.BuildTree{Title: "evil" + clearSc + c1Byte})
		views := []string{m.View()}
		m.Update(pane.TreeBuilt{Seq: 1, Request: pane.BuildTree{Title: "title" + osc52 + c1Rune}, Tree: tr})
		m.Update(pane.BuildTree{Title: "next" + clearSc})
		selectProc(t, m, iEvil)
		press(m, "s", "u")
		views = append(views, m.View())
		press(m, "d")
		views = append(views, m.View())
		press(m, "J", "J", "J")
		views = append(views, m.View())
		press(m, "/")
		m.Update(tea.KeyMsg{Type: tea.KeyRunes, Paste: true, Runes: []rune("evil" + osc52 + c1Rune)})
		views = append(views, m.View())
		press(m, "enter")
		views = append(views, m.View())
		m.Update(failed(2, "bad"+clearSc+c1Byte+osc52))
		views = append(views, m.View())
		for i, v := range views {
			if bad := panetest.ControlBytes(v); len(bad) > 0 {
				t.Errorf("%v view %d: control bytes at %v:\n%s", sz, i, bad, v)
			}
			checkSize(t, "hostile", v, sz[0], sz[1])
		}
		all := strings.Join(views, "\n")
		for _, want := range []string{
			`evil\x1b]52;c;AAAA\x07\u009b31m.exe`, // the image
			`evil.exe \x1b[2J--wipe`,              // the command line
			`bad\x1b[2Juser\x9b`,                  // the user
			`custom\x1b]52;c;AAAA\x07`,            // the schema
			`title\x1b]52;c;AAAA\x07\u009b31m`,    // the request's title
			`bad\x1b[2J\x9b31m\x1b]52`,            // the error
		} {
			if !strings.Contains(all, want) {
				t.Errorf("%v: no %q in the views", sz, want)
			}
		}
		if sz[0] >= 120 && !strings.Contains(all, `building next\x1b[2J…`) {
			t.Errorf("%v: the build under way does not show", sz)
		}
		if sz[0] == 200 {
			details := strings.Join(m.detailLines(m.layout().detailW), "\n")
			for _, want := range []string{`temp-image\x1b[2J`, `Runs from a temp folder\x1b]52;c;AAAA\x07`, `\u009b31m\x1b]52;c;AAAA\x07`} {
				if !strings.Contains(details, want) {
					t.Errorf("details lack %q:\n%s", want, details)
				}
			}
		}
	}
}

// TestLongStringsStayInTheirRow checks that a megabyte command line and a long
// user, image and pid draw in one row each, cut with an ellipsis.
func TestLongStringsStayInTheirRow(t *testing.T) {
	tr := sampleTree()
	long := strings.Repeat("A\x1b", 500_000)
	tr.Procs[iPowerShell].CmdLine = long
	tr.Procs[iPowerShell].User = strings.Repeat("u", 300)
	tr.Procs[iPowerShell].Name = `C:\` + strings.Repeat("p", 5000) + ".exe"
	tr.Procs[iPowerShell].PID = strings.Repeat("9", 40)
	m := New(testCtx())
	m.SetSize(120, 40)
	m.Update(built(1, tr))
	press(m, "u")
	v := m.View()
	checkSize(t, "long", v, 120, 40)
	l := lineWith(v, "‼")
	if !strings.HasSuffix(strings.TrimRight(l, " "), "…") || !strings.Contains(l, "99999999999…") || !strings.Contains(l, "uuu…") {
		t.Errorf("long row %q", l)
	}
	selectProc(t, m, iPowerShell)
	press(m, "d")
	details := strings.Join(m.detailLines(200), "\n")
	if !strings.Contains(details, "cut at 65,536 characters; y copies all of it") {
		t.Error("the details do not say the command line was cut")
	}
	if got := msgOf(press(m, "y")).(pane.Copy); got.Text != long {
		t.Errorf("y copied %d bytes, want all %d", len(got.Text), len(long))
	}
}

func TestSearchHighlightsMatches(t *testing.T) {
	for _, c := range []struct {
		s, q string
		want []int
	}{
		{"cmd.exe /c CMD", "cmd", []int{0, 1, 2, 11, 12, 13}},
		{"powershell", "SHELL", []int{5, 6, 7, 8, 9}},
		{"aaaa", "aa", []int{0, 1, 2, 3}},
		{"nothing", "x", nil},
		{"İstanbul", "i", nil}, // lower-casing changes the length: nothing marked
		{"abc", "", nil},
	} {
		got := hits(c.s, c.q)
		if len(got) != len(c.want) {
			t.Errorf("hits(%q, %q) = %v, want %v", c.s, c.q, got, c.want)
			continue
		}
		for _, i := range c.want {
			if !got[i] {
				t.Errorf("hits(%q, %q) lacks %d", c.s, c.q, i)
			}
		}
	}
}

func TestGuidesForDeepTrees(t *testing.T) {
	m := New(testCtx())
	m.SetSize(80, 24)
	m.Update(built(1, chainTree(3000)))
	if len(m.rows) != 2 || !strings.Contains(m.View(), "▸ bash +2,998") {
		t.Fatalf("a chain of 3,000 shows %d rows:\n%s", len(m.rows), m.View())
	}
	press(m, "E", "G")
	if m.Selected() != 2999 {
		t.Fatalf("G selected %d", m.Selected())
	}
	l := lineWith(m.View(), "›")
	if !strings.Contains(l, "… ") || !strings.Contains(l, "└── bash") {
		t.Errorf("deep row %q", l)
	}
	press(m, "R")
	if m.Selected() != 0 {
		t.Errorf("R selected %d", m.Selected())
	}
}

func TestGuidesShowSiblingsToCome(t *testing.T) {
	m := loaded(t, 120, 40)
	f := m.f
	for proc, want := range map[int]string{
		iServices:   "",
		iSvchost:    "├─",
		iCmd:        "│ ├─",
		iPowerShell: "│ │ └─",
		iConhost:    "│ └─",
		iTaskhost:   "└─",
		iNet:        "│ └─",
		iEvil:       "└─",
	} {
		if got := m.guides(f.pos[proc], 10); got != want {
			t.Errorf("guides of %d = %q, want %q", proc, got, want)
		}
	}
	if got := m.guides(f.pos[iPowerShell], 2); got != "… └─" {
		t.Errorf("guides cut to 2 levels = %q", got)
	}
}

func TestBaseName(t *testing.T) {
	for _, c := range []struct{ name, sep, want string }{
		{`C:\Windows\System32\cmd.exe`, `\`, "cmd.exe"},
		{"/usr/bin/bash", "/", "bash"},
		{"/usr/bin/bash", `\`, "/usr/bin/bash"},
		{`C:\Windows\System32\cmd.exe`, "", "cmd.exe"},
		{"/usr/bin/bash", "", "bash"},
		{"cmd.exe", `\`, "cmd.exe"},
		{`C:\Temp\`, `\`, `C:\Temp\`},
		{"", "/", ""},
	} {
		if got := baseName(c.name, c.sep); got != c.want {
			t.Errorf("baseName(%q, %q) = %q, want %q", c.name, c.sep, got, c.want)
		}
	}
}

func TestTextHelpers(t *testing.T) {
	if got := draw.Thousands(1234567); got != "1,234,567" {
		t.Errorf("thousands = %q", got)
	}
	if got := draw.Thousands(-1000); got != "-1,000" {
		t.Errorf("draw.Thousands(-1000) = %q", got)
	}
	for n, want := range map[int]string{0: "0 processes", 1: "1 process", 100000: "100,000 processes"} {
		if got := draw.Plural(n, "process"); got != want {
			t.Errorf("draw.Plural(%d) = %q", n, got)
		}
	}
	if got := draw.Plural(2, "match"); got != "2 matches" {
		t.Errorf("plural match = %q", got)
	}
	if s, cut := clip("héllo wörld", 4); s != "héll" || !cut {
		t.Errorf("clip = %q %v", s, cut)
	}
	if s, cut := clip("abc", 4); s != "abc" || cut {
		t.Errorf("clip short = %q %v", s, cut)
	}
	if got := string(draw.CleanInput([]rune("a\tb\x1b[2J\u200bc\n"))); got != "a b[2Jc " {
		t.Errorf("clean = %q", got)
	}
}

func TestMarkGlyphs(t *testing.T) {
	m := New(testCtx())
	for sev, want := range map[string]string{"high": "‼", "HIGH": "‼", "critical": "‼", "medium": "!", "low": "·", "odd": "·"} {
		if g, _ := m.markGlyph(severityOf(sev)); g != want {
			t.Errorf("%s: glyph %q, want %q", sev, g, want)
		}
	}
	if g, _ := m.markGlyph(sevNone); g != " " {
		t.Errorf("unmarked glyph %q", g)
	}
	// A process with several marks shows its worst.
	tr := sampleTree()
	tr.Procs[iNet].Marks = append(tr.Procs[iNet].Marks, proctree.Mark{Rule: "x", Severity: "high"}, proctree.Mark{Rule: "y", Severity: "low"})
	m.SetSize(80, 24)
	m.Update(built(1, tr))
	if l := lineWith(m.View(), "net.exe"); !strings.HasPrefix(l, " ‼") {
		t.Errorf("net.exe row %q", l)
	}
}

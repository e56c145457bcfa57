package decode

import (
	"errors"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/quarry-sec/quarry/engine/decode"
	"github.com/quarry-sec/quarry/engine/ioc"
	"github.com/quarry-sec/quarry/views/draw"
	"github.com/quarry-sec/quarry/views/pane"
)

// The pane is a pane.Component with a title.
var (
	_ pane.Component = (*Model)(nil)
	_ pane.Titled    = (*Model)(nil)
)

func TestEmptyState(t *testing.T) {
	m := New(testCtx())
	m.SetSize(80, 24)
	v := m.View()
	checkSize(t, "empty", v, 80, 24)
	for _, want := range []string{"Nothing decoded yet.", Empty} {
		if !strings.Contains(v, want) {
			t.Errorf("empty view lacks %q:\n%s", want, v)
		}
	}
	if m.Title() != "Decode" || m.Capturing() || m.Back() {
		t.Error("an empty pane should be titled Decode, not capture, and have nothing to close")
	}
	if h := m.ShortHelp(); len(h) != 1 || h[0].Help().Key != "p" {
		t.Errorf("empty pane's help = %v, want only the paste key", h)
	}
	// Keys other than paste do nothing and do not panic without a result.
	for _, k := range []string{"j", "k", "enter", "a", "m", "y", "Y", "w", "G", "pgdown"} {
		if cmd := press(m, k); cmd != nil {
			t.Errorf("key %q on an empty pane gave %T", k, msgOf(cmd))
		}
	}
}

func TestHeaderCountsAndTree(t *testing.T) {
	m, _ := loaded(t, 160, 30)
	v := m.View()
	checkSize(t, "loaded", v, 160, 30)
	for _, want := range []string{
		"SecurityEvent.CommandLine, row 12 · 5 payloads · 7 IoCs",
		"› ▾ input  (575 B, 1 IoC)",
		"  ▾ 1  base64>utf-16le  (utf-16le, 330 B, 2 IoCs)",
		"    • 1.1  base64  (utf-8, 59 B, 2 IoCs)",
		"  ▾ 2  base64>zip  (zip, 2.1 KiB)",
		"    • 2.1  readme.txt  (utf-8, 93 B, 3 IoCs)",
		"    • 2.2  invoice.exe  (pe, 14 KiB)",
		"▸ Payloads", "Text · input", "IoCs in input · 1", "ipv4          10.1.2.3",
	} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
	if strings.Contains(v, "partial") {
		t.Error("a complete result shows the partial warning")
	}
}

func TestNavigationShowsSelectedText(t *testing.T) {
	tests := []struct {
		name  string
		keys  []string
		node  int
		title string
		want  []string
		not   []string
	}{
		{"input", nil, inputNode, "Text · input", []string{"powershell.exe -nop -w hidden -enc", "10.1.2.3"}, []string{"IEX ("}},
		{"first payload", []string{"j"}, 0, "Text · 1", []string{"1 · base64>utf-16le", "md5     0cc175b9c0f1b6a831c399e269772661", "IEX (New-Object", "http://10.0.0.5/a.ps1"}, []string{"powershell.exe"}},
		{"nested payload", []string{"j", "j"}, 1, "Text · 1.1", []string{`cmd /c whoami > C:\Users\Public\out.txt`, "found at bytes"}, nil},
		{"archive", []string{"j", "j", "j"}, 2, "Text · 2", []string{"type    zip · 2.1 KiB (2,150 bytes)", "0000  50 4b 03 04", "PK.."}, nil},
		{"text member", []string{"G", "k"}, 3, "Text · 2.1", []string{"2.1 · base64>zip · readme.txt", "Pay at hxxps://evil[.]example[.]com/x", "Thanks"}, nil},
		{"binary member", []string{"G"}, 4, "Text · 2.2", []string{"sha256  " + peSHA256, "0000  4d 5a 90 00", "MZ", "first 44 of 14,336 bytes"}, nil},
		{"back to the top", []string{"G", "g"}, inputNode, "Text · input", nil, nil},
		{"up stops at the top", []string{"k", "k"}, inputNode, "Text · input", nil, nil},
		{"down stops at the bottom", []string{"G", "j", "j"}, 4, "Text · 2.2", nil, nil},
		{"arrows", []string{"down", "down", "up"}, 0, "Text · 1", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, _ := loaded(t, 120, 40)
			press(m, tt.keys...)
			if got := m.Selected(); got != tt.node {
				t.Fatalf("selected %d, want %d", got, tt.node)
			}
			v := m.View()
			checkSize(t, tt.name, v, 120, 40)
			for _, want := range append([]string{tt.title}, tt.want...) {
				if !strings.Contains(v, want) {
					t.Errorf("view lacks %q:\n%s", want, v)
				}
			}
			for _, not := range tt.not {
				if strings.Contains(v, not) {
					t.Errorf("view shows %q:\n%s", not, v)
				}
			}
		})
	}
}

func TestCollapseExpand(t *testing.T) {
	m, _ := loaded(t, 120, 40)
	press(m, "j") // 1
	press(m, "enter")
	if got := m.rows; len(got) != 5 || m.Selected() != 0 {
		t.Fatalf("after folding 1: rows %v, selected %d", got, m.Selected())
	}
	v := m.View()
	if strings.Contains(v, "1.1  base64") || !strings.Contains(v, "▸ 1  base64>utf-16le") {
		t.Errorf("folded 1 still shows its child or lacks ▸:\n%s", v)
	}
	press(m, "j")
	if m.Selected() != 2 {
		t.Fatalf("down from folded 1 selects %d, want 2", m.Selected())
	}
	press(m, "k", "space")
	if len(m.rows) != 6 || !strings.Contains(m.View(), "1.1  base64") {
		t.Fatalf("space did not unfold 1: rows %v", m.rows)
	}

	// left folds an open node, then goes to its parent; right unfolds, then
	// goes to the first child.
	steps := []struct {
		key      string
		selected int
		rows     int
	}{
		{"h", 0, 5},         // fold 1
		{"h", inputNode, 5}, // folded: go to the input
		{"l", 0, 5},         // input is open: to its first child
		{"l", 0, 6},         // unfold 1
		{"l", 1, 6},         // to 1.1
		{"l", 1, 6},         // a leaf: nothing
		{"h", 0, 6},         // a leaf: to its parent
		{"G", 4, 6},
		{"left", 2, 6},  // 2.2 is a leaf: to 2
		{"left", 2, 4},  // fold 2
		{"right", 2, 6}, // unfold 2
		{"g", inputNode, 6},
		{"enter", inputNode, 1}, // folding the input hides everything
		{"j", inputNode, 1},
		{"enter", inputNode, 6},
	}
	for i, s := range steps {
		press(m, s.key)
		if m.Selected() != s.selected || len(m.rows) != s.rows {
			t.Fatalf("step %d (%s): selected %d rows %d, want %d and %d", i, s.key, m.Selected(), len(m.rows), s.selected, s.rows)
		}
	}
}

func TestTaggedToggle(t *testing.T) {
	m, s := loaded(t, 120, 40)
	press(m, "m")
	v := m.View()
	if !strings.Contains(v, "Text · input, fully decoded") || !strings.Contains(v, "<decoded type='string' name='[None]'") {
		t.Fatalf("m did not show the fully decoded text:\n%s", v)
	}
	if strings.Contains(v, s.encB64[:40]) {
		t.Error("the tagged view still shows the encoded payload")
	}
	if msg, ok := msgOf(press(m, "y")).(pane.Copy); !ok || msg.Text != s.res.Decoded || msg.What != "decoded text" {
		t.Errorf("y in the tagged view copied %+v", msg)
	}
	press(m, "m")
	if v := m.View(); strings.Contains(v, "<decoded") || !strings.Contains(v, "Text · input") {
		t.Errorf("m again did not go back to the input:\n%s", v)
	}
	if msg, ok := msgOf(press(m, "y")).(pane.Copy); !ok || msg.Text != s.input || msg.What != "input text" {
		t.Errorf("y on the input copied %+v", msg)
	}
	// From a payload, m selects the input, fully decoded.
	press(m, "j", "j", "m")
	if m.Selected() != inputNode || !strings.Contains(m.View(), "fully decoded") {
		t.Errorf("m from 1.1: selected %d\n%s", m.Selected(), m.View())
	}
	// Payloads show their own text, whatever the input's view.
	press(m, "j")
	if v := m.View(); strings.Contains(v, "fully decoded") || !strings.Contains(v, "Text · 1") {
		t.Errorf("payload shows the tagged view:\n%s", v)
	}
}

func TestSectionsCycle(t *testing.T) {
	m, _ := loaded(t, 120, 40)
	want := []section{secText, secIoCs, secTree, secText}
	for i, w := range want {
		press(m, "w")
		if m.focus != w {
			t.Fatalf("w #%d: focus %d, want %d", i+1, m.focus, w)
		}
	}
	press(m, "W", "W")
	if m.focus != secIoCs {
		t.Fatalf("W W: focus %d, want the IoC list", m.focus)
	}
	press(m, "W")
	if m.focus != secText || !strings.Contains(m.View(), "▸ Text · input") {
		t.Errorf("the focused text section is not marked:\n%s", m.View())
	}
}

func TestIoCListCopyAndUse(t *testing.T) {
	m, _ := loaded(t, 120, 40)
	press(m, "j") // payload 1: url then ipv4 (in text order)
	press(m, "w", "w")
	if m.focus != secIoCs {
		t.Fatal("w w did not focus the IoC list")
	}
	if msg, ok := msgOf(press(m, "y")).(pane.Copy); !ok || msg != (pane.Copy{Text: "http://10.0.0.5/a.ps1", What: "IoC"}) {
		t.Errorf("y copied %+v", msgOf(press(m, "y")))
	}
	press(m, "j")
	if msg, ok := msgOf(press(m, "enter")).(pane.UseValue); !ok || msg != (pane.UseValue{Type: ioc.IPv4, Value: "10.0.0.5"}) {
		t.Errorf("enter sent %+v", msgOf(press(m, "enter")))
	}
	if msg, ok := msgOf(press(m, "Y")).(pane.Copy); !ok || msg.Text != "http://10.0.0.5/a.ps1\n10.0.0.5" || msg.What != "2 IoCs" {
		t.Errorf("Y copied %+v", msg)
	}
	// A defanged indicator is copied and sent refanged, and marked in the list.
	press(m, "W", "W", "G", "k", "w", "w")
	if m.Selected() != 3 || m.focus != secIoCs {
		t.Fatalf("selected %d focus %d", m.Selected(), m.focus)
	}
	if msg, _ := msgOf(press(m, "enter")).(pane.UseValue); msg.Value != "https://evil.example.com/x" || msg.Type != ioc.URL {
		t.Errorf("enter on the defanged URL sent %+v", msg)
	}
	if v := m.View(); !strings.Contains(v, "https://evil.example.com/x") || !strings.Contains(v, "⚠ defanged") {
		t.Errorf("list lacks the defanged mark:\n%s", v)
	}
	// A binary payload has no IoCs: y and enter in the list do nothing; y in the
	// tree copies its SHA-256.
	press(m, "W", "W", "G")
	if msg, _ := msgOf(press(m, "y")).(pane.Copy); msg.Text != peSHA256 || msg.What != "SHA-256" {
		t.Errorf("y on the PE copied %+v", msg)
	}
	press(m, "w", "w")
	if cmd := press(m, "enter"); cmd != nil {
		t.Errorf("enter on an empty list gave %T", msgOf(cmd))
	}
	if n, ok := msgOf(press(m, "Y")).(pane.Notify); !ok || !strings.Contains(n.Text, "No IoCs") {
		t.Errorf("Y on an empty list gave %+v", n)
	}
}

func TestAllIoCsDedupes(t *testing.T) {
	m, _ := loaded(t, 120, 40)
	press(m, "a")
	if !m.all || m.focus != secIoCs {
		t.Fatalf("a: all %v focus %d", m.all, m.focus)
	}
	type row struct {
		typ      ioc.Type
		value    string
		count    int
		defanged bool
	}
	want := []row{
		{ioc.IPv4, "10.1.2.3", 1, false},
		{ioc.IPv4, "10.0.0.5", 2, false},
		{ioc.IPv4, "192.168.1.20", 1, false},
		{ioc.URL, "http://10.0.0.5/a.ps1", 1, false},
		{ioc.URL, "https://evil.example.com/x", 1, true},
		{ioc.Email, "admin@evil.example.com", 1, false},
		{ioc.WindowsPath, `C:\Users\Public\out.txt`, 1, false},
	}
	if len(m.list) != len(want) {
		t.Fatalf("all list has %d rows, want %d: %+v", len(m.list), len(want), m.list)
	}
	for i, w := range want {
		e := m.list[i]
		if (row{e.typ, e.value, e.count, e.defanged}) != w {
			t.Errorf("row %d = %+v, want %+v", i, row{e.typ, e.value, e.count, e.defanged}, w)
		}
	}
	v := m.View()
	for _, s := range []string{"All IoCs · 7 distinct, 8 found", "10.0.0.5", "×2", "⚠ defanged"} {
		if !strings.Contains(v, s) {
			t.Errorf("all view lacks %q:\n%s", s, v)
		}
	}
	msg, _ := msgOf(press(m, "Y")).(pane.Copy)
	if lines := strings.Split(msg.Text, "\n"); len(lines) != 7 || lines[1] != "10.0.0.5" || msg.What != "7 IoCs" {
		t.Errorf("Y in the all list copied %q (%s)", msg.Text, msg.What)
	}
	// The all list does not follow the tree.
	press(m, "w", "j")
	if len(m.list) != 7 {
		t.Errorf("moving in the tree changed the all list to %d rows", len(m.list))
	}
	if !m.Back() || m.all || len(m.list) != 2 {
		t.Errorf("Back: all %v, list %d rows (want payload 1's 2)", m.all, len(m.list))
	}
	if m.Back() {
		t.Error("a second Back had something to close")
	}
	press(m, "a", "a")
	if m.all {
		t.Error("a twice left the all list on")
	}
}

func TestPasteBox(t *testing.T) {
	m := New(testCtx())
	m.SetSize(80, 24)
	press(m, "p")
	if !m.Capturing() {
		t.Fatal("p did not open the paste box")
	}
	// Keys the pane would take are text now.
	pane.Type(m, "abc qja")
	m.Update(tea.KeyMsg{Type: tea.KeyEnter})
	m.Update(tea.KeyMsg{Type: tea.KeyRunes, Paste: true, Runes: []rune("line2\r\nline3\rline4")})
	m.Update(tea.KeyMsg{Type: tea.KeyEnter})
	pane.Type(m, "last")
	v := m.View()
	checkSize(t, "paste", v, 80, 24)
	for _, want := range []string{"Paste text to decode", "ctrl+s decodes", "│ abc qja", "│ line4", "5 lines"} {
		if !strings.Contains(v, want) {
			t.Errorf("paste view lacks %q:\n%s", want, v)
		}
	}
	if h := m.ShortHelp(); len(h) != 2 || h[0].Help().Key != "ctrl+s" || h[1].Help().Key != "esc" {
		t.Errorf("paste help = %v", h)
	}
	msg, ok := msgOf(m.Update(tea.KeyMsg{Type: tea.KeyCtrlS})).(pane.DecodeText)
	if !ok || msg != (pane.DecodeText{Text: "abc qja\nline2\nline3\nline4\nlast", Source: "pasted"}) {
		t.Fatalf("ctrl+s sent %+v", msg)
	}
	if m.Capturing() {
		t.Error("the paste box stayed open after ctrl+s")
	}
	if v := m.View(); !strings.Contains(v, "Decoding pasted…") {
		t.Errorf("no decoding notice:\n%s", v)
	}
	// The answer replaces the notice.
	m.Update(pane.Decoded{Seq: 1, Request: msg, Result: &decode.Result{Decoded: msg.Text}})
	if v := m.View(); strings.Contains(v, "Decoding") || !strings.Contains(v, "pasted · 0 payloads · 0 IoCs") {
		t.Errorf("after the answer:\n%s", v)
	}

	// Esc cancels without sending anything, as does Back.
	press(m, "p")
	pane.Type(m, "discard me")
	if cmd := m.Update(tea.KeyMsg{Type: tea.KeyEsc}); cmd != nil || m.Capturing() {
		t.Errorf("esc: cmd %v, capturing %v", cmd, m.Capturing())
	}
	press(m, "p")
	if !m.Back() || m.Capturing() {
		t.Error("Back did not close the paste box")
	}
	// Reopened, the box is empty; ctrl+s on nothing keeps it open with a notice.
	press(m, "p")
	if n, ok := msgOf(m.Update(tea.KeyMsg{Type: tea.KeyCtrlS})).(pane.Notify); !ok || !m.Capturing() || !strings.Contains(n.Text, "Nothing to decode") {
		t.Errorf("ctrl+s on an empty box: %+v, capturing %v", n, m.Capturing())
	}
}

func TestRebindDecodeKey(t *testing.T) {
	m := New(testCtx())
	m.SetSize(80, 24)
	if err := m.Rebind(map[string][]string{"decode": {"ctrl+g"}, "paste": {"P"}}); err != nil {
		t.Fatal(err)
	}
	press(m, "p")
	if m.Capturing() {
		t.Fatal("the old paste key still opens the box")
	}
	press(m, "P")
	pane.Type(m, "x")
	if cmd := m.Update(tea.KeyMsg{Type: tea.KeyCtrlS}); cmd != nil {
		t.Errorf("the old decode key still decodes: %T", msgOf(cmd))
	}
	if msg, ok := msgOf(m.Update(tea.KeyMsg{Type: tea.KeyCtrlG})).(pane.DecodeText); !ok || msg.Text != "x" {
		t.Errorf("ctrl+g sent %+v", msg)
	}
	if err := m.Rebind(map[string][]string{"nope": {"x"}}); err == nil || !strings.Contains(err.Error(), "AllIoCs") {
		t.Errorf("unknown name: %v", err)
	}
}

func TestSeqAndErrors(t *testing.T) {
	s := newSample(t)
	m := New(testCtx())
	m.SetSize(100, 30)
	first := s.msg
	first.Seq = 5
	m.Update(first)

	stale := pane.Decoded{Seq: 3, Request: pane.DecodeText{Text: "old", Source: "stale source"}, Result: &decode.Result{}}
	m.Update(stale)
	if v := m.View(); strings.Contains(v, "stale source") || !strings.Contains(v, "row 12") {
		t.Errorf("a stale answer replaced the newer one:\n%s", v)
	}

	// A failure keeps what was shown and says why, escaped.
	m.Update(pane.DecodeText{Text: "x", Source: "Syslog.SyslogMessage, row 3"})
	if !strings.Contains(m.View(), "decoding Syslog.SyslogMessage, row 3…") {
		t.Errorf("no decoding notice:\n%s", m.View())
	}
	m.Update(pane.Decoded{Seq: 6, Request: pane.DecodeText{Source: "Syslog.SyslogMessage, row 3"}, Err: errors.New("output limit \x1b[2J reached")})
	v := m.View()
	checkSize(t, "failed", v, 100, 30)
	if !strings.Contains(v, `✗ decoding Syslog.SyslogMessage, row 3 failed: output limit \x1b[2J reached`) || !strings.Contains(v, "row 12") {
		t.Errorf("failure not shown, or the previous result lost:\n%s", v)
	}
	if strings.Contains(v, "decoding Syslog.SyslogMessage, row 3…") {
		t.Error("still says decoding after the answer")
	}

	// An answer with the same sequence number is accepted and clears the failure.
	same := pane.Decoded{Seq: 6, Request: pane.DecodeText{Text: "plain", Source: "again"}, Result: &decode.Result{Decoded: "plain"}}
	m.Update(same)
	if v := m.View(); !strings.Contains(v, "again · 0 payloads") || strings.Contains(v, "✗") {
		t.Errorf("equal Seq not accepted:\n%s", v)
	}

	// A failure before any result shows on the empty page.
	e := New(testCtx())
	e.SetSize(80, 24)
	e.Update(pane.Decoded{Seq: 1, Request: pane.DecodeText{Source: "pasted"}, Err: errors.New("cancelled")})
	if v := e.View(); !strings.Contains(v, "✗ decoding pasted failed: cancelled") || !strings.Contains(v, Empty) {
		t.Errorf("empty page failure:\n%s", v)
	}
}

func TestStoppedWarning(t *testing.T) {
	s := newSample(t)
	s.res.Stopped = "depth limit"
	m := New(testCtx())
	m.SetSize(80, 24)
	m.Update(s.msg)
	v := m.View()
	checkSize(t, "stopped", v, 80, 24)
	if !strings.Contains(v, "⚠ partial: stopped by depth limit") {
		t.Errorf("no partial warning:\n%s", v)
	}
}

func TestBadTreeData(t *testing.T) {
	// Parents that point forward, at themselves or nowhere, and IoC lists shorter
	// than the items or with offsets past the text, are survived.
	res := &decode.Result{Items: []decode.Item{
		{Reference: "1", Parent: 1, Decoded: "abc", Text: true},
		{Reference: "2", Parent: 1, Decoded: "zz zz", Text: false},
		{Reference: "3", Parent: 99, Decoded: "xyz", Text: true},
		{Reference: "3.1", Parent: 2, Decoded: "é", Text: true},
	}}
	m := New(testCtx())
	m.SetSize(60, 18)
	m.Update(pane.Decoded{Seq: 1, Request: pane.DecodeText{Text: "input"}, Result: res,
		InputIoCs: []ioc.Match{{Type: ioc.IPv4, Value: "1.2.3.4", Start: 3, End: 400}},
		ItemIoCs:  [][]ioc.Match{{{Type: ioc.DNS, Value: "x", Start: -5, End: 2}}, nil, nil, {{Type: ioc.DNS, Value: "é", Start: 1, End: 2}}}})
	if want := []int{inputNode, 0, 1, 2, 3}; len(m.rows) != len(want) {
		t.Fatalf("rows %v, want %v", m.rows, want)
	}
	if m.doc.depth[3] != 2 || m.doc.parent[3] != 2 {
		t.Errorf("3.1: depth %d parent %d", m.doc.depth[3], m.doc.parent[3])
	}
	for range m.rows {
		checkSize(t, "bad data", m.View(), 60, 18)
		press(m, "j")
	}
	press(m, "w", "w", "j", "k")
	checkSize(t, "bad data list", m.View(), 60, 18)
}

func TestDecodeTextShowsDecoding(t *testing.T) {
	m := New(testCtx())
	m.SetSize(80, 24)
	if cmd := m.Update(pane.DecodeText{Text: "x", Source: "SecurityEvent.CommandLine, row 4"}); cmd != nil {
		t.Error("DecodeText should not send anything back")
	}
	if v := m.View(); !strings.Contains(v, "Decoding SecurityEvent.CommandLine, row 4…") {
		t.Errorf("no decoding notice:\n%s", v)
	}
}

func TestTextScrolling(t *testing.T) {
	lines := make([]string, 100)
	for i := range lines {
		lines[i] = "line " + draw.Thousands(i+1)
	}
	input := strings.Join(lines, "\n")
	m := New(testCtx())
	m.SetSize(80, 24)
	m.Update(pane.Decoded{Seq: 1, Request: pane.DecodeText{Text: input, Source: "pasted"}, Result: &decode.Result{Decoded: input}})
	rows := m.layout().textRows
	first := func() string {
		t.Helper()
		return strings.TrimSpace(m.textLines(1)[0])
	}
	steps := []struct {
		keys []string
		want string
	}{
		{nil, "line 1"},
		{[]string{"pgdown"}, "line " + draw.Thousands(rows+1)},
		{[]string{"pgup"}, "line 1"},
		{[]string{"ctrl+d"}, "line " + draw.Thousands(rows/2+1)},
		{[]string{"ctrl+u"}, "line 1"},
		{[]string{"w", "j", "j"}, "line 3"},
		{[]string{"k"}, "line 2"},
		{[]string{"G"}, "line " + draw.Thousands(100-rows+1)},
		{[]string{"j"}, "line " + draw.Thousands(100-rows+1)}, // no further than the last screenful
		{[]string{"g"}, "line 1"},
		{[]string{"w", "w", "pgdown"}, "line " + draw.Thousands(rows+1)}, // page keys scroll the text from the tree
	}
	for i, s := range steps {
		press(m, s.keys...)
		if got := first(); got != s.want {
			t.Fatalf("step %d %v: first row %q, want %q", i, s.keys, got, s.want)
		}
	}
	if v := m.View(); !strings.Contains(v, "/100") {
		t.Errorf("no position:\n%s", v)
	}
}

func TestSelectedIoCIsRevealed(t *testing.T) {
	withProfile(t, 1) // ANSI: the mono theme's reverse video shows
	input := strings.Repeat("filler line\n", 200) + "beacon to 203.0.113.9 now"
	at := strings.Index(input, "203.0.113.9")
	m := New(testCtx())
	m.SetSize(80, 24)
	m.Update(pane.Decoded{Seq: 1, Request: pane.DecodeText{Text: input}, Result: &decode.Result{Decoded: input},
		InputIoCs: []ioc.Match{{Type: ioc.IPv4, Value: "203.0.113.9", Start: at, End: at + len("203.0.113.9")}}})
	if strings.Contains(m.View(), "203.0.113.9 now") {
		t.Fatal("the IoC shows before it is selected")
	}
	press(m, "a", "a") // all on (focuses the list), then off: the node's list keeps focus
	if m.focus != secIoCs {
		t.Fatal("the list lost focus")
	}
	v := m.View()
	if p := marked(v, "beacon to ", "203.0.113.9", " now"); !has(p, "4") || !has(p, "7") {
		t.Errorf("the selected IoC is not shown underlined and reversed:\n%q", v)
	}
}

func TestSelectedIoCInPayloadText(t *testing.T) {
	withProfile(t, 1) // ANSI
	m, _ := loaded(t, 120, 40)
	// Payload 1's text follows its meta lines: the offsets must shift with it.
	press(m, "j", "w", "w", "j")
	v := m.View()
	// The URL's own mark stops where the selected address's starts.
	p := marked(v, "http://\x1b[0m", "10.0.0.5", "\x1b[")
	if !has(p, "7") || !has(p, "4") {
		t.Errorf("the selected address is not reversed inside its URL:\n%q", v)
	}
	if strings.Contains(v, "\x1b[7mhttp") {
		t.Errorf("the URL, not the selected address, is reversed:\n%q", v)
	}
}

// I looks up the selected IoC from the list, or every IoC of the input and
// its payloads from the tree; paths are left out.
func TestIoCLookup(t *testing.T) {
	m, _ := loaded(t, 120, 40)
	want := 0
	for _, e := range m.doc.all {
		if e.typ != ioc.WindowsPath && e.typ != ioc.LinuxPath {
			want++
		}
	}
	l, ok := msgOf(press(m, "I")).(pane.LookupTI)
	if !ok || want != 6 || len(l.Indicators) != want || !strings.HasPrefix(l.Source, "Decode · ") {
		t.Fatalf("I in the tree = %#v (want %d)", l, want)
	}
	for _, in := range l.Indicators {
		if in.Type == ioc.WindowsPath || in.Type == ioc.LinuxPath || in.Value == "" {
			t.Errorf("sent %#v", in)
		}
	}
	press(m, "j") // payload 1: url then ipv4
	press(m, "w", "w", "j")
	l, ok = msgOf(press(m, "I")).(pane.LookupTI)
	if !ok || len(l.Indicators) != 1 || l.Indicators[0].Value != "10.0.0.5" {
		t.Fatalf("I in the list = %#v", l)
	}
}

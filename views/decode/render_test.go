package decode

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/muesli/termenv"

	"github.com/quarry-sec/quarry/engine/decode"
	"github.com/quarry-sec/quarry/engine/ioc"
	"github.com/quarry-sec/quarry/themes"
	"github.com/quarry-sec/quarry/views/pane"
	"github.com/quarry-sec/quarry/views/pane/panetest"
)

// hostile are sequences that try to drive the terminal: an OSC 52 clipboard
// write, a screen clear, an 8-bit CSI and a title change.
var hostile = []string{"\x1b]52;c;AAAA\x07", "\x1b[2J", "\u009b31m", "\x1b]0;title\x07"}

// hostileShown are the same as frame.SafeText shows them.
var hostileShown = []string{`\x1b]52;c;AAAA\x07`, `\x1b[2J`, `\u009b31m`, `\x1b]0;title\x07`}

// hostileDoc puts the hostile sequences in the input, a payload's decoded text,
// an archive member's name, an IoC value, the source and the engine's own fields.
func hostileDoc(t *testing.T) pane.Decoded {
	t.Helper()
	all := strings.Join(hostile, " ")
	input := "cmd " + all + " evil\u202etxt.exe 10.9.8.7 bad\xffutf8 QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo="
	itemText := "payload " + all + " ip 10.9.8.7\r\nnext line\ttab a\rb"
	ipIn := strings.Index(input, "10.9.8.7")
	ipItem := strings.Index(itemText, "10.9.8.7")
	return pane.Decoded{
		Seq:     1,
		Request: pane.DecodeText{Text: input, Source: "Syslog\x1b[31m, row 1"},
		Result: &decode.Result{
			Decoded: "cmd " + all + " <decoded type='string' name='[None]' index='1' depth='1'>" + itemText + "</decoded>",
			Stopped: "depth limit\x1b]0;x\x07",
			Items: []decode.Item{
				{Parent: -1, Reference: "1", Encoding: "base64\x1b[2J", FileType: "utf-8", Decoded: itemText, Text: true, Size: len(itemText), Children: []int{1}},
				{Parent: 0, Reference: "1.1", Encoding: "zip", FileName: "in" + all + "voice.exe", FileType: "pe\x9b", Decoded: "4d 5a", MD5: "\x1b[2J", Size: 2},
			},
		},
		InputIoCs: []ioc.Match{
			{Type: ioc.IPv4, Value: "10.9.8.7", Start: ipIn, End: ipIn + len("10.9.8.7")},
			{Type: ioc.DNS, Value: "evil" + all + ".example", Start: 0, End: 3},
		},
		ItemIoCs: [][]ioc.Match{{
			{Type: ioc.IPv4, Value: "10.9.8.7", Start: ipItem, End: ipItem + len("10.9.8.7")},
			{Type: ioc.Type("custom\x1b[2J"), Value: "x" + all, Start: 0, End: 7, Defanged: true},
		}},
	}
}

func TestHostileDataStaysInert(t *testing.T) {
	msg := hostileDoc(t)
	views := []struct {
		name string
		keys []string
		want []string
	}{
		{"input", nil, append([]string{`evil\u202etxt.exe`, `bad\xffutf8`, `Syslog\x1b[31m, row 1`, `depth limit\x1b]0;x\x07`}, hostileShown...)},
		{"tagged", []string{"m"}, hostileShown},
		{"payload", []string{"j"}, append([]string{`base64\x1b[2J`, `next line\ttab a\rb`}, hostileShown...)},
		{"member", []string{"j", "j"}, []string{`in\x1b]52;c;AAAA\x07`, `md5     \x1b[2J`, `pe\x9b`}},
		{"payload IoCs", []string{"j", "w", "w"}, []string{`custom\x1b[…`, `x\x1b]52;c;AAAA\x07`}},
		{"all IoCs", []string{"a"}, []string{`evil\x1b]52;c;AAAA\x07`, `custom\x1b[…`}},
		{"text end", []string{"j", "w", "G"}, nil},
	}
	for _, v := range views {
		for _, sz := range [][2]int{{80, 24}, {160, 40}} {
			t.Run(fmt.Sprintf("%s_%dx%d", v.name, sz[0], sz[1]), func(t *testing.T) {
				m := New(testCtx())
				m.SetSize(sz[0], sz[1])
				m.Update(msg)
				press(m, v.keys...)
				out := m.View()
				checkSize(t, v.name, out, sz[0], sz[1])
				if bad := panetest.ControlBytes(out); len(bad) > 0 {
					t.Fatalf("raw control bytes at %v:\n%q", bad, out)
				}
				for _, bad := range []string{"\u202e", "\xff"} {
					if strings.Contains(out, bad) {
						t.Errorf("view holds raw %q", bad)
					}
				}
				if sz[0] < 160 {
					return // narrow views cut some lines; the wide one shows them all
				}
				for _, want := range v.want {
					if !strings.Contains(out, want) {
						t.Errorf("view lacks the visible escape %s:\n%s", want, out)
					}
				}
			})
		}
	}
}

func TestHostileCopyAndUseKeepRawValues(t *testing.T) {
	m := New(testCtx())
	m.SetSize(120, 40)
	m.Update(hostileDoc(t))
	press(m, "a")
	for m.list[m.iocCur].typ != ioc.DNS {
		press(m, "j")
	}
	// What leaves for the clipboard and the query is the value itself; the shell
	// encodes it (OSC 52 is base64) or binds it as a parameter, never draws it.
	want := "evil" + strings.Join(hostile, " ") + ".example"
	if c, _ := msgOf(press(m, "y")).(pane.Copy); c.Text != want {
		t.Errorf("y copied %q", c.Text)
	}
	if u, _ := msgOf(press(m, "enter")).(pane.UseValue); u.Value != want {
		t.Errorf("enter sent %q", u.Value)
	}
}

func TestPastedControlsShowEscaped(t *testing.T) {
	m := New(testCtx())
	m.SetSize(80, 24)
	press(m, "p")
	m.Update(tea.KeyMsg{Type: tea.KeyRunes, Paste: true, Runes: []rune(strings.Join(hostile, "\r") + " evil\u202etxt")})
	pane.Type(m, "\x1b[2J")
	v := m.View()
	if bad := panetest.ControlBytes(v); len(bad) > 0 {
		t.Fatalf("paste box shows raw controls at %v:\n%q", bad, v)
	}
	for _, want := range append([]string{`evil\u202etxt`, `\x1b[2J`}, hostileShown...) {
		if !strings.Contains(v, want) {
			t.Errorf("paste box lacks %s:\n%s", want, v)
		}
	}
	msg, _ := msgOf(m.Update(tea.KeyMsg{Type: tea.KeyCtrlS})).(pane.DecodeText)
	if want := strings.Join(hostileShown, "\n") + ` evil\u202etxt\x1b[2J`; msg.Text != want {
		t.Errorf("decoded text = %q, want %q", msg.Text, want)
	}
}

// marked returns the SGR parameters drawn around exactly value, between before
// and after (plain text), or nil when the line does not hold that.
func marked(line, before, value, after string) []string {
	re := regexp.MustCompile(regexp.QuoteMeta(before) + `\x1b\[([0-9;]*)m` + regexp.QuoteMeta(value) + `\x1b\[0m` + regexp.QuoteMeta(after))
	m := re.FindStringSubmatch(line)
	if m == nil {
		return nil
	}
	return strings.Split(m[1], ";")
}

// has reports whether SGR parameters hold each of want (in order, as a run).
func has(params []string, want ...string) bool {
	return strings.Contains(";"+strings.Join(params, ";")+";", ";"+strings.Join(want, ";")+";")
}

func TestHighlightByType(t *testing.T) {
	withProfile(t, termenv.TrueColor)
	ctx := testCtx()
	ctx.Theme = themes.Dark()
	// Escapes and wide characters before the indicators must not shift them.
	input := "\x1b[2J 日本語 ping 10.1.2.3 -n 1; type C:\\Temp\\a.txt; md5 0cc175b9c0f1b6a831c399e269772661 end"
	ip := strings.Index(input, "10.1.2.3")
	path := strings.Index(input, `C:\Temp\a.txt`)
	hash := strings.Index(input, "0cc175b9c0f1b6a831c399e269772661")
	m := New(ctx)
	m.SetSize(200, 20)
	m.Update(pane.Decoded{Seq: 1, Request: pane.DecodeText{Text: input}, Result: &decode.Result{Decoded: input},
		InputIoCs: []ioc.Match{
			{Type: ioc.IPv4, Value: "10.1.2.3", Start: ip, End: ip + 8},
			{Type: ioc.WindowsPath, Value: `C:\Temp\a.txt`, Start: path, End: path + len(`C:\Temp\a.txt`)},
			{Type: ioc.MD5, Value: "0cc175b9c0f1b6a831c399e269772661", Start: hash, End: hash + 32},
		}})
	line := m.textLines(1)[0]
	tests := []struct {
		before, value, after, colour string
	}{
		{` 日本語 ping `, "10.1.2.3", " -n 1; type ", "38;2;95;215;255"},             // network: the accent
		{"; type ", `C:\Temp\a.txt`, "; md5 ", "38;2;135;215;135"},                // path: OK green
		{"; md5 ", "0cc175b9c0f1b6a831c399e269772661", " end", "38;2;255;215;95"}, // hash: warn yellow
	}
	for _, tt := range tests {
		p := marked(line, tt.before, tt.value, tt.after)
		if p == nil || !has(p, "4") || !has(p, strings.Split(tt.colour, ";")...) {
			t.Errorf("%s is not underlined in %s: %v in %q", tt.value, tt.colour, p, line)
		}
	}
	if !strings.HasPrefix(line, `\x1b[2J 日本語`) {
		t.Errorf("the escape before the IoCs is not shown: %q", line)
	}
	// One sequence per run, not one per character.
	if n := strings.Count(line, "\x1b["); n != 6 {
		t.Errorf("%d SGR sequences for three marks: %q", n, line)
	}
}

func TestHighlightInMono(t *testing.T) {
	withProfile(t, termenv.ANSI)
	input := "beacon 10.1.2.3 now"
	m := New(testCtx()) // mono
	m.SetSize(80, 24)
	m.Update(pane.Decoded{Seq: 1, Request: pane.DecodeText{Text: input}, Result: &decode.Result{Decoded: input},
		InputIoCs: []ioc.Match{{Type: ioc.IPv4, Value: "10.1.2.3", Start: 7, End: 15}}})
	line := m.textLines(1)[0]
	p := marked(line, "beacon ", "10.1.2.3", " now")
	if p == nil || !has(p, "4") {
		t.Fatalf("mono highlight is not an underline around exactly the value: %q", line)
	}
	for _, x := range p {
		if x != "4" {
			t.Errorf("mono highlight has SGR %s besides underline: %q", x, line)
		}
	}
	// In the list, the selected row is reverse video, not colour.
	press(m, "w", "w")
	if v := m.View(); !strings.Contains(v, "\x1b[7m› ipv4") {
		t.Errorf("the selected IoC row is not reversed: %q", v)
	}
}

func TestOverlappingMatches(t *testing.T) {
	withProfile(t, termenv.ANSI)
	th := themes.Mono()
	th.IoCNet = th.IoCNet.Bold(true) // tell the two marks apart
	ctx := testCtx()
	ctx.Theme = th
	text := "get http://10.0.0.5/a.ps1 now"
	u := strings.Index(text, "http")
	ip := strings.Index(text, "10.0.0.5")
	m := New(ctx)
	m.SetSize(80, 24)
	m.Update(pane.Decoded{Seq: 1, Request: pane.DecodeText{Text: text}, Result: &decode.Result{Decoded: text},
		InputIoCs: []ioc.Match{
			{Type: ioc.IPv4, Value: "10.0.0.5", Start: ip, End: ip + 8},
			{Type: ioc.URL, Value: "http://10.0.0.5/a.ps1", Start: u, End: u + len("http://10.0.0.5/a.ps1")},
		}})
	// The URL, which starts first, is marked whole; the address inside it is not
	// marked a second time.
	if p := marked(m.textLines(1)[0], "get ", "http://10.0.0.5/a.ps1", " now"); p == nil || !has(p, "1") || !has(p, "4") {
		t.Errorf("overlap drawn as %q", m.textLines(1)[0])
	}
}

func TestEverySizeIsExact(t *testing.T) {
	sizes := [][2]int{{60, 18}, {80, 24}, {99, 30}, {100, 30}, {120, 40}, {200, 60}, {30, 8}, {12, 4}, {3, 2}, {1, 1}}
	states := []struct {
		name string
		keys []string
	}{
		{"tree", nil}, {"member", []string{"G"}}, {"text", []string{"w", "G"}}, {"list", []string{"a", "G"}},
		{"tagged", []string{"m"}}, {"folded", []string{"enter"}}, {"paste", []string{"p"}},
	}
	for _, sz := range sizes {
		for _, st := range states {
			m, _ := loaded(t, sz[0], sz[1])
			press(m, st.keys...)
			checkSize(t, fmt.Sprintf("%s at %dx%d", st.name, sz[0], sz[1]), m.View(), sz[0], sz[1])
		}
		e := New(testCtx())
		e.SetSize(sz[0], sz[1])
		checkSize(t, fmt.Sprintf("empty at %dx%d", sz[0], sz[1]), e.View(), sz[0], sz[1])
	}
	z := New(testCtx())
	if z.View() != "" {
		t.Error("a 0×0 pane draws something")
	}
}

func TestResizeKeepsPlace(t *testing.T) {
	lines := make([]string, 300)
	for i := range lines {
		lines[i] = fmt.Sprintf("%03d %s", i, strings.Repeat("word ", 20))
	}
	input := strings.Join(lines, "\n")
	m := New(testCtx())
	m.SetSize(200, 30)
	m.Update(pane.Decoded{Seq: 1, Request: pane.DecodeText{Text: input}, Result: &decode.Result{Decoded: input}})
	press(m, "w")
	for range 10 {
		press(m, "pgdown")
	}
	top := strings.Fields(m.textLines(1)[0])[0]
	m.SetSize(80, 30)
	if got := strings.Fields(m.textLines(1)[0])[0]; got != top {
		t.Errorf("after narrowing, the first row starts %q, want %q", got, top)
	}
}

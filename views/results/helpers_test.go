package results

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/quarry-sec/quarry/engine/frame"
	"github.com/quarry-sec/quarry/themes"
	"github.com/quarry-sec/quarry/views/pane"
)

func TestMain(m *testing.M) {
	lipgloss.SetColorProfile(termenv.Ascii)
	os.Exit(m.Run())
}

// fixedNow is the clock every test context uses.
var fixedNow = time.Date(2024, 3, 5, 14, 7, 9, 0, time.UTC)

func testCtx() *pane.Context {
	c := pane.NewContext(themes.Mono())
	c.Now = func() time.Time { return fixedNow }
	return c
}

// alerts is a small frame shaped like SecurityAlert rows, with nulls, a JSON
// column and a long value.
func alerts(t testing.TB) *frame.Frame {
	t.Helper()
	names := []string{"TimeGenerated", "AlertSeverity", "DisplayName", "Count", "Score", "Resolved", "ExtendedProperties"}
	kinds := []frame.Kind{frame.Time, frame.String, frame.String, frame.Int, frame.Float, frame.Bool, frame.String}
	b := frame.NewBuilder(names, kinds)
	ts := time.Date(2019, 1, 15, 5, 24, 24, 10e6, time.UTC)
	rows := [][]any{
		{ts, "High", "Suspicious PowerShell", int64(12), 0.91, false, `{"host":"WIN1","ips":["10.0.0.5","10.0.0.6"]}`},
		{ts.Add(time.Hour), "Medium", "Unusual logon", int64(3), 0.5, true, nil},
		{ts.Add(-time.Hour), "High", "Mimikatz credential theft", nil, 0.99, false, `[1,2,3]`},
		{ts.Add(2 * time.Hour), "Low", "Port scan", int64(40), nil, nil, "plain text"},
		{ts.Add(30 * time.Minute), "medium", strings.Repeat("Very long alert name ", 4), int64(7), 0.25, true, ""},
		{nil, "Informational", "Heartbeat", int64(1), 0.01, false, "x"},
	}
	for _, r := range rows {
		b.Append(r)
	}
	f, err := b.Frame(frame.Meta{Query: "SecurityAlert.list_alerts"})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// press sends keys one by one and returns the last command.
func press(t interface{ Update(tea.Msg) tea.Cmd }, keys ...string) tea.Cmd {
	var cmd tea.Cmd
	for _, k := range keys {
		cmd = t.Update(pane.Key(k))
	}
	return cmd
}

// typeText sends text as one key message per rune.
func typeText(t interface{ Update(tea.Msg) tea.Cmd }, s string) {
	for _, r := range s {
		if r == ' ' {
			t.Update(pane.Key("space"))
			continue
		}
		t.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
}

// msgOf runs a command and returns its message (nil for a nil command).
func msgOf(cmd tea.Cmd) tea.Msg {
	if cmd == nil {
		return nil
	}
	return cmd()
}

func newTable(t testing.TB, f *frame.Frame, w, h int) *Table {
	t.Helper()
	tb := NewTable(testCtx(), f, "SecurityAlert.list_alerts", "SecurityAlert.list_alerts · 24h")
	tb.SetSize(w, h)
	return tb
}

// numbers is n rows: an int column "n" (0..n-1) and a string column "s".
func numbers(t testing.TB, n int) *frame.Frame {
	t.Helper()
	ns := make([]int64, n)
	ss := make([]string, n)
	for i := range ns {
		ns[i] = int64(i)
		ss[i] = fmt.Sprintf("row %d", i)
	}
	f, err := frame.New(&frame.Column{Name: "n", Kind: frame.Int, Ints: ns}, &frame.Column{Name: "s", Kind: frame.String, Strings: ss})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// lines splits a view into its lines.
func lines(v string) []string { return strings.Split(v, "\n") }

// notify is the pane.Notify a command carries, or fails.
func notify(t *testing.T, cmd tea.Cmd) pane.Notify {
	t.Helper()
	n, ok := msgOf(cmd).(pane.Notify)
	if !ok {
		t.Fatalf("command gives %T, want pane.Notify", msgOf(cmd))
	}
	return n
}

// hostileCells are log values that try to drive the terminal: OSC 52 clipboard
// writes, title changes, screen clears, cursor moves, an 8-bit CSI, a carriage
// return, a bidi override and invalid UTF-8.
var hostileCells = []string{
	"\x1b]52;c;ZXZpbA==\x07",
	"\x1b]0;owned\x07",
	"\x1b[2J",
	"\x1b[H",
	"\u009b31m",
	"a\rb",
	"evil\u202etxt.exe",
	"bad\xffutf8",
}

// hostile is a frame whose names, cells and metadata carry hostileCells.
func hostile(t testing.TB) *frame.Frame {
	t.Helper()
	n := len(hostileCells)
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = int64(i)
	}
	f, err := frame.New(
		&frame.Column{Name: "id", Kind: frame.Int, Ints: ids},
		&frame.Column{Name: "Payload\x1b[31m", Kind: frame.String, Strings: hostileCells},
		&frame.Column{Name: "Note", Kind: frame.String, Strings: append([]string{`{"k":"\u001b]0;x\u0007","v":"` + "\x1b[H" + `"}`}, hostileCells[1:]...)},
	)
	if err != nil {
		t.Fatal(err)
	}
	f.Meta.Query = "Evil\x1b]0;title\x07.query"
	return f
}

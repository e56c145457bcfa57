package results

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/quarry-sec/quarry/engine/frame"
	"github.com/quarry-sec/quarry/views/draw"
	"github.com/quarry-sec/quarry/views/pane"
	"github.com/quarry-sec/quarry/views/pane/panetest"
)

// goldenView runs the pane in a real Bubble Tea program at w×h, sends the keys,
// quits, and returns the final view.
func goldenView(t *testing.T, m *Model, w, h int, keys ...string) string {
	t.Helper()
	return panetest.FinalView(t, m, w, h, panetest.Keys(keys...)...)
}

func TestGolden(t *testing.T) {
	scenes := []struct {
		name  string
		setup func(t *testing.T, m *Model)
		keys  []string
	}{
		{"table", func(t *testing.T, m *Model) {
			m.Open(alerts(t), "SecurityAlert.list_alerts", "SecurityAlert.list_alerts · 24h")
		}, []string{"j", "l"}},
		{"sorted_filtered", func(t *testing.T, m *Model) {
			m.Open(bigish(t), "WindowsSecurity.list_logons", "first card")
			m.Open(alerts(t), "SecurityAlert.list_alerts", "SecurityAlert.list_alerts host=WIN1 · 24h")
		}, append(append([]string{"l", "l", "l", "s", "s", "/"}, strings.Split("resolved!=true", "")...), "enter", "j")},
		{"detail", func(t *testing.T, m *Model) {
			m.Open(alerts(t), "SecurityAlert.list_alerts", "SecurityAlert.list_alerts · 24h")
		}, []string{"enter", "j", "j", "j"}},
		{"frequency", func(t *testing.T, m *Model) {
			m.Open(bigish(t), "WindowsSecurity.list_logons", "WindowsSecurity.list_logons · 7d")
		}, []string{"l", "l", "l", "l", "F", "j"}},
		{"hostile", func(t *testing.T, m *Model) {
			f := hostile(t)
			m.Open(f, f.Meta.Query, "crumb \x1b[31mred\x1b[0m\r")
		}, []string{"j", "l"}},
		{"empty", func(t *testing.T, m *Model) {}, nil},
	}
	for _, sc := range scenes {
		for _, sz := range [][2]int{{80, 24}, {120, 40}} {
			t.Run(sc.name+"_"+itoaSize(sz), func(t *testing.T) {
				m := New(testCtx())
				sc.setup(t, m)
				v := goldenView(t, m, sz[0], sz[1], sc.keys...)
				checkSize(t, sc.name, v, sz[0], sz[1])
				golden.RequireEqual(t, []byte(v))
			})
		}
	}
}

func itoaSize(sz [2]int) string { return draw.Thousands(sz[0]) + "x" + draw.Thousands(sz[1]) }

// bigish is 300 rows of logon events, enough to scroll at 120×40.
func bigish(t *testing.T) *frame.Frame {
	t.Helper()
	names := []string{"TimeGenerated", "Account", "EventID", "LogonType", "IpAddress", "Computer"}
	kinds := []frame.Kind{frame.Time, frame.String, frame.Int, frame.Int, frame.String, frame.String}
	b := frame.NewBuilder(names, kinds)
	base := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	accounts := []string{`CONTOSO\alice`, `CONTOSO\bob`, `NT AUTHORITY\SYSTEM`, `CONTOSO\svc_backup`}
	computers := []string{"WIN-DC01.contoso.local", "WIN-SQL02.contoso.local", "WKS-0042.contoso.local"}
	for i := range 300 {
		var ip any = "10.1." + draw.Thousands(i%7) + "." + draw.Thousands(i%250)
		if i%13 == 0 {
			ip = nil
		}
		b.Append([]any{base.Add(time.Duration(i*37) * time.Second), accounts[(i*i+i/7)%len(accounts)], int64(4624 + i%3), int64([]int{2, 3, 10}[i%3]), ip, computers[i%len(computers)]})
	}
	f, err := b.Frame(frame.Meta{Query: "WindowsSecurity.list_logons", Truncated: true, Limit: 300})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestHostileDataStaysInert checks every view of hostile data for raw control
// bytes, and that the visible escapes are there instead.
func TestHostileDataStaysInert(t *testing.T) {
	f := hostile(t)
	for _, keys := range [][]string{nil, {"enter"}, {"enter", "j"}, {"l", "F"}, {"c"}, {"l", "/"}, {"l", "e"}} {
		m := New(testCtx())
		m.Open(f, f.Meta.Query, "crumb \x1b]0;x\x07")
		m.SetSize(200, 30)
		press(m, keys...)
		v := m.View()
		for _, bad := range []string{"\x1b", "\x07", "\r", "\u009b", "\u202e", "\xff"} {
			if strings.Contains(v, bad) {
				t.Errorf("keys %v: view holds raw %q:\n%s", keys, bad, v)
			}
		}
		if keys == nil {
			for _, want := range []string{`\x1b]52;c;ZXZpbA==\x07`, `\x1b]0;owned\x07`, `\x1b[2J`, `\x1b[H`, `\u009b31m`, `a\rb`, `evil\u202etxt.exe`, `bad\xffutf8`, `Payload\x1b[31m`, `Evil\x1b]0;title\x07.query`, `crumb \x1b]0;x\x07`} {
				if !strings.Contains(v, want) {
					t.Errorf("view lacks the visible escape %s:\n%s", want, v)
				}
			}
		}
	}
	// A frequency-table drill-down on a hostile value quotes it with visible escapes.
	m := New(testCtx())
	m.Open(f, "q", "")
	m.SetSize(200, 30)
	press(m, "l", "F")
	for m.Current().freq.items[m.Current().freq.cur].value != "\x1b[2J" {
		press(m, "j")
	}
	press(m, "enter")
	tb := m.Current()
	if tb.FilterText() != `"Payload\x1b[31m"="\x1b[2J"` || len(tb.Rows()) != 1 || tb.Rows()[0] != 2 {
		t.Fatalf("filter %q rows %v", tb.FilterText(), tb.Rows())
	}
	press(m, "/")
	if v := m.View(); strings.Contains(v, "\x1b") {
		t.Fatalf("the filter prompt shows a raw escape:\n%s", v)
	}
}

// TestProgramRunsBackgroundSort runs a sort as a real Bubble Tea command on another
// goroutine and checks that its answer comes back to the card (run with -race).
func TestProgramRunsBackgroundSort(t *testing.T) {
	m := New(testCtx())
	m.Open(bigish(t), "WindowsSecurity.list_logons", "")
	tb := m.Current()
	tb.asyncRows = 10
	tm := teatest.NewTestModel(t, pane.Program{C: m}, teatest.WithInitialTermSize(120, 30))
	tm.Send(pane.Key("l"))
	tm.Send(pane.Key("s"))
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		return strings.Contains(string(b), "Account ▲")
	}, teatest.WithDuration(5*time.Second))
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	if c, d := tb.Sort(); c != 1 || d != Ascending || tb.Busy() {
		t.Fatalf("sort = %d %v busy %v", c, d, tb.Busy())
	}
	if first := tb.Frame().Columns()[1].Strings[tb.Rows()[0]]; first != `CONTOSO\alice` {
		t.Fatalf("first row's account = %q", first)
	}
}

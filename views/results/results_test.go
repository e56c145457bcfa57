package results

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/mattn/go-runewidth"

	"github.com/quarry-sec/quarry/engine/frame"
	"github.com/quarry-sec/quarry/themes"
)

func testFrame(t *testing.T) *frame.Frame {
	t.Helper()
	b := frame.NewBuilder([]string{"TimeGenerated", "Computer", "CommandLine", "Extra"}, []frame.Kind{frame.Time, frame.String, frame.String, frame.Int})
	ts := time.Date(2019, 1, 15, 5, 24, 24, 10e6, time.UTC)
	b.Append([]any{ts, "MSTICAlertsWin1", strings.Repeat("powershell -enc AAAA", 10), int64(1)})
	b.Append([]any{ts, "host\x1b[2J", "cmd /c \u202eexe.txt", nil})
	f, err := b.Frame(frame.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestPreferredColumnsAndFit(t *testing.T) {
	tests := []struct {
		name  string
		cols  []string
		width int
		want  []string
	}{
		{"preferred subset", []string{"Computer", "TimeGenerated", "Missing"}, 120, []string{"Computer", "TimeGenerated"}},
		{"all columns when none preferred match", []string{"Nope"}, 200, []string{"TimeGenerated", "Computer", "CommandLine", "Extra"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := New(themes.Mono(), tt.cols...)
			m.SetSize(tt.width, 10)
			m.SetFrame(testFrame(t))
			cols := m.tbl.Columns()
			if len(cols) != len(tt.want) {
				t.Fatalf("columns = %v, want %v", cols, tt.want)
			}
			for i, c := range cols {
				if c.Title != tt.want[i] {
					t.Errorf("column %d = %q, want %q", i, c.Title, tt.want[i])
				}
			}
		})
	}
}

func TestFitsNarrowWidthKeepingTimesWhole(t *testing.T) {
	m := New(themes.Mono())
	m.SetFrame(testFrame(t))
	m.SetSize(80, 10)
	total := 0
	for _, c := range m.tbl.Columns() {
		total += c.Width + 2
		if c.Title == "TimeGenerated" && c.Width < len("2019-01-15T05:24:24.010Z") {
			t.Errorf("time column narrowed to %d", c.Width)
		}
	}
	if total > 80 {
		t.Errorf("table is %d cells wide, want at most 80", total)
	}
	for _, line := range strings.Split(m.View(), "\n") {
		if w := runewidth.StringWidth(line); w > 80 {
			t.Errorf("line %d cells wide: %q", w, line)
		}
		if strings.ContainsAny(line, "\x1b\u202e") {
			t.Errorf("raw control character on screen: %q", line)
		}
	}
}

func TestKeysMoveCursor(t *testing.T) {
	m := New(themes.Mono())
	m.SetSize(100, 10)
	m.SetFrame(testFrame(t))
	m, _ = m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{'j'}})
	if m.Cursor() != 1 {
		t.Errorf("cursor after j = %d", m.Cursor())
	}
	m, _ = m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{'g'}})
	if m.Cursor() != 0 {
		t.Errorf("cursor after g = %d", m.Cursor())
	}
	if len(m.Keys.ShortHelp()) == 0 || len(m.Keys.FullHelp()[0]) != 6 {
		t.Error("help lists no keys")
	}
}

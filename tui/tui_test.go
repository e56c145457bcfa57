package tui

import (
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/quarry-sec/quarry/engine/frame"
	"github.com/quarry-sec/quarry/themes"
)

var update = flag.Bool("update", false, "rewrite the golden files")

type fakeBackend struct {
	frame *frame.Frame
	err   error
	calls int
}

func (f *fakeBackend) RunQuery(ctx context.Context, name string, _ map[string]any) (*frame.Frame, error) {
	f.calls++
	if name != StartQuery {
		return nil, errors.New("unexpected query " + name)
	}
	return f.frame, f.err
}

func alerts(t *testing.T) *frame.Frame {
	t.Helper()
	b := frame.NewBuilder([]string{"TimeGenerated", "AlertSeverity", "DisplayName", "CompromisedEntity", "ProviderName"},
		[]frame.Kind{frame.Time, frame.String, frame.String, frame.String, frame.String})
	base := time.Date(2019, 1, 10, 5, 48, 9, 0, time.UTC)
	for i, name := range []string{"Global domain trust creation", "Maliciuos IP communication", "evil\x1b[2J\x1b]0;owned\x07name"} {
		b.Append([]any{base.Add(time.Duration(i) * time.Hour), []string{"High", "Medium", "Low"}[i], name, "MSTICAlertsWin1", "CustomAlertRule"})
	}
	f, err := b.Frame(frame.Meta{Elapsed: 4 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// drive feeds messages to the model, running each returned command once (not ticks).
func drive(m tea.Model, msgs ...tea.Msg) tea.Model {
	for _, msg := range msgs {
		var cmd tea.Cmd
		m, cmd = m.Update(msg)
		for _, r := range runCmd(cmd) {
			m, _ = m.Update(r)
		}
	}
	return m
}

func runCmd(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	switch msg := cmd().(type) {
	case tea.BatchMsg:
		var out []tea.Msg
		for _, c := range msg {
			if c == nil {
				continue
			}
			if r := c(); r != nil {
				if _, tick := r.(interface{ Tick() }); !tick {
					out = append(out, r)
				}
			}
		}
		return out
	case nil:
		return nil
	default:
		return []tea.Msg{msg}
	}
}

func TestShellLoadsAndNavigates(t *testing.T) {
	lipgloss.SetColorProfile(termenv.Ascii)
	b := &fakeBackend{frame: alerts(t)}
	m := drive(New(context.Background(), b, themes.Mono()), tea.WindowSizeMsg{Width: 80, Height: 24})
	if b.calls != 1 {
		t.Fatalf("backend called %d times, want 1", b.calls)
	}
	sh := m.(Model)
	if sh.loading || sh.frame == nil || sh.frame.Len() != 3 {
		t.Fatalf("not loaded: %+v", sh)
	}
	m = drive(m, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{'j'}}, tea.KeyMsg{Type: tea.KeyDown})
	if c := m.(Model).pane.Cursor(); c != 2 {
		t.Errorf("cursor = %d after j, down; want 2", c)
	}
	view := m.View()
	if strings.Contains(view, "\x1b") || strings.Contains(view, "\x07") {
		t.Errorf("hostile alert name reached the screen raw:\n%q", view)
	}
	if !strings.Contains(view, `evil\x1`) || !strings.Contains(view, "3 rows") || !strings.Contains(view, "row 3") {
		t.Errorf("view missing escaped name or status:\n%s", view)
	}
	if got := strings.Count(view, "\n") + 1; got != 24 {
		t.Errorf("view is %d lines, want 24", got)
	}
	golden(t, "shell_80x24.golden", view)

	m = drive(m, tea.WindowSizeMsg{Width: 120, Height: 40})
	golden(t, "shell_120x40.golden", m.View())
}

func TestShellSmallErrorAndStale(t *testing.T) {
	lipgloss.SetColorProfile(termenv.Ascii)
	b := &fakeBackend{err: errors.New("workspace gone\x1b[31m")}
	m := drive(New(context.Background(), b, themes.Mono()), tea.WindowSizeMsg{Width: 60, Height: 20})
	if v := m.View(); !strings.Contains(v, "too small: have 60×20, need 80×24") {
		t.Errorf("small terminal view = %q", v)
	}
	m = drive(m, tea.WindowSizeMsg{Width: 80, Height: 24})
	v := m.View()
	if !strings.Contains(v, `Error: workspace gone\x1b[31m`) || !strings.Contains(v, "press r to retry") {
		t.Errorf("error view:\n%s", v)
	}
	// A result for an older request is dropped.
	sh := m.(Model)
	sh.seq = 5
	m2, _ := sh.Update(queryDone{seq: 4, frame: alerts(t)})
	if m2.(Model).frame != nil {
		t.Error("stale result was shown")
	}
	// q quits.
	_, cmd := m2.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{'q'}})
	if cmd == nil || cmd() != tea.Quit() {
		t.Error("q did not quit")
	}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		os.MkdirAll("testdata", 0o755)
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./tui -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

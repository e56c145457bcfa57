package timerange

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/muesli/termenv"

	"github.com/quarry-sec/quarry/themes"
	"github.com/quarry-sec/quarry/views/pane"
	"github.com/quarry-sec/quarry/views/pane/panetest"
)

func TestMain(m *testing.M) {
	lipgloss.SetColorProfile(termenv.Ascii)
	os.Exit(m.Run())
}

func testContext(zone *time.Location) *pane.Context {
	ctx := pane.NewContext(themes.Dark())
	ctx.Now = func() time.Time { return now }
	if zone != nil {
		ctx.Zone = zone
	}
	return ctx
}

func newModel(zone *time.Location) *Model {
	m := New(testContext(zone))
	m.SetSize(60, 20)
	return m
}

// changed runs a command and returns the range it announces (ok false when the
// command is nil or is not a RangeChanged).
func changed(cmd tea.Cmd) (pane.Range, bool) {
	if cmd == nil {
		return pane.Range{}, false
	}
	rc, ok := cmd().(pane.RangeChanged)
	return rc.Range, ok
}

func TestInitialRange(t *testing.T) {
	m := newModel(nil)
	want := pane.Range{Start: now.Add(-24 * time.Hour), End: now, Label: "24h"}
	if m.Range() != want {
		t.Fatalf("initial range %v, want %v", m.Range(), want)
	}
	if !strings.Contains(m.View(), "relative to now") {
		t.Errorf("anchor not shown:\n%s", m.View())
	}
	// The first span replaces the default and is announced.
	r, ok := changed(m.Update(pane.Span{Start: demoSpan.Start, End: demoSpan.End}))
	if !ok || r != demoSpan || m.Range() != demoSpan {
		t.Fatalf("after the span: announced %v (%v), range %v; want %v", r, ok, m.Range(), demoSpan)
	}
	if !strings.Contains(m.View(), "relative to the end of the data, 2022-05-13 08:54:11 UTC") {
		t.Errorf("data anchor not shown:\n%s", m.View())
	}
	// Until the user chooses, a new span is followed too.
	later := pane.Span{Start: demoSpan.Start, End: demoSpan.End.Add(time.Hour)}
	if r, ok := changed(m.Update(later)); !ok || !r.End.Equal(later.End) {
		t.Errorf("a new span before any choice: %v %v", r, ok)
	}
}

func TestSpanAfterChoiceKeepsChoice(t *testing.T) {
	m := newModel(nil)
	r, ok := changed(pane.Press(m, "k", "enter")) // 4h
	if !ok || r.Label != "4h" || r.Width() != 4*time.Hour {
		t.Fatalf("chose %v", r)
	}
	if cmd := m.Update(pane.Span{Start: demoSpan.Start, End: demoSpan.End}); cmd != nil {
		t.Errorf("span replaced a chosen range: %v", cmd())
	}
	if m.Range() != r {
		t.Errorf("range %v, want %v", m.Range(), r)
	}
}

func TestBroadcastOfSameRangeIsNotAChoice(t *testing.T) {
	m := newModel(nil)
	m.Update(pane.RangeChanged{Range: m.Range()})
	if _, ok := changed(m.Update(pane.Span{Start: demoSpan.Start, End: demoSpan.End})); !ok {
		t.Error("echo of the default range blocked the span")
	}
	other := pane.Range{Start: now.Add(-time.Hour), End: now}
	if cmd := m.Update(pane.RangeChanged{Range: other}); cmd != nil {
		t.Error("a broadcast was echoed back")
	}
	if m.Range() != other {
		t.Errorf("broadcast not followed: %v", m.Range())
	}
}

func TestPresetKeys(t *testing.T) {
	tests := []struct {
		name  string
		span  bool
		keys  []string
		label string
		start time.Time
		end   time.Time
	}{
		{"enter on the initial cursor", false, []string{"enter"}, "24h", now.Add(-24 * time.Hour), now},
		{"up twice", false, []string{"k", "up", "enter"}, "1h", now.Add(-time.Hour), now},
		{"up past the top", false, []string{"k", "k", "k", "k", "k", "k", "enter"}, "15m", now.Add(-15 * time.Minute), now},
		{"down to 30d", false, []string{"j", "down", "j", "enter"}, "30d", now.Add(-30 * 24 * time.Hour), now},
		{"relative to the data's end", true, []string{"k", "k", "k", "enter"}, "24h", demoSpan.End.Add(-24 * time.Hour), demoSpan.End},
		{"span", true, []string{"k", "j", "enter"}, "span", demoSpan.Start, demoSpan.End},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newModel(nil)
			if tt.span {
				m.Update(pane.Span{Start: demoSpan.Start, End: demoSpan.End})
			}
			r, ok := changed(pane.Press(m, tt.keys...))
			want := pane.Range{Start: tt.start, End: tt.end, Label: tt.label}
			if !ok || r != want || m.Range() != want {
				t.Errorf("applied %v (%v), range %v; want %v", r, ok, m.Range(), want)
			}
			if m.Capturing() {
				t.Error("capturing on the list")
			}
		})
	}
}

func TestAbsoluteRange(t *testing.T) {
	x := time.FixedZone("X", 2*3600)
	tests := []struct {
		name       string
		start, end string
		want       pane.Range
		startErr   error
		endErr     error
	}{
		{"wall clock in the display zone", "2022-05-13 10:00:00", "2022-05-13 12:00:00",
			pane.Range{Start: time.Date(2022, 5, 13, 8, 0, 0, 0, time.UTC), End: time.Date(2022, 5, 13, 10, 0, 0, 0, time.UTC)}, nil, nil},
		{"zoned and relative", "2022-05-13T10:00:00Z", "now",
			pane.Range{Start: time.Date(2022, 5, 13, 10, 0, 0, 0, time.UTC), End: now}, nil, nil},
		{"offsets", "-3d@d", "-1d",
			pane.Range{Start: time.Date(2024, 5, 10, 0, 0, 0, 0, time.UTC), End: now.Add(-24 * time.Hour)}, nil, nil},
		{"start after end", "2022-05-13 12:00:00", "2022-05-13 10:00:00", pane.Range{}, nil, ErrEmptyRange},
		{"start equal to end", "2022-05-13 12:00", "2022-05-13 12:00:00", pane.Range{}, nil, ErrEmptyRange},
		{"bad start", "last tuesday", "now", pane.Range{}, ErrBadTime, nil},
		{"bad both", "x", "", pane.Range{}, ErrBadTime, ErrBadTime},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := New(testContext(x))
			m.SetSize(60, 20)
			before := m.Range()
			pane.Press(m, "a")
			if !m.Capturing() {
				t.Fatal("a did not focus Start")
			}
			pane.Press(m, "ctrl+u")
			pane.Type(m, tt.start)
			pane.Press(m, "tab")
			pane.Press(m, "ctrl+u")
			pane.Type(m, tt.end)
			r, ok := changed(pane.Press(m, "enter"))
			if tt.startErr != nil || tt.endErr != nil {
				if ok {
					t.Fatalf("applied %v despite errors", r)
				}
				if !errors.Is(m.startErr, tt.startErr) || !errors.Is(m.endErr, tt.endErr) {
					t.Errorf("errors start=%v end=%v, want %v %v", m.startErr, m.endErr, tt.startErr, tt.endErr)
				}
				if m.Range() != before || !m.Capturing() {
					t.Errorf("range changed to %v or field left", m.Range())
				}
				if !strings.Contains(m.View(), "✗ ") {
					t.Errorf("error not shown:\n%s", m.View())
				}
				return
			}
			if !ok || r != tt.want || m.Range() != tt.want {
				t.Errorf("applied %v (%v), want %v", r, ok, tt.want)
			}
			if m.Capturing() {
				t.Error("still capturing after applying")
			}
			if !strings.Contains(m.View(), "Time range · custom") {
				t.Errorf("custom range not shown:\n%s", m.View())
			}
		})
	}
}

func TestFieldsShowTheDisplayZone(t *testing.T) {
	m := New(testContext(time.FixedZone("X", 2*3600)))
	m.SetSize(60, 20)
	if got, want := m.start.Value(), "2024-05-12 11:00:00"; got != want {
		t.Errorf("Start field %q, want %q (UTC 09:00 in X)", got, want)
	}
	if !strings.Contains(m.View(), "2024-05-12 11:00:00 X → 2024-05-13 11:00:00 X") {
		t.Errorf("times not in the display zone:\n%s", m.View())
	}
}

func TestUntouchedFieldKeepsExactInstant(t *testing.T) {
	m := newModel(nil)
	m.Update(pane.Span{Start: demoSpan.Start, End: demoSpan.End})
	pane.Press(m, "a", "ctrl+u")
	pane.Type(m, "2022-05-13")
	r, ok := changed(pane.Press(m, "enter"))
	if !ok || !r.End.Equal(demoSpan.End) {
		t.Errorf("end %v, want the span's exact end %v", r.End, demoSpan.End)
	}
}

func TestFieldNavigation(t *testing.T) {
	m := newModel(nil)
	steps := []struct {
		key  string
		want focus
	}{
		{"tab", onStart}, {"tab", onEnd}, {"tab", onList},
		{"shift+tab", onEnd}, {"shift+tab", onStart}, {"shift+tab", onList},
		{"a", onStart}, {"esc", onList},
	}
	for i, s := range steps {
		pane.Press(m, s.key)
		if m.focus != s.want {
			t.Fatalf("step %d (%s): focus %d, want %d", i, s.key, m.focus, s.want)
		}
		if m.Capturing() != (s.want != onList) {
			t.Fatalf("step %d: Capturing %v", i, m.Capturing())
		}
	}
	if m.Back() {
		t.Error("Back reported work")
	}
}

func TestEscDropsEdits(t *testing.T) {
	m := newModel(nil)
	pane.Press(m, "a", "ctrl+u")
	pane.Type(m, "garbage")
	pane.Press(m, "tab")
	if m.startErr == nil {
		t.Fatal("leaving a bad field did not validate it")
	}
	pane.Press(m, "esc")
	if m.start.Value() != m.startText || m.startErr != nil {
		t.Errorf("esc kept %q / %v", m.start.Value(), m.startErr)
	}
}

func TestStep(t *testing.T) {
	base := pane.Range{Start: time.Date(2022, 5, 12, 8, 0, 0, 0, time.UTC), End: time.Date(2022, 5, 13, 8, 0, 0, 0, time.UTC), Label: "24h"}
	tests := []struct {
		name string
		dir  int
		keys []string
		want pane.Range
		noop bool
	}{
		{"back", -1, nil, pane.Range{Start: base.Start.Add(-24 * time.Hour), End: base.Start}, false},
		{"forward", 1, nil, pane.Range{Start: base.End, End: base.End.Add(24 * time.Hour)}, false},
		{"two back", -2, nil, pane.Range{Start: base.Start.Add(-48 * time.Hour), End: base.End.Add(-48 * time.Hour)}, false},
		{"zero", 0, nil, base, true},
		{"[ key", 0, []string{"["}, pane.Range{Start: base.Start.Add(-24 * time.Hour), End: base.Start}, false},
		{"] ] [ keys", 0, []string{"]", "]", "["}, pane.Range{Start: base.End, End: base.End.Add(24 * time.Hour)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newModel(nil)
			m.SetRange(base)
			var cmd tea.Cmd
			if tt.keys != nil {
				cmd = pane.Press(m, tt.keys...)
			} else {
				cmd = m.Step(tt.dir)
			}
			if tt.noop {
				if cmd != nil {
					t.Errorf("Step(0) returned %v", cmd())
				}
				return
			}
			r, ok := changed(cmd)
			if !ok || r != tt.want || m.Range() != tt.want {
				t.Errorf("stepped to %v (%v), want %v", r, ok, tt.want)
			}
			if r.Width() != base.Width() {
				t.Errorf("width %v, want %v", r.Width(), base.Width())
			}
		})
	}
	m := newModel(nil)
	m.SetRange(pane.Range{})
	if m.Step(-1) != nil {
		t.Error("stepped an empty range")
	}
}

func TestStepKeysTypeInFields(t *testing.T) {
	m := newModel(nil)
	before := m.Range()
	pane.Press(m, "a", "[")
	if m.Range() != before || !strings.HasSuffix(m.start.Value(), "[") {
		t.Errorf("[ in a field stepped the range (%v) or was not typed (%q)", m.Range(), m.start.Value())
	}
}

func TestHostileText(t *testing.T) {
	m := New(testContext(time.FixedZone("Evil\x1b]0;owned\x07", 3600)))
	m.SetSize(80, 20)
	pane.Press(m, "a")
	m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("\x1b[2J\u202e")})
	pane.Press(m, "tab")
	v := m.View()
	if at := panetest.ControlBytes(v); len(at) > 0 {
		t.Errorf("control bytes at %v:\n%q", at, v)
	}
	if !strings.Contains(v, `\u202e`) || !strings.Contains(v, `Evil\x1b]0;owned\x07`) {
		t.Errorf("hostile text not shown escaped:\n%s", v)
	}
}

func TestViewSize(t *testing.T) {
	sizes := [][2]int{{0, 0}, {1, 1}, {20, 5}, {40, 2}, {60, 20}, {80, 24}, {120, 40}, {200, 60}}
	setups := map[string]func(m *Model){
		"list": func(m *Model) {},
		"span": func(m *Model) { m.Update(pane.Span{Start: demoSpan.Start, End: demoSpan.End}) },
		"error": func(m *Model) {
			pane.Press(m, "a", "ctrl+u")
			pane.Type(m, strings.Repeat("bad ", 30))
			pane.Press(m, "enter")
		},
	}
	for name, setup := range setups {
		for _, sz := range sizes {
			m := New(testContext(nil))
			setup(m)
			m.SetSize(sz[0], sz[1])
			v := m.View()
			if sz[1] == 0 {
				if v != "" {
					t.Errorf("%s %v: %q", name, sz, v)
				}
				continue
			}
			lines := strings.Split(v, "\n")
			if len(lines) != sz[1] {
				t.Errorf("%s %v: %d lines", name, sz, len(lines))
			}
			for i, l := range lines {
				if w := ansi.StringWidth(l); w != sz[0] {
					t.Errorf("%s %v: line %d is %d cells", name, sz, i, w)
				}
			}
		}
	}
}

func TestFitsTheDialog(t *testing.T) {
	m := newModel(nil)
	m.Update(pane.Span{Start: demoSpan.Start, End: demoSpan.End})
	for _, l := range strings.Split(m.View(), "\n") {
		if strings.Contains(l, "…") {
			t.Errorf("line cut at 60x20: %q", l)
		}
	}
	if last := strings.Split(m.View(), "\n")[19]; !strings.Contains(last, "enter apply") {
		t.Errorf("help not on the last line: %q", last)
	}
}

func TestKeyMap(t *testing.T) {
	k := DefaultKeyMap()
	seen := map[string]string{}
	for _, b := range pane.Bindings(&k) {
		if b.Binding.Help().Key == "" || b.Binding.Help().Desc == "" {
			t.Errorf("%s has no help", b.Name)
		}
		for _, key := range b.Binding.Keys() {
			if prev, dup := seen[key]; dup {
				t.Errorf("key %q bound to %s and %s", key, prev, b.Name)
			}
			seen[key] = b.Name
		}
	}
	if err := pane.Rebind(&k, map[string][]string{"earlier": {"h"}}); err != nil || !key.Matches(pane.Key("h"), k.Earlier) {
		t.Errorf("rebind: %v", err)
	}
	m := newModel(nil)
	if len(m.ShortHelp()) == 0 || len(m.FullHelp()) == 0 {
		t.Error("no help")
	}
	pane.Press(m, "a")
	if !reflect.DeepEqual(m.ShortHelp()[0].Keys(), []string{"tab"}) {
		t.Errorf("field help starts with %v", m.ShortHelp()[0].Keys())
	}
}

// TestGolden drives the dialog through teatest and compares the final view with
// testdata/TestGolden/*.golden (go test -update rewrites them).
func TestGolden(t *testing.T) {
	span := pane.Span{Start: demoSpan.Start, End: demoSpan.End}
	scenarios := []struct {
		name string
		msgs []tea.Msg
	}{
		{"presets", []tea.Msg{span, pane.Key("k"), pane.Key("k"), pane.Key("k")}},
		{"invalid", []tea.Msg{span, pane.Key("a"), pane.Key("ctrl+u"), pane.Key("2022-05-13 25:00"), pane.Key("tab"),
			pane.Key("ctrl+u"), pane.Key("2022-05-01"), pane.Key("enter")}},
	}
	for _, sc := range scenarios {
		for _, size := range [][2]int{{60, 20}, {80, 24}, {120, 40}} {
			t.Run(fmt.Sprintf("%s_%dx%d", sc.name, size[0], size[1]), func(t *testing.T) {
				v := panetest.FinalView(t, New(testContext(nil)), size[0], size[1], sc.msgs...)
				golden.RequireEqual(t, []byte(v))
			})
		}
	}
}

func TestAnchorTextWithMovingClock(t *testing.T) {
	ctx := testContext(nil)
	tick := now
	ctx.Now = func() time.Time { tick = tick.Add(time.Millisecond); return tick }
	m := New(ctx)
	m.SetSize(60, 20)
	if v := m.View(); !strings.Contains(v, "relative to now") {
		t.Errorf("a clock that moves between calls is taken for the data's end:\n%s", v)
	}
}

func TestSetRangeOfCurrentIsNotAChoice(t *testing.T) {
	m := newModel(nil)
	m.SetRange(m.Range())
	if _, ok := changed(m.Update(pane.Span{Start: demoSpan.Start, End: demoSpan.End})); !ok {
		t.Error("SetRange of the current range blocked the span")
	}
}

func TestBackLeavesField(t *testing.T) {
	m := newModel(nil)
	pane.Press(m, "a", "ctrl+u")
	pane.Type(m, "junk")
	if m.Back() {
		t.Error("Back reported true; the shell must close the dialog")
	}
	if m.Capturing() || m.start.Value() != m.startText {
		t.Errorf("after Back: capturing=%v start=%q", m.Capturing(), m.start.Value())
	}
}

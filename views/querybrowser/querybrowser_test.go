package querybrowser

import (
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"
	"github.com/sahilm/fuzzy"

	"github.com/quarry-sec/quarry/queries"
	"github.com/quarry-sec/quarry/themes"
	"github.com/quarry-sec/quarry/views/pane"
	"github.com/quarry-sec/quarry/views/pane/panetest"
)

func TestMain(m *testing.M) {
	lipgloss.SetColorProfile(termenv.Ascii)
	os.Exit(m.Run())
}

// now is the tests' fixed clock.
var now = time.Date(2022, 5, 13, 9, 0, 0, 0, time.UTC)

// demoRange is the range the golden tests show in the form.
var demoRange = pane.Range{
	Start: time.Date(2022, 5, 12, 8, 54, 11, 0, time.UTC),
	End:   time.Date(2022, 5, 13, 8, 54, 11, 0, time.UTC),
	Label: "24h",
}

func testContext() *pane.Context {
	ctx := pane.NewContext(themes.Dark())
	ctx.Now = func() time.Time { return now }
	return ctx
}

// library loads the embedded library.
func library(t testing.TB) *queries.Library {
	t.Helper()
	lib, err := queries.LoadFS(queries.Embedded(), "library")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(lib.Queries()); n != 52 {
		t.Fatalf("embedded library has %d queries, want 52", n)
	}
	return lib
}

// testdataLib loads a library from testdata/<dir>.
func testdataLib(t testing.TB, dir string) *queries.Library {
	t.Helper()
	lib, err := queries.LoadFS(os.DirFS("testdata"), dir)
	if err != nil {
		t.Fatal(err)
	}
	return lib
}

func newModel(t testing.TB, lib *queries.Library, w, h int) *Model {
	t.Helper()
	m := New(testContext(), lib)
	m.SetSize(w, h)
	return m
}

// intent runs a command and returns its message (nil for a nil command).
func intent(cmd tea.Cmd) tea.Msg {
	if cmd == nil {
		return nil
	}
	return cmd()
}

func TestUnfilteredGrouping(t *testing.T) {
	m := newModel(t, library(t), 120, 40)
	var fams []string
	headers := 0
	for _, r := range m.rows {
		if r.query < 0 {
			headers++
			fams = append(fams, r.family)
			continue
		}
		if got := m.all[r.query].Family; got != fams[len(fams)-1] {
			t.Errorf("query %s listed under %s", m.all[r.query].Name, fams[len(fams)-1])
		}
	}
	want := []string{"Azure", "Heartbeat", "LinuxAudit", "LinuxSyslog", "MDE", "Network", "Office365", "SecurityAlert", "Sysmon", "WindowsSecurity"}
	if !reflect.DeepEqual(fams, want) {
		t.Errorf("families = %v, want %v", fams, want)
	}
	if len(m.order) != 52 || headers != 10 {
		t.Errorf("shown %d queries under %d headers, want 52 under 10", len(m.order), headers)
	}
	if got := m.Selected().Name; got != "Azure.list_aad_signins_for_account" {
		t.Errorf("first selection = %s", got)
	}
	if !strings.Contains(m.View(), "52 queries") {
		t.Error("view does not count the queries")
	}
}

func TestNavigation(t *testing.T) {
	tests := []struct {
		name string
		keys []string
		want string
	}{
		{"down once", []string{"j"}, "Azure.list_aad_signins_for_ip"},
		{"arrow down", []string{"down"}, "Azure.list_aad_signins_for_ip"},
		{"down skips the family header", []string{"j", "j", "j"}, "Heartbeat.get_info_by_hostname"},
		{"up across a header", []string{"j", "j", "j", "k"}, "Azure.list_all_signins_geo"},
		{"up at the top stays", []string{"k", "up"}, "Azure.list_aad_signins_for_account"},
		{"bottom", []string{"G"}, "WindowsSecurity.summarize_events"},
		{"down at the bottom stays", []string{"G", "j"}, "WindowsSecurity.summarize_events"},
		{"top", []string{"G", "g"}, "Azure.list_aad_signins_for_account"},
		{"page down", []string{"pgdown"}, "LinuxSyslog.list_host_logon_failures"},
		{"page down then up", []string{"pgdown", "pgup"}, "Azure.list_aad_signins_for_account"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newModel(t, library(t), 80, 24)
			pane.Press(m, tt.keys...)
			if got := m.Selected().Name; got != tt.want {
				t.Errorf("selected %s, want %s", got, tt.want)
			}
			if !strings.Contains(m.View(), "▶ "+m.Selected().Short) {
				t.Errorf("selection not marked with ▶ in view:\n%s", m.View())
			}
		})
	}
}

func TestSelectionStaysVisible(t *testing.T) {
	m := newModel(t, library(t), 80, 24)
	for i := 0; i < 51; i++ {
		pane.Press(m, "j")
		if !strings.Contains(m.View(), "▶ "+m.Selected().Short) {
			t.Fatalf("after %d downs the selection %s is scrolled out", i+1, m.Selected().Name)
		}
	}
}

func TestFilter(t *testing.T) {
	tests := []struct {
		pattern   string
		first     string
		families  []string // leading families, in order
		wantCount int
	}{
		{"list_alerts_for_h", "SecurityAlert.list_alerts_for_host", []string{"SecurityAlert"}, -1},
		{"sysmon", "Sysmon.list_process_creations", []string{"Sysmon"}, -1},
		{"hostlogon", "WindowsSecurity.list_host_logons", []string{"WindowsSecurity", "LinuxSyslog"}, -1},
		{"zzqqxx", "", nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			lib := library(t)
			m := newModel(t, lib, 120, 40)
			pane.Press(m, "/")
			if !m.Capturing() {
				t.Fatal("filter input does not capture")
			}
			pane.Type(m, tt.pattern)

			// Every shown query matches, each family shows once, families are
			// ordered by their best score and queries inside by score.
			ms := fuzzy.Find(tt.pattern, m.texts)
			score := map[int]int{}
			for _, x := range ms {
				score[x.Index] = x.Score
			}
			if len(m.order) != len(ms) {
				t.Errorf("shown %d, fuzzy matches %d", len(m.order), len(ms))
			}
			seen := map[string]bool{}
			prevBest := int(^uint(0) >> 1)
			var fams []string
			for _, g := range m.groups {
				if seen[g.family] {
					t.Errorf("family %s shown twice", g.family)
				}
				seen[g.family] = true
				fams = append(fams, g.family)
				best := score[g.queries[0]]
				if best > prevBest {
					t.Errorf("family %s (best %d) after a family with best %d", g.family, best, prevBest)
				}
				prevBest = best
				for i, qi := range g.queries {
					if _, ok := score[qi]; !ok {
						t.Errorf("%s shown but does not match", m.all[qi].Name)
					}
					if m.all[qi].Family != g.family {
						t.Errorf("%s grouped under %s", m.all[qi].Name, g.family)
					}
					if i > 0 && score[qi] > score[g.queries[i-1]] {
						t.Errorf("%s out of score order", m.all[qi].Name)
					}
				}
			}
			if len(fams) < len(tt.families) || !reflect.DeepEqual(fams[:len(tt.families)], tt.families) {
				t.Errorf("families %v, want them to start with %v", fams, tt.families)
			}
			view := m.View()
			if tt.first == "" {
				if m.Selected() != nil {
					t.Errorf("selected %s with nothing matching", m.Selected().Name)
				}
				if !strings.Contains(view, "No query matches") {
					t.Error("no-match message missing")
				}
			} else if got := m.Selected().Name; got != tt.first {
				t.Errorf("best match selected %s, want %s", got, tt.first)
			}
			if want := "of 52 queries"; !strings.Contains(view, want) {
				t.Errorf("view lacks %q", want)
			}

			pane.Press(m, "enter")
			if m.Capturing() || m.pattern != tt.pattern {
				t.Errorf("enter: capturing=%v pattern=%q, want the filter kept", m.Capturing(), m.pattern)
			}
			if !m.Back() || m.pattern != "" || len(m.order) != 52 {
				t.Errorf("Back did not clear the filter (pattern %q, %d shown)", m.pattern, len(m.order))
			}
		})
	}
}

func TestFilterEscClears(t *testing.T) {
	m := newModel(t, library(t), 80, 24)
	pane.Press(m, "/")
	pane.Type(m, "alert")
	if len(m.order) == 52 {
		t.Fatal("typing did not filter")
	}
	pane.Press(m, "esc")
	if m.Capturing() || m.pattern != "" || len(m.order) != 52 {
		t.Errorf("esc: capturing=%v pattern=%q shown=%d", m.Capturing(), m.pattern, len(m.order))
	}
	if m.Back() {
		t.Error("Back reported work with nothing to close")
	}
}

func TestFilterArrowsMoveWhileTyping(t *testing.T) {
	m := newModel(t, library(t), 80, 24)
	pane.Press(m, "/")
	pane.Type(m, "logon")
	first := m.Selected().Name
	pane.Press(m, "down")
	if m.Selected().Name == first {
		t.Error("down did not move the selection while filtering")
	}
	pane.Press(m, "j")
	if m.pattern != "logonj" {
		t.Errorf("j while filtering: pattern %q, want it typed", m.pattern)
	}
}

func TestHighlight(t *testing.T) {
	m := newModel(t, library(t), 120, 40)
	pane.Press(m, "/")
	pane.Type(m, "cron")
	qi := m.order[m.sel]
	hits := m.matched[qi]
	if len(hits) != 4 {
		t.Fatalf("matched %v", hits)
	}
	// With colour, the matched letters are drawn in the accent colour.
	lipgloss.SetColorProfile(termenv.ANSI256)
	defer lipgloss.SetColorProfile(termenv.Ascii)
	m.ctx.Theme = themes.Dark()
	row := m.queryRow(m.order[1], false, 100)
	want := m.ctx.Theme.Accent.Render("c")
	if !strings.Contains(row, want) {
		t.Errorf("row %q lacks the accented match %q", row, want)
	}
}

func TestSelect(t *testing.T) {
	tests := []struct {
		name, want string
		ok         bool
	}{
		{"WindowsSecurity.list_host_logons", "WindowsSecurity.list_host_logons", true},
		{"windowssecurity.LIST_HOST_LOGONS", "WindowsSecurity.list_host_logons", true},
		{"get_alert", "SecurityAlert.get_alert", true},
		{"summarize_events", "Azure.list_aad_signins_for_account", false},
		{"Nope.nothing", "Azure.list_aad_signins_for_account", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newModel(t, library(t), 80, 24)
			if got := m.Select(tt.name); got != tt.ok {
				t.Errorf("Select = %v, want %v", got, tt.ok)
			}
			if got := m.Selected().Name; got != tt.want {
				t.Errorf("selected %s, want %s", got, tt.want)
			}
		})
	}
}

func TestSelectClearsHidingFilter(t *testing.T) {
	m := newModel(t, library(t), 80, 24)
	pane.Press(m, "/")
	pane.Type(m, "sysmon")
	pane.Press(m, "enter")
	if !m.Select("Azure.list_all_signins_geo") {
		t.Fatal("Select failed")
	}
	if m.pattern != "" || m.Selected().Name != "Azure.list_all_signins_geo" {
		t.Errorf("pattern %q, selected %s", m.pattern, m.Selected().Name)
	}
}

func TestDetail(t *testing.T) {
	m := newModel(t, library(t), 120, 40)
	m.Select("WindowsSecurity.list_host_logons")
	lines := m.detailLines(60)
	text := ansi.Strip(strings.Join(lines, "\n"))
	for _, want := range []string{
		"WindowsSecurity.list_host_logons",
		"Successful logons (event 4624) on one host",
		"Dialects  kql, spl, sql",
		"host_name        str · required",
		"start            datetime · from the time range picker",
		"table            str · default SecurityEvent",
		"── spl ──",
		"── sql ──",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("detail lacks %q:\n%s", want, text)
		}
	}
	for _, l := range lines {
		if w := ansi.StringWidth(l); w > 60 {
			t.Errorf("detail line %d cells wide: %q", w, l)
		}
	}
	before := m.viewDetail(60, 10)
	pane.Press(m, "J", "J")
	if m.detailOff != 2 {
		t.Errorf("J J: offset %d, want 2", m.detailOff)
	}
	pane.Press(m, "K")
	if m.detailOff != 1 {
		t.Errorf("K: offset %d, want 1", m.detailOff)
	}
	pane.Press(m, "K", "K", "K")
	if m.detailOff != 0 || m.viewDetail(60, 10) != before {
		t.Errorf("K past the top: offset %d", m.detailOff)
	}
	for range 500 {
		pane.Press(m, "J")
	}
	l := m.layout()
	if max := len(m.detailLines(l.detailW)) - (l.detailH - 1); m.detailOff != max {
		t.Errorf("J past the end: offset %d, want %d", m.detailOff, max)
	}
	pane.Press(m, "j")
	if m.detailOff != 0 {
		t.Error("moving the selection did not reset the detail's scroll")
	}
}

func TestLayoutStacksWhenNarrow(t *testing.T) {
	tests := []struct {
		w       int
		stacked bool
	}{{99, true}, {100, false}, {80, true}, {200, false}}
	for _, tt := range tests {
		m := newModel(t, library(t), tt.w, 30)
		if l := m.layout(); l.stacked != tt.stacked {
			t.Errorf("width %d: stacked=%v, want %v", tt.w, l.stacked, tt.stacked)
		}
		view := m.View()
		lines := strings.Split(view, "\n")
		if tt.stacked && !strings.Contains(lines[0], "52 queries") {
			t.Errorf("width %d: list not on top", tt.w)
		}
		if !tt.stacked && !strings.Contains(lines[0], "Azure.list_aad_signins_for_account") {
			t.Errorf("width %d: detail not beside the list: %q", tt.w, lines[0])
		}
	}
}

func TestFormDefaults(t *testing.T) {
	tests := []struct {
		query string
		want  []struct{ name, text string }
	}{
		{"WindowsSecurity.list_events_by_id", []struct{ name, text string }{
			{"event_list", ""}, {"add_query_items", ""}, {"table", "SecurityEvent"},
		}},
		{"Test.typed", []struct{ name, text string }{
			{"count", ""}, {"host", ""}, {"flag", "true"}, {"ids", "4624, 4625"},
			{"ratio", "0.5"}, {"since", "-2d"}, {"table", "Events"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			lib := library(t)
			if strings.HasPrefix(tt.query, "Test.") {
				lib = testdataLib(t, "lib")
			}
			m := newModel(t, lib, 80, 24)
			if !m.Select(tt.query) {
				t.Fatal("Select failed")
			}
			if cmd := pane.Press(m, "enter"); intent(cmd) != nil {
				t.Fatalf("enter ran the query: %#v", intent(cmd))
			}
			if m.form == nil || !m.Capturing() {
				t.Fatal("enter did not open the form")
			}
			if len(m.form.fields) != len(tt.want) {
				t.Fatalf("%d fields, want %d", len(m.form.fields), len(tt.want))
			}
			for i, w := range tt.want {
				f := m.form.fields[i]
				if f.param.Name != w.name || f.input.Value() != w.text {
					t.Errorf("field %d = %s %q, want %s %q", i, f.param.Name, f.input.Value(), w.name, w.text)
				}
			}
			view := ansi.Strip(m.View())
			if !strings.Contains(view, "Time range:") || strings.Contains(view, "> start") {
				t.Errorf("start/end should come from the picker:\n%s", view)
			}
			if !strings.Contains(view, "▶ "+tt.want[0].name+"*") {
				t.Errorf("first field not focused and marked required:\n%s", view)
			}
		})
	}
}

func TestFormValidation(t *testing.T) {
	tests := []struct {
		field, text string
		want        string // substring of the error; "" for valid
		is          error
	}{
		{"count", "abc", `want an integer, got "abc"`, nil},
		{"count", "12", "", nil},
		{"count", "", "required", ErrRequired},
		{"since", "yesterday", `cannot read "yesterday" as a time`, nil},
		{"since", "2022-05-01", "", nil},
		{"since", "-3d@d", "", nil},
		{"ids", "1, x", "list item 1", nil},
		{"ids", "", "", nil},
		{"ratio", "half", "want a number", nil},
		{"flag", "maybe", "want true or false", nil},
		{"table", "bad name;", "not an identifier", nil},
	}
	for _, tt := range tests {
		t.Run(tt.field+"="+tt.text, func(t *testing.T) {
			m := newModel(t, testdataLib(t, "lib"), 120, 40)
			m.Select("Test.typed")
			pane.Press(m, "enter")
			for m.form.fields[m.form.focus].param.Name != tt.field {
				pane.Press(m, "tab")
			}
			pane.Press(m, "ctrl+u")
			pane.Type(m, tt.text)
			pane.Press(m, "tab")
			var fl field
			for _, f := range m.form.fields {
				if f.param.Name == tt.field {
					fl = f
				}
			}
			switch {
			case tt.want == "" && fl.err != nil:
				t.Errorf("unexpected error %v", fl.err)
			case tt.want != "" && (fl.err == nil || !strings.Contains(fl.err.Error(), tt.want)):
				t.Errorf("error %v, want one containing %q", fl.err, tt.want)
			case tt.is != nil && !errors.Is(fl.err, tt.is):
				t.Errorf("error %v is not %v", fl.err, tt.is)
			}
			if tt.want != "" && !strings.Contains(m.View(), "✗ ") {
				t.Errorf("error not shown:\n%s", m.View())
			}
		})
	}
}

func TestSubmitBlockedByErrors(t *testing.T) {
	m := newModel(t, testdataLib(t, "lib"), 120, 40)
	m.Select("Test.typed")
	pane.Press(m, "enter")
	pane.Type(m, "abc") // count
	pane.Press(m, "tab")
	pane.Type(m, "WIN1") // host
	if cmd := pane.Press(m, "ctrl+s"); cmd != nil {
		if _, ran := intent(cmd).(pane.RunQuery); ran {
			t.Fatal("submitted with a bad field")
		}
	}
	if m.form == nil {
		t.Fatal("form closed on a refused submit")
	}
	if got := m.form.fields[m.form.focus].param.Name; got != "count" {
		t.Errorf("focus on %s, want the bad field count", got)
	}
	if !strings.Contains(m.View(), "fix count to run") {
		t.Errorf("refusal not explained:\n%s", m.View())
	}
	// Fixing the text clears the error at once.
	pane.Press(m, "ctrl+u")
	pane.Type(m, "7")
	if m.form.fields[0].err != nil {
		t.Errorf("error kept after the fix: %v", m.form.fields[0].err)
	}
}

func TestSubmitIntent(t *testing.T) {
	tests := []struct {
		name  string
		query string
		keys  func(m *Model) tea.Cmd
		want  pane.RunQuery
	}{
		{
			name:  "ctrl+s with defaults left alone",
			query: "Test.typed",
			keys: func(m *Model) tea.Cmd {
				pane.Type(m, "5")
				pane.Press(m, "tab")
				pane.Type(m, "WIN1")
				return pane.Press(m, "ctrl+s")
			},
			want: pane.RunQuery{From: pane.Queries, To: pane.Results, Query: "Test.typed",
				Params: map[string]any{"count": "5", "host": "WIN1"}, Crumb: "Test.typed count=5 host=WIN1"},
		},
		{
			name:  "enter through every field, one default changed, one emptied",
			query: "Test.typed",
			keys: func(m *Model) tea.Cmd {
				pane.Type(m, "5")
				pane.Press(m, "enter")
				pane.Type(m, "web 01")
				pane.Press(m, "enter", "enter") // host → flag → ids
				pane.Press(m, "ctrl+u")
				pane.Type(m, "4688")
				pane.Press(m, "enter", "enter") // ids → ratio → since
				pane.Press(m, "ctrl+u")
				return pane.Press(m, "enter", "enter") // since → table → run
			},
			want: pane.RunQuery{From: pane.Queries, To: pane.Results, Query: "Test.typed",
				Params: map[string]any{"count": "5", "host": "web 01", "ids": "4688"},
				Crumb:  `Test.typed count=5 host="web 01" ids=4688`},
		},
		{
			name:  "real library query",
			query: "WindowsSecurity.list_events_by_id",
			keys: func(m *Model) tea.Cmd {
				pane.Type(m, "4624, 4625")
				return pane.Press(m, "ctrl+s")
			},
			want: pane.RunQuery{From: pane.Queries, To: pane.Results, Query: "WindowsSecurity.list_events_by_id",
				Params: map[string]any{"event_list": "4624, 4625"}, Crumb: `WindowsSecurity.list_events_by_id event_list="4624, 4625"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lib := library(t)
			if strings.HasPrefix(tt.query, "Test.") {
				lib = testdataLib(t, "lib")
			}
			m := newModel(t, lib, 80, 24)
			m.Select(tt.query)
			pane.Press(m, "enter")
			got := intent(tt.keys(m))
			if got == nil {
				t.Fatal("no intent")
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("intent\n got %#v\nwant %#v", got, tt.want)
			}
			if m.form != nil || m.Capturing() {
				t.Error("form still open after running")
			}
		})
	}
}

func TestRunsDirectlyWithoutOtherParams(t *testing.T) {
	tests := []struct{ query string }{{"Test.timeonly"}, {"Test.noparams"}}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			m := newModel(t, testdataLib(t, "lib"), 80, 24)
			m.Select(tt.query)
			got := intent(pane.Press(m, "enter"))
			want := pane.RunQuery{From: pane.Queries, To: pane.Results, Query: tt.query, Params: map[string]any{}, Crumb: tt.query}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("intent\n got %#v\nwant %#v", got, want)
			}
			if m.form != nil || m.Capturing() {
				t.Error("a form opened for a query with no parameters to ask")
			}
		})
	}
}

func TestFormCloses(t *testing.T) {
	tests := []struct {
		name  string
		close func(m *Model) bool
	}{
		{"esc key while capturing", func(m *Model) bool { return intent(pane.Press(m, "esc")) == nil }},
		{"Back", func(m *Model) bool { return m.Back() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newModel(t, library(t), 80, 24)
			m.Select("MDE.process_cmd_line")
			if cmd := m.OpenForm(); intent(cmd) != nil {
				t.Fatalf("OpenForm ran the query: %#v", intent(cmd))
			}
			pane.Type(m, "mimikatz")
			if !tt.close(m) {
				t.Error("closing reported nothing closed")
			}
			if m.form != nil || m.Capturing() {
				t.Error("form still open")
			}
			if m.Selected().Name != "MDE.process_cmd_line" {
				t.Errorf("selection moved to %s", m.Selected().Name)
			}
		})
	}
}

func TestFormTimeRangeLine(t *testing.T) {
	m := newModel(t, library(t), 100, 30)
	m.Select("WindowsSecurity.list_host_logons")
	pane.Press(m, "enter")
	if !strings.Contains(m.View(), "Time range: the picker's current range  (ctrl+t to change)") {
		t.Errorf("no range yet:\n%s", m.View())
	}
	m.Update(pane.RangeChanged{Range: demoRange})
	want := "Time range: 2022-05-12 08:54:11 UTC → 2022-05-13 08:54:11 UTC  (ctrl+t to change)"
	if !strings.Contains(m.View(), want) {
		t.Errorf("view lacks %q:\n%s", want, m.View())
	}
	m.ctx.Zone = time.FixedZone("CEST", 2*3600)
	want = "Time range: 2022-05-12 10:54:11 CEST → 2022-05-13 10:54:11 CEST"
	if !strings.Contains(m.View(), want) {
		t.Errorf("display zone ignored; view lacks %q", want)
	}
}

func TestFormScrollsToFocus(t *testing.T) {
	m := newModel(t, testdataLib(t, "lib"), 80, 12)
	m.Select("Test.typed")
	pane.Press(m, "enter")
	for i := 0; i < 6; i++ {
		pane.Press(m, "tab")
	}
	f := m.form
	if f.focus != 6 || !strings.Contains(m.View(), "▶ table") {
		t.Errorf("focused field %d not shown:\n%s", f.focus, m.View())
	}
	pane.Press(m, "tab")
	if f.focus != 0 || !strings.Contains(m.View(), "▶ count") {
		t.Errorf("tab from the last field did not wrap to the first:\n%s", m.View())
	}
	pane.Press(m, "shift+tab")
	if f.focus != 6 {
		t.Errorf("shift+tab from the first went to %d", f.focus)
	}
}

func TestHostileText(t *testing.T) {
	lib := testdataLib(t, "evil")
	if len(lib.Queries()) != 2 {
		t.Fatalf("evil library has %d queries", len(lib.Queries()))
	}
	m := newModel(t, lib, 120, 40)
	views := map[string]string{"list": m.View()}
	pane.Press(m, "/")
	m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("host\u202e")})
	views["filter"] = m.View()
	pane.Press(m, "enter")
	m.SetSize(80, 30)
	views["stacked"] = m.View()
	pane.Press(m, "J", "J", "J", "J", "J", "J")
	views["detail scrolled"] = m.View()
	m.Back()
	pane.Press(m, "enter")
	m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("x\x1b[2J\u202e")})
	views["form"] = m.View()
	if testing.Verbose() {
		for name, v := range views {
			t.Logf("%s:\n%s", name, v)
		}
	}
	for name, v := range views {
		if at := panetest.ControlBytes(v); len(at) > 0 {
			t.Errorf("%s view has control bytes at %v:\n%q", name, at, v)
		}
	}
	for _, want := range []string{`\x1b]0;owned\x07`, `\x1b[2J`} {
		if !strings.Contains(views["list"], want) && !strings.Contains(views["stacked"], want) {
			t.Errorf("escaped %q not shown", want)
		}
	}
	if !strings.Contains(views["list"], `Bad\x1b[2JFamily`) {
		t.Error("family name not escaped")
	}
	if !strings.Contains(views["form"], `\u202e`) {
		t.Errorf("typed bidi override not shown as an escape:\n%s", views["form"])
	}
}

// checkSize fails unless view is exactly h lines of exactly w cells.
func checkSize(t *testing.T, view string, w, h int) {
	t.Helper()
	if h == 0 {
		if view != "" {
			t.Errorf("%dx%d: view %q, want empty", w, h, view)
		}
		return
	}
	lines := strings.Split(view, "\n")
	if len(lines) != h {
		t.Errorf("%dx%d: %d lines", w, h, len(lines))
	}
	for i, l := range lines {
		if cw := ansi.StringWidth(l); cw != w {
			t.Errorf("%dx%d: line %d is %d cells: %q", w, h, i, cw, l)
		}
	}
}

func TestViewSize(t *testing.T) {
	sizes := [][2]int{{0, 0}, {1, 1}, {20, 5}, {40, 3}, {80, 24}, {99, 10}, {100, 2}, {120, 40}, {200, 60}}
	modes := map[string]func(m *Model){
		"list":   func(m *Model) {},
		"filter": func(m *Model) { pane.Press(m, "/"); pane.Type(m, "logon") },
		"none":   func(m *Model) { pane.Press(m, "/"); pane.Type(m, "qqqqzzz") },
		"form": func(m *Model) {
			m.Select("WindowsSecurity.list_processes_in_session")
			pane.Press(m, "enter")
			pane.Type(m, "a very long host name that will not fit in the field at all, not even close")
			pane.Press(m, "tab")
			pane.Type(m, "bad")
			pane.Press(m, "ctrl+s")
		},
	}
	libs := map[string]*queries.Library{"library": library(t), "nil": nil}
	empty, err := queries.LoadFS(fstest.MapFS{"library/README.md": {Data: []byte("no queries")}}, "library")
	if err != nil {
		t.Fatal(err)
	}
	libs["folder without yaml"] = empty
	for ln, lib := range libs {
		for mn, setup := range modes {
			for _, sz := range sizes {
				m := New(testContext(), lib)
				setup(m)
				m.SetSize(sz[0], sz[1])
				checkSize(t, m.View(), sz[0], sz[1])
				pane.Press(m, "J", "G", "j")
				checkSize(t, m.View(), sz[0], sz[1])
				if t.Failed() {
					t.Fatalf("library %s, mode %s", ln, mn)
				}
			}
		}
	}
}

func TestEmptyLibrary(t *testing.T) {
	m := newModel(t, nil, 120, 40)
	if m.Selected() != nil || m.OpenForm() != nil {
		t.Error("empty library has a selection")
	}
	pane.Press(m, "j", "G", "enter", "/", "x", "enter")
	if !strings.Contains(m.View(), "The query library is empty.") {
		t.Errorf("view:\n%s", m.View())
	}
}

func TestKeyMapConflicts(t *testing.T) {
	k := DefaultKeyMap()
	shell := map[string]bool{"q": true, "?": true, ":": true, "ctrl+p": true, "tab": true, "shift+tab": true,
		"ctrl+c": true, "t": true, "[": true, "]": true, "esc": true}
	for i := 1; i <= 8; i++ {
		shell[string(rune('0'+i))] = true
	}
	modes := map[string][]key.Binding{
		"list":   {k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom, k.DetailUp, k.DetailDown, k.Filter, k.Enter, k.Run},
		"filter": {k.Enter, k.Cancel, arrowsOnly(k.Up), arrowsOnly(k.Down)},
		"form":   {k.Enter, k.Cancel, k.NextField, k.PrevField, k.Submit, k.Range},
	}
	for mode, bs := range modes {
		seen := map[string]bool{}
		for _, b := range bs {
			if b.Help().Key == "" || b.Help().Desc == "" {
				t.Errorf("%s: binding %v has no help", mode, b.Keys())
			}
			for _, key := range b.Keys() {
				if seen[key] {
					t.Errorf("%s: key %q bound twice", mode, key)
				}
				seen[key] = true
				if mode == "list" && shell[key] {
					t.Errorf("list: key %q is the shell's", key)
				}
			}
		}
	}
	if n := len(pane.Bindings(&k)); n != 16 {
		t.Errorf("pane.Bindings sees %d bindings, want 16", n)
	}
	if err := pane.Rebind(&k, map[string][]string{"filter": {"ctrl+f"}}); err != nil || !key.Matches(tea.KeyMsg{Type: tea.KeyCtrlF}, k.Filter) {
		t.Errorf("rebind: %v", err)
	}
}

func TestHelpFollowsMode(t *testing.T) {
	m := newModel(t, library(t), 80, 24)
	has := func(bs []key.Binding, k string) bool {
		for _, b := range bs {
			for _, x := range b.Keys() {
				if x == k {
					return true
				}
			}
		}
		return false
	}
	if !has(m.ShortHelp(), "/") || has(m.ShortHelp(), "ctrl+s") {
		t.Error("list help wrong")
	}
	pane.Press(m, "/")
	if has(m.ShortHelp(), "/") || !has(m.ShortHelp(), "esc") {
		t.Error("filter help wrong")
	}
	pane.Press(m, "esc", "enter")
	if !has(m.ShortHelp(), "ctrl+s") || !has(m.ShortHelp(), "tab") {
		t.Error("form help wrong")
	}
	for _, col := range m.FullHelp() {
		if len(col) == 0 {
			t.Error("empty help column")
		}
	}
}

func TestSelectClosesForm(t *testing.T) {
	m := newModel(t, library(t), 80, 24)
	m.Select("MDE.process_cmd_line")
	pane.Press(m, "enter")
	if m.Select("Nope.nothing") || m.form == nil {
		t.Fatal("a failed Select changed the form")
	}
	if !m.Select("MDE.process_creations") || m.form != nil || m.Capturing() {
		t.Error("Select left the form open")
	}
}

func TestRunNow(t *testing.T) {
	lib, err := queries.Load()
	if err != nil {
		t.Fatal(err)
	}
	m := New(pane.NewContext(themes.Mono()), lib)
	m.SetSize(120, 40)
	if !m.Select("SecurityAlert.list_alerts") {
		t.Fatal("no list_alerts")
	}
	cmd := m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("r")})
	req, ok := cmd().(pane.RunQuery)
	if !ok || req.Query != "SecurityAlert.list_alerts" || len(req.Params) != 0 || req.To != pane.Results {
		t.Fatalf("r on list_alerts = %#v", req)
	}
	// A required parameter without a value opens the form instead.
	m.Select("Azure.list_aad_signins_for_account")
	m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("r")})
	if !m.Capturing() {
		t.Error("r on a query with a required parameter did not open its form")
	}
}

// An indicator offered from another pane narrows the list to the queries that
// take it and fills the parameter; Esc shows every query again.
func TestOffer(t *testing.T) {
	m := New(testContext(), library(t))
	m.SetSize(120, 30)
	if n := m.Offer([]string{"no_such_param"}, "x"); n != 0 || len(m.order) != 52 {
		t.Fatalf("an offer no query takes changed the list: %d, %d shown", n, len(m.order))
	}
	n := m.Offer([]string{"ip_address", "ip_address_list"}, "10.0.0.5")
	if n == 0 || len(m.order) != n {
		t.Fatalf("offer: %d queries take it, %d shown", n, len(m.order))
	}
	for _, qi := range m.order {
		q := m.all[qi]
		if _, ok := q.Param("ip_address"); !ok {
			if _, ok := q.Param("ip_address_list"); !ok {
				t.Errorf("%s shown but takes no address", q.Name)
			}
		}
	}
	if v := m.View(); !strings.Contains(v, "taking 10.0.0.5") || !strings.Contains(v, "of 52 queries") {
		t.Errorf("the list does not say what it is narrowed to:\n%s", v)
	}
	// The form opens with the value in the parameter that takes it.
	m.OpenForm()
	if m.form == nil {
		t.Fatal("no form")
	}
	filled := false
	for _, f := range m.form.fields {
		if (f.param.Name == "ip_address" || f.param.Name == "ip_address_list") && f.input.Value() == "10.0.0.5" {
			filled = true
		}
	}
	if !filled {
		t.Errorf("the form's address field was not filled")
	}
	if !m.Back() || m.form != nil {
		t.Fatal("esc did not close the form")
	}
	if !m.Back() || m.offer != nil || len(m.order) != 52 {
		t.Errorf("esc did not clear the offer: %d shown", len(m.order))
	}
}

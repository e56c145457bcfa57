package ti

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/quarry-sec/quarry/engine/intel"
	"github.com/quarry-sec/quarry/engine/ioc"
	"github.com/quarry-sec/quarry/views/pane"
)

func TestGroupsInArrivalOrder(t *testing.T) {
	m := loaded(t, 120, 40)
	want := []string{
		private, "  quarry",
		google, "  virustotal", "  otx", "  greynoise", "  abuseipdb",
		torExit, "  virustotal", "  otx", "  greynoise", "  abuseipdb",
		evilDom, "  virustotal", "  otx", "  greynoise",
		eicar, "  virustotal", "  otx",
		lookDom, "  virustotal", "  otx",
	}
	if got := shown(m); !slices.Equal(got, want) {
		t.Errorf("shown\n got %q\nwant %q", got, want)
	}
}

func TestGroupSummaries(t *testing.T) {
	m := loaded(t, 120, 40)
	tests := []struct {
		ioc, typ     string
		found, total int
		worst        intel.Severity
		label        string
	}{
		{private, "ipv4", 0, 1, intel.SevUnknown, "—   "},
		{google, "ipv4", 4, 4, intel.SevInformation, "INFO"},
		{torExit, "ipv4", 3, 4, intel.SevHigh, "HIGH"},
		{evilDom, "dns", 2, 3, intel.SevHigh, "HIGH"},
		{eicar, "sha256_hash", 2, 2, intel.SevHigh, "HIGH"},
		{lookDom, "dns", 0, 2, intel.SevUnknown, "—   "},
	}
	v := m.View()
	for _, tt := range tests {
		g := m.byIoc[tt.ioc]
		if g == nil {
			t.Fatalf("no group for %s", tt.ioc)
		}
		if g.typ != tt.typ || g.found != tt.found || len(g.entries) != tt.total || g.worst != tt.worst {
			t.Errorf("%s: type %s, %d/%d found, worst %v; want %s %d/%d %v", tt.ioc, g.typ, g.found, len(g.entries), g.worst,
				tt.typ, tt.found, tt.total, tt.worst)
		}
		want := fmt.Sprintf("%s  %s  %s", tt.typ, tt.label, fmt.Sprintf("%d/%d found", tt.found, tt.total))
		if l := lineWith(v, "▾ "+tt.ioc); !strings.Contains(l, want) {
			t.Errorf("%s's header %q lacks %q", tt.ioc, l, want)
		}
	}
}

func TestCounts(t *testing.T) {
	m := loaded(t, 120, 40)
	if m.nHigh != 3 || m.nWarn != 0 || m.nBad != 1 || m.nAsked != 15 || m.nErrors != 1 || m.nResults != 16 {
		t.Errorf("high %d warn %d bad %d asked %d errors %d results %d", m.nHigh, m.nWarn, m.nBad, m.nAsked, m.nErrors, m.nResults)
	}
	wantDone := map[string]int{"virustotal": 5, "otx": 5, "greynoise": 3, "abuseipdb": 2}
	for p, n := range wantDone {
		if m.done[p] != n {
			t.Errorf("%s: %d answers, want %d", p, m.done[p], n)
		}
	}
	if m.errs["abuseipdb"] != 1 || len(m.errs) != 1 {
		t.Errorf("errors %v", m.errs)
	}
	v := m.View()
	for _, want := range []string{
		"Done in 4.2s · 15 look-ups · from SecurityEvent.CommandLine, row 12",
		"6 indicators · 4 providers · 3 high · 0 warning · 1 rejected",
		"⚠ pulsedive: no API key; set QUARRY_PULSEDIVE_KEY",
	} {
		if lineWith(v, want) == "" {
			t.Errorf("the view lacks %q", want)
		}
	}
	for p, want := range map[string]string{"virustotal": " 5/5  ✓", "abuseipdb": " 2/2  1 error"} {
		l := lineWith(v, "  "+p+" ")
		if !strings.Contains(l, want) || !strings.Contains(l, strings.Repeat("█", 10)) || strings.Contains(l, "░") {
			t.Errorf("%s's progress %q, want a full bar and %q", p, l, want)
		}
	}
}

func TestProgressWhileRunning(t *testing.T) {
	m := New(testCtx())
	m.SetSize(120, 40)
	send(m, running(1, 1)...)
	now = now.Add(3 * time.Second)
	defer func() { now = now.Add(-3 * time.Second) }()
	v := m.View()
	if l := lineWith(v, "look-ups"); !strings.HasPrefix(l, "Running 3s · 4/15 look-ups · from SecurityEvent") {
		t.Errorf("state line %q", l)
	}
	tests := []struct {
		prov, count string
		full        int
	}{
		{"virustotal", "2/5", 16}, // 40 cells × 2/5
		{"otx", "1/5", 8},
		{"greynoise", "1/3", 13}, // and a partial block
		{"abuseipdb", "0/2", 0},
	}
	for _, tt := range tests {
		l := lineWith(v, "  "+tt.prov+" ")
		if got := strings.Count(l, "█"); got != tt.full || !strings.Contains(l, " "+tt.count) {
			t.Errorf("%s: %q has %d full blocks, want %d and %s", tt.prov, l, got, tt.full, tt.count)
		}
	}
	if l := lineWith(v, "  greynoise "); !strings.Contains(l, "▎") {
		t.Errorf("greynoise's bar lacks its partial block: %q", l)
	}
}

func TestBar(t *testing.T) {
	tests := []struct {
		done, total, w int
		filled, rest   string
	}{
		{0, 4, 4, "", "░░░░"},
		{1, 4, 4, "█", "░░░"},
		{1, 3, 4, "█▎", "░░"},
		{4, 4, 4, "████", ""},
		{9, 4, 4, "████", ""},
		{0, 0, 3, "", "░░░"},
		{1, 2, 0, "", ""},
	}
	for _, tt := range tests {
		f, r := bar(tt.done, tt.total, tt.w)
		if f != tt.filled || r != tt.rest {
			t.Errorf("bar(%d, %d, %d) = %q %q, want %q %q", tt.done, tt.total, tt.w, f, r, tt.filled, tt.rest)
		}
	}
}

func TestStaleSeqDropped(t *testing.T) {
	m := New(testCtx())
	m.SetSize(120, 40)
	send(m, started(2))
	_, batches := fixture()
	send(m, pane.TIResults{Seq: 1, Results: batches[0]}, started(1), pane.TIDone{Seq: 1, Err: context.Canceled})
	if m.nResults != 1 || m.finished || m.seq != 2 {
		t.Fatalf("older answers were taken: %d results, finished %v, seq %d", m.nResults, m.finished, m.seq)
	}
	send(m, pane.TIResults{Seq: 2, Results: batches[0]})
	if m.nResults != 5 {
		t.Fatalf("%d results after the current batch", m.nResults)
	}
	send(m, started(2)) // a repeat does not start afresh
	if m.nResults != 5 {
		t.Fatal("a repeated TIStarted reset the look-up")
	}
	send(m, started(3))
	if m.nResults != 1 || len(m.groups) != 1 || m.seq != 3 {
		t.Fatalf("a newer look-up did not start afresh: %d results, %d groups", m.nResults, len(m.groups))
	}
	send(m, pane.TIResults{Seq: 2, Results: batches[1]}, pane.TIDone{Seq: 2})
	if m.nResults != 1 || m.finished {
		t.Fatal("the superseded look-up's answers were taken")
	}
}

func TestOrderCycles(t *testing.T) {
	tests := []struct {
		presses int
		want    []string
		label   string
	}{
		{0, []string{private, google, torExit, evilDom, eicar, lookDom}, "arrival order"},
		{1, []string{torExit, evilDom, eicar, google, private, lookDom}, "worst first"},
		{2, []string{private, torExit, eicar, google, evilDom, lookDom}, "by indicator"},
		{3, []string{private, google, torExit, evilDom, eicar, lookDom}, "arrival order"},
	}
	for _, tt := range tests {
		m := loaded(t, 120, 40)
		for range tt.presses {
			press(m, "o")
		}
		if got := headers(m); !slices.Equal(got, tt.want) {
			t.Errorf("%d × o: %q, want %q", tt.presses, got, tt.want)
		}
		if l := lineWith(m.View(), "show "); !strings.Contains(l, tt.label) {
			t.Errorf("%d × o: filter line %q lacks %q", tt.presses, l, tt.label)
		}
	}
}

func TestFilters(t *testing.T) {
	tests := []struct {
		keys    []string
		shown   int // answers the filters let through
		headers []string
		label   string
	}{
		{nil, 16, []string{private, google, torExit, evilDom, eicar, lookDom}, "all severities · all providers · found and not found"},
		{[]string{"s"}, 12, []string{google, torExit, evilDom, eicar, lookDom}, "information and above"},
		{[]string{"s", "s"}, 7, []string{torExit, evilDom, eicar}, "warning and above"},
		{[]string{"s", "s", "s"}, 4, []string{torExit, evilDom, eicar}, "high only"},
		{[]string{"s", "s", "s", "s"}, 16, []string{private, google, torExit, evilDom, eicar, lookDom}, "all severities"},
		{[]string{"p"}, 5, []string{google, torExit, evilDom, eicar, lookDom}, "provider virustotal"},
		{[]string{"p", "p"}, 5, []string{google, torExit, evilDom, eicar, lookDom}, "provider otx"},
		{[]string{"p", "p", "p", "p"}, 2, []string{google, torExit}, "provider abuseipdb"},
		{[]string{"p", "p", "p", "p", "p"}, 1, []string{private}, "provider quarry"},
		{[]string{"p", "p", "p", "p", "p", "p"}, 16, []string{private, google, torExit, evilDom, eicar, lookDom}, "all providers"},
		{[]string{"f"}, 11, []string{google, torExit, evilDom, eicar}, "found only"},
		{[]string{"f", "s", "s"}, 7, []string{torExit, evilDom, eicar}, "warning and above · all providers · found only"},
		{[]string{"f", "p", "p", "p", "p", "p"}, 0, nil, "provider quarry"},
	}
	for _, tt := range tests {
		name := strings.Join(tt.keys, "")
		m := loaded(t, 120, 40)
		press(m, tt.keys...)
		if got := headers(m); m.nShown != tt.shown || !slices.Equal(got, tt.headers) {
			t.Errorf("%s: %d shown, groups %q; want %d, %q", name, m.nShown, got, tt.shown, tt.headers)
		}
		lines := 0
		for _, s := range shown(m) {
			if strings.HasPrefix(s, "  ") {
				lines++
			}
		}
		if lines != tt.shown {
			t.Errorf("%s: %d provider lines, want %d", name, lines, tt.shown)
		}
		v := m.View()
		if l := lineWith(v, "show "); !strings.Contains(l, tt.label) {
			t.Errorf("%s: filter line %q lacks %q", name, l, tt.label)
		}
		count := fmt.Sprintf("%d of 16 answers shown", tt.shown)
		if len(tt.keys) > 0 && m.f.active() && lineWith(v, count) == "" {
			t.Errorf("%s: the view lacks %q", name, count)
		}
		if tt.shown == 0 && lineWith(v, "No answer matches the filters") == "" {
			t.Errorf("%s: the empty list does not say why", name)
		}
	}
}

func TestFilterKeepsSelection(t *testing.T) {
	m := loaded(t, 120, 40)
	selectLine(t, m, torExit, "otx")
	press(m, "s", "s") // warning and above: otx's WARN line stays
	if r, _ := m.selected(); r.e == nil || r.e.r.Provider != "otx" || r.g.ioc != torExit {
		t.Fatalf("selection moved to %v", r)
	}
	press(m, "s") // high only: the line hides, its header is selected
	if r, _ := m.selected(); r.e != nil || r.g.ioc != torExit {
		t.Fatalf("selection went to %+v, want the header", r)
	}
}

func TestFolding(t *testing.T) {
	m := loaded(t, 120, 40)
	selectLine(t, m, google, "")
	steps := []struct {
		keys   []string
		group  string // the selected line's group and provider ("" for the header)
		prov   string
		folded bool // google's fold
	}{
		{[]string{"enter"}, google, "", true},
		{[]string{"enter"}, google, "", false},
		{[]string{" "}, google, "", true},
		{[]string{"l"}, google, "", false},
		{[]string{"l"}, google, "virustotal", false},
		{[]string{"j", "h"}, google, "", true}, // from otx's line
		{[]string{"h"}, google, "", true},
		{[]string{"right"}, google, "", false},
		{[]string{"left"}, google, "", true},
	}
	for i, s := range steps {
		press(m, s.keys...)
		r, _ := m.selected()
		prov := ""
		if r.e != nil {
			prov = r.e.r.Provider
		}
		if r.g.ioc != s.group || prov != s.prov || m.byIoc[google].folded != s.folded {
			t.Errorf("step %d %v: selected %s/%s, folded %v; want %s/%s %v", i, s.keys, r.g.ioc, prov, m.byIoc[google].folded,
				s.group, s.prov, s.folded)
		}
	}
	if got := shown(m); got[2] != google+"+" || got[3] != torExit {
		t.Errorf("folded google shows %q", got)
	}
	if l := lineWith(m.View(), "▸ "+google); !strings.Contains(l, "4/4 found") {
		t.Errorf("folded header %q", l)
	}
	selectLine(t, m, torExit, "greynoise")
	press(m, "C")
	if got := shown(m); len(got) != 6 || got[2] != torExit+"+" {
		t.Errorf("fold all: %q", got)
	}
	if r, _ := m.selected(); r.g.ioc != torExit || r.e != nil {
		t.Errorf("fold all selected %s", r.g.ioc)
	}
	press(m, "E")
	if got := shown(m); len(got) != 22 {
		t.Errorf("unfold all: %d lines", len(got))
	}
	if r, _ := m.selected(); r.g.ioc != torExit || r.e != nil {
		t.Errorf("unfold all moved the selection to %s", r.g.ioc)
	}
}

func TestCursorKeys(t *testing.T) {
	m := loaded(t, 80, 24)
	rows := m.listRows()
	if rows != 15 {
		t.Fatalf("%d list rows at 80×24", rows)
	}
	tests := []struct {
		keys     []string
		cur, top int
	}{
		{[]string{"j"}, 1, 0},
		{[]string{"down", "down"}, 3, 0},
		{[]string{"k"}, 2, 0},
		{[]string{"pgdown"}, 17, 3},
		{[]string{"ctrl+u"}, 2, 2},
		{[]string{"G"}, 21, 7},
		{[]string{"up"}, 20, 7},
		{[]string{"home"}, 0, 0},
		{[]string{"end"}, 21, 7},
		{[]string{"g", "ctrl+d"}, 15, 1},
	}
	for _, tt := range tests {
		press(m, tt.keys...)
		if m.cur != tt.cur || m.top != tt.top {
			t.Errorf("%v: cur %d top %d, want %d %d", tt.keys, m.cur, m.top, tt.cur, tt.top)
		}
		v := m.View()
		sel := strings.Split(v, "\n")[m.headerCount()+1+m.cur-m.top]
		if !strings.HasPrefix(sel, "›") {
			t.Errorf("%v: the selected line %q lacks the mark", tt.keys, sel)
		}
		if strings.Count(v, "›") != 1 {
			t.Errorf("%v: %d selection marks", tt.keys, strings.Count(v, "›"))
		}
	}
}

func TestSelectionStaysWhileStreaming(t *testing.T) {
	for _, order := range []int{0, 1, 2} {
		// 80×14 leaves the list five lines, so that it scrolls.
		m := New(testCtx())
		m.SetSize(80, 14)
		send(m, running(1, 1)...)
		for range order {
			press(m, "o")
		}
		selectLine(t, m, torExit, "otx")
		off := m.cur - m.top
		if m.top == 0 && order == 0 {
			t.Fatalf("the list does not scroll: %d rows", m.listRows())
		}
		_, batches := fixture()
		for _, b := range batches[1:] {
			send(m, pane.TIResults{Seq: 1, Results: b})
			r, _ := m.selected()
			if r.e == nil || r.g.ioc != torExit || r.e.r.Provider != "otx" {
				t.Fatalf("order %d: the selection moved to %v", order, shown(m)[m.cur])
			}
			if m.cur-m.top != off {
				t.Errorf("order %d: the selected line moved on screen from %d to %d", order, off, m.cur-m.top)
			}
		}
	}
}

func TestDetailOpenScrollClose(t *testing.T) {
	m := loaded(t, 80, 24)
	selectLine(t, m, google, "")
	press(m, "enter")
	if m.detail != nil {
		t.Fatal("enter on a header opened a detail view")
	}
	selectLine(t, m, torExit, "virustotal")
	press(m, "enter")
	if m.detail == nil || m.detail.r.Provider != "virustotal" || m.detail.r.Ioc != torExit {
		t.Fatal("enter did not open the provider line")
	}
	v := m.View()
	ref := "https://www.virustotal.com/gui/search/" + torExit
	for _, want := range []string{"virustotal · " + torExit, "Severity    HIGH high", "Status      found",
		"Looked up   2024-03-05 14:07:05 UTC", "Cached      no", "Reference · y copies it", "Details · 6 fields", "  malicious: 14"} {
		if lineWith(v, want) == "" {
			t.Errorf("the detail view lacks %q", want)
		}
	}
	if l := lineWith(v, ref); strings.TrimSpace(l) != ref {
		t.Errorf("the reference link is not on a line of its own: %q", l)
	}
	n := len(m.lines)
	body := 23
	tests := []struct {
		key string
		top int
	}{
		{"j", 1}, {"down", 2}, {"k", 1}, {"G", n - body}, {"g", 0}, {"pgdown", n - body}, {"pgup", 0}, {"end", n - body}, {"home", 0},
	}
	for _, tt := range tests {
		press(m, tt.key)
		if m.detailTop != tt.top {
			t.Errorf("%s: top %d, want %d (of %d lines)", tt.key, m.detailTop, tt.top, n)
		}
	}
	press(m, "G")
	v = m.View()
	if !strings.HasPrefix(lineWith(v, `"type": "ipv4"`), `    "type": "ipv4"`) || lineWith(v, "}") == "" {
		t.Errorf("the raw JSON is not pretty-printed at the bottom:\n%s", v)
	}
	if !m.Back() || m.detail != nil {
		t.Fatal("Back did not close the detail view")
	}
	if r, _ := m.selected(); r.e == nil || r.e.r.Provider != "virustotal" || r.g.ioc != torExit {
		t.Error("closing the detail view lost the selection")
	}
	if m.Back() {
		t.Error("Back reported closing something in the list")
	}
}

func TestDetailStates(t *testing.T) {
	tests := []struct {
		group, prov string
		want        []string
	}{
		{google, "abuseipdb", []string{"Cached      yes: from the cache", "  abuseConfidenceScore: 0"}},
		{torExit, "abuseipdb", []string{"Status      error", "Reason      HTTP 429 Too Many Requests", "The provider's answer carries no raw response.", "Details · 0 fields"}},
		{private, "quarry", []string{"Status      bad format", "Reason      private address (RFC 1918): not looked up"}},
		{lookDom, "otx", []string{"Severity    INFO information", "Status      not found"}},
		{evilDom, "greynoise", []string{"Status      unsupported", "Reason      greynoise takes IP addresses only"}},
	}
	for _, tt := range tests {
		m := loaded(t, 120, 40)
		selectLine(t, m, tt.group, tt.prov)
		press(m, "enter")
		v := m.View()
		for _, w := range tt.want {
			if lineWith(v, w) == "" {
				t.Errorf("%s/%s: the detail view lacks %q", tt.group, tt.prov, w)
			}
		}
	}
}

func TestDetailRawNotJSON(t *testing.T) {
	m := New(testCtx())
	m.SetSize(80, 24)
	r := res("virustotal", google, "ipv4", intel.SevInformation, nil)
	r.Raw = []byte("<html>502 Bad Gateway</html>")
	send(m, started(1), pane.TIResults{Seq: 1, Results: []intel.Result{r}})
	selectLine(t, m, google, "virustotal")
	press(m, "enter")
	v := m.View()
	if lineWith(v, "The raw response is not JSON") == "" || lineWith(v, "  <html>502 Bad Gateway</html>") == "" {
		t.Errorf("the detail view does not say the raw response is not JSON:\n%s", v)
	}
	if c, ok := msgOf(press(m, "Y")).(pane.Copy); !ok || c.Text != string(r.Raw) || c.What != "raw response" {
		t.Errorf("Y copied %+v", c)
	}
}

func TestCopy(t *testing.T) {
	pretty := "{\n  \"data\": {\n    \"attributes\": {\n      \"as_owner\": \"Zwiebelfreunde e.V.\","
	tests := []struct {
		name        string
		group, prov string
		keys        []string
		what, text  string // a Copy, or a warning holding text
	}{
		{"header", google, "", []string{"y"}, "indicator", google},
		{"line", torExit, "virustotal", []string{"y"}, "reference link", "https://www.virustotal.com/gui/search/" + torExit},
		{"detail link", torExit, "otx", []string{"enter", "y"}, "reference link", "https://otx.alienvault.com/indicator/" + torExit},
		{"detail raw", torExit, "virustotal", []string{"enter", "Y"}, "raw JSON", pretty},
		{"no link", torExit, "abuseipdb", []string{"y"}, "", "no reference link"},
		{"no raw", lookDom, "otx", []string{"enter", "Y"}, "", "no raw response"},
	}
	for _, tt := range tests {
		m := loaded(t, 120, 40)
		selectLine(t, m, tt.group, tt.prov)
		msg := msgOf(press(m, tt.keys...))
		switch c := msg.(type) {
		case pane.Copy:
			if c.What != tt.what || !strings.HasPrefix(c.Text, tt.text) || tt.what == "" {
				t.Errorf("%s: copied %q %q", tt.name, c.What, c.Text)
			}
		case pane.Notify:
			if tt.what != "" || c.Level != pane.Warn || !strings.Contains(c.Text, tt.text) {
				t.Errorf("%s: notified %+v", tt.name, c)
			}
		default:
			t.Errorf("%s: got %#v", tt.name, msg)
		}
	}
}

func TestUseValue(t *testing.T) {
	tests := []struct {
		group, prov string
		keys        []string
		want        pane.UseValue
	}{
		{evilDom, "", []string{"u"}, pane.UseValue{Type: ioc.DNS, Value: evilDom}},
		{eicar, "otx", []string{"u"}, pane.UseValue{Type: ioc.SHA256, Value: eicar}},
		{torExit, "greynoise", []string{"enter", "u"}, pane.UseValue{Type: ioc.IPv4, Value: torExit}},
	}
	for _, tt := range tests {
		m := loaded(t, 120, 40)
		selectLine(t, m, tt.group, tt.prov)
		if got := msgOf(press(m, tt.keys...)); got != tt.want {
			t.Errorf("%s/%s %v: %#v, want %#v", tt.group, tt.prov, tt.keys, got, tt.want)
		}
	}
}

func TestInputEmitsLookup(t *testing.T) {
	m := loaded(t, 80, 24)
	press(m, "i")
	if !m.Capturing() {
		t.Fatal("i did not open the input")
	}
	if got := msgOf(press(m, "enter")); got == nil || !m.Capturing() {
		t.Fatalf("enter on an empty input: %#v, capturing %v", got, m.Capturing())
	}
	pane.Type(m, "8.8.8.8, evil.example.com;\x1b[31m 8.8.8.8")
	m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("\thxxp://bad[.]example/x\n"), Paste: true})
	if v := m.View(); len(strings.Split(v, "\n")) != 24 || !strings.HasPrefix(strings.Split(v, "\n")[23], "look up: ") {
		t.Errorf("the input is not on the last line:\n%s", v)
	}
	got := msgOf(press(m, "enter"))
	want := pane.LookupTI{Source: "typed", Indicators: []pane.Indicator{
		{Value: "8.8.8.8"}, {Value: "evil.example.com"}, {Value: "[31m"}, {Value: "hxxp://bad[.]example/x"}}}
	l, ok := got.(pane.LookupTI)
	if !ok || l.Source != want.Source || !slices.Equal(l.Indicators, want.Indicators) {
		t.Errorf("enter sent %#v, want %#v", got, want)
	}
	if m.Capturing() {
		t.Error("the input stayed open")
	}
	press(m, "i")
	pane.Type(m, "1.2.3.4")
	if m.Update(pane.Key("esc")) != nil || m.Capturing() {
		t.Error("esc did not close the input quietly")
	}
	press(m, "i")
	if !m.Back() || m.Capturing() {
		t.Error("Back did not close the input")
	}
}

func TestParseIndicators(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"  ,; ", nil},
		{"8.8.8.8", []string{"8.8.8.8"}},
		{"8.8.8.8,1.1.1.1", []string{"8.8.8.8", "1.1.1.1"}},
		{"a  b\tc\nd;e, f", []string{"a", "b", "c", "d", "e", "f"}},
		{"x x y x", []string{"x", "y"}},
	}
	for _, tt := range tests {
		var got []string
		for _, in := range ParseIndicators(tt.in) {
			if in.Type != "" {
				t.Errorf("%q: typed %q", tt.in, in.Type)
			}
			got = append(got, in.Value)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("ParseIndicators(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRerun(t *testing.T) {
	m := New(testCtx())
	m.SetSize(80, 24)
	if n, ok := msgOf(press(m, "r")).(pane.Notify); !ok || !strings.Contains(n.Text, "press i") {
		t.Errorf("r with nothing looked up: %#v", n)
	}
	send(m, started(1))
	if got, ok := msgOf(press(m, "r")).(pane.LookupTI); !ok || got.Source != request.Source || len(got.Indicators) != 6 {
		t.Errorf("r after a look-up sent %#v", got)
	}
	typed := pane.LookupTI{Indicators: []pane.Indicator{{Value: "1.2.3.4"}}, Source: "typed"}
	send(m, typed) // the shell forwards the request it starts
	if got, ok := msgOf(press(m, "r")).(pane.LookupTI); !ok || got.Source != "typed" || !slices.Equal(got.Indicators, typed.Indicators) {
		t.Errorf("r after a forwarded request sent %#v", got)
	}
	selectLine(t, m, private, "quarry")
	press(m, "enter")
	if got, ok := msgOf(press(m, "r")).(pane.LookupTI); !ok || got.Source != "typed" {
		t.Errorf("r in the detail view sent %#v", got)
	}
}

func TestPendingRequest(t *testing.T) {
	m := New(testCtx())
	m.SetSize(80, 24)
	send(m, request)
	if l := lineWith(m.View(), "Looking up"); !strings.Contains(l, "Looking up 6 indicators from SecurityEvent.CommandLine, row 12…") {
		t.Errorf("pending: %q", l)
	}
	send(m, finished(1)...)
	if m.waiting || lineWith(m.View(), "looking up") != "" {
		t.Error("the pending line outlived its TIStarted")
	}
	send(m, pane.LookupTI{Indicators: []pane.Indicator{{Value: "1.2.3.4"}}, Source: "typed"})
	if l := lineWith(m.View(), "Looking up"); !strings.HasPrefix(l, "Looking up 1 indicator from typed… · below, the last look-up: done in 4.2s") {
		t.Errorf("the header does not say what comes next: %q", l)
	}
}

func TestEndStates(t *testing.T) {
	_, batches := fixture()
	allFailed := []intel.Result{
		res("virustotal", google, "ipv4", intel.SevUnknown, nil).Fail("HTTP 401 Unauthorized"),
		res("otx", google, "ipv4", intel.SevUnknown, nil).Fail("dial tcp: i/o timeout"),
	}
	tests := []struct {
		name string
		msgs []tea.Msg
		want []string
	}{
		{"start error", []tea.Msg{pane.TIStarted{Seq: 1, Request: request, Err: errBoom, Notes: []string{"otx: no API key"}},
			pane.TIDone{Seq: 1, Err: errBoom}},
			[]string{"✗ the look-up could not start: building the providers", "⚠ otx: no API key", "Press i to type indicators"}},
		{"cancelled", append(running(1, 2), pane.TIDone{Seq: 1, Elapsed: time.Second, Err: context.Canceled}),
			[]string{"Cancelled after 10 of 15 look-ups · from SecurityEvent.CommandLine, row 12"}},
		{"failed", append(running(1, 1), pane.TIDone{Seq: 1, Elapsed: time.Second, Err: errors.New("cache: database is locked")}),
			[]string{"Failed after 4 of 15 look-ups", "✗ the look-up failed: cache: database is locked"}},
		{"all errors", []tea.Msg{started(1), pane.TIResults{Seq: 1, Results: allFailed}, pane.TIDone{Seq: 1, Elapsed: time.Second}},
			[]string{"✗ every look-up failed", "HTTP 401 Unauthorized", "dial tcp: i/o timeout"}},
		{"no answers", []tea.Msg{pane.TIStarted{Seq: 1, Request: request, Providers: providers, Totals: map[string]int{"otx": 1}}},
			[]string{"Waiting for the first answers…"}},
		{"batches", append(running(1, 3), pane.TIResults{Seq: 1, Results: batches[0][:1]}), []string{"Running 0s · 16/15 look-ups"}},
	}
	for _, tt := range tests {
		m := New(testCtx())
		m.SetSize(120, 40)
		send(m, tt.msgs...)
		v := m.View()
		for _, w := range tt.want {
			if lineWith(v, w) == "" {
				t.Errorf("%s: the view lacks %q:\n%s", tt.name, w, v)
			}
		}
		checkSize(t, tt.name, v, 120, 40)
	}
}

func TestLineCache(t *testing.T) {
	m := loaded(t, 120, 40)
	first := m.View()
	g := m.byIoc[google]
	if g.lineGen != m.gen || g.line == "" {
		t.Fatal("the header was not cached")
	}
	if m.View() != first {
		t.Error("a second frame differs")
	}
	gen := m.gen
	m.SetSize(100, 40)
	v := m.View()
	if m.gen == gen {
		t.Error("a new width kept the cached lines")
	}
	checkSize(t, "narrower", v, 100, 40)
	gen = m.gen
	press(m, "s")
	m.View()
	if m.gen != gen {
		t.Error("a filter threw the cached lines away")
	}
	m.ctx.Theme.Name = "other"
	m.View()
	if m.gen == gen {
		t.Error("a new theme kept the cached lines")
	}
}

func TestTinySizes(t *testing.T) {
	if v := loaded(t, 0, 0).View(); v != "" {
		t.Errorf("0×0 drew %q", v)
	}
	for _, sz := range [][2]int{{1, 1}, {10, 3}, {30, 6}, {80, 24}} {
		m := loaded(t, sz[0], sz[1])
		checkSize(t, fmt.Sprint(sz), m.View(), sz[0], sz[1])
		press(m, "G", "i")
		if sz[1] > 0 {
			checkSize(t, fmt.Sprint(sz, " input"), m.View(), sz[0], sz[1])
		}
	}
}

func TestNewLookupKeepsFilters(t *testing.T) {
	m := loaded(t, 120, 40)
	press(m, "s", "f", "o", "p", "p") // provider otx
	send(m, pane.TIStarted{Seq: 2, Request: request, Providers: []string{"otx"}, Totals: map[string]int{"otx": 1}})
	if m.f.sev != 1 || !m.f.foundOnly || m.f.order != byWorst || m.f.provider != "otx" {
		t.Errorf("filters after a new look-up: %+v", m.f)
	}
	send(m, pane.TIStarted{Seq: 3, Request: request, Providers: []string{"virustotal"}, Totals: map[string]int{"virustotal": 1}})
	if m.f.provider != "" {
		t.Errorf("the provider filter %q outlived a look-up that did not ask it", m.f.provider)
	}
}

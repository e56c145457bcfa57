package ti

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/quarry-sec/quarry/engine/intel"
	"github.com/quarry-sec/quarry/views/pane"
	"github.com/quarry-sec/quarry/views/pane/panetest"
)

// hostileIoc is an indicator that tries to clear the screen, write the
// clipboard, colour the terminal with a C1 CSI and break the line.
const hostileIoc = "evil" + clearSc + ".example\ncom" + c1Rune + osc52

// hostile is a look-up whose every field from the outside carries escapes and
// line breaks: the source, a note, the indicator and its type, the provider,
// the details' keys and values, the reason, the reference and the raw response
// (as JSON with escaped controls, and as a body that is not JSON at all).
func hostile() []any {
	found := intel.Result{Provider: "virus" + c1Byte + "total", Ioc: hostileIoc, IocType: "dns\r\n" + clearSc, Found: true,
		Severity: intel.SevHigh, Status: intel.StatusOK, Time: t0,
		Details: map[string]any{
			"note" + osc52:  "line1\nline2" + clearSc + "\x07",
			"tags\t":        []any{"a\x1b[31m", "b\n"},
			"nested":        map[string]any{"k\x1b": "v\u2028w"},
			"long" + c1Rune: strings.Repeat("x", 300) + "\x1b[0m",
		},
		Raw:       json.RawMessage(`{"a":"\u001b[2J\u009b31m","b\n":["\u0007"]}`),
		Reference: "https://example.com/\x1b]8;;http://evil\x07click\x1b]8;;\x07",
	}
	notJSON := found
	notJSON.Provider = "otx"
	notJSON.Raw = []byte("<b>\x1b[2J\r\nboom\x9b</b>")
	failed := intel.Result{Provider: "greynoise", Ioc: hostileIoc, IocType: "dns", Status: intel.StatusError,
		Severity: intel.SevUnknown, Reason: "HTTP 500:\r\n" + osc52 + "\x1b[1A\x1b[2K", Time: t0}
	req := pane.LookupTI{Source: "pasted" + clearSc + "\nrow 1", Indicators: []pane.Indicator{{Value: hostileIoc}}}
	return []any{
		pane.TIStarted{Seq: 1, Request: req, Providers: []string{"virus" + c1Byte + "total", "otx", "greynoise"},
			Totals: map[string]int{"virus" + c1Byte + "total": 1, "otx": 1, "greynoise": 1},
			Notes:  []string{"otx: key " + osc52 + "\nrejected"}},
		pane.TIResults{Seq: 1, Results: []intel.Result{found, notJSON, failed}},
		pane.TIDone{Seq: 1, Elapsed: time.Second, Err: errors.New("boom\x1b[2J\nagain")},
	}
}

func TestHostileTextIsEscaped(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {120, 40}} {
		m := New(testCtx())
		m.SetSize(sz[0], sz[1])
		for _, msg := range hostile() {
			m.Update(msg)
		}
		check := func(what, v string) {
			t.Helper()
			name := fmt.Sprintf("%s %dx%d", what, sz[0], sz[1])
			checkSize(t, name, v, sz[0], sz[1])
			if bad := panetest.ControlBytes(v); len(bad) > 0 {
				t.Errorf("%s: control bytes at %v:\n%q", name, bad, v)
			}
		}
		v := m.View()
		check("list", v)
		// One header and three provider lines: the line breaks stayed escapes.
		if n := strings.Count(v, "▾ evil"); n != 1 {
			t.Errorf("%d group headers for the hostile indicator", n)
		}
		if l := lineWith(v, "▾ evil"); !strings.Contains(l, `evil\x1b[2J.example\ncom\u009b31m`) {
			t.Errorf("the header does not show the escapes: %q", l)
		}
		if l := lineWith(v, "    otx "); !strings.Contains(l, "HIGH  found") {
			t.Errorf("otx's line lost its columns: %q", l)
		}
		if l := lineWith(v, "    greynoise "); !strings.Contains(l, `error        HTTP 500:\r\n\x1b]52;c;AAAA\x07`) {
			t.Errorf("greynoise's line %q", l)
		}
		for _, prov := range []string{"virus", "otx", "greynoise"} {
			press(m, "g")
			selectLine(t, m, hostileIoc, providerNamed(m, prov))
			press(m, "enter")
			check("detail of "+prov, m.View())
			press(m, "G")
			check("detail end of "+prov, m.View())
			for _, l := range m.lines {
				if w := ansi.StringWidth(l); w > sz[0] {
					t.Errorf("%s: a detail line is %d cells: %q", prov, w, l)
				}
			}
			m.Back()
		}
		press(m, "i")
		pane.Type(m, "a"+clearSc+"b")
		check("input", m.View())
	}
}

// providerNamed is the full name of the look-up's provider that starts with
// prefix.
func providerNamed(m *Model, prefix string) string {
	for _, p := range m.providers {
		if strings.HasPrefix(p, prefix) {
			return p
		}
	}
	return prefix
}

func TestSummaries(t *testing.T) {
	tests := []struct {
		name string
		r    intel.Result
		want string
	}{
		{"details sorted", intel.Result{Status: intel.StatusOK, Found: true, Details: map[string]any{
			"b": 2.0, "a": "x", "c": []any{"t1", "t2", 3.0}, "d": true, "e": nil, "f": map[string]any{"k": 1}}},
			"a x · b 2 · c t1,t2,3 · d true · e — · f {\"k\":1}"},
		{"long value", intel.Result{Status: intel.StatusOK, Found: true, Details: map[string]any{"s": strings.Repeat("y", 50)}},
			"s " + strings.Repeat("y", 40) + "…"},
		{"big number", intel.Result{Status: intel.StatusOK, Found: true, Details: map[string]any{"n": 1234567890.0, "r": 0.25}},
			"n 1234567890 · r 0.25"},
		{"reason", intel.Result{Status: intel.StatusError, Reason: "HTTP 429"}, "HTTP 429"},
		{"reason repeats status", intel.Result{Status: intel.StatusNotFound, Reason: "not found"}, ""},
		{"escaped", intel.Result{Status: intel.StatusBadFormat, Reason: "bad\nvalue\x1b"}, `bad\nvalue\x1b`},
		{"found without details", intel.Result{Status: intel.StatusOK, Found: true}, ""},
	}
	for _, tt := range tests {
		if got := summarize(&tt.r); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestStatusWordsAndLabels(t *testing.T) {
	tests := []struct {
		r      intel.Result
		status string
	}{
		{intel.Result{Status: intel.StatusOK, Found: true}, "found"},
		{intel.Result{Status: intel.StatusOK}, "not found"},
		{intel.Result{Status: intel.StatusNotFound}, "not found"},
		{intel.Result{Status: intel.StatusUnsupported}, "unsupported"},
		{intel.Result{Status: intel.StatusBadFormat}, "bad format"},
		{intel.Result{Status: intel.StatusError}, "error"},
	}
	for _, tt := range tests {
		if got := statusWord(&tt.r); got != tt.status || len(got) > statusW {
			t.Errorf("%v: %q, want %q", tt.r.Status, got, tt.status)
		}
	}
	for s, want := range map[intel.Severity]string{intel.SevHigh: "HIGH", intel.SevWarning: "WARN", intel.SevInformation: "INFO", intel.SevUnknown: "—   "} {
		if got := sevLabel(s); got != want || ansi.StringWidth(got) != 4 {
			t.Errorf("sevLabel(%v) = %q", s, got)
		}
	}
}

func TestLongIndicatorKeepsItsTail(t *testing.T) {
	m := New(testCtx())
	m.SetSize(80, 24)
	url := "https://cdn.example.org/" + strings.Repeat("a/", 200) + "payload.bin"
	r := res("virustotal", url, "url", intel.SevHigh, map[string]any{"malicious": 3.0})
	r.Cached = true
	send(m, started(1), pane.TIResults{Seq: 1, Results: []intel.Result{r}})
	v := m.View()
	l := lineWith(v, "▾ https://cdn.example.org/")
	if !strings.HasSuffix(strings.TrimRight(l, " "), "…  url  HIGH  1/1 found") {
		t.Errorf("the long indicator's header lost its tail: %q", l)
	}
	if l := lineWith(v, "virustotal  HIGH"); !strings.HasSuffix(l, "(cached)") {
		t.Errorf("the cached line lacks its mark: %q", l)
	}
	checkSize(t, "long", v, 80, 24)
}

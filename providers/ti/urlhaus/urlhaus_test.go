package urlhaus

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/quarry-sec/quarry/providers/httpx"
	"github.com/quarry-sec/quarry/providers/ti"
)

const testKey = "k3y-SECRET-1234567890"

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type seen struct {
	mu      sync.Mutex
	method  string
	path    string
	query   string
	authKey string
	ctype   string
	body    string
	n       atomic.Int32
}

func newServer(t *testing.T, h http.HandlerFunc) (*httptest.Server, *seen) {
	t.Helper()
	s := &seen{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.n.Add(1)
		b, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.method, s.path, s.query = r.Method, r.URL.EscapedPath(), r.URL.RawQuery
		s.authKey, s.ctype, s.body = r.Header.Get("Auth-Key"), r.Header.Get("Content-Type"), string(b)
		s.mu.Unlock()
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, s
}

func newProvider(t testing.TB, base string, opts httpx.Options) *Provider {
	t.Helper()
	opts.Name = "urlhaus"
	if opts.Timeout == 0 {
		opts.Timeout = 5 * time.Second
	}
	if opts.Retries == 0 {
		opts.Retries = -1
	}
	opts.Backoff = time.Millisecond
	opts.Secrets = []string{testKey}
	p, err := New(ti.Config{Key: testKey, BaseURL: base, Client: httpx.New(opts)})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func reply(status int, body []byte, hdr map[string]string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		for k, v := range hdr {
			w.Header().Set(k, v)
		}
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}
}

func TestLookup(t *testing.T) {
	const sha = "01fa56184fcaa42b6ee1882787a34098c79898c182814774fd81dc18a6af0b00"
	tests := []struct {
		name       string
		ioc, typ   string
		handler    http.HandlerFunc
		opts       httpx.Options
		wantPath   string
		wantBody   string
		wantStatus ti.Status
		wantFound  bool
		wantSev    ti.Severity
		wantReason string
		wantReqs   int32
		wantRef    string
		check      func(t *testing.T, r ti.Result)
	}{
		{
			name: "url online high", ioc: "http://sskymedia.com/VMYB-ht_JAQo-gi/INV/", typ: "url",
			handler:  reply(200, fixture(t, "url_online.json"), nil),
			wantPath: "/v1/url/", wantBody: "url=http%3A%2F%2Fsskymedia.com%2FVMYB-ht_JAQo-gi%2FINV%2F",
			wantStatus: ti.StatusOK, wantFound: true, wantSev: ti.SevHigh, wantReqs: 1,
			wantRef: "https://urlhaus.abuse.ch/url/105821/",
			check: func(t *testing.T, r ti.Result) {
				if r.Details["url_status"] != "online" || r.Details["threat"] != "malware_download" {
					t.Errorf("details = %v", r.Details)
				}
				if tg := r.Details["tags"].([]string); len(tg) != 2 || tg[0] != "emotet" || tg[1] != "heodo" {
					t.Errorf("tags = %v", tg)
				}
				if s := r.Details["signature"].([]string); len(s) != 1 || s[0] != "Heodo" {
					t.Errorf("signature = %v", s)
				}
				if bl := r.Details["blacklists"].(map[string]string); bl["spamhaus_dbl"] != "abused_legit_malware" {
					t.Errorf("blacklists = %v", bl)
				}
				if r.Details["date_added"] != "2019-01-19 01:33:26 UTC" {
					t.Errorf("date_added = %v", r.Details["date_added"])
				}
				if _, ok := r.Details["last_online"]; ok {
					t.Error("null last_online kept")
				}
			},
		},
		{
			name: "url offline warning", ioc: "http://sskymedia.com/x", typ: "url",
			handler:  reply(200, fixture(t, "url_offline.json"), nil),
			wantPath: "/v1/url/", wantBody: "url=http%3A%2F%2Fsskymedia.com%2Fx",
			wantStatus: ti.StatusOK, wantFound: true, wantSev: ti.SevWarning, wantReqs: 1,
			wantRef: "https://urlhaus.abuse.ch/url/105821/",
		},
		{
			name: "host online high", ioc: "Vektorex.com.", typ: "dns",
			handler:  reply(200, fixture(t, "host_online.json"), nil),
			wantPath: "/v1/host/", wantBody: "host=vektorex.com",
			wantStatus: ti.StatusOK, wantFound: true, wantSev: ti.SevHigh, wantReqs: 1,
			wantRef: "https://urlhaus.abuse.ch/host/vektorex.com/",
			check: func(t *testing.T, r ti.Result) {
				if r.Details["url_count"] != int64(4) || r.Details["online_urls"] != 1 {
					t.Errorf("counts = %v %v", r.Details["url_count"], r.Details["online_urls"])
				}
				if tg := r.Details["tags"].([]string); len(tg) != 4 {
					t.Errorf("tags = %v", tg)
				}
				if r.Details["firstseen"] != "2019-01-15 07:09:04 UTC" {
					t.Errorf("firstseen = %v", r.Details["firstseen"])
				}
			},
		},
		{
			name: "host offline warning", ioc: "vektorex.com", typ: "hostname",
			handler:  reply(200, fixture(t, "host_offline.json"), nil),
			wantPath: "/v1/host/", wantBody: "host=vektorex.com",
			wantStatus: ti.StatusOK, wantFound: true, wantSev: ti.SevWarning, wantReqs: 1,
			wantRef: "https://urlhaus.abuse.ch/host/vektorex.com/",
			check: func(t *testing.T, r ti.Result) {
				if r.Details["online_urls"] != 0 {
					t.Errorf("online_urls = %v", r.Details["online_urls"])
				}
			},
		},
		{
			name: "ip host", ioc: "185.220.101.4", typ: "ipv4",
			handler:  reply(200, fixture(t, "host_offline.json"), nil),
			wantPath: "/v1/host/", wantBody: "host=185.220.101.4",
			wantStatus: ti.StatusOK, wantFound: true, wantSev: ti.SevWarning, wantReqs: 1,
			wantRef: "https://urlhaus.abuse.ch/host/vektorex.com/",
		},
		{
			name: "payload sha256 high", ioc: strings.ToUpper(sha), typ: "sha256_hash",
			handler:  reply(200, fixture(t, "payload.json"), nil),
			wantPath: "/v1/payload/", wantBody: "sha256_hash=" + sha,
			wantStatus: ti.StatusOK, wantFound: true, wantSev: ti.SevHigh, wantReqs: 1,
			check: func(t *testing.T, r ti.Result) {
				d := r.Details
				if d["signature"] != "Gozi" || d["file_type"] != "exe" || d["url_count"] != int64(2) ||
					d["file_size"] != int64(106496) || d["online_urls"] != 1 || d["firstseen"] != "2019-01-23 11:53:39" ||
					d["lastseen"] != "2019-01-25 09:01:30" {
					t.Errorf("details = %v", d)
				}
			},
		},
		{
			name: "payload md5", ioc: "12c8aec5766ac3e6f26f2505e2f4a8f2", typ: "md5_hash",
			handler:  reply(200, fixture(t, "payload.json"), nil),
			wantPath: "/v1/payload/", wantBody: "md5_hash=12c8aec5766ac3e6f26f2505e2f4a8f2",
			wantStatus: ti.StatusOK, wantFound: true, wantSev: ti.SevHigh, wantReqs: 1,
		},
		{
			name: "no results information", ioc: "example.org", typ: "dns",
			handler:  reply(200, []byte(`{"query_status": "no_results"}`), nil),
			wantPath: "/v1/host/", wantBody: "host=example.org",
			wantStatus: ti.StatusNotFound, wantSev: ti.SevInformation, wantReason: "no results", wantReqs: 1,
		},
		{
			name: "invalid url", ioc: "not a url", typ: "url",
			handler:    reply(200, []byte(`{"query_status": "invalid_url"}`), nil),
			wantStatus: ti.StatusBadFormat, wantSev: ti.SevUnknown, wantReason: "invalid_url", wantReqs: 1,
		},
		{
			name: "invalid sha256", ioc: "abc", typ: "sha256_hash",
			handler:    reply(200, []byte(`{"query_status": "invalid_sha256"}`), nil),
			wantStatus: ti.StatusBadFormat, wantSev: ti.SevUnknown, wantReason: "invalid_sha256", wantReqs: 1,
		},
		{
			name: "unknown auth key", ioc: "example.org", typ: "dns",
			handler:    reply(200, []byte(`{"query_status": "unknown_auth_key"}`), nil),
			wantStatus: ti.StatusError, wantSev: ti.SevUnknown, wantReason: "authorization failed", wantReqs: 1,
		},
		{
			name: "401", ioc: "example.org", typ: "dns",
			handler:    reply(401, []byte(`{"query_status": "unknown_auth_key"}`), nil),
			wantStatus: ti.StatusError, wantSev: ti.SevUnknown, wantReason: "authorization failed (401)", wantReqs: 1,
		},
		{
			name: "429 retry-after", ioc: "example.org", typ: "dns",
			handler:    reply(429, []byte(`{}`), map[string]string{"Retry-After": "1"}),
			opts:       httpx.Options{Retries: 1, MaxRetryAfter: 2 * time.Second},
			wantStatus: ti.StatusError, wantSev: ti.SevUnknown, wantReason: "rate limited (429); retry after 1s", wantReqs: 2,
		},
		{
			name: "500", ioc: "example.org", typ: "dns",
			handler:    reply(500, []byte(`boom`), nil),
			wantStatus: ti.StatusError, wantSev: ti.SevUnknown, wantReason: "HTTP 500", wantReqs: 1,
		},
		{
			name: "timeout", ioc: "example.org", typ: "dns",
			handler: func(w http.ResponseWriter, r *http.Request) {
				select {
				case <-time.After(300 * time.Millisecond):
				case <-r.Context().Done():
				}
			},
			opts:       httpx.Options{Timeout: 50 * time.Millisecond},
			wantStatus: ti.StatusError, wantSev: ti.SevUnknown, wantReason: "no answer within 50ms", wantReqs: 1,
		},
		{
			name: "malformed json", ioc: "example.org", typ: "dns",
			handler:    reply(200, []byte(`{"query_status": "ok", "urls": [`), nil),
			wantStatus: ti.StatusError, wantSev: ti.SevUnknown, wantReason: "malformed response", wantReqs: 1,
		},
		{
			name: "empty body", ioc: "example.org", typ: "dns",
			handler:    reply(200, nil, nil),
			wantStatus: ti.StatusError, wantSev: ti.SevUnknown, wantReason: "malformed response", wantReqs: 1,
		},
		{
			name: "empty object", ioc: "example.org", typ: "dns",
			handler:    reply(200, []byte(`{}`), nil),
			wantStatus: ti.StatusError, wantSev: ti.SevUnknown, wantReason: "no query_status", wantReqs: 1,
		},
		{
			name: "odd query_status", ioc: "example.org", typ: "dns",
			handler:    reply(200, []byte(`{"query_status": "maintenance"}`), nil),
			wantStatus: ti.StatusError, wantSev: ti.SevUnknown, wantReason: `"maintenance"`, wantReqs: 1,
		},
		{
			name: "foreign reference dropped", ioc: "example.org", typ: "dns",
			handler:    reply(200, []byte(`{"query_status": "ok", "urlhaus_reference": "https://evil.example/x", "url_count": 1, "urls": []}`), nil),
			wantStatus: ti.StatusOK, wantFound: true, wantSev: ti.SevWarning, wantReqs: 1, wantRef: "",
		},
		{
			name: "unsupported", ioc: "2001:db8::1", typ: "ipv6",
			handler:    reply(200, []byte(`{}`), nil),
			wantStatus: ti.StatusUnsupported, wantSev: ti.SevUnknown, wantReason: "does not look up ipv6", wantReqs: 0,
		},
		{
			name: "ipv6 as ipv4", ioc: "2001:db8::1", typ: "ipv4",
			handler:    reply(200, []byte(`{}`), nil),
			wantStatus: ti.StatusBadFormat, wantSev: ti.SevUnknown, wantReason: "not an ipv4", wantReqs: 0,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, s := newServer(t, tc.handler)
			p := newProvider(t, srv.URL+"/v1/", tc.opts)
			r := p.Lookup(context.Background(), tc.ioc, tc.typ)
			b, _ := json.Marshal(r)
			if strings.Contains(string(b), testKey) || strings.Contains(r.Reason, testKey) {
				t.Fatalf("key leaked: %s", b)
			}
			if r.Status != tc.wantStatus || r.Found != tc.wantFound || r.Severity != tc.wantSev {
				t.Fatalf("got %v found=%v %v (%q); want %v %v %v", r.Status, r.Found, r.Severity, r.Reason,
					tc.wantStatus, tc.wantFound, tc.wantSev)
			}
			if !strings.Contains(r.Reason, tc.wantReason) {
				t.Errorf("reason %q lacks %q", r.Reason, tc.wantReason)
			}
			if r.Reference != tc.wantRef {
				t.Errorf("reference = %q, want %q", r.Reference, tc.wantRef)
			}
			if got := s.n.Load(); got != tc.wantReqs {
				t.Errorf("requests = %d, want %d", got, tc.wantReqs)
			}
			if tc.wantReqs > 0 {
				s.mu.Lock()
				defer s.mu.Unlock()
				if s.method != http.MethodPost || s.authKey != testKey || s.query != "" ||
					s.ctype != "application/x-www-form-urlencoded" {
					t.Errorf("request %s ?%s Auth-Key=%q Content-Type=%q", s.method, s.query, s.authKey, s.ctype)
				}
				if tc.wantPath != "" && s.path != tc.wantPath {
					t.Errorf("path = %q, want %q", s.path, tc.wantPath)
				}
				if tc.wantBody != "" && s.body != tc.wantBody {
					t.Errorf("body = %q, want %q", s.body, tc.wantBody)
				}
			}
			if tc.check != nil {
				tc.check(t, r)
			}
		})
	}
}

// TestRetryResendsBody checks that a retried POST carries its form again.
func TestRetryResendsBody(t *testing.T) {
	var n atomic.Int32
	var bodies []string
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(b))
		mu.Unlock()
		if n.Add(1) == 1 {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		_, _ = w.Write([]byte(`{"query_status": "no_results"}`))
	}))
	defer srv.Close()
	p := newProvider(t, srv.URL, httpx.Options{Retries: 2})
	r := p.Lookup(context.Background(), "example.org", "dns")
	if r.Status != ti.StatusNotFound {
		t.Fatalf("status %v %q", r.Status, r.Reason)
	}
	if len(bodies) != 2 || bodies[0] != "host=example.org" || bodies[1] != "host=example.org" {
		t.Fatalf("bodies = %q", bodies)
	}
}

// TestSeverityRule covers the boundaries of Quarry's URLhaus rule.
func TestSeverityRule(t *testing.T) {
	for _, tc := range []struct {
		name, endpoint, body string
		want                 ti.Severity
	}{
		{"url online", "url", `{"query_status":"ok","url_status":"online"}`, ti.SevHigh},
		{"url offline", "url", `{"query_status":"ok","url_status":"offline"}`, ti.SevWarning},
		{"url unknown status", "url", `{"query_status":"ok"}`, ti.SevWarning},
		{"host one online of many", "host", `{"query_status":"ok","urls":[{"url_status":"offline"},{"url_status":"online"}]}`, ti.SevHigh},
		{"host none online", "host", `{"query_status":"ok","urls":[{"url_status":"offline"}]}`, ti.SevWarning},
		{"host no urls", "host", `{"query_status":"ok","url_count":"0"}`, ti.SevWarning},
		{"payload", "payload", `{"query_status":"ok"}`, ti.SevHigh},
		{"no results", "payload", `{"query_status":"no_results"}`, ti.SevInformation},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := ti.NewResult("urlhaus", "x", "url")
			parse([]byte(tc.body), tc.endpoint, &r)
			if r.Severity != tc.want {
				t.Fatalf("severity %v, want %v (%v %q)", r.Severity, tc.want, r.Status, r.Reason)
			}
		})
	}
}

func TestFlexInt(t *testing.T) {
	for in, want := range map[string]int64{`"4"`: 4, `4`: 4, `null`: 0, `"x"`: 0, `[1]`: 0, `"12.0"`: 12, `1e300`: 0} {
		var n flexInt
		if err := json.Unmarshal([]byte(in), &n); err != nil || int64(n) != want {
			t.Errorf("%s → %d, %v; want %d", in, n, err, want)
		}
	}
}

func TestNew(t *testing.T) {
	if _, err := New(ti.Config{}); err == nil {
		t.Fatal("no key accepted")
	}
	if _, err := New(ti.Config{Key: testKey, BaseURL: "::bad"}); err == nil || strings.Contains(err.Error(), testKey) {
		t.Fatalf("bad base: %v", err)
	}
	p, err := Spec.New(ti.Config{Key: testKey})
	if err != nil || p.Name() != "urlhaus" || len(p.Types()) != 6 {
		t.Fatalf("Spec.New = %v, %v", p, err)
	}
	if pp := p.(*Provider); pp.base != "https://urlhaus-api.abuse.ch/v1" {
		t.Fatalf("base = %q", pp.base)
	}
}

func BenchmarkParseURLhaus(b *testing.B) {
	body := fixture(b, "host_online.json")
	b.ReportAllocs()
	for b.Loop() {
		r := ti.NewResult("urlhaus", "vektorex.com", "dns")
		parse(body, "host", &r)
		if r.Severity != ti.SevHigh {
			b.Fatal(r.Reason)
		}
	}
}

func BenchmarkLookupURLhaus(b *testing.B) {
	body := fixture(b, "host_online.json")
	srv := httptest.NewServer(reply(200, body, nil))
	defer srv.Close()
	p := newProvider(b, srv.URL, httpx.Options{Concurrency: 8})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if r := p.Lookup(ctx, "vektorex.com", "dns"); r.Status != ti.StatusOK {
			b.Fatal(r.Reason)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, n := range []string{"url_online.json", "host_online.json", "payload.json"} {
		f.Add(fixture(f, n), "host")
	}
	f.Add([]byte(`{"query_status":"ok","url_count":"x","urls":[{"tags":[1,null,"a"]}],"blacklists":{"a":1}}`), "url")
	f.Add([]byte(`{"query_status":null}`), "payload")
	f.Fuzz(func(t *testing.T, body []byte, endpoint string) {
		r := ti.NewResult("urlhaus", "x", "url")
		parse(body, endpoint, &r)
		if r.Found && r.Status != ti.StatusOK {
			t.Fatalf("found with status %v", r.Status)
		}
		if r.Reference != "" && !strings.HasPrefix(r.Reference, referencePrefix) {
			t.Fatalf("reference %q", r.Reference)
		}
	})
}

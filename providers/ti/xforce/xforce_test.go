package xforce

import (
	"context"
	"encoding/base64"
	"encoding/json"
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

const (
	testKey = "k3y-SECRET-1234567890"
	testID  = "id-SECRET-0987654321"
)

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type seen struct {
	mu     sync.Mutex
	method string
	path   string // escaped path
	query  string
	auth   string
	accept string
	n      atomic.Int32
}

func newServer(t *testing.T, h func(w http.ResponseWriter, r *http.Request)) (*httptest.Server, *seen) {
	t.Helper()
	s := &seen{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.n.Add(1)
		s.mu.Lock()
		s.method, s.path, s.query = r.Method, r.URL.EscapedPath(), r.URL.RawQuery
		s.auth, s.accept = r.Header.Get("Authorization"), r.Header.Get("Accept")
		s.mu.Unlock()
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, s
}

func newProvider(t testing.TB, base string, opts httpx.Options) *Provider {
	t.Helper()
	if opts.Name == "" {
		opts.Name = "xforce"
	}
	if opts.Timeout == 0 {
		opts.Timeout = 5 * time.Second
	}
	if opts.Retries == 0 {
		opts.Retries = -1
	}
	opts.Backoff = time.Millisecond
	opts.Secrets = []string{testKey, testID}
	p, err := New(ti.Config{Key: testKey, APIID: testID, BaseURL: base, Client: httpx.New(opts)})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func jsonBody(status int, body []byte, hdr map[string]string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		for k, v := range hdr {
			w.Header().Set(k, v)
		}
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}
}

func noSecrets(t *testing.T, r ti.Result) {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	basic := base64.StdEncoding.EncodeToString([]byte(testID + ":" + testKey))
	for _, s := range []string{testKey, testID, basic} {
		if strings.Contains(string(b), s) || strings.Contains(r.Reason, s) {
			t.Fatalf("secret %q leaked: %s", s, b)
		}
	}
}

func TestLookup(t *testing.T) {
	wantAuth := "Basic " + base64.StdEncoding.EncodeToString([]byte(testID+":"+testKey))
	tests := []struct {
		name       string
		ioc, typ   string
		handler    func(http.ResponseWriter, *http.Request)
		opts       httpx.Options
		wantPath   string
		wantStatus ti.Status
		wantFound  bool
		wantSev    ti.Severity
		wantReason string // substring
		wantReqs   int32
		check      func(t *testing.T, r ti.Result)
	}{
		{
			name: "ip high", ioc: "185.220.101.4", typ: "ipv4",
			handler:  jsonBody(200, fixture(t, "ipr_high.json"), nil),
			wantPath: "/api/ipr/185.220.101.4", wantStatus: ti.StatusOK, wantFound: true, wantSev: ti.SevHigh, wantReqs: 1,
			check: func(t *testing.T, r ti.Result) {
				if r.Details["score"] != 7.1 {
					t.Errorf("score = %v", r.Details["score"])
				}
				c := r.Details["cats"].(map[string]any)
				if c["Anonymisation Services"] != float64(86) || len(c) != 3 {
					t.Errorf("cats = %v", c)
				}
				if r.Details["reason"] != "Anonymization Services" {
					t.Errorf("reason = %v", r.Details["reason"])
				}
				if cd := r.Details["category_descriptions"].(map[string]string); len(cd) != 2 {
					t.Errorf("category_descriptions = %v", cd)
				}
				if tg := r.Details["tags"].([]string); len(tg) != 1 || tg[0] != "tor" {
					t.Errorf("tags = %v", tg)
				}
				if r.Reference != "https://exchange.xforce.ibmcloud.com/ip/185.220.101.4" {
					t.Errorf("reference = %q", r.Reference)
				}
				if len(r.Raw) == 0 {
					t.Error("raw not kept")
				}
			},
		},
		{
			name: "ip warning", ioc: "1.2.3.4", typ: "ipv4",
			handler:  jsonBody(200, fixture(t, "ipr_warning.json"), nil),
			wantPath: "/api/ipr/1.2.3.4", wantStatus: ti.StatusOK, wantFound: true, wantSev: ti.SevWarning, wantReqs: 1,
			check: func(t *testing.T, r ti.Result) {
				if r.Details["reason_description"] != "One of the five RIRs announced a (new) location mapping of the IP." {
					t.Errorf("reason_description = %v", r.Details["reason_description"])
				}
				if _, ok := r.Details["tags"]; ok {
					t.Error("empty tags kept")
				}
			},
		},
		{
			name: "ipv6 path", ioc: "2001:db8::1", typ: "ipv6",
			handler:  jsonBody(200, fixture(t, "ipr_warning.json"), nil),
			wantPath: "/api/ipr/2001:db8::1", wantStatus: ti.StatusOK, wantFound: true, wantSev: ti.SevWarning, wantReqs: 1,
		},
		{
			name: "domain information", ioc: "example.com", typ: "dns",
			handler:  jsonBody(200, fixture(t, "url_info.json"), nil),
			wantPath: "/api/url/example.com", wantStatus: ti.StatusOK, wantFound: true, wantSev: ti.SevInformation, wantReqs: 1,
			check: func(t *testing.T, r ti.Result) {
				if c := r.Details["cats"].(map[string]any); c["Software / Hardware"] != true {
					t.Errorf("cats = %v", c)
				}
				if r.Reference != "https://exchange.xforce.ibmcloud.com/url/example.com" {
					t.Errorf("reference = %q", r.Reference)
				}
			},
		},
		{
			name: "url escaped", ioc: "http://example.com/a b?x=1", typ: "url",
			handler:  jsonBody(200, fixture(t, "url_info.json"), nil),
			wantPath: "/api/url/http:%2F%2Fexample.com%2Fa%20b%3Fx=1", wantStatus: ti.StatusOK, wantFound: true, wantSev: ti.SevInformation, wantReqs: 1,
			check: func(t *testing.T, r ti.Result) {
				if r.Reference != "https://exchange.xforce.ibmcloud.com/url/http:%2F%2Fexample.com%2Fa%20b%3Fx=1" {
					t.Errorf("reference = %q", r.Reference)
				}
			},
		},
		{
			name: "malware high", ioc: "8D8C80F5E2B2E4B8A94B5C0C7D7E5BA1", typ: "md5_hash",
			handler:  jsonBody(200, fixture(t, "malware.json"), nil),
			wantPath: "/api/malware/8d8c80f5e2b2e4b8a94b5c0c7d7e5ba1", wantStatus: ti.StatusOK, wantFound: true, wantSev: ti.SevHigh, wantReqs: 1,
			check: func(t *testing.T, r ti.Result) {
				if r.Details["risk"] != "high" || r.Details["type"] != "md5" {
					t.Errorf("details = %v", r.Details)
				}
				if f := r.Details["family"].([]string); len(f) != 1 || f[0] != "tsunami" {
					t.Errorf("family = %v", f)
				}
				if r.Reference != "https://exchange.xforce.ibmcloud.com/malware/8d8c80f5e2b2e4b8a94b5c0c7d7e5ba1" {
					t.Errorf("reference = %q", r.Reference)
				}
			},
		},
		{
			name: "not found", ioc: "8.8.4.4", typ: "ipv4",
			handler:  jsonBody(404, []byte(`{"error": "Not found."}`), nil),
			wantPath: "/api/ipr/8.8.4.4", wantStatus: ti.StatusNotFound, wantSev: ti.SevUnknown, wantReason: "not found", wantReqs: 1,
		},
		{
			name: "bad input 400", ioc: "8.8.4.4", typ: "ipv4",
			handler:    jsonBody(400, []byte(`{"error": "Invalid IP address"}`), nil),
			wantStatus: ti.StatusBadFormat, wantSev: ti.SevUnknown, wantReason: "Invalid IP address", wantReqs: 1,
		},
		{
			name: "401", ioc: "8.8.4.4", typ: "ipv4",
			handler:    jsonBody(401, []byte(`{"error": "Not authorized."}`), nil),
			wantStatus: ti.StatusError, wantSev: ti.SevUnknown, wantReason: "authorization failed (401)", wantReqs: 1,
		},
		{
			name: "402 quota", ioc: "8.8.4.4", typ: "ipv4",
			handler:    jsonBody(402, []byte(`{"error": "Payment Required"}`), nil),
			wantStatus: ti.StatusError, wantSev: ti.SevUnknown, wantReason: "quota exhausted (402)", wantReqs: 1,
		},
		{
			name: "429 retry-after", ioc: "8.8.4.4", typ: "ipv4",
			handler:    jsonBody(429, []byte(`{"error": "Too many requests"}`), map[string]string{"Retry-After": "1"}),
			opts:       httpx.Options{Retries: 1, MaxRetryAfter: 2 * time.Second},
			wantStatus: ti.StatusError, wantSev: ti.SevUnknown, wantReason: "quota exhausted (429)", wantReqs: 2,
			check: func(t *testing.T, r ti.Result) {
				if !strings.Contains(r.Reason, "retry after 1s") {
					t.Errorf("reason = %q", r.Reason)
				}
			},
		},
		{
			name: "500", ioc: "8.8.4.4", typ: "ipv4",
			handler:    jsonBody(500, []byte(`oops`), nil),
			wantStatus: ti.StatusError, wantSev: ti.SevUnknown, wantReason: "HTTP 500", wantReqs: 1,
		},
		{
			name: "timeout", ioc: "8.8.4.4", typ: "ipv4",
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
			name: "malformed json", ioc: "8.8.4.4", typ: "ipv4",
			handler:    jsonBody(200, []byte(`{"ip": "8.8.4.4", "score": `), nil),
			wantStatus: ti.StatusError, wantSev: ti.SevUnknown, wantReason: "malformed response", wantReqs: 1,
		},
		{
			name: "empty body", ioc: "8.8.4.4", typ: "ipv4",
			handler:    jsonBody(200, nil, nil),
			wantStatus: ti.StatusError, wantSev: ti.SevUnknown, wantReason: "malformed response", wantReqs: 1,
		},
		{
			name: "empty object ip", ioc: "8.8.4.4", typ: "ipv4",
			handler:    jsonBody(200, []byte(`{}`), nil),
			wantStatus: ti.StatusError, wantSev: ti.SevUnknown, wantReason: "no IP report", wantReqs: 1,
		},
		{
			name: "empty object malware", ioc: strings.Repeat("ab", 32), typ: "sha256_hash",
			handler:    jsonBody(200, []byte(`{}`), nil),
			wantStatus: ti.StatusError, wantSev: ti.SevUnknown, wantReason: "no malware record", wantReqs: 1,
		},
		{
			name: "unsupported", ioc: "user@example.com", typ: "email",
			handler:    jsonBody(200, []byte(`{}`), nil),
			wantStatus: ti.StatusUnsupported, wantSev: ti.SevUnknown, wantReason: "does not look up email", wantReqs: 0,
		},
		{
			name: "bad ip not sent", ioc: "999.1.1.1", typ: "ipv4",
			handler:    jsonBody(200, []byte(`{}`), nil),
			wantStatus: ti.StatusBadFormat, wantSev: ti.SevUnknown, wantReason: "not an ipv4", wantReqs: 0,
		},
		{
			name: "bad hash not sent", ioc: "xyz", typ: "sha1_hash",
			handler:    jsonBody(200, []byte(`{}`), nil),
			wantStatus: ti.StatusBadFormat, wantSev: ti.SevUnknown, wantReason: "not a sha1_hash", wantReqs: 0,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, s := newServer(t, tc.handler)
			p := newProvider(t, srv.URL+"/api", tc.opts)
			r := p.Lookup(context.Background(), tc.ioc, tc.typ)
			noSecrets(t, r)
			if r.Status != tc.wantStatus || r.Found != tc.wantFound || r.Severity != tc.wantSev {
				t.Fatalf("got status %v found %v severity %v (%q); want %v %v %v",
					r.Status, r.Found, r.Severity, r.Reason, tc.wantStatus, tc.wantFound, tc.wantSev)
			}
			if !strings.Contains(r.Reason, tc.wantReason) {
				t.Errorf("reason %q does not contain %q", r.Reason, tc.wantReason)
			}
			if got := s.n.Load(); got != tc.wantReqs {
				t.Errorf("requests = %d, want %d", got, tc.wantReqs)
			}
			if r.Provider != "xforce" || r.Ioc != tc.ioc || r.IocType != tc.typ {
				t.Errorf("identity = %q %q %q", r.Provider, r.Ioc, r.IocType)
			}
			if tc.wantReqs > 0 {
				s.mu.Lock()
				defer s.mu.Unlock()
				if s.method != http.MethodGet {
					t.Errorf("method = %s", s.method)
				}
				if s.auth != wantAuth {
					t.Errorf("Authorization = %q, want %q", s.auth, wantAuth)
				}
				if s.accept != "application/json" {
					t.Errorf("Accept = %q", s.accept)
				}
				if s.query != "" {
					t.Errorf("query = %q", s.query)
				}
				if tc.wantPath != "" && s.path != tc.wantPath {
					t.Errorf("path = %q, want %q", s.path, tc.wantPath)
				}
			}
			if tc.check != nil {
				tc.check(t, r)
			}
		})
	}
}

func TestSeverity(t *testing.T) {
	for _, tc := range []struct {
		score float64
		want  ti.Severity
	}{
		{0, ti.SevInformation}, {1, ti.SevInformation}, {1.99, ti.SevInformation},
		{2, ti.SevWarning}, {4.3, ti.SevWarning}, {4.99, ti.SevWarning},
		{5, ti.SevHigh}, {7.1, ti.SevHigh}, {10, ti.SevHigh},
	} {
		if got := Severity(tc.score); got != tc.want {
			t.Errorf("Severity(%v) = %v, want %v", tc.score, got, tc.want)
		}
	}
}

func TestNew(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  ti.Config
		ok   bool
	}{
		{"both", ti.Config{Key: testKey, APIID: testID}, true},
		{"no key", ti.Config{APIID: testID}, false},
		{"no id", ti.Config{Key: testKey}, false},
		{"bad base", ti.Config{Key: testKey, APIID: testID, BaseURL: "ftp://x"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := New(tc.cfg)
			if (err == nil) != tc.ok {
				t.Fatalf("New err = %v", err)
			}
			if err != nil && (strings.Contains(err.Error(), testKey) || strings.Contains(err.Error(), testID)) {
				t.Fatalf("secret in error %q", err)
			}
			if tc.ok && (p.Name() != "xforce" || len(p.Types()) != 7) {
				t.Fatalf("name %q types %v", p.Name(), p.Types())
			}
		})
	}
	if p, err := Spec.New(ti.Config{Key: testKey, APIID: testID}); err != nil || p.Name() != "xforce" {
		t.Fatalf("Spec.New = %v, %v", p, err)
	}
}

func TestDefaultBaseURL(t *testing.T) {
	p, err := New(ti.Config{Key: testKey, APIID: testID})
	if err != nil {
		t.Fatal(err)
	}
	if p.base != "https://api.xforce.ibmcloud.com/api" {
		t.Fatalf("base = %q", p.base)
	}
}

func BenchmarkParseXforce(b *testing.B) {
	body := fixture(b, "ipr_high.json")
	b.ReportAllocs()
	for b.Loop() {
		r := ti.NewResult("xforce", "185.220.101.4", "ipv4")
		if !parse(body, "ipr", &r) || r.Severity != ti.SevHigh {
			b.Fatal("parse failed")
		}
	}
}

func BenchmarkLookupXforce(b *testing.B) {
	body := fixture(b, "ipr_high.json")
	srv := httptest.NewServer(http.HandlerFunc(jsonBody(200, body, nil)))
	defer srv.Close()
	p := newProvider(b, srv.URL, httpx.Options{Concurrency: 8})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if r := p.Lookup(ctx, "185.220.101.4", "ipv4"); r.Status != ti.StatusOK {
			b.Fatal(r.Reason)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, n := range []string{"ipr_high.json", "ipr_warning.json", "url_info.json", "malware.json"} {
		f.Add(fixture(f, n), "ipr")
	}
	f.Add([]byte(`{"result":{"score":null}}`), "url")
	f.Add([]byte(`{"malware":{"family":"x"},"tags":[1,"a",{"value":"v"}]}`), "malware")
	f.Fuzz(func(t *testing.T, body []byte, kind string) {
		r := ti.NewResult("xforce", "x", "ipv4")
		ok := parse(body, kind, &r)
		if ok && r.Status == ti.StatusOK && r.Found && r.Details == nil {
			t.Fatal("found without details")
		}
		if !ok && r.Status != ti.StatusError {
			t.Fatalf("failed parse with status %v", r.Status)
		}
	})
}

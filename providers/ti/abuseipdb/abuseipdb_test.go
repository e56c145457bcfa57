package abuseipdb

import (
	"context"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/quarry-sec/quarry/providers/httpx"
	"github.com/quarry-sec/quarry/providers/ti"
	"github.com/quarry-sec/quarry/providers/ti/titest"
	"golang.org/x/time/rate"
)

// Answers in the shapes api-fixtures.md §9 documents.
const (
	highScore = `{"data": {"ipAddress": "118.25.6.39", "isPublic": true, "ipVersion": 4, "isWhitelisted": false,
	 "abuseConfidenceScore": 100, "countryCode": "CN", "countryName": "China",
	 "usageType": "Data Center/Web Hosting/Transit", "isp": "Tencent Cloud Computing (Beijing) Co. Ltd",
	 "domain": "tencent.com", "hostnames": [], "isTor": false,
	 "totalReports": 1, "numDistinctUsers": 1, "lastReportedAt": "2018-12-20T20:55:14+00:00",
	 "reports": [{"reportedAt": "2018-12-20T20:55:14+00:00", "comment": "Dec 20 20:55:14 srv sshd[1]: Invalid user admin", "categories": [18, 22], "reporterId": 1,
	              "reporterCountryCode": "US", "reporterCountryName": "United States"}]}}`
	lowScore = `{"data": {"ipAddress": "2001:db8::5", "isPublic": true, "ipVersion": 6, "isWhitelisted": false,
	 "abuseConfidenceScore": 12, "countryCode": "DE", "usageType": "Fixed Line ISP", "isp": "Example Telecom",
	 "domain": "telecom.example", "hostnames": ["a.telecom.example", "b.telecom.example"], "isTor": true,
	 "totalReports": 3, "numDistinctUsers": 2, "lastReportedAt": "2024-03-01T10:00:00+02:00", "reports": []}}`
	clean0 = `{"data": {"ipAddress": "8.8.8.8", "isPublic": true, "ipVersion": 4, "isWhitelisted": true,
	 "abuseConfidenceScore": 0, "countryCode": "US", "usageType": "Content Delivery Network", "isp": "Google LLC",
	 "domain": "google.com", "hostnames": ["dns.google"], "isTor": false,
	 "totalReports": 0, "numDistinctUsers": 0, "lastReportedAt": null, "reports": []}}`
	unprocessable = `{"errors": [{"detail": "The ip address must be a valid IPv4 or IPv6 address (e.g. 8.8.8.8 or 2001:4860:4860::8888).", "status": 422, "source": {"parameter": "ipAddress"}}]}`
	authFailed    = `{"errors": [{"detail": "Authentication failed. Your API key is either missing, incorrect, or revoked.", "status": 401}]}`
	dailyLimit    = `{"errors": [{"detail": "Daily rate limit of 1000 requests exceeded for this endpoint.", "status": 429}]}`
)

func TestLookup(t *testing.T) {
	tests := []struct {
		name      string
		ioc, typ  string
		rep       titest.Reply
		client    httpx.Options
		wantQuery string
		wantN     int
		status    ti.Status
		found     bool
		sev       ti.Severity
		reason    string
		details   map[string]any
		reference string
	}{
		{
			name: "score 100: high", ioc: "118.25.6.39", typ: "ipv4",
			rep: titest.Reply{Body: highScore}, wantQuery: "ipAddress=118.25.6.39&maxAgeInDays=90&verbose", wantN: 1,
			status: ti.StatusOK, found: true, sev: ti.SevHigh,
			details: map[string]any{
				"abuse_confidence_score": 100, "country_code": "CN", "usage_type": "Data Center/Web Hosting/Transit",
				"isp": "Tencent Cloud Computing (Beijing) Co. Ltd", "domain": "tencent.com", "total_reports": 1,
				"last_reported_at": "2018-12-20T20:55:14Z", "is_tor": false,
			},
			reference: "https://www.abuseipdb.com/check/118.25.6.39",
		},
		{
			name: "score 12 on IPv6: warning", ioc: "2001:db8::5", typ: "ipv6",
			rep: titest.Reply{Body: lowScore}, wantQuery: "ipAddress=2001%3Adb8%3A%3A5&maxAgeInDays=90&verbose", wantN: 1,
			status: ti.StatusOK, found: true, sev: ti.SevWarning,
			details: map[string]any{
				"abuse_confidence_score": 12, "country_code": "DE", "usage_type": "Fixed Line ISP",
				"isp": "Example Telecom", "domain": "telecom.example", "total_reports": 3,
				"hostnames":        []string{"a.telecom.example", "b.telecom.example"},
				"last_reported_at": "2024-03-01T08:00:00Z", "is_tor": true,
			},
			reference: "https://www.abuseipdb.com/check/2001:db8::5",
		},
		{
			name: "reports but score 0: information", ioc: "198.51.100.3", typ: "ipv4",
			rep:   titest.Reply{Body: strings.Replace(strings.Replace(highScore, `"abuseConfidenceScore": 100`, `"abuseConfidenceScore": 0`, 1), `"totalReports": 1`, `"totalReports": 2`, 1)},
			wantN: 1, status: ti.StatusOK, found: true, sev: ti.SevInformation,
		},
		{
			name: "no reports: not found, information", ioc: "8.8.8.8", typ: "ipv4",
			rep: titest.Reply{Body: clean0}, wantN: 1,
			status: ti.StatusNotFound, sev: ti.SevInformation, reason: "no reports",
			details: map[string]any{
				"abuse_confidence_score": 0, "country_code": "US", "usage_type": "Content Delivery Network",
				"isp": "Google LLC", "domain": "google.com", "total_reports": 0, "hostnames": []string{"dns.google"}, "is_tor": false,
			},
			reference: "https://www.abuseipdb.com/check/8.8.8.8",
		},
		{
			name: "invalid address: no request", ioc: "203.0.113.300", typ: "ipv4",
			rep: titest.Reply{Status: 422, Body: unprocessable}, wantN: 0,
			status: ti.StatusBadFormat, sev: ti.SevUnknown, reason: "not an IP address",
		},
		{
			name: "422 from the API", ioc: "10.1.2.3", typ: "ipv4",
			rep: titest.Reply{Status: 422, Body: unprocessable}, wantN: 1,
			status: ti.StatusBadFormat, sev: ti.SevUnknown,
			reason: "rejected the address: The ip address must be a valid IPv4 or IPv6 address (e.g. 8.8.8.8 or 2001:4860:4860::8888).",
		},
		{
			name: "422 with an odd body", ioc: "10.1.2.3", typ: "ipv4",
			rep: titest.Reply{Status: 422, Body: `{"errors": [{"detail": 5}]}`}, wantN: 1,
			status: ti.StatusBadFormat, sev: ti.SevUnknown, reason: "AbuseIPDB rejected the address",
		},
		{
			name: "ipv4 given as ipv6", ioc: "192.0.2.1", typ: "ipv6",
			rep: titest.Reply{Body: highScore}, wantN: 0, status: ti.StatusBadFormat, sev: ti.SevUnknown, reason: "not an IPv6 address",
		},
		{
			name: "404", ioc: "192.0.2.1", typ: "ipv4",
			rep: titest.Reply{Status: 404, Body: `{"errors": [{"detail": "Not Found"}]}`}, wantN: 1,
			status: ti.StatusNotFound, sev: ti.SevUnknown, reason: "not found",
		},
		{
			name: "401", ioc: "192.0.2.1", typ: "ipv4",
			rep: titest.Reply{Status: 401, Body: authFailed}, wantN: 1,
			status: ti.StatusError, sev: ti.SevUnknown, reason: "401",
		},
		{
			name: "429 honours Retry-After then gives up", ioc: "192.0.2.1", typ: "ipv4",
			rep: titest.Reply{Status: 429, Body: dailyLimit, Header: map[string]string{
				"Retry-After": "1", "X-RateLimit-Limit": "1000", "X-RateLimit-Remaining": "0"}},
			client: httpx.Options{Retries: 1, MaxRetryAfter: 2 * time.Second}, wantN: 2,
			status: ti.StatusError, sev: ti.SevUnknown, reason: "429",
		},
		{
			name: "500", ioc: "192.0.2.1", typ: "ipv4",
			rep: titest.Reply{Status: 500}, client: httpx.Options{Retries: 1}, wantN: 2,
			status: ti.StatusError, sev: ti.SevUnknown, reason: "HTTP 500",
		},
		{
			name: "time-out", ioc: "192.0.2.1", typ: "ipv4",
			rep:    titest.Reply{Body: highScore, Delay: 2 * time.Second}, // well past the 50 ms time-out, even on a loaded machine
			client: httpx.Options{Timeout: 50 * time.Millisecond, Retries: -1}, wantN: 1,
			status: ti.StatusError, sev: ti.SevUnknown, reason: "no answer within 50ms",
		},
		{
			name: "malformed JSON", ioc: "192.0.2.1", typ: "ipv4",
			rep: titest.Reply{Body: `{"data": {"abuseConfidenceScore": `}, wantN: 1,
			status: ti.StatusError, sev: ti.SevUnknown, reason: "malformed response",
		},
		{
			name: "empty 200 body", ioc: "192.0.2.1", typ: "ipv4",
			rep: titest.Reply{Body: ""}, wantN: 1, status: ti.StatusError, sev: ti.SevUnknown, reason: "malformed response",
		},
		{
			name: "empty object", ioc: "192.0.2.1", typ: "ipv4",
			rep: titest.Reply{Body: `{}`}, wantN: 1, status: ti.StatusError, sev: ti.SevUnknown, reason: "no data object",
		},
		{
			name: "errors in a 200", ioc: "192.0.2.1", typ: "ipv4",
			rep: titest.Reply{Body: dailyLimit}, wantN: 1, status: ti.StatusError, sev: ti.SevUnknown, reason: "Daily rate limit of 1000",
		},
		{
			name: "server echoes the key", ioc: "10.1.2.3", typ: "ipv4",
			rep: titest.Reply{Status: 422, Body: `{"errors": [{"detail": "key ` + testKey + ` is odd"}]}`}, wantN: 1,
			status: ti.StatusBadFormat, sev: ti.SevUnknown, reason: "key [redacted] is odd",
		},
		{
			name: "unsupported type", ioc: "evil.example", typ: "dns",
			rep: titest.Reply{Body: highScore}, wantN: 0, status: ti.StatusUnsupported, sev: ti.SevUnknown,
			reason: "does not look up dns",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, s := titest.Serve(t, tc.rep)
			p, err := New(ti.Config{Key: testKey, BaseURL: srv.URL, Client: testClient(tc.client)})
			if err != nil {
				t.Fatal(err)
			}
			r := p.Lookup(context.Background(), tc.ioc, tc.typ)
			titest.AssertNoKey(t, r)
			if r.Status != tc.status || r.Found != tc.found || r.Severity != tc.sev {
				t.Fatalf("status/found/severity = %v/%v/%v, want %v/%v/%v (reason %q)",
					r.Status, r.Found, r.Severity, tc.status, tc.found, tc.sev, r.Reason)
			}
			if !strings.Contains(r.Reason, tc.reason) {
				t.Errorf("reason %q does not mention %q", r.Reason, tc.reason)
			}
			if got := s.Count(); got != tc.wantN {
				t.Fatalf("server got %d requests, want %d", got, tc.wantN)
			}
			if tc.wantN > 0 {
				if s.Method != http.MethodGet || s.Path != "/api/v2/check" {
					t.Errorf("request %s %s", s.Method, s.Path)
				}
				if tc.wantQuery != "" && s.Query != tc.wantQuery {
					t.Errorf("query %q, want %q", s.Query, tc.wantQuery)
				}
				if got := s.Header["Key"]; len(got) != 1 || got[0] != testKey {
					t.Errorf("Key header = %q", got)
				}
				if got := s.Header.Get("Accept"); got != "application/json" {
					t.Errorf("Accept = %q", got)
				}
			}
			if tc.details != nil && !reflect.DeepEqual(r.Details, tc.details) {
				t.Errorf("details\n got %#v\nwant %#v", r.Details, tc.details)
			}
			if tc.reference != "" && r.Reference != tc.reference {
				t.Errorf("reference %q, want %q", r.Reference, tc.reference)
			}
		})
	}
}

func TestSeverity(t *testing.T) {
	tests := []struct {
		score int
		want  ti.Severity
	}{
		{-5, ti.SevInformation},
		{0, ti.SevInformation},
		{1, ti.SevWarning},
		{50, ti.SevWarning},
		{51, ti.SevHigh},
		{100, ti.SevHigh},
	}
	for _, tc := range tests {
		if got := severity(tc.score); got != tc.want {
			t.Errorf("severity(%d) = %v, want %v", tc.score, got, tc.want)
		}
	}
}

func TestNew(t *testing.T) {
	tests := []struct {
		name string
		cfg  ti.Config
		err  string
	}{
		{"no key", ti.Config{}, "API key is required (set QUARRY_ABUSEIPDB_KEY)"},
		{"bad base URL", ti.Config{Key: testKey, BaseURL: "mailto:" + testKey}, "not an http(s) URL"},
		{"ok", ti.Config{Key: testKey}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Spec.New(tc.cfg)
			if tc.err == "" {
				if err != nil || p == nil || p.Name() != Name || !reflect.DeepEqual(p.Types(), []string{"ipv4", "ipv6"}) {
					t.Fatalf("New = %v, %v", p, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.err) || strings.Contains(err.Error(), testKey) || p != nil {
				t.Fatalf("New = %v, %v; want error %q without the key", p, err, tc.err)
			}
		})
	}
}

// TestDailyBudget replays a two-day flood through the spec's bucket: the
// first day's batch goes at once, and no later 24 h stretch passes the quota.
func TestDailyBudget(t *testing.T) {
	if !Spec.NeedsKey || Spec.KeyEnv != "QUARRY_ABUSEIPDB_KEY" {
		t.Fatalf("spec %+v", Spec)
	}
	lim := rate.NewLimiter(Spec.HTTP.Rate, Spec.HTTP.Burst)
	start := time.Unix(0, 0)
	if !lim.AllowN(start, 500) {
		t.Fatal("a batch of 500 look-ups should not wait")
	}
	n := 0
	for s := 1; s <= 86400; s++ {
		for lim.AllowN(start.Add(time.Duration(s)*time.Second), 1) {
			n++
		}
	}
	// The rest of the bucket plus a day's refill: 500 + 1000.
	if n < 1499 || n > 1501 {
		t.Fatalf("%d look-ups in the first day after the batch", n)
	}
	n = 0
	for s := 86401; s <= 2*86400; s++ {
		for lim.AllowN(start.Add(time.Duration(s)*time.Second), 1) {
			n++
		}
	}
	if n > 1001 {
		t.Fatalf("%d look-ups on the second day; the quota is 1000", n)
	}
}

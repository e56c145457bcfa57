package greynoise

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
)

// Answers in the shapes api-fixtures.md §8 documents.
const (
	benign = `{"ip": "71.6.135.131", "noise": true, "riot": false, "classification": "benign",
	 "name": "Shodan.io", "link": "https://viz.greynoise.io/ip/71.6.135.131",
	 "last_seen": "2024-01-01", "message": "Success"}`
	malicious = `{"ip": "45.83.66.10", "noise": true, "riot": false, "classification": "malicious",
	 "name": "unknown", "link": "https://viz.greynoise.io/ip/45.83.66.10",
	 "last_seen": "2024-02-03", "message": "Success"}`
	riot = `{"ip": "8.8.8.8", "noise": false, "riot": true, "classification": "benign",
	 "name": "Google Public DNS", "link": "https://viz.greynoise.io/riot/8.8.8.8",
	 "last_seen": "2024-02-03", "message": "Success"}`
	notObserved = `{"ip": "192.0.2.1", "noise": false, "riot": false, "message": "IP not observed scanning the internet or contained in RIOT data set."}`
	invalid     = `{"message": "Request is not a valid routable IPv4 address"}`
	overQuota   = `{"plan": "unauthenticated", "rate-limit": "100-lookups/day", "plan_url": "https://greynoise.io/pricing", "message": "You have hit your daily rate limit of 100 unauthenticated lookups."}`
)

func TestLookup(t *testing.T) {
	tests := []struct {
		name      string
		key       string
		ioc, typ  string
		rep       titest.Reply
		client    httpx.Options
		wantN     int
		status    ti.Status
		found     bool
		sev       ti.Severity
		reason    string
		details   map[string]any
		reference string
	}{
		{
			name: "malicious: high", key: testKey, ioc: "45.83.66.10", typ: "ipv4",
			rep: titest.Reply{Body: malicious}, wantN: 1, status: ti.StatusOK, found: true, sev: ti.SevHigh,
			details: map[string]any{
				"classification": "malicious", "name": "unknown", "last_seen": "2024-02-03",
				"message": "Success", "noise": true, "riot": false,
			},
			reference: "https://viz.greynoise.io/ip/45.83.66.10",
		},
		{
			name: "benign scanner: information", key: testKey, ioc: "71.6.135.131", typ: "ipv4",
			rep: titest.Reply{Body: benign}, wantN: 1, status: ti.StatusOK, found: true, sev: ti.SevInformation,
			details: map[string]any{
				"classification": "benign", "name": "Shodan.io", "last_seen": "2024-01-01",
				"message": "Success", "noise": true, "riot": false,
			},
			reference: "https://viz.greynoise.io/ip/71.6.135.131",
		},
		{
			name: "RIOT service, anonymous", ioc: "8.8.8.8", typ: "ipv4",
			rep: titest.Reply{Body: riot}, wantN: 1, status: ti.StatusOK, found: true, sev: ti.SevInformation,
			details: map[string]any{
				"classification": "benign", "name": "Google Public DNS", "last_seen": "2024-02-03",
				"message": "Success", "noise": false, "riot": true,
			},
			reference: "https://viz.greynoise.io/riot/8.8.8.8",
		},
		{
			name: "foreign link ignored", key: testKey, ioc: "45.83.66.10", typ: "ipv4",
			rep:   titest.Reply{Body: strings.Replace(malicious, "https://viz.greynoise.io/ip/45.83.66.10", "https://viz.greynoise.io.evil.example/x", 1)},
			wantN: 1, status: ti.StatusOK, found: true, sev: ti.SevHigh,
			reference: "https://viz.greynoise.io/ip/45.83.66.10",
		},
		{
			name: "link with a control character ignored", key: testKey, ioc: "45.83.66.10", typ: "ipv4",
			rep:   titest.Reply{Body: strings.Replace(malicious, "https://viz.greynoise.io/ip/45.83.66.10", `https://viz.greynoise.io/ip/\u001b[2J`, 1)},
			wantN: 1, status: ti.StatusOK, found: true, sev: ti.SevHigh,
			reference: "https://viz.greynoise.io/ip/45.83.66.10",
		},
		{
			name: "404 not observed", key: testKey, ioc: "192.0.2.1", typ: "ipv4",
			rep: titest.Reply{Status: 404, Body: notObserved}, wantN: 1, status: ti.StatusNotFound, sev: ti.SevInformation,
			reason:    "IP not observed scanning the internet or contained in RIOT data set.",
			reference: "https://viz.greynoise.io/ip/192.0.2.1",
		},
		{
			name: "404 without a body", key: testKey, ioc: "192.0.2.1", typ: "ipv4",
			rep: titest.Reply{Status: 404}, wantN: 1, status: ti.StatusNotFound, sev: ti.SevInformation,
			reason: "IP not observed by GreyNoise",
		},
		{
			name: "400 not routable", key: testKey, ioc: "10.0.0.1", typ: "ipv4",
			rep: titest.Reply{Status: 400, Body: invalid}, wantN: 1, status: ti.StatusBadFormat, sev: ti.SevUnknown,
			reason: "rejected the address (400): Request is not a valid routable IPv4 address",
		},
		{
			name: "not an address: no request", key: testKey, ioc: "example.com", typ: "ipv4",
			rep: titest.Reply{Body: benign}, wantN: 0, status: ti.StatusBadFormat, sev: ti.SevUnknown,
			reason: "not an IPv4 address",
		},
		{
			name: "error code in the body", key: testKey, ioc: "45.83.66.10", typ: "ipv4",
			rep: titest.Reply{Body: `{"ip": "45.83.66.10", "noise": false, "code": "0x07", "message": "invalid ip"}`}, wantN: 1,
			status: ti.StatusError, sev: ti.SevUnknown, reason: "code 0x07: invalid ip",
		},
		{
			name: "numeric error code", key: testKey, ioc: "45.83.66.10", typ: "ipv4",
			rep: titest.Reply{Body: `{"code": 500, "message": "internal"}`}, wantN: 1,
			status: ti.StatusError, sev: ti.SevUnknown, reason: "code 500: internal",
		},
		{
			name: "observed code", key: testKey, ioc: "45.83.66.10", typ: "ipv4",
			rep: titest.Reply{Body: `{"ip": "45.83.66.10", "noise": true, "code": "0x01", "classification": "malicious"}`}, wantN: 1,
			status: ti.StatusOK, found: true, sev: ti.SevHigh,
			details: map[string]any{"classification": "malicious", "noise": true},
		},
		{
			name: "never-observed code", key: testKey, ioc: "45.83.66.10", typ: "ipv4",
			rep: titest.Reply{Body: `{"ip": "45.83.66.10", "noise": false, "code": "0x00"}`}, wantN: 1,
			status: ti.StatusNotFound, sev: ti.SevInformation, reason: "code 0x00",
		},
		{
			name: "401", key: testKey, ioc: "45.83.66.10", typ: "ipv4",
			rep: titest.Reply{Status: 401, Body: `{"message": "Unauthorized"}`}, wantN: 1,
			status: ti.StatusError, sev: ti.SevUnknown, reason: "401",
		},
		{
			name: "429 honours Retry-After then gives up", key: testKey, ioc: "45.83.66.10", typ: "ipv4",
			rep:    titest.Reply{Status: 429, Body: overQuota, Header: map[string]string{"Retry-After": "1"}},
			client: httpx.Options{Retries: 1, MaxRetryAfter: 2 * time.Second}, wantN: 2,
			status: ti.StatusError, sev: ti.SevUnknown, reason: "429",
		},
		{
			name: "429 until tomorrow ends at once", key: testKey, ioc: "45.83.66.10", typ: "ipv4",
			rep:    titest.Reply{Status: 429, Body: overQuota, Header: map[string]string{"Retry-After": "43200"}},
			client: httpx.Options{Retries: 3, MaxRetryAfter: 2 * time.Second}, wantN: 1,
			status: ti.StatusError, sev: ti.SevUnknown, reason: "retry after 43200s",
		},
		{
			name: "500", key: testKey, ioc: "45.83.66.10", typ: "ipv4",
			rep: titest.Reply{Status: 500}, client: httpx.Options{Retries: 1}, wantN: 2,
			status: ti.StatusError, sev: ti.SevUnknown, reason: "HTTP 500",
		},
		{
			name: "time-out", key: testKey, ioc: "45.83.66.10", typ: "ipv4",
			rep:    titest.Reply{Body: malicious, Delay: 2 * time.Second}, // well past the 50 ms time-out, even on a loaded machine
			client: httpx.Options{Timeout: 50 * time.Millisecond, Retries: -1}, wantN: 1,
			status: ti.StatusError, sev: ti.SevUnknown, reason: "no answer within 50ms",
		},
		{
			name: "malformed JSON", key: testKey, ioc: "45.83.66.10", typ: "ipv4",
			rep: titest.Reply{Body: `{"ip": "45.83.66.10", "noise": tru`}, wantN: 1,
			status: ti.StatusError, sev: ti.SevUnknown, reason: "malformed response",
		},
		{
			name: "empty 200 body", key: testKey, ioc: "45.83.66.10", typ: "ipv4",
			rep: titest.Reply{Body: ""}, wantN: 1, status: ti.StatusError, sev: ti.SevUnknown, reason: "malformed response",
		},
		{
			name: "empty object", key: testKey, ioc: "45.83.66.10", typ: "ipv4",
			rep: titest.Reply{Body: `{}`}, wantN: 1, status: ti.StatusError, sev: ti.SevUnknown, reason: "unexpected response",
		},
		{
			name: "server echoes the key", key: testKey, ioc: "192.0.2.1", typ: "ipv4",
			rep: titest.Reply{Status: 404, Body: `{"message": "no record for key ` + testKey + `"}`}, wantN: 1,
			status: ti.StatusNotFound, sev: ti.SevInformation, reason: "no record for key [redacted]",
		},
		{
			name: "ipv6 unsupported", key: testKey, ioc: "2001:db8::1", typ: "ipv6",
			rep: titest.Reply{Body: benign}, wantN: 0, status: ti.StatusUnsupported, sev: ti.SevUnknown,
			reason: "does not look up ipv6",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, s := titest.Serve(t, tc.rep)
			p, err := New(ti.Config{Key: tc.key, BaseURL: srv.URL, Client: testClient(tc.client)})
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
				if s.Method != http.MethodGet || s.Query != "" || s.Path != "/v3/community/"+tc.ioc {
					t.Errorf("request %s %s?%s", s.Method, s.Path, s.Query)
				}
				got := s.Header["Key"]
				if tc.key != "" && (len(got) != 1 || got[0] != tc.key) {
					t.Errorf("key header = %q", got)
				}
				if tc.key == "" && got != nil {
					t.Errorf("anonymous look-up sent a key header %q", got)
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
	tests := map[string]ti.Severity{
		"malicious":   ti.SevHigh,
		" Malicious ": ti.SevHigh,
		"benign":      ti.SevInformation,
		"unknown":     ti.SevInformation,
		"":            ti.SevInformation,
		"suspicious":  ti.SevInformation,
	}
	for in, want := range tests {
		if got := severity(in); got != want {
			t.Errorf("severity(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestNew(t *testing.T) {
	if _, err := Spec.New(ti.Config{BaseURL: "://"}); err == nil || !strings.Contains(err.Error(), "not an http(s) URL") {
		t.Fatalf("bad base URL: %v", err)
	}
	p, err := Spec.New(ti.Config{})
	if err != nil || p.Name() != "greynoise" || !reflect.DeepEqual(p.Types(), []string{"ipv4"}) {
		t.Fatalf("keyless New = %v, %v", p, err)
	}
	// Conservative: never more than a day's community allowance (50) in a day.
	perDay := float64(Spec.HTTP.Rate) * 86400
	if Spec.NeedsKey || Spec.KeyEnv != "QUARRY_GREYNOISE_KEY" || perDay > 50.001 || Spec.HTTP.Burst > 50 || Spec.HTTP.Burst < 1 {
		t.Fatalf("spec %+v (%.1f a day)", Spec, perDay)
	}
}

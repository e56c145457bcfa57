package otx

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

// Answers in the shape api-fixtures.md §7 documents for the general section.
const (
	twoPulses = `{"indicator": "198.51.100.7", "type": "IPv4", "type_title": "IPv4", "reputation": 0,
	 "asn": "AS64500 example", "country_code": "NL",
	 "sections": ["general","geo","reputation","url_list","passive_dns","malware","nids_list","http_scans"],
	 "base_indicator": {"id": 1, "indicator": "198.51.100.7", "type": "IPv4", "access_type": "public"},
	 "pulse_info": {"count": 2, "references": ["https://blog.example/cs-report"],
	  "related": {"alienvault": {"adversary": [], "malware_families": ["Cobalt Strike"], "industries": []},
	              "other": {"adversary": [], "malware_families": ["Beacon", "cobalt strike"], "industries": []}},
	  "pulses": [
	   {"id": "5f01", "name": "Cobalt Strike C2", "description": "...", "modified": "2023-06-01T00:00:00", "created": "2023-06-01T00:00:00",
	    "tags": ["cobalt strike", "c2", "Cobalt Strike"], "references": ["https://blog.example/cs-report", "https://other.example/ioc"],
	    "public": 1, "TLP": "white", "adversary": "", "targeted_countries": [],
	    "malware_families": [{"id": "Cobalt Strike", "display_name": "Cobalt Strike"}],
	    "attack_ids": [{"id": "T1071", "name": "Application Layer Protocol", "display_name": "T1071 - Application Layer Protocol"}],
	    "industries": [], "author": {"username": "analyst", "id": "1", "is_subscribed": false}, "indicator_count": 250},
	   {"id": "5f02", "name": "Scanner \u001b]0;pwned\u0007list", "tags": ["scanner"], "references": [],
	    "malware_families": [{"id": "Mirai"}]}]},
	 "false_positive": [], "validation": []}`
	onePulse = `{"indicator": "evil.example", "type": "domain", "sections": ["general"],
	 "pulse_info": {"count": 1, "references": [], "pulses": [{"name": "Phishing kit", "tags": ["phishing"], "references": ["https://feed.example/p"], "malware_families": []}],
	  "related": {"alienvault": {"malware_families": []}, "other": {"malware_families": []}}}}`
	noPulses = `{"indicator": "8.8.8.8", "type": "IPv4", "sections": ["general"],
	 "pulse_info": {"count": 0, "references": [], "pulses": [], "related": {"alienvault": {"malware_families": []}, "other": {"malware_families": []}}}}`
	badIndicator = `{"detail": "Invalid IP address"}`
)

func TestLookup(t *testing.T) {
	tests := []struct {
		name      string
		key       string
		ioc, typ  string
		rep       titest.Reply
		client    httpx.Options
		wantPath  string
		wantN     int
		status    ti.Status
		found     bool
		sev       ti.Severity
		reason    string
		details   map[string]any
		reference string
	}{
		{
			name: "two pulses: high", key: testKey, ioc: "198.51.100.7", typ: "ipv4",
			rep: titest.Reply{Body: twoPulses}, wantPath: "/api/v1/indicators/IPv4/198.51.100.7/general", wantN: 1,
			status: ti.StatusOK, found: true, sev: ti.SevHigh,
			details: map[string]any{
				"pulse_count":      2,
				"names":            []string{"Cobalt Strike C2", "Scanner ]0;pwned list"},
				"tags":             []string{"cobalt strike", "c2", "scanner"},
				"references":       []string{"https://blog.example/cs-report", "https://other.example/ioc"},
				"malware_families": []string{"Cobalt Strike", "Mirai", "Beacon"},
			},
			reference: "https://otx.alienvault.com/indicator/ip/198.51.100.7",
		},
		{
			name: "one pulse: warning", key: testKey, ioc: "evil.example", typ: "dns",
			rep: titest.Reply{Body: onePulse}, wantPath: "/api/v1/indicators/domain/evil.example/general", wantN: 1,
			status: ti.StatusOK, found: true, sev: ti.SevWarning,
			details: map[string]any{
				"pulse_count": 1, "names": []string{"Phishing kit"}, "tags": []string{"phishing"},
				"references": []string{"https://feed.example/p"},
			},
			reference: "https://otx.alienvault.com/indicator/domain/evil.example",
		},
		{
			name: "no pulses: information, not found", key: testKey, ioc: "8.8.8.8", typ: "ipv4",
			rep: titest.Reply{Body: noPulses}, wantN: 1,
			status: ti.StatusNotFound, sev: ti.SevInformation, reason: "no pulses",
			details: map[string]any{"pulse_count": 0},
		},
		{
			name: "anonymous: no key header", ioc: "8.8.8.8", typ: "ipv4",
			rep: titest.Reply{Body: noPulses}, wantN: 1,
			status: ti.StatusNotFound, sev: ti.SevInformation, reason: "no pulses",
		},
		{
			name: "ipv6", key: testKey, ioc: "2001:db8::7", typ: "ipv6",
			rep: titest.Reply{Body: onePulse}, wantPath: "/api/v1/indicators/IPv6/2001:db8::7/general", wantN: 1,
			status: ti.StatusOK, found: true, sev: ti.SevWarning,
			reference: "https://otx.alienvault.com/indicator/ip/2001:db8::7",
		},
		{
			name: "hostname", key: testKey, ioc: "www.evil.example", typ: "hostname",
			rep: titest.Reply{Body: onePulse}, wantPath: "/api/v1/indicators/hostname/www.evil.example/general", wantN: 1,
			status: ti.StatusOK, found: true, sev: ti.SevWarning,
			reference: "https://otx.alienvault.com/indicator/hostname/www.evil.example",
		},
		{
			name: "file hash", key: testKey, ioc: "44d88612fea8a8f36de82e1278abb02f", typ: "md5_hash",
			rep: titest.Reply{Body: twoPulses}, wantPath: "/api/v1/indicators/file/44d88612fea8a8f36de82e1278abb02f/general", wantN: 1,
			status: ti.StatusOK, found: true, sev: ti.SevHigh,
			reference: "https://otx.alienvault.com/indicator/file/44d88612fea8a8f36de82e1278abb02f",
		},
		{
			name: "url is one escaped segment", key: testKey, ioc: "http://evil.example/a b/p?q=1#f", typ: "url",
			rep: titest.Reply{Body: onePulse}, wantPath: "/api/v1/indicators/url/http:%2F%2Fevil.example%2Fa%20b%2Fp%3Fq=1%23f/general", wantN: 1,
			status: ti.StatusOK, found: true, sev: ti.SevWarning,
			reference: "https://otx.alienvault.com/indicator/url/http:%2F%2Fevil.example%2Fa%20b%2Fp%3Fq=1%23f",
		},
		{
			name: "400 bad format", key: testKey, ioc: "198.51.100.7", typ: "ipv4",
			rep: titest.Reply{Status: 400, Body: badIndicator}, wantN: 1,
			status: ti.StatusBadFormat, sev: ti.SevUnknown, reason: "malformed (400): Invalid IP address",
		},
		{
			name: "400 without a body", key: testKey, ioc: "198.51.100.7", typ: "ipv4",
			rep: titest.Reply{Status: 400, Body: "Bad Request"}, wantN: 1,
			status: ti.StatusBadFormat, sev: ti.SevUnknown, reason: "malformed (400)",
		},
		{
			name: "bad hash rejected without a request", key: testKey, ioc: "zz88612fea8a8f36de82e1278abb02f", typ: "md5_hash",
			rep: titest.Reply{Body: twoPulses}, wantN: 0, status: ti.StatusBadFormat, sev: ti.SevUnknown, reason: "md5_hash",
		},
		{
			name: "404", key: testKey, ioc: "198.51.100.7", typ: "ipv4",
			rep: titest.Reply{Status: 404, Body: `{"detail": "Not found."}`}, wantN: 1,
			status: ti.StatusNotFound, sev: ti.SevUnknown, reason: "not found",
		},
		{
			name: "401", key: testKey, ioc: "198.51.100.7", typ: "ipv4",
			rep: titest.Reply{Status: 401, Body: `{"detail": "Authentication required"}`}, wantN: 1,
			status: ti.StatusError, sev: ti.SevUnknown, reason: "401",
		},
		{
			name: "429 honours Retry-After then gives up", key: testKey, ioc: "198.51.100.7", typ: "ipv4",
			rep:    titest.Reply{Status: 429, Body: `{"detail": "Request was throttled."}`, Header: map[string]string{"Retry-After": "1"}},
			client: httpx.Options{Retries: 1, MaxRetryAfter: 2 * time.Second}, wantN: 2,
			status: ti.StatusError, sev: ti.SevUnknown, reason: "429",
		},
		{
			name: "500", key: testKey, ioc: "198.51.100.7", typ: "ipv4",
			rep: titest.Reply{Status: 500, Body: "oops"}, client: httpx.Options{Retries: 1}, wantN: 2,
			status: ti.StatusError, sev: ti.SevUnknown, reason: "HTTP 500",
		},
		{
			name: "time-out", key: testKey, ioc: "198.51.100.7", typ: "ipv4",
			rep:    titest.Reply{Body: twoPulses, Delay: 2 * time.Second}, // well past the 50 ms time-out, even on a loaded machine
			client: httpx.Options{Timeout: 50 * time.Millisecond, Retries: -1}, wantN: 1,
			status: ti.StatusError, sev: ti.SevUnknown, reason: "no answer within 50ms",
		},
		{
			name: "malformed JSON", key: testKey, ioc: "198.51.100.7", typ: "ipv4",
			rep: titest.Reply{Body: `{"pulse_info": {"count": `}, wantN: 1,
			status: ti.StatusError, sev: ti.SevUnknown, reason: "malformed response",
		},
		{
			name: "empty 200 body", key: testKey, ioc: "198.51.100.7", typ: "ipv4",
			rep: titest.Reply{Body: ""}, wantN: 1,
			status: ti.StatusError, sev: ti.SevUnknown, reason: "malformed response",
		},
		{
			name: "empty object", key: testKey, ioc: "198.51.100.7", typ: "ipv4",
			rep: titest.Reply{Body: `{}`}, wantN: 1,
			status: ti.StatusError, sev: ti.SevUnknown, reason: "no pulse_info",
		},
		{
			name: "count short of the pulses listed", key: testKey, ioc: "198.51.100.7", typ: "ipv4",
			rep: titest.Reply{Body: `{"pulse_info": {"count": 0, "pulses": [{"name": "a"}, {"name": "b", "malware_families": [7, null, {"id": 3}]}]}}`}, wantN: 1,
			status: ti.StatusOK, found: true, sev: ti.SevHigh,
			details: map[string]any{"pulse_count": 2, "names": []string{"a", "b"}},
		},
		{
			name: "wrong field type", key: testKey, ioc: "198.51.100.7", typ: "ipv4",
			rep: titest.Reply{Body: `{"pulse_info": {"count": 1, "pulses": [{"name": 7}]}}`}, wantN: 1,
			status: ti.StatusError, sev: ti.SevUnknown, reason: "malformed response",
		},
		{
			name: "server echoes the key", key: testKey, ioc: "198.51.100.7", typ: "ipv4",
			rep: titest.Reply{Status: 400, Body: `{"detail": "bad key ` + testKey + `"}`}, wantN: 1,
			status: ti.StatusBadFormat, sev: ti.SevUnknown, reason: "bad key [redacted]",
		},
		{
			name: "unsupported type", key: testKey, ioc: "C:\\Windows\\evil.exe", typ: "windows_path",
			rep: titest.Reply{Body: twoPulses}, wantN: 0, status: ti.StatusUnsupported, sev: ti.SevUnknown,
			reason: "does not look up windows_path",
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
				if s.Method != http.MethodGet || s.Query != "" {
					t.Errorf("method %s query %q", s.Method, s.Query)
				}
				got := s.Header["X-Otx-Api-Key"]
				if tc.key != "" && (len(got) != 1 || got[0] != tc.key) {
					t.Errorf("X-OTX-API-KEY = %q", got)
				}
				if tc.key == "" && got != nil {
					t.Errorf("anonymous look-up sent X-OTX-API-KEY %q", got)
				}
				if tc.wantPath != "" && s.Path != tc.wantPath {
					t.Errorf("path %q, want %q", s.Path, tc.wantPath)
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
		pulses int
		want   ti.Severity
	}{
		{-1, ti.SevInformation},
		{0, ti.SevInformation},
		{1, ti.SevWarning},
		{2, ti.SevHigh},
		{300, ti.SevHigh},
	}
	for _, tc := range tests {
		if got := severity(tc.pulses); got != tc.want {
			t.Errorf("severity(%d) = %v, want %v", tc.pulses, got, tc.want)
		}
	}
}

func TestCaps(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"pulse_info": {"count": 5000, "pulses": [`)
	for i := range 300 {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`{"name": "pulse ` + strings.Repeat("n", i%7) + string(rune('a'+i%26)) + `", "tags": ["t` + string(rune('a'+i%26)) + string(rune('a'+i/26)) + `"],` +
			`"references": ["https://r.example/` + string(rune('a'+i%26)) + string(rune('a'+i/26)) + `"], "malware_families": ["f` + string(rune('a'+i%26)) + `"]}`)
	}
	b.WriteString(`]}}`)
	r := interpret(ti.NewResult(Name, "198.51.100.7", "ipv4"), 200, []byte(b.String()))
	if r.Status != ti.StatusOK || r.Severity != ti.SevHigh || r.Details["pulse_count"] != 5000 {
		t.Fatalf("%v %v %v %q", r.Status, r.Severity, r.Details["pulse_count"], r.Reason)
	}
	for k, want := range map[string]int{"names": 10, "tags": 20, "references": 10, "malware_families": 10} {
		if got := len(r.Details[k].([]string)); got != want {
			t.Errorf("%s has %d entries, want %d", k, got, want)
		}
	}
}

func TestNew(t *testing.T) {
	if _, err := Spec.New(ti.Config{BaseURL: "ftp://x"}); err == nil || !strings.Contains(err.Error(), "not an http(s) URL") {
		t.Fatalf("bad base URL: %v", err)
	}
	p, err := Spec.New(ti.Config{})
	if err != nil || p.Name() != "otx" || !reflect.DeepEqual(p.Types(), Spec.Types) {
		t.Fatalf("keyless New = %v, %v", p, err)
	}
	if Spec.NeedsKey || Spec.KeyEnv != "QUARRY_OTX_KEY" || !reflect.DeepEqual(Spec.Aliases, []string{"alienvault"}) ||
		Spec.HTTP.Burst != 5 || float64(Spec.HTTP.Rate)*3600 < 9999 || float64(Spec.HTTP.Rate)*3600 > 10001 {
		t.Fatalf("spec %+v", Spec)
	}
}

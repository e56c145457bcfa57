package virustotal

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/quarry-sec/quarry/providers/httpx"
	"github.com/quarry-sec/quarry/providers/ti"
	"github.com/quarry-sec/quarry/providers/ti/titest"
	"golang.org/x/time/rate"
)

const (
	fileHash = "03bd9a94482f180bb047626cb2f27ccf8daa0e201345480b43585580e09c311b"
	urlIOC   = "http://218.54.47.77/"
	urlSHA   = "380269259e1f607fb07769fee779f0dc3144924f865e76a3c05c8898295d02f8"
)

// fixture reads a testdata file.
func fixture(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// wrap serves a bare data object as the API does.
func wrap(obj string) string { return `{"data": ` + obj + `}` }

// Documented shapes (api-fixtures.md §6) for the object types without a
// recorded response.
const (
	ipWarning = `{"data": {"type": "ip_address", "id": "203.0.113.9", "attributes": {
		"last_analysis_stats": {"harmless": 60, "malicious": 1, "suspicious": 0, "undetected": 25, "timeout": 0},
		"last_analysis_date": 1704067200, "reputation": -3,
		"asn": 64500, "as_owner": "Example Hosting\u001b[31m Ltd", "country": "NL"}}}`
	domainSuspicious = `{"data": {"type": "domain", "id": "evil.example", "attributes": {
		"last_analysis_stats": {"harmless": 55, "malicious": 0, "suspicious": 2, "undetected": 30},
		"last_analysis_date": 1704067200, "reputation": 0, "registrar": "Example Registrar, Inc.",
		"creation_date": 1262304000,
		"categories": {"Forcepoint ThreatSeeker": "phishing", "Sophos": "phishing", "BitDefender": "malware", "alphaMountain.ai": "Suspicious"}}}}`
	notFound = `{"error": {"code": "NotFoundError", "message": "File \"` + "0123456789abcdef0123456789abcdef" + `\" not found"}}`
	badArg   = `{"error": {"code": "InvalidArgumentError", "message": "Domain \"bad..example\" is not a valid domain pattern"}}`
	badCreds = `{"error": {"code": "WrongCredentialsError", "message": "Wrong API key"}}`
	quota    = `{"error": {"code": "QuotaExceededError", "message": "Quota exceeded"}}`
)

func TestLookup(t *testing.T) {
	fileBody := wrap(fixture(t, "vt3_file_1.json"))
	urlBody := wrap(fixture(t, "vt3_url_0.json"))
	tests := []struct {
		name      string
		ioc, typ  string
		rep       titest.Reply
		client    httpx.Options
		wantPath  string
		wantN     int
		status    ti.Status
		found     bool
		sev       ti.Severity
		reason    string // substring of Reason
		details   map[string]any
		reference string
	}{
		{
			name: "file high (recorded msticpy object)", ioc: fileHash, typ: "sha256_hash",
			rep: titest.Reply{Body: fileBody}, wantPath: "/files/" + fileHash, wantN: 1,
			status: ti.StatusOK, found: true, sev: ti.SevHigh,
			details: map[string]any{
				"malicious": 40, "suspicious": 0, "harmless": 0, "undetected": 28, "reputation": 0,
				"last_analysis_date": "2021-10-09T14:20:26Z", "meaningful_name": "itami.exe",
				"type_description": "Win32 EXE", "size": int64(44032), "suggested_threat_label": "trojan.msil/tasker",
			},
			reference: "https://www.virustotal.com/gui/file/" + fileHash,
		},
		{
			name: "url information (recorded msticpy object)", ioc: urlIOC, typ: "url",
			rep: titest.Reply{Body: urlBody}, wantPath: "/urls/aHR0cDovLzIxOC41NC40Ny43Ny8", wantN: 1,
			status: ti.StatusOK, found: true, sev: ti.SevInformation,
			details: map[string]any{
				"malicious": 0, "suspicious": 0, "harmless": 57, "undetected": 9, "reputation": 0,
				"last_analysis_date": "2019-01-08T14:25:49Z", "last_final_url": "http://218.54.47.77/",
			},
			reference: "https://www.virustotal.com/gui/url/" + urlSHA,
		},
		{
			name: "ip warning on one detection", ioc: "203.0.113.9", typ: "ipv4",
			rep: titest.Reply{Body: ipWarning}, wantPath: "/ip_addresses/203.0.113.9", wantN: 1,
			status: ti.StatusOK, found: true, sev: ti.SevWarning,
			details: map[string]any{
				"malicious": 1, "suspicious": 0, "harmless": 60, "undetected": 25, "reputation": -3,
				"last_analysis_date": "2024-01-01T00:00:00Z", "as_owner": "Example Hosting [31m Ltd",
				"asn": int64(64500), "country": "NL",
			},
			reference: "https://www.virustotal.com/gui/ip-address/203.0.113.9",
		},
		{
			name: "ipv6 path", ioc: "2001:db8::1", typ: "ipv6",
			rep: titest.Reply{Body: ipWarning}, wantPath: "/ip_addresses/2001:db8::1", wantN: 1,
			status: ti.StatusOK, found: true, sev: ti.SevWarning,
			reference: "https://www.virustotal.com/gui/ip-address/2001:db8::1",
		},
		{
			name: "domain warning on suspicious votes", ioc: "evil.example", typ: "dns",
			rep: titest.Reply{Body: domainSuspicious}, wantPath: "/domains/evil.example", wantN: 1,
			status: ti.StatusOK, found: true, sev: ti.SevWarning,
			details: map[string]any{
				"malicious": 0, "suspicious": 2, "harmless": 55, "undetected": 30, "reputation": 0,
				"last_analysis_date": "2024-01-01T00:00:00Z", "registrar": "Example Registrar, Inc.",
				"creation_date": "2010-01-01T00:00:00Z", "categories": []string{"malware", "phishing", "Suspicious"},
			},
			reference: "https://www.virustotal.com/gui/domain/evil.example",
		},
		{
			name: "data object without attributes", ioc: "host.example", typ: "hostname",
			rep: titest.Reply{Body: `{"data": {"type": "domain", "id": "host.example"}}`}, wantPath: "/domains/host.example", wantN: 1,
			status: ti.StatusOK, found: true, sev: ti.SevInformation,
			details: map[string]any{"malicious": 0, "suspicious": 0, "harmless": 0, "undetected": 0, "reputation": 0},
		},
		{
			name: "404 NotFoundError", ioc: "0123456789abcdef0123456789abcdef", typ: "md5_hash",
			rep: titest.Reply{Status: 404, Body: notFound}, wantPath: "/files/0123456789abcdef0123456789abcdef", wantN: 1,
			status: ti.StatusNotFound, sev: ti.SevUnknown, reason: `File "0123456789abcdef0123456789abcdef" not found`,
		},
		{
			name: "404 without a body", ioc: "0123456789abcdef0123456789abcdef01234567", typ: "sha1_hash",
			rep: titest.Reply{Status: 404, Body: "<html>gone</html>"}, wantN: 1,
			status: ti.StatusNotFound, sev: ti.SevUnknown, reason: "not found",
		},
		{
			name: "400 InvalidArgumentError", ioc: "bad..example", typ: "dns",
			rep: titest.Reply{Status: 400, Body: badArg}, wantPath: "/domains/bad..example", wantN: 1,
			status: ti.StatusBadFormat, sev: ti.SevUnknown, reason: "is not a valid domain pattern",
		},
		{
			name: "bad IP rejected without a request", ioc: "999.1.1.1", typ: "ipv4",
			rep: titest.Reply{Body: ipWarning}, wantN: 0, status: ti.StatusBadFormat, sev: ti.SevUnknown,
			reason: "not an IP address",
		},
		{
			name: "IPv6 given as ipv4", ioc: "2001:db8::1", typ: "ipv4",
			rep: titest.Reply{Body: ipWarning}, wantN: 0, status: ti.StatusBadFormat, sev: ti.SevUnknown,
			reason: "not an IPv4 address",
		},
		{
			name: "short hash rejected", ioc: "abc", typ: "sha256_hash",
			rep: titest.Reply{Body: fileBody}, wantN: 0, status: ti.StatusBadFormat, sev: ti.SevUnknown,
			reason: "want 64 hex digits",
		},
		{
			name: "401", ioc: fileHash, typ: "sha256_hash",
			rep: titest.Reply{Status: 401, Body: badCreds}, client: httpx.Options{Retries: -1}, wantN: 1,
			status: ti.StatusError, sev: ti.SevUnknown, reason: "401",
		},
		{
			name: "429 honours Retry-After then gives up", ioc: fileHash, typ: "sha256_hash",
			rep:    titest.Reply{Status: 429, Body: quota, Header: map[string]string{"Retry-After": "1"}},
			client: httpx.Options{Retries: 1, MaxRetryAfter: 2 * time.Second}, wantN: 2,
			status: ti.StatusError, sev: ti.SevUnknown, reason: "429",
		},
		{
			name: "500", ioc: fileHash, typ: "sha256_hash",
			rep: titest.Reply{Status: 500, Body: "oops"}, client: httpx.Options{Retries: 1}, wantN: 2,
			status: ti.StatusError, sev: ti.SevUnknown, reason: "HTTP 500",
		},
		{
			name: "time-out", ioc: fileHash, typ: "sha256_hash",
			rep:    titest.Reply{Body: fileBody, Delay: 2 * time.Second}, // well past the 50 ms time-out, even on a loaded machine
			client: httpx.Options{Timeout: 50 * time.Millisecond, Retries: -1}, wantN: 1,
			status: ti.StatusError, sev: ti.SevUnknown, reason: "no answer within 50ms",
		},
		{
			name: "malformed JSON", ioc: fileHash, typ: "sha256_hash",
			rep: titest.Reply{Body: `{"data": {"attributes": `}, wantN: 1,
			status: ti.StatusError, sev: ti.SevUnknown, reason: "malformed response",
		},
		{
			name: "wrong field type", ioc: fileHash, typ: "sha256_hash",
			rep: titest.Reply{Body: `{"data": {"attributes": {"last_analysis_stats": {"malicious": "many"}}}}`}, wantN: 1,
			status: ti.StatusError, sev: ti.SevUnknown, reason: "malformed response",
		},
		{
			name: "empty 200 body", ioc: fileHash, typ: "sha256_hash",
			rep: titest.Reply{Body: ""}, wantN: 1,
			status: ti.StatusError, sev: ti.SevUnknown, reason: "malformed response",
		},
		{
			name: "empty object", ioc: fileHash, typ: "sha256_hash",
			rep: titest.Reply{Body: `{}`}, wantN: 1,
			status: ti.StatusError, sev: ti.SevUnknown, reason: "no data object",
		},
		{
			name: "null data", ioc: fileHash, typ: "sha256_hash",
			rep: titest.Reply{Body: `{"data": null}`}, wantN: 1,
			status: ti.StatusError, sev: ti.SevUnknown, reason: "no data object",
		},
		{
			name: "server echoes the key", ioc: fileHash, typ: "sha256_hash",
			rep: titest.Reply{Status: 404, Body: `{"error": {"code": "NotFoundError", "message": "key ` + testKey + ` has no file"}}`}, wantN: 1,
			status: ti.StatusNotFound, sev: ti.SevUnknown, reason: "key [redacted] has no file",
		},
		{
			name: "unsupported type", ioc: "a@b.example", typ: "email",
			rep: titest.Reply{Body: fileBody}, wantN: 0, status: ti.StatusUnsupported, sev: ti.SevUnknown,
			reason: "does not look up email",
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
			if r.Provider != Name || r.Ioc != tc.ioc || r.IocType != tc.typ {
				t.Errorf("identity = %q %q %q", r.Provider, r.Ioc, r.IocType)
			}
			if got := s.Count(); got != tc.wantN {
				t.Fatalf("server got %d requests, want %d", got, tc.wantN)
			}
			if tc.wantN > 0 {
				if s.Method != http.MethodGet {
					t.Errorf("method %s", s.Method)
				}
				if got := s.Header["X-Apikey"]; len(got) != 1 || got[0] != testKey {
					t.Errorf("x-apikey header = %q", got)
				}
				if got := s.Header.Get("Accept"); got != "application/json" {
					t.Errorf("Accept = %q", got)
				}
				if s.Query != "" {
					t.Errorf("query %q, want none", s.Query)
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
			if r.Status == ti.StatusOK && !json.Valid(r.Raw) {
				t.Errorf("raw not kept: %q", r.Raw)
			}
		})
	}
}

func TestSeverity(t *testing.T) {
	tests := []struct {
		malicious, suspicious int
		want                  ti.Severity
	}{
		{0, 0, ti.SevInformation},
		{0, 1, ti.SevWarning},
		{0, 5, ti.SevWarning},
		{1, 0, ti.SevWarning},
		{1, 3, ti.SevWarning},
		{2, 0, ti.SevHigh},
		{40, 0, ti.SevHigh},
		{-1, 0, ti.SevInformation},
	}
	for _, tc := range tests {
		if got := severity(tc.malicious, tc.suspicious); got != tc.want {
			t.Errorf("severity(%d, %d) = %v, want %v", tc.malicious, tc.suspicious, got, tc.want)
		}
	}
}

func TestNew(t *testing.T) {
	tests := []struct {
		name string
		cfg  ti.Config
		err  string
	}{
		{"no key", ti.Config{}, "API key is required (set QUARRY_VT_KEY)"},
		{"bad base URL", ti.Config{Key: testKey, BaseURL: "ftp://user:" + testKey + "@x"}, "not an http(s) URL"},
		{"default base URL", ti.Config{Key: testKey}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Spec.New(tc.cfg)
			if tc.err == "" {
				if err != nil || p == nil || p.Name() != Name {
					t.Fatalf("New = %v, %v", p, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("error %v, want %q", err, tc.err)
			}
			if strings.Contains(err.Error(), testKey) {
				t.Fatalf("error leaks the key: %v", err)
			}
			if p != nil {
				t.Fatalf("provider %v returned with an error (a typed nil?)", p)
			}
		})
	}
}

func TestSpec(t *testing.T) {
	if Spec.Name != "virustotal" || !reflect.DeepEqual(Spec.Aliases, []string{"vt"}) || Spec.KeyEnv != "QUARRY_VT_KEY" ||
		!Spec.NeedsKey || Spec.DefaultBaseURL != "https://www.virustotal.com/api/v3" || Spec.TTL <= 0 || Spec.Docs == "" {
		t.Fatalf("spec %+v", Spec)
	}
	p := &Provider{}
	if !reflect.DeepEqual(p.Types(), Spec.Types) {
		t.Fatalf("types %v vs spec %v", p.Types(), Spec.Types)
	}
	// The free tier allows 4 requests a minute: replay a flood through the
	// spec's token bucket over virtual time and count each 60 s window.
	lim := rate.NewLimiter(Spec.HTTP.Rate, Spec.HTTP.Burst)
	start := time.Unix(0, 0)
	var sent []time.Time
	for ms := 0; ms < 10*60*1000; ms += 100 {
		at := start.Add(time.Duration(ms) * time.Millisecond)
		if lim.AllowN(at, 1) {
			sent = append(sent, at)
		}
	}
	for i := range sent {
		n := 0
		for j := i; j < len(sent) && sent[j].Sub(sent[i]) < time.Minute; j++ {
			n++
		}
		if n > 4 {
			t.Fatalf("%d requests in the minute from %v", n, sent[i].Sub(start))
		}
	}
	if len(sent) < 39 {
		t.Fatalf("only %d requests in 10 minutes; the limit is too tight", len(sent))
	}
}

func TestURLID(t *testing.T) {
	tests := map[string]string{
		urlIOC:                     "aHR0cDovLzIxOC41NC40Ny43Ny8",
		"https://a.example/?q=1&x": "aHR0cHM6Ly9hLmV4YW1wbGUvP3E9MSZ4",
		"":                         "",
	}
	for in, want := range tests {
		if got := URLID(in); got != want {
			t.Errorf("URLID(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCancelled(t *testing.T) {
	srv, _ := titest.Serve(t, titest.Reply{Body: `{}`, Delay: time.Second})
	p, err := New(ti.Config{Key: testKey, BaseURL: srv.URL, Client: testClient(httpx.Options{})})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := p.Lookup(ctx, fileHash, "sha256_hash")
	if r.Status != ti.StatusError || !strings.Contains(r.Reason, "canceled") {
		t.Fatalf("cancelled look-up = %v %q", r.Status, r.Reason)
	}
}

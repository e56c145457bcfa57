package geoip

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/quarry-sec/quarry/providers/httpx"
)

const testKey = "SeCrEt-ipstack-KEY-0123456789"

// ipstackSuccess is the documented answer shape (api-fixtures.md §13), with
// the connection block paid plans add.
const ipstackSuccess = `{"ip": "134.201.250.155", "type": "ipv4", "continent_code": "NA", "continent_name": "North America",
 "country_code": "US", "country_name": "United States", "region_code": "CA", "region_name": "California",
 "city": "Los Angeles", "zip": "90013", "latitude": 34.0453, "longitude": -118.2413,
 "location": {"geoname_id": 5368361, "capital": "Washington D.C.",
              "languages": [{"code": "en", "name": "English", "native": "English"}],
              "country_flag": "https://assets.ipstack.com/flags/us.svg", "country_flag_emoji": "🇺🇸",
              "country_flag_emoji_unicode": "U+1F1FA U+1F1F8", "calling_code": "1", "is_eu": false},
 "connection": {"asn": 25876, "isp": "Los Angeles Department of Water & Power"}}`

// ipstackUnplaced is ipstack's 200 answer for an address it cannot place.
const ipstackUnplaced = `{"ip": "134.201.250.156", "type": "ipv4", "continent_code": null, "continent_name": null,
 "country_code": null, "country_name": null, "region_code": null, "region_name": null, "city": null,
 "zip": null, "latitude": null, "longitude": null}`

// ipstackServer answers as ipstack does: by key and address.
func ipstackServer(t *testing.T, hits *atomic.Int32) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Query().Get("output") != "json" {
			t.Errorf("output = %q, want json", r.URL.Query().Get("output"))
		}
		if r.URL.Path == "/134.201.250.159" {
			select {
			case <-r.Context().Done():
			case <-time.After(2 * time.Second):
			}
			return
		}
		switch key := r.URL.Query().Get("access_key"); {
		case key == "spent":
			w.Write([]byte(`{"success": false, "error": {"code": 104, "type": "usage_limit_reached", "info": "Your monthly usage limit has been reached."}}`))
			return
		case key != testKey:
			w.Write([]byte(`{"success": false, "error": {"code": 101, "type": "invalid_access_key", "info": "You have not supplied a valid API Access Key."}}`))
			return
		}
		switch r.URL.Path {
		case "/134.201.250.155":
			w.Write([]byte(ipstackSuccess))
		case "/134.201.250.156":
			w.Write([]byte(ipstackUnplaced))
		case "/134.201.250.157":
			w.Write([]byte(`{"country_code": "US", "latitude": `))
		case "/134.201.250.158":
			// A server error that echoes the key back.
			w.WriteHeader(http.StatusInternalServerError)
			w.Write([]byte(`{"success": false, "error": {"code": 500, "type": "internal", "info": "failed for key ` + testKey + `"}}`))
		default:
			w.Write([]byte(`{"success": false, "error": {"code": 106, "type": "invalid_ip_address", "info": "The IP Address supplied is invalid."}}`))
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// quickClient is an httpx client that does not retry (and knows no secret,
// so the redaction under test is IPStack's own).
func quickClient() *httpx.Client {
	return httpx.New(httpx.Options{Name: "ipstack", Retries: -1, Timeout: 5 * time.Second})
}

func TestIPStackLocate(t *testing.T) {
	var hits atomic.Int32
	srv := ipstackServer(t, &hits)
	tests := []struct {
		name    string
		key     string
		ip      string
		want    Location
		wantErr string
	}{
		{"success", testKey, "134.201.250.155", Location{
			IP: "134.201.250.155", CountryCode: "US", Country: "United States", Subdivision: "California",
			City: "Los Angeles", Latitude: 34.0453, Longitude: -118.2413, ASN: 25876,
			ASNOrg: "Los Angeles Department of Water & Power", IPType: "Public", Source: "ipstack", Found: true}, ""},
		{"v4-mapped is sent as IPv4", testKey, "::ffff:134.201.250.155", Location{
			IP: "::ffff:134.201.250.155", CountryCode: "US", Country: "United States", Subdivision: "California",
			City: "Los Angeles", Latitude: 34.0453, Longitude: -118.2413, ASN: 25876,
			ASNOrg: "Los Angeles Department of Water & Power", IPType: "Public", Source: "ipstack", Found: true}, ""},
		{"unplaced address", testKey, "134.201.250.156", Location{
			IP: "134.201.250.156", IPType: "Public", Source: "ipstack"}, ""},
		{"invalid key (HTTP 200 with error)", "wrong-key", "134.201.250.155", Location{
			IP: "134.201.250.155", IPType: "Public", Source: "ipstack"},
			"ipstack: invalid_access_key (101): You have not supplied a valid API Access Key."},
		{"quota spent", "spent", "134.201.250.155", Location{
			IP: "134.201.250.155", IPType: "Public", Source: "ipstack"},
			"ipstack: usage_limit_reached (104): Your monthly usage limit has been reached."},
		{"malformed JSON", testKey, "134.201.250.157", Location{
			IP: "134.201.250.157", IPType: "Public", Source: "ipstack"}, "ipstack: unreadable answer"},
		{"HTTP 500 echoing the key", testKey, "134.201.250.158", Location{
			IP: "134.201.250.158", IPType: "Public", Source: "ipstack"}, "ipstack: HTTP 500: internal (500): failed for key [redacted]"},
	}
	for _, tc := range tests {
		s := NewIPStack(tc.key, srv.URL, quickClient())
		got, err := s.Locate(context.Background(), netip.MustParseAddr(tc.ip))
		if tc.wantErr == "" && err != nil {
			t.Errorf("%s: unexpected error %v", tc.name, err)
		}
		if tc.wantErr != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.wantErr)) {
			t.Errorf("%s: error %v, want prefix %q", tc.name, err, tc.wantErr)
		}
		if err != nil && strings.Contains(err.Error(), testKey) {
			t.Errorf("%s: error leaks the key: %v", tc.name, err)
		}
		if got != tc.want {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.name, got, tc.want)
		}
	}
}

func TestIPStackNonPublicAnsweredLocally(t *testing.T) {
	var hits atomic.Int32
	srv := ipstackServer(t, &hits)
	s := NewIPStack(testKey, srv.URL, quickClient())
	for _, tc := range []struct{ ip, typ string }{
		{"10.0.0.5", "Private"}, {"127.0.0.1", "Loopback"}, {"169.254.3.4", "Link Local"},
		{"224.0.0.251", "Multicast"}, {"fd00::1", "Private"}, {"100.64.1.1", "Unspecified"},
	} {
		got, err := s.Locate(context.Background(), netip.MustParseAddr(tc.ip))
		want := Location{IP: tc.ip, IPType: tc.typ, Source: "local"}
		if err != nil || got != want {
			t.Errorf("Locate(%s) = %+v, %v; want %+v", tc.ip, got, err, want)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("%d requests sent for non-public addresses, want 0", n)
	}
}

func TestIPStackNoKey(t *testing.T) {
	var hits atomic.Int32
	srv := ipstackServer(t, &hits)
	_, err := NewIPStack("", srv.URL, quickClient()).Locate(context.Background(), netip.MustParseAddr("134.201.250.155"))
	if err == nil || !strings.Contains(err.Error(), "no access key") || hits.Load() != 0 {
		t.Fatalf("no key: err %v, %d requests", err, hits.Load())
	}
}

// TestIPStackKeyNeverLeaks gathers every error a failing transport, a dead
// server, a time-out and a cancelled context give, and greps them for the key
// (raw and URL-escaped).
func TestIPStackKeyNeverLeaks(t *testing.T) {
	key := testKey + "+/="
	var hits atomic.Int32
	live := ipstackServer(t, &hits)
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()
	addr := netip.MustParseAddr("134.201.250.155")

	var errs []error
	// Connection refused: net/http's url.Error prints the URL with its query.
	_, err := NewIPStack(key, deadURL, quickClient()).Locate(context.Background(), addr)
	errs = append(errs, err)
	// The default client (key registered as a secret) against the dead server.
	s := NewIPStack(key, deadURL, nil)
	s.client = httpx.New(httpx.Options{Name: "ipstack", Retries: -1, Secrets: []string{key}})
	_, err = s.Locate(context.Background(), addr)
	errs = append(errs, err)
	// Attempt time-out.
	slow := httpx.New(httpx.Options{Name: "ipstack", Retries: -1, Timeout: 50 * time.Millisecond})
	_, err = NewIPStack(key, live.URL, slow).Locate(context.Background(), netip.MustParseAddr("134.201.250.159"))
	if err == nil || !strings.Contains(err.Error(), "no answer within") {
		t.Errorf("time-out: got %v", err)
	}
	errs = append(errs, err)
	// Cancelled context.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = NewIPStack(key, live.URL, quickClient()).Locate(ctx, addr)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v does not wrap context.Canceled", err)
	}
	errs = append(errs, err)
	// A transport that fails with the full URL in its message.
	leaky := httpx.New(httpx.Options{Name: "ipstack", Retries: -1, Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		return nil, errors.New("proxy refused " + r.URL.String() + " key=" + r.URL.Query().Get("access_key"))
	})})
	_, err = NewIPStack(key, live.URL, leaky).Locate(context.Background(), addr)
	errs = append(errs, err)
	// The API's own error with the wrong key.
	_, err = NewIPStack(key, live.URL, quickClient()).Locate(context.Background(), addr)
	errs = append(errs, err)

	for i, err := range errs {
		if err == nil {
			t.Errorf("case %d: no error", i)
			continue
		}
		msg := err.Error()
		for _, secret := range []string{key, testKey, "SeCrEt", "access_key="} {
			if strings.Contains(msg, secret) {
				t.Errorf("case %d: error leaks %q: %s", i, secret, msg)
			}
		}
		for u := errors.Unwrap(err); u != nil; u = errors.Unwrap(u) {
			if strings.Contains(u.Error(), "SeCrEt") {
				t.Errorf("case %d: wrapped cause leaks the key: %s", i, u)
			}
		}
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestStripQueries(t *testing.T) {
	tests := []struct{ in, want string }{
		{`Get "http://api.ipstack.com/1.2.3.4?access_key=K&output=json": dial tcp`, `Get "http://api.ipstack.com/1.2.3.4": dial tcp`},
		{"see https://user:pw@host/x?y=1#f and http://a/b?c", "see https://host/x and http://a/b"},
		{"no url here", "no url here"},
		{"http://h?k", "http://h"},
	}
	for _, tc := range tests {
		if got := stripQueries(tc.in); got != tc.want {
			t.Errorf("stripQueries(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

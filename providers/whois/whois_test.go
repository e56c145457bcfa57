package whois

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// rdapServer replays RDAP answers at /rdap/ (RFC 9082 paths), IANA bootstrap
// files at /bootstrap/ (RFC 9224) pointing back at it, and a failing server
// at /bad/rdap/.
type rdapServer struct {
	*httptest.Server
	bootstrapHits atomic.Int32
	paths         sync.Map // path → hits
}

func newRDAPServer(t *testing.T) *rdapServer {
	t.Helper()
	ip := fixture(t, "ip-81.2.69.160.json")
	domain := fixture(t, "domain-example.com.json")
	autnum := fixture(t, "autnum-1221.json")
	s := &rdapServer{}
	mux := http.NewServeMux()
	rdapJSON := func(w http.ResponseWriter, status int, body []byte) {
		w.Header().Set("Content-Type", "application/rdap+json")
		w.WriteHeader(status)
		w.Write(body)
	}
	notFound := []byte(`{"rdapConformance":["rdap_level_0"],"errorCode":404,"title":"Not Found","description":["The object was not found."]}`)
	mux.HandleFunc("/bootstrap/", func(w http.ResponseWriter, r *http.Request) {
		s.bootstrapHits.Add(1)
		base := s.URL + "/rdap/"
		files := map[string]string{
			"ipv4.json": `{"description": "RDAP bootstrap file for IPv4 address allocations", "publication": "2024-11-20T22:00:02Z", "version": "1.0",
				"services": [[["41.0.0.0/8", "81.0.0.0/8"], ["` + base + `"]], [["102.0.0.0/8"], ["https://rdap.afrinic.example/rdap/"]]]}`,
			"ipv6.json": `{"description": "RDAP bootstrap file for IPv6 address allocations", "publication": "2024-11-20T22:00:02Z", "version": "1.0",
				"services": [[["2001:200::/23", "2a00::/12"], ["` + base + `"]]]}`,
			"dns.json": `{"description": "RDAP bootstrap file for Domain Name System registrations", "publication": "2024-11-20T22:00:02Z", "version": "1.0",
				"services": [[["com", "net"], ["` + base + `"]], [["example"], ["` + base + `"]]]}`,
			"asn.json": `{"description": "RDAP bootstrap file for Autonomous System Number allocations", "publication": "2024-11-20T22:00:02Z", "version": "1.0",
				"services": [[["1000-1999"], ["` + base + `"]], [["3000-3999"], ["` + s.URL + `/bad/rdap/", "` + base + `"]]]}`,
		}
		name := strings.TrimPrefix(r.URL.Path, "/bootstrap/")
		f, ok := files[name]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(f))
	})
	mux.HandleFunc("/bad/rdap/", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "upstream exploded", http.StatusInternalServerError)
	})
	mux.HandleFunc("/rdap2/domain/redirect.example", func(w http.ResponseWriter, r *http.Request) {
		rdapJSON(w, 200, domain)
	})
	mux.HandleFunc("/rdap/", func(w http.ResponseWriter, r *http.Request) {
		n, _ := s.paths.LoadOrStore(r.URL.Path, new(atomic.Int32))
		n.(*atomic.Int32).Add(1)
		if a := r.Header.Get("Accept"); !strings.Contains(a, "application/rdap+json") {
			t.Errorf("Accept = %q", a)
		}
		switch p := strings.TrimPrefix(r.URL.Path, "/rdap/"); p {
		case "ip/81.2.69.160", "ip/81.2.69.0/24", "ip/2a02:d280::1":
			rdapJSON(w, 200, ip)
		case "domain/example.com", "domain/xn--bcher-kva.example":
			rdapJSON(w, 200, domain)
		case "autnum/1221":
			rdapJSON(w, 200, autnum)
		case "autnum/3356":
			rdapJSON(w, 200, []byte(`{"objectClassName":"autnum","handle":"AS3356","startAutnum":3356,"endAutnum":3356,"name":"LEVEL3"}`))
		case "domain/broken.example":
			rdapJSON(w, 200, []byte(`{"objectClassName": "domain", "ldhName": `))
		case "domain/wrongkind.example":
			rdapJSON(w, 200, autnum)
		case "domain/errorobj.example":
			rdapJSON(w, 200, notFound)
		case "domain/limited.example":
			w.Header().Set("Retry-After", "60")
			rdapJSON(w, http.StatusTooManyRequests, []byte(`{"errorCode":429,"title":"Too Many Requests","description":["Slow down."]}`))
		case "domain/badreq.example":
			rdapJSON(w, http.StatusBadRequest, []byte(`{"errorCode":400,"title":"Bad Request"}`))
		case "domain/big.example":
			w.Header().Set("Content-Type", "application/rdap+json")
			w.Write([]byte(`{"objectClassName":"domain","ldhName":"big.example","remarks":[{"description":["`))
			chunk := []byte(strings.Repeat("A", 1<<16))
			for i := 0; i < (maxBody>>16)+2; i++ {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
			w.Write([]byte(`"]}]}`))
		case "domain/slow.example":
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		case "domain/redirect.example":
			http.Redirect(w, r, "/rdap2/domain/redirect.example", http.StatusFound)
		default:
			rdapJSON(w, http.StatusNotFound, notFound)
		}
	})
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

func (s *rdapServer) hits(path string) int32 {
	n, ok := s.paths.Load(path)
	if !ok {
		return 0
	}
	return n.(*atomic.Int32).Load()
}

func (s *rdapServer) direct() Options {
	return Options{HTTP: s.Client(), Server: s.URL + "/rdap/"}
}

func (s *rdapServer) bootstrapped() Options {
	return Options{HTTP: s.Client(), BootstrapURL: s.URL + "/bootstrap/"}
}

// wantIP is the flattened ip-81.2.69.160.json.
func wantIP(src string) *Result {
	return &Result{
		Query: "81.2.69.160", Kind: "ip", Handle: "81.2.69.0 - 81.2.69.255", Name: "QUARRY-TEST-NET",
		Type: "ASSIGNED PA", Country: "GB", StartAddress: "81.2.69.0", EndAddress: "81.2.69.255",
		CIDRs: []string{"81.2.69.0/24"}, ASN: "AS20712", Status: []string{"active"},
		Events: map[string]string{"registration": "2003-07-15T09:23:11Z", "last changed": "2021-03-02T14:05:09+01:00"},
		Entities: []Entity{
			{Handle: "ORG-QTH1-TEST", Roles: []string{"registrant"}, Name: "Quarry Test Hosting Ltd",
				Email: "noc@quarry-test.example", Phone: "+44 20 7946 0000",
				Address: "1 Example Street, London, EC1A 1AA, United Kingdom"},
			{Handle: "AB123-TEST", Roles: []string{"abuse"}, Name: "Abuse Desk",
				Email: "abuse@quarry-test.example", Phone: "+44-20-7946-0001"},
			{Handle: "NOC42-TEST", Roles: []string{"technical", "administrative"}, Name: "Network [31m Operations",
				Org: "Quarry Test Hosting Ltd", Phone: "+44-20-7946-0002;ext=12",
				Address: "Suite 5, 1 Example Street Floor 2, London, EC1A 1AA, United Kingdom"},
		},
		Remarks: []string{"Abuse contact: Send abuse reports to abuse@quarry-test.example", "Test network for Quarry."},
		Port43:  "whois.example.net",
		Source:  src,
	}
}

func wantDomain(src string) *Result {
	return &Result{
		Query: "example.com", Kind: "domain", Handle: "2336799_DOMAIN_COM-VRSN", Name: "example.com",
		Registrar: "RESERVED-Internet Assigned Numbers Authority",
		Status:    []string{"client delete prohibited", "client transfer prohibited", "client update prohibited"},
		Events: map[string]string{
			"registration": "1995-08-14T04:00:00Z", "expiration": "2025-08-13T04:00:00Z",
			"last changed": "2024-08-14T07:01:34Z", "last update of RDAP database": "2024-11-24T10:12:03Z",
		},
		Nameservers: []string{"a.iana-servers.net", "b.iana-servers.net"},
		Entities: []Entity{
			{Handle: "376", Roles: []string{"registrar"}, Name: "RESERVED-Internet Assigned Numbers Authority"},
			{Roles: []string{"abuse"}, Email: "abuse@iana.org", Phone: "+1.3103015800"},
		},
		Source: src,
	}
}

func wantAutnum(src string) *Result {
	return &Result{
		Query: "1221", Kind: "autnum", Handle: "AS1221", Name: "ASN-TELSTRA", Type: "DIRECT ALLOCATION",
		Country: "AU", ASN: "AS1221", Status: []string{"active"},
		Events: map[string]string{"registration": "2008-09-04T06:40:01Z", "last changed": "2023-10-30T22:59:54Z"},
		Entities: []Entity{{Handle: "IRT-TELSTRA-AU", Roles: []string{"abuse"}, Name: "IRT-TELSTRA-AU",
			Email: "abuse@telstra.example", Address: "Locked Bag 5744, Canberra, ACT 2601"}},
		Remarks: []string{"Telstra Internet (test fixture)"},
		Port43:  "whois.example.net",
		Source:  src,
	}
}

// compare checks got against want, Raw aside (checked to be the body).
func compare(t *testing.T, name string, got, want *Result, raw []byte) {
	t.Helper()
	if got == nil {
		t.Fatalf("%s: nil result", name)
	}
	if raw != nil && string(got.Raw) != string(raw) {
		t.Errorf("%s: Raw is not the answer body (%d bytes vs %d)", name, len(got.Raw), len(raw))
	}
	g := *got
	g.Raw = nil
	if !reflect.DeepEqual(&g, want) {
		gj, _ := json.MarshalIndent(&g, "", " ")
		wj, _ := json.MarshalIndent(want, "", " ")
		t.Errorf("%s:\n got %s\nwant %s", name, gj, wj)
	}
}

func TestLookup(t *testing.T) {
	s := newRDAPServer(t)
	ip := fixture(t, "ip-81.2.69.160.json")
	dom := fixture(t, "domain-example.com.json")
	as := fixture(t, "autnum-1221.json")
	for _, mode := range []struct {
		name string
		opts Options
	}{{"direct", s.direct()}, {"bootstrap", s.bootstrapped()}} {
		tests := []struct {
			query string
			want  *Result
			raw   []byte
		}{
			{"81.2.69.160", wantIP(s.URL + "/rdap/ip/81.2.69.160"), ip},
			{"  ::ffff:81.2.69.160 ", wantIP(s.URL + "/rdap/ip/81.2.69.160"), ip},
			{"Example.COM.", wantDomain(s.URL + "/rdap/domain/example.com"), dom},
			{"AS1221", wantAutnum(s.URL + "/rdap/autnum/1221"), as},
			{"as1221", wantAutnum(s.URL + "/rdap/autnum/1221"), as},
			{"1221", wantAutnum(s.URL + "/rdap/autnum/1221"), as},
		}
		for _, tc := range tests {
			got, err := Lookup(context.Background(), tc.query, mode.opts)
			if err != nil {
				t.Errorf("%s %q: %v", mode.name, tc.query, err)
				continue
			}
			compare(t, mode.name+" "+tc.query, got, tc.want, tc.raw)
		}
	}
}

func TestLookupPrefixIDNAndIPv6(t *testing.T) {
	s := newRDAPServer(t)
	for _, mode := range []Options{s.direct(), s.bootstrapped()} {
		r, err := Lookup(context.Background(), "81.2.69.77/24", mode)
		if err != nil || r.Query != "81.2.69.0/24" || r.Source != s.URL+"/rdap/ip/81.2.69.0/24" || r.Name != "QUARRY-TEST-NET" {
			t.Errorf("prefix: %+v, %v", r, err)
		}
		r, err = Lookup(context.Background(), "2a02:d280::1", mode)
		if err != nil || r.Query != "2a02:d280::1" || r.Source != s.URL+"/rdap/ip/2a02:d280::1" {
			t.Errorf("ipv6: %+v, %v", r, err)
		}
	}
	// An IDN, converted to ASCII, through the bootstrap ("example" is listed).
	r, err := Lookup(context.Background(), "Bücher.example", s.bootstrapped())
	if err != nil || r.Query != "xn--bcher-kva.example" || r.Source != s.URL+"/rdap/domain/xn--bcher-kva.example" {
		t.Errorf("IDN: %+v, %v", r, err)
	}
}

func TestLookupNotFound(t *testing.T) {
	s := newRDAPServer(t)
	for _, mode := range []Options{s.direct(), s.bootstrapped()} {
		for _, q := range []string{"81.2.70.1", "nosuch.com", "AS1999", "errorobj.example"} {
			_, err := Lookup(context.Background(), q, mode)
			if !errors.Is(err, ErrNotFound) {
				t.Errorf("%q: %v, want ErrNotFound", q, err)
			}
		}
	}
}

func TestLookupErrors(t *testing.T) {
	s := newRDAPServer(t)
	tests := []struct {
		query    string
		opts     Options
		is       error
		contains string
	}{
		{"broken.example", s.direct(), nil, "malformed RDAP answer from " + s.URL + "/rdap/domain/broken.example"},
		{"wrongkind.example", s.direct(), nil, "an autnum, not the domain object asked for"},
		{"limited.example", s.direct(), nil, "HTTP 429 from " + s.URL + "/rdap/domain/limited.example: Too Many Requests Slow down."},
		{"badreq.example", s.direct(), nil, "HTTP 400 from"},
		{"big.example", s.direct(), nil, "big.example is larger than 8388608 bytes"},
		{"8.8.8.8", s.bootstrapped(), nil, "no RDAP server is registered for 8.8.8.8"},
		{"example.org", s.bootstrapped(), nil, "no RDAP server is registered for example.org"},
		{"10.1.2.3", s.direct(), ErrNotPublic, "10.1.2.3 is a Private address"},
		{"192.0.2.0/24", s.direct(), ErrNotPublic, "Private network"},
		{"fe80::1%eth0", s.direct(), ErrNotPublic, "Link Local"},
		{"not a domain!", s.direct(), ErrBadQuery, "not an IP address, domain or AS number"},
		{"", s.direct(), ErrBadQuery, ""},
		{"example.com", Options{HTTP: s.Client(), Server: "ftp://x/"}, nil, "not an http(s) URL"},
		{"example.com", Options{HTTP: s.Client(), BootstrapURL: s.URL + "/nobootstrap/"}, nil, "reading the RDAP bootstrap file dns.json"},
	}
	for _, tc := range tests {
		_, err := Lookup(context.Background(), tc.query, tc.opts)
		if err == nil {
			t.Errorf("%q: no error", tc.query)
			continue
		}
		if tc.is != nil && !errors.Is(err, tc.is) {
			t.Errorf("%q: %v does not wrap %v", tc.query, err, tc.is)
		}
		if !strings.Contains(err.Error(), tc.contains) {
			t.Errorf("%q: error %q does not contain %q", tc.query, err, tc.contains)
		}
		if errors.Is(err, ErrNotFound) {
			t.Errorf("%q: %v wrongly wraps ErrNotFound", tc.query, err)
		}
	}
}

func TestLookupFailsOverToNextBootstrapServer(t *testing.T) {
	s := newRDAPServer(t)
	r, err := Lookup(context.Background(), "AS3356", s.bootstrapped())
	if err != nil || r.Name != "LEVEL3" || r.ASN != "AS3356" || r.Source != s.URL+"/rdap/autnum/3356" {
		t.Fatalf("failover: %+v, %v", r, err)
	}
}

func TestLookupFollowsRedirect(t *testing.T) {
	s := newRDAPServer(t)
	r, err := Lookup(context.Background(), "redirect.example", s.direct())
	if err != nil {
		t.Fatal(err)
	}
	if r.Source != s.URL+"/rdap2/domain/redirect.example" || r.Name != "example.com" {
		t.Fatalf("redirect: source %q name %q", r.Source, r.Name)
	}
}

func TestLookupContext(t *testing.T) {
	s := newRDAPServer(t)
	start := time.Now()
	o := s.direct()
	o.Timeout = 100 * time.Millisecond
	_, err := Lookup(context.Background(), "slow.example", o)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "no answer in time") {
		t.Errorf("Options.Timeout: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err = Lookup(ctx, "slow.example", s.direct())
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancel: %v", err)
	}
	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	_, err = Lookup(ctx, "example.com", s.bootstrapped())
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancel before bootstrap: %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %v", d)
	}
}

// TestLookupConcurrentBootstrap runs look-ups in parallel through one
// bootstrap (run with -race) and checks each file is fetched once.
func TestLookupConcurrentBootstrap(t *testing.T) {
	s := newRDAPServer(t)
	o := s.bootstrapped()
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			q := []string{"81.2.69.160", "example.com", "AS1221", "2a02:d280::1"}[i%4]
			if _, err := Lookup(context.Background(), q, o); err != nil {
				errs <- fmt.Errorf("%s: %w", q, err)
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := s.bootstrapHits.Load(); n != 4 {
		t.Errorf("bootstrap files fetched %d times, want 4 (once each)", n)
	}
	if n := s.hits("/rdap/ip/81.2.69.160"); n != 10 {
		t.Errorf("ip queried %d times, want 10", n)
	}
}

func TestParseQuery(t *testing.T) {
	tests := []struct {
		in, kind, norm string
		err            error
	}{
		{"81.2.69.160", "ip", "81.2.69.160", nil},
		{"::ffff:81.2.69.160", "ip", "81.2.69.160", nil},
		{"2A02:D280::1", "ip", "2a02:d280::1", nil},
		{"81.2.69.160/24", "ip", "81.2.69.0/24", nil},
		{"2001:218::/32", "ip", "2001:218::/32", nil},
		{"AS1221", "autnum", "1221", nil},
		{"As0", "autnum", "0", nil},
		{"4294967295", "autnum", "4294967295", nil},
		{"AS4294967296", "", "", ErrBadQuery},
		{"example.com", "domain", "example.com", nil},
		{"WWW.Example.COM.", "domain", "www.example.com", nil},
		{"münchen.de", "domain", "xn--mnchen-3ya.de", nil},
		{"com", "domain", "com", nil},
		{"as", "domain", "as", nil},
		{"1.2.3", "", "", ErrBadQuery},
		{"-bad.com", "", "", ErrBadQuery},
		{"a..b", "", "", ErrBadQuery},
		{"under_score.com", "", "", ErrBadQuery},
		{"http://example.com/", "", "", ErrBadQuery},
		{strings.Repeat("a", 64) + ".com", "", "", ErrBadQuery},
		{"127.0.0.1", "", "", ErrNotPublic},
		{"10.0.0.0/8", "", "", ErrNotPublic},
		{"::1", "", "", ErrNotPublic},
		{"   ", "", "", ErrBadQuery},
	}
	for _, tc := range tests {
		kind, norm, err := ParseQuery(tc.in)
		if tc.err != nil {
			if !errors.Is(err, tc.err) {
				t.Errorf("ParseQuery(%q) error %v, want %v", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || kind != tc.kind || norm != tc.norm {
			t.Errorf("ParseQuery(%q) = %q, %q, %v; want %q, %q", tc.in, kind, norm, err, tc.kind, tc.norm)
		}
	}
}

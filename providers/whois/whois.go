// Package whois looks up the registration of an IP address, a domain or an
// autonomous system with RDAP (RFC 9082/9083), the successor of port-43
// whois that msticpy's ip_whois queries. The authoritative server is found
// through the IANA bootstrap files (RFC 9224) unless a server is given.
// Answers are flattened into a Result; the raw RDAP JSON is kept beside it.
package whois

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/openrdap/rdap"
	"github.com/openrdap/rdap/bootstrap"
	"golang.org/x/net/idna"

	"github.com/quarry-sec/quarry/providers/geoip"
	"github.com/quarry-sec/quarry/providers/httpx"
)

// Query kinds named in Result.Kind.
const (
	KindIP     = "ip"
	KindDomain = "domain"
	KindAutnum = "autnum"
)

// DefaultTimeout bounds one Lookup when Options.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// maxBody bounds every RDAP answer and bootstrap file read.
const maxBody = 8 << 20

// maxServers bounds how many bootstrap servers one Lookup tries.
const maxServers = 4

var (
	// ErrNotFound means the RDAP server has no record of the query (HTTP 404).
	ErrNotFound = errors.New("whois: not found")
	// ErrBadQuery means the query is not an IP address, a domain or an AS number.
	ErrBadQuery = errors.New("whois: not an IP address, domain or AS number")
	// ErrNotPublic means the query is an address no registry holds (private,
	// loopback, documentation, multicast…).
	ErrNotPublic = errors.New("whois: not a public address")
)

// Options configures a Lookup. The zero value uses the IANA bootstrap and a
// client that honours the proxy environment variables.
type Options struct {
	// HTTP carries the requests (nil = a client with httpx.DefaultTransport).
	HTTP *http.Client
	// Server is an RDAP base URL that answers every query, bypassing the
	// bootstrap: for private mirrors and tests.
	Server string
	// BootstrapURL is the base of the IANA bootstrap files (default
	// https://data.iana.org/rdap/). The files are kept in memory for 24 hours.
	BootstrapURL string
	// Timeout bounds the whole Lookup (default 30s).
	Timeout time.Duration
}

// Result is one registration record, flattened.
type Result struct {
	// Query is the normalised query: an address or prefix, a lower-case
	// ASCII domain, or an AS number without the "AS".
	Query string `json:"query"`
	// Kind is "ip", "domain" or "autnum".
	Kind string `json:"kind"`
	// Handle is the registry's identifier for the object.
	Handle string `json:"handle"`
	// Name is the network name, the domain name or the AS name.
	Name string `json:"name"`
	// Type is the registry's allocation type (for networks and AS numbers).
	Type string `json:"type"`
	// Country is the ISO 3166 code the registry records.
	Country string `json:"country"`
	// StartAddress and EndAddress bound an IP network.
	StartAddress string `json:"start_address"`
	EndAddress   string `json:"end_address"`
	// CIDRs are the network's prefixes (the cidr0 extension, or computed
	// from the address range).
	CIDRs []string `json:"cidrs"`
	// ASN is the AS number ("AS1221", or a range "AS1-AS9"); for a network,
	// the originating AS when the registry gives it.
	ASN string `json:"asn"`
	// Registrar is the domain's registrar.
	Registrar string `json:"registrar"`
	// Status lists the object's RDAP status values.
	Status []string `json:"status"`
	// Events maps an event action (registration, last changed,
	// expiration…) to its date, in RFC 3339.
	Events map[string]string `json:"events"`
	// Nameservers are a domain's name servers, lower case.
	Nameservers []string `json:"nameservers"`
	// Entities are the contacts (registrant, abuse, technical…), nested ones
	// included.
	Entities []Entity `json:"entities"`
	// Remarks are the object's remarks, one string each.
	Remarks []string `json:"remarks"`
	// Port43 is the legacy whois server.
	Port43 string `json:"port43"`
	// Source is the RDAP URL that answered (after redirects).
	Source string `json:"source"`
	// Raw is the RDAP answer as received.
	Raw json.RawMessage `json:"raw,omitempty"`
}

// Entity is one contact, flattened from its vCard.
type Entity struct {
	Handle  string   `json:"handle"`
	Roles   []string `json:"roles"`
	Name    string   `json:"name"`
	Org     string   `json:"org"`
	Email   string   `json:"email"`
	Phone   string   `json:"phone"`
	Address string   `json:"address"`
}

// Lookup finds the registration of query: an IP address or prefix, a domain,
// or an AS number ("AS1221" or "1221"). The kind is detected from the query.
// A record the server does not hold gives an error wrapping ErrNotFound; a
// query of no kind ErrBadQuery; a private or reserved address ErrNotPublic.
// The context (and Options.Timeout) bound the whole look-up.
func Lookup(ctx context.Context, query string, o Options) (*Result, error) {
	kind, q, err := ParseQuery(query)
	if err != nil {
		return nil, err
	}
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	hc := limitedClient(o.HTTP)

	var servers []*url.URL
	if o.Server != "" {
		u, err := parseBase(o.Server)
		if err != nil {
			return nil, fmt.Errorf("whois: RDAP server %q: %w", o.Server, err)
		}
		servers = []*url.URL{u}
	} else {
		servers, err = bootstrapFor(o.BootstrapURL).lookup(ctx, hc, registryFor(kind, q), q)
		if err != nil {
			return nil, ctxErr(ctx, err)
		}
		if len(servers) == 0 {
			return nil, fmt.Errorf("whois: no RDAP server is registered for %s in the IANA bootstrap", q)
		}
	}
	if len(servers) > maxServers {
		servers = servers[:maxServers]
	}
	client := &rdap.Client{HTTP: hc, UserAgent: "quarry"}
	var failures []string
	for _, srv := range servers {
		s := *srv // rdap.Request.URL writes to its Server: never share one.
		req := (&rdap.Request{Type: requestType(kind), Query: q, Server: &s}).WithContext(ctx)
		resp, err := client.Do(req)
		res, err := interpret(kind, q, resp, err)
		if err == nil {
			return res, nil
		}
		if ctx.Err() != nil {
			return nil, ctxErr(ctx, ctx.Err())
		}
		if errors.Is(err, ErrNotFound) {
			return nil, err
		}
		failures = append(failures, err.Error())
	}
	return nil, fmt.Errorf("whois: %s: %s", q, strings.Join(failures, "; "))
}

// ParseQuery detects the kind of query and normalises it: an AS number
// ("AS1221", "as1221", "1221") → autnum "1221"; an IP address or prefix →
// ip (IPv4-mapped IPv6 unmapped, zone dropped); anything else that is a valid
// domain name (IDNs converted to ASCII) → domain.
func ParseQuery(query string) (kind, normalized string, err error) {
	q := strings.TrimSpace(query)
	if q == "" || len(q) > 253 {
		return "", "", fmt.Errorf("%w: %q", ErrBadQuery, clip(q, 80))
	}
	if n, ok, asLike := parseASN(q); ok {
		return KindAutnum, strconv.FormatUint(uint64(n), 10), nil
	} else if asLike {
		return "", "", fmt.Errorf("%w: %q (AS numbers run from 0 to 4294967295)", ErrBadQuery, clip(q, 80))
	}
	if a, err := netip.ParseAddr(q); err == nil {
		a = a.WithZone("").Unmap()
		if t := geoip.IPType(a); t != geoip.TypePublic {
			return "", "", fmt.Errorf("%w: %s is a %s address", ErrNotPublic, a, t)
		}
		return KindIP, a.String(), nil
	}
	if p, err := netip.ParsePrefix(q); err == nil {
		p = p.Masked()
		if t := geoip.IPType(p.Addr()); t != geoip.TypePublic {
			return "", "", fmt.Errorf("%w: %s is a %s network", ErrNotPublic, p, t)
		}
		return KindIP, p.String(), nil
	}
	d, err := normalizeDomain(q)
	if err != nil {
		return "", "", fmt.Errorf("%w: %q (%v)", ErrBadQuery, clip(q, 80), err)
	}
	return KindDomain, d, nil
}

// parseASN reads "AS1221", "as1221" or "1221". asLike reports that q has
// that shape even when the number is out of range.
func parseASN(q string) (n uint32, ok, asLike bool) {
	s := q
	if len(s) > 2 && strings.EqualFold(s[:2], "as") {
		s = s[2:]
	}
	if s == "" {
		return 0, false, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false, false
		}
	}
	v, err := strconv.ParseUint(s, 10, 32)
	if err != nil {
		return 0, false, true
	}
	return uint32(v), true, true
}

// normalizeDomain lower-cases d, drops a final dot, converts an IDN to ASCII
// and checks the labels.
func normalizeDomain(d string) (string, error) {
	d = strings.TrimSuffix(d, ".")
	a, err := idna.Lookup.ToASCII(strings.ToLower(d))
	if err != nil {
		return "", errors.New("not a valid domain name")
	}
	if a == "" || len(a) > 253 {
		return "", errors.New("not a valid domain name")
	}
	labels := strings.Split(a, ".")
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return "", errors.New("not a valid domain name")
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return "", errors.New("not a valid domain name")
			}
		}
	}
	tld := labels[len(labels)-1]
	if strings.Trim(tld, "0123456789") == "" {
		return "", errors.New("the top-level label is numeric")
	}
	return a, nil
}

// requestType maps a kind to the RDAP request type.
func requestType(kind string) rdap.RequestType {
	switch kind {
	case KindIP:
		return rdap.IPRequest
	case KindAutnum:
		return rdap.AutnumRequest
	}
	return rdap.DomainRequest
}

// registryFor maps a query to its bootstrap registry.
func registryFor(kind, q string) bootstrap.RegistryType {
	switch kind {
	case KindIP:
		if strings.Contains(q, ":") {
			return bootstrap.IPv6
		}
		return bootstrap.IPv4
	case KindAutnum:
		return bootstrap.ASN
	}
	return bootstrap.DNS
}

// parseBase checks an RDAP or bootstrap base URL.
func parseBase(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, errors.New("not a URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, errors.New("not an http(s) URL")
	}
	return u, nil
}

// ctxErr reports a context that ended as such (still matching
// context.Canceled / DeadlineExceeded), otherwise err.
func ctxErr(ctx context.Context, err error) error {
	if c := ctx.Err(); c != nil {
		if errors.Is(c, context.DeadlineExceeded) {
			return fmt.Errorf("whois: no answer in time: %w", c)
		}
		return fmt.Errorf("whois: %w", c)
	}
	return err
}

// bootstrapper shares one bootstrap client (and its cached files) between
// look-ups using the same bootstrap base. bootstrap.Client is not safe for
// concurrent use, so look-ups take turns through sem (which, unlike a mutex,
// can be abandoned when the context ends).
type bootstrapper struct {
	sem  chan struct{}
	base string
	c    *bootstrap.Client
	err  error
}

var (
	bootstrapMu      sync.Mutex
	bootstrapClients = map[string]*bootstrapper{}
)

// bootstrapFor returns the shared bootstrapper for base ("" = IANA's).
func bootstrapFor(base string) *bootstrapper {
	if base == "" {
		base = bootstrap.DefaultBaseURL
	}
	bootstrapMu.Lock()
	defer bootstrapMu.Unlock()
	if b, ok := bootstrapClients[base]; ok {
		return b
	}
	b := &bootstrapper{sem: make(chan struct{}, 1), base: base, c: &bootstrap.Client{}}
	u, err := parseBase(base)
	if err != nil {
		b.err = fmt.Errorf("whois: bootstrap URL %q: %w", base, err)
	} else {
		b.c.BaseURL = u
	}
	bootstrapClients[base] = b
	return b
}

// lookup returns the RDAP base URLs the bootstrap lists for q.
func (b *bootstrapper) lookup(ctx context.Context, hc *http.Client, reg bootstrap.RegistryType, q string) ([]*url.URL, error) {
	if b.err != nil {
		return nil, b.err
	}
	select {
	case b.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-b.sem }()
	b.c.HTTP = hc
	ans, err := b.c.Lookup((&bootstrap.Question{RegistryType: reg, Query: q}).WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("whois: reading the RDAP bootstrap file %s from %s: %v", reg.Filename(), b.base, err)
	}
	return ans.URLs, nil
}

// limitedClient returns a copy of c (or a default client) whose response
// bodies are cut off with an error after maxBody bytes.
func limitedClient(c *http.Client) *http.Client {
	var hc http.Client
	if c != nil {
		hc = *c
	}
	base := hc.Transport
	if base == nil {
		base = httpx.DefaultTransport()
	}
	hc.Transport = limitTransport{base: base, max: maxBody}
	return &hc
}

// limitTransport bounds response bodies.
type limitTransport struct {
	base http.RoundTripper
	max  int64
}

// RoundTrip sends r and wraps the response body.
func (t limitTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(r)
	if err != nil || resp == nil || resp.Body == nil {
		return resp, err
	}
	resp.Body = &limitedBody{ReadCloser: resp.Body, left: t.max}
	return resp, nil
}

// limitedBody fails a read that goes past its allowance.
type limitedBody struct {
	io.ReadCloser
	left int64
}

// Read reads at most the remaining allowance, then fails.
func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		var one [1]byte
		if n, _ := b.ReadCloser.Read(one[:]); n > 0 {
			return 0, errTooLarge
		}
		return b.ReadCloser.Read(p)
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.ReadCloser.Read(p)
	b.left -= int64(n)
	return n, err
}

// errTooLarge is the read error of a body past maxBody.
var errTooLarge = fmt.Errorf("answer larger than %d bytes", maxBody)

// clip shortens s to n bytes for an error message.
func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

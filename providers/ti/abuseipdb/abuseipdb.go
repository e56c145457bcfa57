// Package abuseipdb looks IP addresses up in AbuseIPDB (API v2, the check
// endpoint): how confident the community is that an address is abusive, and
// who runs it. The verdict is msticpy's, on the abuse confidence score: above
// 50 is high severity, above 0 a warning, 0 information.
package abuseipdb

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"golang.org/x/time/rate"

	"github.com/quarry-sec/quarry/providers/httpx"
	"github.com/quarry-sec/quarry/providers/ti"
)

// Name is the provider's registry name.
const Name = "abuseipdb"

// DefaultBaseURL is the AbuseIPDB API root.
const DefaultBaseURL = "https://api.abuseipdb.com"

// webBase is the human page for an address: webBase + ip.
const webBase = "https://www.abuseipdb.com/check/"

// maxAgeDays is how far back the reports counted go (msticpy's window).
const maxAgeDays = 90

// keyEnv is the environment variable the registry reads the key from.
const keyEnv = "QUARRY_ABUSEIPDB_KEY"

// httpDefaults are the client defaults (Spec.HTTP; New uses them directly,
// since Spec refers to New).
//
// The free tier allows 1,000 checks a day (https://www.abuseipdb.com/pricing),
// counted per calendar day (UTC) with no documented per-second or per-minute
// limit. The quota is a count, not a pace, so the bucket holds one day's
// allowance and refills at one day's rate: a hunt's batch of a few hundred
// addresses runs at network speed (four at a time), while a long-running
// session cannot sustain more than 1,000 a day. A small burst would only make
// look-ups sleep for minutes (86 s a token) while the allowance is unspent.
// The bucket cannot see checks made by other processes with the same key, so
// the server's 429 stays the authority; its Retry-After (until midnight UTC)
// is longer than the client waits, so the look-up ends at once saying when to
// retry.
var httpDefaults = httpx.Options{
	Name:        Name,
	Rate:        rate.Limit(1000.0 / 86400),
	Burst:       1000,
	Concurrency: 4,
	MaxBody:     8 << 20, // verbose answers list every report in the window
}

// Spec describes the provider for the registry.
var Spec = ti.Spec{
	Name:           Name,
	Title:          "AbuseIPDB",
	Types:          []string{"ipv4", "ipv6"},
	KeyEnv:         keyEnv,
	NeedsKey:       true,
	DefaultBaseURL: DefaultBaseURL,
	HTTP:           httpDefaults,
	// Reports accumulate through the day; a day matches the daily quota.
	TTL:  24 * time.Hour,
	Docs: "https://docs.abuseipdb.com/#check-endpoint",
	New:  ti.Constructor(New),
}

// Provider looks addresses up in AbuseIPDB. It is safe for concurrent use.
type Provider struct {
	key    string
	base   string
	client *httpx.Client
}

// New builds the provider from cfg. A key is required.
func New(cfg ti.Config) (*Provider, error) {
	if cfg.Key == "" {
		return nil, fmt.Errorf("%s: an API key is required (set %s)", Name, keyEnv)
	}
	base, err := ti.CheckedBaseURL(cfg, DefaultBaseURL, Name)
	if err != nil {
		return nil, err
	}
	return &Provider{key: cfg.Key, base: base, client: ti.ClientFor(cfg, ti.Spec{Name: Name, HTTP: httpDefaults})}, nil
}

// Name returns the registry name.
func (p *Provider) Name() string { return Name }

// Types lists the indicator types it takes.
func (p *Provider) Types() []string { return append([]string(nil), Spec.Types...) }

// Lookup asks AbuseIPDB about one IP address.
func (p *Provider) Lookup(ctx context.Context, ioc, iocType string) ti.Result {
	if iocType != "ipv4" && iocType != "ipv6" {
		return ti.Unsupported(Name, ioc, iocType)
	}
	r := ti.NewResult(Name, ioc, iocType)
	if err := ti.CheckIP(ioc, iocType == "ipv4"); err != nil {
		return ti.Scrub(r.Reject(err.Error()), p.key)
	}
	r.Reference = webBase + url.PathEscape(ioc)
	// "verbose" is a bare flag; url.Values would write "verbose=".
	q := fmt.Sprintf("ipAddress=%s&maxAgeInDays=%d&verbose", url.QueryEscape(ioc), maxAgeDays)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.base+"/api/v2/check?"+q, nil)
	if err != nil {
		return ti.Scrub(r.Fail("build request: %v", err), p.key)
	}
	req.Header.Set("Key", p.key)
	req.Header.Set("Accept", "application/json")
	resp, ok := ti.Send(ctx, p.client, req, &r, http.StatusBadRequest, http.StatusUnprocessableEntity)
	if !ok {
		return ti.Scrub(r, p.key)
	}
	return ti.Scrub(interpret(r, resp.Status, resp.Body), p.key)
}

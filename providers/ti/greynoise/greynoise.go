// Package greynoise looks IPv4 addresses up in GreyNoise's Community API:
// whether the address is internet background noise (mass scanners) or a
// known business service (RIOT), and GreyNoise's classification. The verdict
// is msticpy's: "malicious" is high severity, anything else information.
package greynoise

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"time"

	"golang.org/x/time/rate"

	"github.com/quarry-sec/quarry/providers/httpx"
	"github.com/quarry-sec/quarry/providers/ti"
)

// Name is the provider's registry name.
const Name = "greynoise"

// DefaultBaseURL is the GreyNoise API root.
const DefaultBaseURL = "https://api.greynoise.io"

// vizBase is GreyNoise's web interface; an IP's page is vizBase + "ip/" + ip.
const vizBase = "https://viz.greynoise.io/"

// keyEnv is the environment variable the registry reads the key from.
const keyEnv = "QUARRY_GREYNOISE_KEY"

// httpDefaults are the client defaults (Spec.HTTP; New uses them directly,
// since Spec refers to New).
//
// The Community API is deliberately low-volume: about 50 look-ups a day per
// source address, and a free account's plan caps searches at roughly 50 a
// week (https://docs.greynoise.io/docs/using-the-greynoise-community-api).
// The bucket refills at 50 a day and lets at most 10 go at once, so one
// process cannot spend a day's allowance in a single burst; beyond that the
// server's 429 (with a Retry-After of hours, which ends retries at once) is
// the authority, and the cache spares repeat look-ups.
var httpDefaults = httpx.Options{
	Name:        Name,
	Rate:        rate.Limit(50.0 / 86400),
	Burst:       10,
	Concurrency: 2,
	MaxBody:     1 << 20, // the community answer is a few hundred bytes
}

// Spec describes the provider for the registry.
var Spec = ti.Spec{
	Name:           Name,
	Aliases:        []string{"gn"},
	Title:          "GreyNoise Community",
	Types:          []string{"ipv4"},
	KeyEnv:         keyEnv,
	NeedsKey:       false,
	DefaultBaseURL: DefaultBaseURL,
	HTTP:           httpDefaults,
	// GreyNoise reclassifies addresses daily; a day also spares the quota.
	TTL:  24 * time.Hour,
	Docs: "https://docs.greynoise.io/reference/get_v3-community-ip",
	New:  ti.Constructor(New),
}

// Provider looks addresses up in GreyNoise. It is safe for concurrent use.
type Provider struct {
	key    string
	base   string
	client *httpx.Client
}

// New builds the provider from cfg. The key is optional: the Community API
// also answers anonymously, at a lower quota.
func New(cfg ti.Config) (*Provider, error) {
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

// Lookup asks GreyNoise about one IPv4 address.
func (p *Provider) Lookup(ctx context.Context, ioc, iocType string) ti.Result {
	if iocType != "ipv4" {
		return ti.Unsupported(Name, ioc, iocType)
	}
	r := ti.NewResult(Name, ioc, iocType)
	if err := checkIPv4(ioc); err != nil {
		return ti.Scrub(r.Reject(err.Error()), p.key)
	}
	r.Reference = vizBase + "ip/" + ioc
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.base+"/v3/community/"+url.PathEscape(ioc), nil)
	if err != nil {
		return ti.Scrub(r.Fail("build request: %v", err), p.key)
	}
	if p.key != "" {
		req.Header.Set("key", p.key)
	}
	req.Header.Set("Accept", "application/json")
	resp, ok := ti.Send(ctx, p.client, req, &r, http.StatusBadRequest, http.StatusNotFound)
	if !ok {
		return ti.Scrub(r, p.key)
	}
	return ti.Scrub(interpret(r, resp.Status, resp.Body), p.key)
}

// errNotIPv4 reports an indicator that is not an IPv4 address.
var errNotIPv4 = errors.New("not an IPv4 address")

// checkIPv4 reports whether s is a dotted-quad IPv4 address.
func checkIPv4(s string) error {
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Is4() {
		return fmt.Errorf("%q is %w", ti.Clean(s, ti.MaxText), errNotIPv4)
	}
	return nil
}

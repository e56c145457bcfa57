// Package otx looks indicators up in AlienVault OTX (DirectConnect API v1,
// the "general" section): IP addresses, domains, host names, file hashes and
// URLs. The verdict is msticpy's, by the number of pulses (community threat
// reports) naming the indicator: none is information, one a warning, two or
// more high.
package otx

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"

	"golang.org/x/time/rate"

	"github.com/quarry-sec/quarry/providers/httpx"
	"github.com/quarry-sec/quarry/providers/ti"
)

// Name is the provider's registry name.
const Name = "otx"

// DefaultBaseURL is the OTX site; the API lives under /api/v1.
const DefaultBaseURL = "https://otx.alienvault.com"

// webBase is the human page for an indicator.
const webBase = "https://otx.alienvault.com/indicator/"

// keyEnv is the environment variable the registry reads the key from.
const keyEnv = "QUARRY_OTX_KEY"

// httpDefaults are the client defaults (Spec.HTTP; New uses them directly,
// since Spec refers to New).
//
// OTX documents 10,000 requests an hour for a keyed client
// (https://otx.alienvault.com/api); anonymous reads share a lower, unstated
// allowance, which the server enforces with 429. A burst of 5 keeps a
// look-up batch brisk without approaching the hourly cap.
var httpDefaults = httpx.Options{
	Name:        Name,
	Rate:        rate.Limit(10000.0 / 3600),
	Burst:       5,
	Concurrency: 4,
	MaxBody:     8 << 20, // a popular indicator's general section lists many pulses
}

// Spec describes the provider for the registry.
var Spec = ti.Spec{
	Name:           Name,
	Aliases:        []string{"alienvault"},
	Title:          "AlienVault OTX",
	Types:          []string{"ipv4", "ipv6", "dns", "hostname", "md5_hash", "sha1_hash", "sha256_hash", "url"},
	KeyEnv:         keyEnv,
	NeedsKey:       false,
	DefaultBaseURL: DefaultBaseURL,
	HTTP:           httpDefaults,
	// Pulses are added as campaigns are reported; a day keeps answers fresh.
	TTL:  24 * time.Hour,
	Docs: "https://otx.alienvault.com/api",
	New:  ti.Constructor(New),
}

// Provider looks indicators up in OTX. It is safe for concurrent use.
type Provider struct {
	key    string
	base   string
	client *httpx.Client
}

// New builds the provider from cfg. The key is optional: without one OTX
// answers anonymously, at a lower rate.
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

// Lookup asks OTX about one indicator.
func (p *Provider) Lookup(ctx context.Context, ioc, iocType string) ti.Result {
	path, ref, err := route(ioc, iocType)
	if errors.Is(err, errUnsupported) {
		return ti.Unsupported(Name, ioc, iocType)
	}
	r := ti.NewResult(Name, ioc, iocType)
	if err != nil {
		return ti.Scrub(r.Reject(err.Error()), p.key)
	}
	r.Reference = ref
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.base+path, nil)
	if err != nil {
		return ti.Scrub(r.Fail("build request: %v", err), p.key)
	}
	if p.key != "" {
		req.Header.Set("X-OTX-API-KEY", p.key)
	}
	req.Header.Set("Accept", "application/json")
	resp, ok := ti.Send(ctx, p.client, req, &r, http.StatusBadRequest)
	if !ok {
		return ti.Scrub(r, p.key)
	}
	return ti.Scrub(interpret(r, resp.Status, resp.Body), p.key)
}

// errUnsupported marks an indicator type OTX does not take.
var errUnsupported = errors.New("unsupported type")

// sections maps Quarry's types to OTX's indicator types and web page kinds.
var sections = map[string]struct{ api, web string }{
	"ipv4":        {"IPv4", "ip"},
	"ipv6":        {"IPv6", "ip"},
	"dns":         {"domain", "domain"},
	"hostname":    {"hostname", "hostname"},
	"md5_hash":    {"file", "file"},
	"sha1_hash":   {"file", "file"},
	"sha256_hash": {"file", "file"},
	"url":         {"url", "url"},
}

// route returns the API path and the web page for an indicator, a
// bad-format error for a value that is not of its type, or errUnsupported.
func route(ioc, iocType string) (path, ref string, err error) {
	s, ok := sections[iocType]
	if !ok {
		return "", "", errUnsupported
	}
	switch iocType {
	case "ipv4", "ipv6":
		err = ti.CheckIP(ioc, iocType == "ipv4")
	case "dns", "hostname":
		err = ti.CheckHost(ioc)
	case "url":
		err = ti.CheckURL(ioc)
	default:
		err = ti.CheckHash(ioc, iocType)
	}
	if err != nil {
		return "", "", err
	}
	// PathEscape encodes a URL's slashes and query, as msticpy's quoting does,
	// so the indicator stays one path segment.
	e := url.PathEscape(ioc)
	return "/api/v1/indicators/" + s.api + "/" + e + "/general", webBase + s.web + "/" + e, nil
}

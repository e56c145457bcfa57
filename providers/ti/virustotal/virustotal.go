// Package virustotal looks indicators up in VirusTotal (API v3): IP
// addresses, domains and host names, URLs and file hashes. The verdict is
// msticpy's: more than one engine calling it malicious is high severity, one
// engine (or any "suspicious" vote) is a warning, none is information.
package virustotal

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"golang.org/x/time/rate"

	"github.com/quarry-sec/quarry/providers/httpx"
	"github.com/quarry-sec/quarry/providers/ti"
)

// Name is the provider's registry name.
const Name = "virustotal"

// DefaultBaseURL is the VirusTotal API v3 root.
const DefaultBaseURL = "https://www.virustotal.com/api/v3"

// guiBase is VirusTotal's web interface, the human page for an indicator.
const guiBase = "https://www.virustotal.com/gui/"

// Spec describes the provider for the registry.
var Spec = ti.Spec{
	Name:           Name,
	Aliases:        []string{"vt"},
	Title:          "VirusTotal",
	Types:          []string{"ipv4", "ipv6", "dns", "hostname", "url", "md5_hash", "sha1_hash", "sha256_hash"},
	KeyEnv:         keyEnv,
	NeedsKey:       true,
	DefaultBaseURL: DefaultBaseURL,
	HTTP:           httpDefaults,
	// Detections on a known object change slowly; a day matches the quota.
	TTL:  24 * time.Hour,
	Docs: "https://docs.virustotal.com/reference/overview",
	New:  ti.Constructor(New),
}

// keyEnv is the environment variable the registry reads the key from.
const keyEnv = "QUARRY_VT_KEY"

// httpDefaults are the client defaults (Spec.HTTP; New uses them directly,
// since Spec refers to New).
//
// The public (free) API allows 4 requests a minute and 500 a day
// (https://docs.virustotal.com/reference/public-vs-premium-api). One token
// every 15 s with a burst of 1 never puts a fifth request inside any
// 60-second window; the daily cap is left to the server's 429.
var httpDefaults = httpx.Options{
	Name:        Name,
	Rate:        rate.Limit(4.0 / 60),
	Burst:       1,
	Concurrency: 4,
	MaxBody:     8 << 20, // file objects run to a few hundred KiB
}

// Provider looks indicators up in VirusTotal. It is safe for concurrent use.
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

// Lookup asks VirusTotal about one indicator.
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
	req.Header.Set("x-apikey", p.key)
	req.Header.Set("Accept", "application/json")
	resp, ok := ti.Send(ctx, p.client, req, &r, http.StatusBadRequest, http.StatusNotFound)
	if !ok {
		return ti.Scrub(r, p.key)
	}
	return ti.Scrub(interpret(r, resp.Status, resp.Body), p.key)
}

// errUnsupported marks an indicator type VirusTotal does not take.
var errUnsupported = errors.New("unsupported type")

// route returns the API path and the web page for an indicator, a
// bad-format error for a value that is not of its type, or errUnsupported.
func route(ioc, iocType string) (path, ref string, err error) {
	switch iocType {
	case "ipv4", "ipv6":
		if err := ti.CheckIP(ioc, iocType == "ipv4"); err != nil {
			return "", "", err
		}
		e := url.PathEscape(ioc)
		return "/ip_addresses/" + e, guiBase + "ip-address/" + e, nil
	case "dns", "hostname":
		if err := ti.CheckHost(ioc); err != nil {
			return "", "", err
		}
		e := url.PathEscape(ioc)
		return "/domains/" + e, guiBase + "domain/" + e, nil
	case "url":
		if err := ti.CheckURL(ioc); err != nil {
			return "", "", err
		}
		sum := sha256.Sum256([]byte(ioc))
		return "/urls/" + URLID(ioc), guiBase + "url/" + hex.EncodeToString(sum[:]), nil
	case "md5_hash", "sha1_hash", "sha256_hash":
		if err := ti.CheckHash(ioc, iocType); err != nil {
			return "", "", err
		}
		return "/files/" + ioc, guiBase + "file/" + ioc, nil
	}
	return "", "", errUnsupported
}

// URLID is VirusTotal's identifier for a URL in the API: the URL as
// unpadded base64url.
func URLID(u string) string { return base64.RawURLEncoding.EncodeToString([]byte(u)) }

// Package ti is Quarry's threat-intelligence look-up: one Provider interface,
// one normalised Result with msticpy's severity scale, and the engine that fans
// a list of indicators out over several providers at once, through the cache,
// streaming results as they arrive. The providers themselves live in the
// sub-packages (virustotal, otx, greynoise, abuseipdb, xforce, urlhaus, tor,
// feed); package registry lists them.
package ti

import (
	"context"
	"time"

	"github.com/quarry-sec/quarry/engine/intel"
	"github.com/quarry-sec/quarry/providers/httpx"
)

// The verdict types are engine/intel's; these aliases let providers write ti.Result.
type (
	// Severity is msticpy's ResultSeverity: unknown < information < warning < high.
	Severity = intel.Severity
	// Status is how a look-up ended.
	Status = intel.Status
	// Result is one provider's answer for one indicator, normalised.
	Result = intel.Result
)

// The severities, with msticpy's values.
const (
	SevUnknown     = intel.SevUnknown
	SevInformation = intel.SevInformation
	SevWarning     = intel.SevWarning
	SevHigh        = intel.SevHigh
)

// The statuses.
const (
	StatusOK          = intel.StatusOK
	StatusNotFound    = intel.StatusNotFound
	StatusUnsupported = intel.StatusUnsupported
	StatusBadFormat   = intel.StatusBadFormat
	StatusError       = intel.StatusError
)

// ParseSeverity reads a severity by name (any case; "info" too) or msticpy value.
func ParseSeverity(s string) (Severity, error) { return intel.ParseSeverity(s) }

// Provider is one threat-intelligence source.
type Provider interface {
	// Name is the provider's registry name ("virustotal").
	Name() string
	// Types lists the indicator types it takes, in engine/ioc's names.
	Types() []string
	// Lookup asks about one indicator of a type it supports. Every outcome,
	// failures included, is a Result (Status and Reason say what went wrong);
	// Lookup never returns a secret in any field.
	Lookup(ctx context.Context, ioc, iocType string) Result
}

// Config is what a provider is built from; the registry fills it from the
// settings file and the environment.
type Config struct {
	// Key is the API key, resolved (never shown).
	Key string
	// APIID is the second credential some providers use (X-Force's key ID).
	APIID string
	// BaseURL replaces the provider's default base URL ("" = the default):
	// proxies, private mirrors and tests.
	BaseURL string
	// Client sends the provider's requests ("" = one built from the provider's
	// Spec.HTTP defaults with Key and APIID as secrets).
	Client *httpx.Client
	// Paths are files a local provider reads (the offline feed; a saved Tor list).
	Paths []string
}

// Spec describes a provider for the registry: how to build it and its defaults.
type Spec struct {
	// Name is the registry name ("virustotal").
	Name string
	// Aliases are short names accepted on the command line ("vt").
	Aliases []string
	// Title is the display name ("VirusTotal").
	Title string
	// Types lists the indicator types it takes.
	Types []string
	// KeyEnv is the environment variable read for the key when the settings
	// name none ("QUARRY_VT_KEY"); "" when the provider takes no key.
	KeyEnv string
	// IDEnv is the environment variable for the second credential, if any.
	IDEnv string
	// NeedsKey reports that look-ups fail without a key.
	NeedsKey bool
	// DefaultBaseURL is the provider's API base URL.
	DefaultBaseURL string
	// HTTP holds the client defaults: free-tier rate limit, burst, concurrency.
	HTTP httpx.Options
	// TTL is how long a cached answer stays good.
	TTL time.Duration
	// Docs is the URL of the provider's API documentation / sign-up page.
	Docs string
	// New builds the provider.
	New func(Config) (Provider, error)
}

// Supports reports whether p takes iocType.
func Supports(p Provider, iocType string) bool {
	for _, t := range p.Types() {
		if t == iocType {
			return true
		}
	}
	return false
}

// Constructor adapts a provider package's New to Spec.New. A failed New gives
// a nil Provider, not an interface holding a nil pointer.
func Constructor[P Provider](newP func(Config) (P, error)) func(Config) (Provider, error) {
	return func(cfg Config) (Provider, error) {
		p, err := newP(cfg)
		if err != nil {
			return nil, err
		}
		return p, nil
	}
}

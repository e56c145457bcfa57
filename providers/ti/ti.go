// Package ti is Quarry's threat-intelligence look-up: one Provider interface,
// one normalised Result with msticpy's severity scale, and the engine that fans
// a list of indicators out over several providers at once, through the cache,
// streaming results as they arrive. The providers themselves live in the
// sub-packages (virustotal, otx, greynoise, abuseipdb, xforce, urlhaus, tor,
// feed); package registry lists them.
package ti

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/quarry-sec/quarry/providers/httpx"
)

// Severity is msticpy's ResultSeverity: unknown < information < warning < high.
type Severity int

// The severities, with msticpy's values.
const (
	SevUnknown     Severity = -1
	SevInformation Severity = 0
	SevWarning     Severity = 1
	SevHigh        Severity = 2
)

// String returns the severity's name ("unknown", "information", "warning", "high").
func (s Severity) String() string {
	switch s {
	case SevInformation:
		return "information"
	case SevWarning:
		return "warning"
	case SevHigh:
		return "high"
	}
	return "unknown"
}

// ParseSeverity reads a severity by name (any case; "info" too) or msticpy value.
func ParseSeverity(s string) (Severity, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "unknown", "-1":
		return SevUnknown, nil
	case "information", "info", "0":
		return SevInformation, nil
	case "warning", "warn", "1":
		return SevWarning, nil
	case "high", "2":
		return SevHigh, nil
	}
	return SevUnknown, fmt.Errorf("unknown severity %q (want unknown, information, warning or high)", s)
}

// MarshalJSON writes the severity's name.
func (s Severity) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// UnmarshalJSON reads a severity's name.
func (s *Severity) UnmarshalJSON(b []byte) error {
	var v string
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	p, err := ParseSeverity(v)
	*s = p
	return err
}

// Status is how a look-up ended.
type Status int

// The statuses.
const (
	// StatusOK: the provider answered and has a record of the indicator.
	StatusOK Status = iota
	// StatusNotFound: the provider answered and knows nothing of it.
	StatusNotFound
	// StatusUnsupported: the provider does not take this indicator type.
	StatusUnsupported
	// StatusBadFormat: the indicator is not a valid (or not a public) value of its type.
	StatusBadFormat
	// StatusError: the look-up failed; Reason says why.
	StatusError
)

var statusNames = [...]string{"ok", "not found", "unsupported type", "bad format", "error"}

// String returns the status's name.
func (s Status) String() string {
	if s >= 0 && int(s) < len(statusNames) {
		return statusNames[s]
	}
	return "error"
}

// MarshalJSON writes the status's name.
func (s Status) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// UnmarshalJSON reads a status's name.
func (s *Status) UnmarshalJSON(b []byte) error {
	var v string
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	for i, n := range statusNames {
		if n == v {
			*s = Status(i)
			return nil
		}
	}
	return fmt.Errorf("unknown status %q", v)
}

// Result is one provider's answer for one indicator, normalised.
type Result struct {
	// Provider is the provider's name ("virustotal").
	Provider string `json:"provider"`
	// Ioc is the indicator as looked up (refanged, trimmed).
	Ioc string `json:"ioc"`
	// IocType is the indicator's type, in engine/ioc's names (ipv4, dns, url, sha256_hash…).
	IocType string `json:"ioc_type"`
	// QuerySubtype is the provider's query variant, when not the default.
	QuerySubtype string `json:"query_subtype,omitempty"`
	// Found reports whether the provider has a record of the indicator.
	Found bool `json:"found"`
	// Severity is the provider's verdict on msticpy's scale, by msticpy's thresholds.
	Severity Severity `json:"severity"`
	// Details is the provider's summary (the fields msticpy shows).
	Details map[string]any `json:"details,omitempty"`
	// Raw is the provider's response body, when it was JSON.
	Raw json.RawMessage `json:"raw,omitempty"`
	// Reference is the provider's page for the indicator (for a person, not the API).
	Reference string `json:"reference,omitempty"`
	// Status is how the look-up ended.
	Status Status `json:"status"`
	// Reason explains a not-found, unsupported, bad-format or error status.
	Reason string `json:"reason,omitempty"`
	// Cached reports that the result came from the cache.
	Cached bool `json:"cached,omitempty"`
	// Time is when the provider answered (UTC).
	Time time.Time `json:"time"`
}

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
